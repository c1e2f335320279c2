#include "scansnap/dataset.h"

#include "core/error.h"
#include "core/isa.h"
#include "core/memory_budget.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tdlab::scansnap {

DataParams DataParams::syn_small() {
    DataParams p;
    p.num_last = 2;
    p.num_next_per_last = 1;
    return p;
}

DataParams DataParams::syn_medium(int num_last) {
    DataParams p;
    p.num_last = num_last;
    p.num_next_per_last = 2;
    return p;
}

namespace {

// Cumulative thresholds for inverse-CDF sampling with 31-bit uniforms u: token s is drawn when
// cum31[s-1] <= u < cum31[s] (cum31[-1] = 0, cum31[S-1] = 2^31), so P(s) is resolved to 2^-31.
void build_thresholds(SeqClass &c) {
    const size_t S = c.prob.size();
    c.cum31.resize(S > 0 ? S - 1 : 0);
    double acc = 0;
    for (size_t s = 0; s + 1 < S; ++s) {
        acc += c.prob[s];
        c.cum31[s] = int32_t(std::min(std::llround(acc * 2147483648.0), 2147483647ll));
    }
}

// The draws of a sequence are 31-bit uniforms, two per 64-bit word w: u = w >> 33 and u' = (w >> 1) mod 2^31,
// that is, the word's high and low 32-bit halves h shifted right by one. Since floor(h / 2) < t exactly when
// h < 2t (t <= 2^31 - 1, so 2t fits 32 bits), a draw is counted below threshold t by comparing its raw half
// with 2t: no unpacking. The halves are read in memory order; a count does not depend on the order.
// A 32-bit view of the 64-bit words that the compiler may not assume apart from them.
typedef uint32_t __attribute__((may_alias)) HalfWord;

// below[j] = #{i < n : h[i] < thr2[j]} (unsigned), n a multiple of 16. Integer counts, so every path gives
// the same result; the loop is a vectorised compare-and-count (S x (L-1) compares per sequence, no table
// lookups or scatters). The baseline path (SSE2); CPUs with AVX2 or AVX-512 take the forms below.
void count_below_vector(const HalfWord *h, int n, const uint32_t *thr2, int nthr, int32_t *below) {
    for (int j = 0; j < nthr; ++j) {
        const uint32_t t = thr2[j];
        int32_t c = 0;
        for (int i = 0; i < n; ++i) c += h[i] < t ? 1 : 0;
        below[j] = c;
    }
}

#if defined(__x86_64__)
// With AVX-512 a compare of 16 halves gives a 16-bit mask; four masks make one 64-bit mask and a popcount
// counts them. The vector form above ends each threshold with a horizontal sum of its 16 lane counters (a
// chain of ~10 dependent instructions), which was half of its time and 7% of a B = 128 run.
__attribute__((target("avx512f,avx512bw,popcnt"), always_inline)) inline __mmask16 lt_mask(const HalfWord *h,
                                                                                           __m512i t) {
    return _mm512_cmplt_epu32_mask(_mm512_loadu_si512(h), t);
}
__attribute__((target("avx512f,avx512bw,popcnt"))) void
count_below_avx512(const HalfWord *h, int n, const uint32_t *thr2, int nthr, int32_t *below) {
    for (int j = 0; j < nthr; ++j) {
        const __m512i t = _mm512_set1_epi32(int32_t(thr2[j]));
        int64_t c = 0;
        int i = 0;
        for (; i + 64 <= n; i += 64) {
            const __mmask32 lo = _mm512_kunpackw(lt_mask(h + i + 16, t), lt_mask(h + i, t));
            const __mmask32 hi = _mm512_kunpackw(lt_mask(h + i + 48, t), lt_mask(h + i + 32, t));
            c += _mm_popcnt_u64(_cvtmask64_u64(_mm512_kunpackd(hi, lo)));
        }
        for (; i < n; i += 16) c += _mm_popcnt_u32(lt_mask(h + i, t));
        below[j] = int32_t(c);
    }
}

// With AVX2 (no unsigned compare, no mask registers): h < t unsigned is (h ^ 2^31) < (t ^ 2^31) signed, and a
// compare's all-ones lanes (-1) are subtracted from lane counters. The vector form above does that for one
// threshold at a time, flipping every half again and ending each threshold with a horizontal sum (8.7% of a
// B = 128 run on an AVX2 host); here each load and flip serves four thresholds and one hadd tree ends all four.
__attribute__((target("avx2"))) void count_below_avx2(const HalfWord *h, int n, const uint32_t *thr2, int nthr,
                                                      int32_t *below) {
    constexpr int kGroup = 4;
    const __m256i flip = _mm256_set1_epi32(INT32_MIN);
    for (int j = 0; j < nthr; j += kGroup) {
        __m256i t[kGroup], acc[kGroup];
        for (int q = 0; q < kGroup; ++q) {
            // a group past the last threshold repeats it; those counts are not stored
            t[q] = _mm256_set1_epi32(int32_t(thr2[std::min(j + q, nthr - 1)] ^ 0x80000000u));
            acc[q] = _mm256_setzero_si256();
        }
        for (int i = 0; i < n; i += 8) {
            const __m256i v = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(h + i)), flip);
            for (int q = 0; q < kGroup; ++q) acc[q] = _mm256_sub_epi32(acc[q], _mm256_cmpgt_epi32(t[q], v));
        }
        // [a0 a1 a2 a3] lane sums: hadd pairs, then the two 128-bit halves
        const __m256i s = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[0], acc[1]), _mm256_hadd_epi32(acc[2], acc[3]));
        alignas(16) int32_t sums[kGroup];
        _mm_store_si128(reinterpret_cast<__m128i *>(sums),
                        _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1)));
        for (int q = 0; q < kGroup && j + q < nthr; ++q) below[j + q] = sums[q];
    }
}
const bool have_avx512bw = cpu_has_avx512bw();
const bool have_avx2 = __builtin_cpu_supports("avx2");
#endif

