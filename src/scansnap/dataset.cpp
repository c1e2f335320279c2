#include "scansnap/dataset.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

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

// Vose's alias method over the support padded to P = 2^bits columns (padding has probability 0).
// A draw takes 32 random bits: `bits` pick the column, the other 32 - bits are the coin compared with
// the threshold (so two tokens come out of one 64-bit draw; thresholds resolve 2^-(32-bits), 2^-27
// for the experiments' S = 20).
void build_alias(SeqClass &c) {
    const size_t S = c.prob.size();
    int bits = 0;
    while ((size_t(1) << bits) < S) ++bits;
    if (bits > 16)
        throw UsageError(fmt::format("scansnap data: class support of {} tokens is too large (max 65536)", S));
    const size_t P = size_t(1) << bits;
    const double unit = double(uint64_t(1) << (32 - bits));
    c.alias_bits = bits;
    std::vector<double> scaled(P, 0.0);
    std::vector<size_t> small, large;
    for (size_t s = 0; s < P; ++s) {
        scaled[s] = s < S ? c.prob[s] * double(P) : 0.0;
        (scaled[s] < 1.0 ? small : large).push_back(s);
    }
    c.alias_threshold.assign(P, uint32_t(unit - 1.0) + 1u); // keep always (coin < 2^(32-bits))
    c.alias_index.resize(P);
    for (size_t s = 0; s < P; ++s) c.alias_index[s] = uint32_t(s);
    while (!small.empty() && !large.empty()) {
        size_t a = small.back(), b = large.back();
        small.pop_back();
        c.alias_threshold[a] = uint32_t(std::min(std::round(scaled[a] * unit), unit));
        c.alias_index[a] = uint32_t(b);
        scaled[b] = (scaled[b] + scaled[a]) - 1.0;
        if (scaled[b] < 1.0) {
            large.pop_back();
            small.push_back(b);
        }
    }
    // Leftovers (rounding) keep themselves with probability 1. A padded column can only be left over if
    // rounding left it there; send it to the most probable real token instead.
    for (size_t s = S; s < P; ++s)
        if (c.alias_index[s] == s) {
            c.alias_threshold[s] = 0;
            c.alias_index[s] = uint32_t(std::max_element(c.prob.begin(), c.prob.end()) - c.prob.begin());
        }
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
    const int K = p.num_last * p.num_next_per_last;
    const int unique_offset = p.num_common + p.num_common_per_last * p.num_last;
    last_offset_ = unique_offset + p.num_unique_per_next * K;
    next_offset_ = last_offset_ + p.num_last;
    M_ = next_offset_ + K;
    S_ = p.num_common + p.num_common_per_last + p.num_unique_per_next;
    classes_.resize(size_t(K));
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
            build_alias(c);
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
    out.counts.assign(size_t(B) * size_t(S), 0);
    // Four interleaved histograms: consecutive draws of the same token would otherwise serialise on
    // one counter (store-to-load forwarding); the sum is the same count.
    std::vector<int32_t> hist(4 * size_t(S)); // picks are always real tokens (< S): padding is aliased away
    for (int i = 0; i < B; ++i) {
        const int n = int(rng.uniform_int(uint64_t(K)));
        out.cls[size_t(i)] = n;
        const SeqClass &c = data.cls(n);
        std::fill(hist.begin(), hist.end(), 0);
        int32_t *h0 = hist.data(), *h1 = h0 + S, *h2 = h1 + S, *h3 = h2 + S;
        const uint32_t *thr = c.alias_threshold.data();
        const uint32_t *ali = c.alias_index.data();
        const int shift = 32 - c.alias_bits;
        const uint32_t coin_mask = uint32_t((uint64_t(1) << shift) - 1);
        auto pick = [&](uint32_t w) -> uint32_t {
            const uint32_t col = w >> shift, coin = w & coin_mask;
            return coin < thr[col] ? col : ali[col];
        };
        int t = 0;
        for (; t + 4 <= T1; t += 4) {
            const uint64_t u = rng.next_u64(), v = rng.next_u64();
            h0[pick(uint32_t(u >> 32))] += 1;
            h1[pick(uint32_t(u))] += 1;
            h2[pick(uint32_t(v >> 32))] += 1;
            h3[pick(uint32_t(v))] += 1;
        }
        for (; t < T1; ++t) h0[pick(uint32_t(rng.next_u64() >> 32))] += 1;
        int32_t *cnt = &out.counts[size_t(i) * size_t(S)];
        for (int s = 0; s < S; ++s) cnt[s] = h0[s] + h1[s] + h2[s] + h3[s];
    }
}

} // namespace tdlab::scansnap
