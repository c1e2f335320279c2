#include "scansnap/dataset.h"

#include "core/error.h"

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

// Vose's alias method: entry s is kept with probability threshold[s] / 2^32, else alias[s] is taken.
void build_alias(SeqClass &c) {
    const size_t S = c.prob.size();
    std::vector<double> scaled(S);
    std::vector<size_t> small, large;
    for (size_t s = 0; s < S; ++s) {
        scaled[s] = c.prob[s] * double(S);
        (scaled[s] < 1.0 ? small : large).push_back(s);
    }
    c.alias_threshold.assign(S, 0xFFFFFFFFu);
    c.alias_index.resize(S);
    for (size_t s = 0; s < S; ++s) c.alias_index[s] = uint32_t(s);
    while (!small.empty() && !large.empty()) {
        size_t a = small.back(), b = large.back();
        small.pop_back();
        c.alias_threshold[a] = uint32_t(std::min(scaled[a] * 4294967296.0, 4294967295.0));
        c.alias_index[a] = uint32_t(b);
        scaled[b] = (scaled[b] + scaled[a]) - 1.0;
        if (scaled[b] < 1.0) {
            large.pop_back();
            small.push_back(b);
        }
    }
    // Leftovers (rounding) keep themselves with probability 1 (threshold already 2^32 - 1).
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
    for (int i = 0; i < B; ++i) {
        const int n = int(rng.uniform_int(uint64_t(K)));
        out.cls[size_t(i)] = n;
        const SeqClass &c = data.cls(n);
        int32_t *cnt = &out.counts[size_t(i) * size_t(S)];
        const uint32_t *thr = c.alias_threshold.data();
        const uint32_t *ali = c.alias_index.data();
        for (int t = 0; t < T1; ++t) {
            // High 32 bits pick the column (multiply-shift, bias < S/2^32), low 32 bits the coin.
            const uint64_t u = rng.next_u64();
            const uint32_t col = uint32_t(((u >> 32) * uint64_t(S)) >> 32);
            const uint32_t coin = uint32_t(u);
            cnt[coin < thr[col] ? col : ali[col]] += 1;
        }
    }
}

} // namespace tdlab::scansnap