void count_below(const HalfWord *h, int n, const uint32_t *thr2, int nthr, int32_t *below) {
#if defined(__x86_64__)
    if (have_avx512bw) return count_below_avx512(h, n, thr2, nthr, below);
    if (have_avx2) return count_below_avx2(h, n, thr2, nthr, below);
#endif
    count_below_vector(h, n, thr2, nthr, below);
}

} // namespace

SeqClasses::SeqClasses(const DataParams &p) : params_(p) {
    auto need = [](bool ok, const std::string &what) {
        if (!ok) throw UsageError("scansnap data: " + what);
    };
    need(p.num_last >= 1, "data.num_last must be >= 1");
    need(p.num_next_per_last >= 1, "data.num_next_per_last must be >= 1");
    need(p.num_common >= 0 && p.num_common_per_last >= 0, "data.num_common* must be >= 0");
    need(p.num_unique_per_next >= 1, "data.num_unique_per_next must be >= 1");
    need(p.L >= 2, fmt::format("data.L = {} must be >= 2 (at least one contextual token)", p.L));
    need(p.unique_min > 0 && p.unique_max >= p.unique_min, "need 0 < data.unique_min <= data.unique_max");
    need(p.common_prob >= 0, "data.common_prob must be >= 0");
    // The vocabulary size M sets the model (Y and Z are M x M, with their gradients and optimiser state:
    // six M x M float64 matrices at most); checked in double before any int arithmetic can overflow.
    const double K_d = double(p.num_last) * double(p.num_next_per_last);
    const double M_d = double(p.num_common) + double(p.num_common_per_last) * double(p.num_last) +
                       double(p.num_unique_per_next) * K_d + double(p.num_last) + K_d;
    check_memory_budget(6.0 * 8.0 * M_d * M_d,
                        "'data.num_unique_per_next', 'data.num_last', 'data.num_next_per_last', 'data.num_common*'",
                        fmt::format("a model over M = {:.0f} tokens", M_d));
    need(M_d < 2147483647.0, fmt::format("the vocabulary M = {:.0f} does not fit an int", M_d));
    const int K = p.num_last * p.num_next_per_last;
    const int unique_offset = p.num_common + p.num_common_per_last * p.num_last;
    last_offset_ = unique_offset + p.num_unique_per_next * K;
    next_offset_ = last_offset_ + p.num_last;
    M_ = next_offset_ + K;
    S_ = p.num_common + p.num_common_per_last + p.num_unique_per_next;
    classes_.resize(size_t(K));
    const int C = p.num_common, Cq = p.num_common_per_last, U = p.num_unique_per_next, npl = p.num_next_per_last;
    if (C > 0) blocks_.push_back({0, K, 0, 0, C});
    for (int m = 0; m < p.num_last && Cq > 0; ++m) blocks_.push_back({m * npl, (m + 1) * npl, C, C + m * Cq, Cq});
    for (int n = 0; n < K; ++n) blocks_.push_back({n, n + 1, C + Cq, unique_offset + n * U, U});
    for (int m = 0; m < p.num_last; ++m) {
        for (int j = 0; j < p.num_next_per_last; ++j) {
            const int n = m * p.num_next_per_last + j;
            SeqClass &c = classes_[size_t(n)];
            c.query = last_offset_ + m;
            c.label = next_offset_ + n;
            std::vector<double> w;
            for (int l = 0; l < p.num_common; ++l) {
                c.support.push_back(l);
                w.push_back(p.common_prob);
                c.distinct.push_back(0);
            }
            for (int l = 0; l < p.num_common_per_last; ++l) {
                c.support.push_back(p.num_common + m * p.num_common_per_last + l);
                w.push_back(p.common_prob);
                c.distinct.push_back(0);
            }
            for (int l = 0; l < p.num_unique_per_next; ++l) {
                c.support.push_back(unique_offset + n * p.num_unique_per_next + l);
                // numpy linspace(a, b, k): a + i*(b-a)/(k-1), with the last point exactly b.
                const int k = p.num_unique_per_next;
                double x =
                    k == 1 ? p.unique_min
                           : (l == k - 1 ? p.unique_max : p.unique_min + l * ((p.unique_max - p.unique_min) / (k - 1)));
                w.push_back(x);
                c.distinct.push_back(1);
            }
            double total = 0;
            for (double x : w) total += x;
            c.prob.resize(w.size());
            for (size_t s = 0; s < w.size(); ++s) c.prob[s] = w[s] / total;
            build_thresholds(c);
        }
    }
}

std::vector<double> SeqClasses::dense_prob() const {
    std::vector<double> P(size_t(K()) * size_t(M_), 0.0);
    for (int n = 0; n < K(); ++n) {
        const SeqClass &c = classes_[size_t(n)];
        for (size_t s = 0; s < c.support.size(); ++s) P[size_t(n) * size_t(M_) + size_t(c.support[s])] = c.prob[s];
    }
    return P;
}

std::string SeqClasses::describe() const {
    return fmt::format(
        "K={} classes, M={} tokens (context [0,{}), queries [{},{}), labels [{},{})), support S={}, L={}", K(), M_,
        last_offset_, last_offset_, next_offset_, next_offset_, M_, S_, params_.L);
}

void sample_batch(const SeqClasses &data, int B, CounterRng &rng, Batch &out) {
    const int S = data.S(), T1 = data.params().L - 1, K = data.K();
    out.B = B;
    out.S = S;
    out.cls.resize(size_t(B));
    out.counts.resize(size_t(B) * size_t(S));
    // Stream order: the B classes, then ceil((L-1)/2) 64-bit draws per sequence (two 31-bit uniforms each),
    // sequence i taking the draws that follow the first `done + i * words`: any thread can make any
    // sequence, so the batch is the same for every thread count.
    for (int i = 0; i < B; ++i) out.cls[size_t(i)] = int(rng.uniform_int(uint64_t(K)));
    const size_t words = size_t(T1 + 1) / 2;
    const uint64_t done = rng.counter();
    // Each class's thresholds doubled, to compare with the raw halves of the words (count_below).
    std::vector<uint32_t> thr2(size_t(K) * size_t(S - 1));
    for (int n = 0; n < K; ++n)
        for (int s = 0; s + 1 < S; ++s)
            thr2[size_t(n) * size_t(S - 1) + size_t(s)] = 2 * uint32_t(data.cls(n).cum31[size_t(s)]);
    // Threads only for large batches (compares B x (L-1) x S); the batch is the same either way.
    auto draw = [&](bool shared) {
        // The words are padded to a multiple of 8 (16 halves) with all ones, which no doubled threshold
        // counts (2 cum31 <= 2^32 - 2), so the compare loop has no scalar remainder.
        const size_t padded = (words + 7) / 8 * 8;
        std::vector<uint64_t> w(padded, ~uint64_t(0));
        std::vector<int32_t> below(static_cast<size_t>(S));
        auto sequence = [&](int i) {
            rng.peek_u64(done + uint64_t(i) * words, w.data(), words);
            // With an odd number of draws the last word's low half is not a draw: it joins the padding.
            if (size_t(T1) < 2 * words) w[words - 1] |= 0xffffffffu;
            const int n = out.cls[size_t(i)];
            count_below(reinterpret_cast<const HalfWord *>(w.data()), int(2 * padded),
                        thr2.data() + size_t(n) * size_t(S - 1), S - 1, below.data());
            below[size_t(S) - 1] = T1; // cum31[S-1] = 2^31: every draw
            int32_t *cnt = &out.counts[size_t(i) * size_t(S)];
            int32_t prev = 0;
            for (int s = 0; s < S; ++s) {
                cnt[s] = below[size_t(s)] - prev;
                prev = below[size_t(s)];
            }
        };
        if (shared) {
#pragma omp for schedule(static)
            for (int i = 0; i < B; ++i) sequence(i);
        } else {
            for (int i = 0; i < B; ++i) sequence(i);
        }
    };
    // A small batch stays out of OpenMP: a region of one thread still ends with a futex wake (model.cpp).
    if (size_t(B) * size_t(T1) * size_t(S) >= (size_t(2) << 20)) {
#pragma omp parallel
        draw(true);
    } else {
        draw(false);
    }
    rng.skip(uint64_t(B) * words);
}

} // namespace tdlab::scansnap
