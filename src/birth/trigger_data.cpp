#include "birth/trigger_data.h"

#include "core/error.h"

#include <algorithm>
#include <fmt/format.h>

namespace tdlab::birth {

uint64_t batch_key(uint64_t seed, StreamPurpose purpose, uint64_t index) {
    return splitmix64(splitmix64(seed) ^ splitmix64(uint64_t(purpose) * 0xD1B54A32D192ED03ull + index));
}

int split_point(int N) {
    return int(0.75 * N);
}

TriggerData::TriggerData(const CharStats &stats, const DataOptions &opt) : stats_(stats), opt_(opt) {
    const int N = stats.N;
    if (opt.split != OutputSplit::All && opt.bigram_outs)
        throw UsageError("data: the out-of-distribution output split (train_test) draws uniform outputs; it cannot be "
                         "combined with bigram outputs");
    if (opt.k < 0 || opt.k > N) throw UsageError(fmt::format("data: k = {} must be in [0, {}]", opt.k, N));
    if (opt.seq_length < 1) throw UsageError(fmt::format("data: seq_length = {} must be >= 1", opt.seq_length));
    if (opt.fixed_triggers) {
        if (opt.trigger_offset < 0 || opt.trigger_offset + opt.k > N)
            throw UsageError(fmt::format("data: trigger_offset = {} with k = {} exceeds the vocabulary ({})",
                                         opt.trigger_offset, opt.k, N));
        // argsort_ascending(pi_u)[N - offset - K : N - offset]
        const auto order = stats.argsort_ascending();
        fixed_.assign(order.begin() + (N - opt.trigger_offset - opt.k), order.begin() + (N - opt.trigger_offset));
    }
    cdf_u_.resize(size_t(N));
    double acc = 0.0;
    for (int i = 0; i < N; ++i) cdf_u_[size_t(i)] = acc += stats.pi_u[size_t(i)];
    cdf_b_.resize(size_t(N) * size_t(N));
    for (int i = 0; i < N; ++i) {
        acc = 0.0;
        for (int j = 0; j < N; ++j)
            cdf_b_[size_t(i) * size_t(N) + size_t(j)] = acc += stats.pi_b[size_t(i) * size_t(N) + size_t(j)];
    }
}

// Smallest j with u < cdf[j]; u beyond the last (rounded) entry falls on the last nonzero bin.
int TriggerData::sample_cdf(const double *cdf, double u) const {
    const int N = stats_.N;
    const double *it = std::upper_bound(cdf, cdf + N, u * cdf[N - 1]);
    int j = int(it - cdf);
    if (j >= N) j = N - 1;
    while (j > 0 && cdf[j] == cdf[j - 1]) --j; // never land on a zero-probability bin
    return j;
}

void TriggerData::gen_seq(CounterRng &rng, int32_t *z, int32_t *outs, int32_t *trig, int32_t *out) const {
    const int N = stats_.N, K = opt_.k, T = opt_.seq_length;
    // 1. triggers
    if (opt_.fixed_triggers) {
        for (int k = 0; k < K; ++k) trig[k] = fixed_[size_t(k)];
    } else {
        // Sequential draws from pi_u renormalised over the tokens not yet drawn == rejection of repeats.
        for (int k = 0; k < K; ++k) {
            for (;;) {
                const int c = sample_cdf(cdf_u_.data(), rng.uniform());
                if (std::find(trig, trig + k, c) == trig + k) {
                    trig[k] = c;
                    break;
                }
            }
        }
    }
    // 2. outputs
    if (opt_.split != OutputSplit::All) {
        const int cut = split_point(N);
        for (int k = 0; k < K; ++k) {
            // the candidates: every token (but q_k with no_repeat), then the split's part of that list
            std::vector<int> pool;
            for (int j = 0; j < N; ++j)
                if (!opt_.no_repeat || j != trig[k]) pool.push_back(j);
            const int lo = opt_.split == OutputSplit::Train ? 0 : cut;
            const int hi = opt_.split == OutputSplit::Train ? cut : int(pool.size());
            out[k] = pool[size_t(lo) + size_t(rng.uniform_int(uint64_t(hi - lo)))];
        }
    }
    for (int k = 0; k < K && opt_.split == OutputSplit::All; ++k) {
        for (int attempt = 0;; ++attempt) {
            int o = opt_.bigram_outs ? sample_cdf(&cdf_b_[size_t(trig[k]) * size_t(N)], rng.uniform())
                                     : int(rng.uniform_int(uint64_t(N)));
            if (!opt_.no_repeat || o != trig[k]) {
                out[k] = o;
                break;
            }
            if (attempt > 10000) throw RuntimeError("data: no_repeat cannot avoid a deterministic self-transition");
        }
    }
    // 3. chain and 4. counter
    std::vector<int> cnt(size_t(N), 0);
    z[0] = int32_t(sample_cdf(cdf_u_.data(), rng.uniform()));
    for (int t = 0; t < T; ++t) {
        const int cur = z[t];
        const int32_t *hit = std::find(trig, trig + K, cur);
        if (hit != trig + K) {
            outs[t] = ++cnt[size_t(cur)];
            z[t + 1] = out[hit - trig];
        } else {
            outs[t] = 0;
            z[t + 1] = int32_t(sample_cdf(&cdf_b_[size_t(cur) * size_t(N)], rng.uniform()));
        }
    }
    outs[T] = 0;
}

Batch TriggerData::gen_batch(uint64_t seed, StreamPurpose purpose, uint64_t index, int B) const {
    const int T = opt_.seq_length, K = opt_.k;
    Batch batch;
    batch.B = B;
    batch.T = T;
    batch.K = K;
    batch.x.resize(size_t(B) * size_t(T));
    batch.y.resize(size_t(B) * size_t(T));
    batch.outs.resize(size_t(B) * size_t(T));
    batch.triggers.resize(size_t(B) * size_t(K));
    batch.outputs.resize(size_t(B) * size_t(K));
    const uint64_t key = batch_key(seed, purpose, index);
#pragma omp parallel
    {
        std::vector<int32_t> z(size_t(T) + 1), outs(size_t(T) + 1);
#pragma omp for schedule(static)
        for (int b = 0; b < B; ++b) {
            CounterRng rng(key, uint64_t(b));
            gen_seq(rng, z.data(), outs.data(), &batch.triggers[size_t(b) * size_t(K)],
                    &batch.outputs[size_t(b) * size_t(K)]);
            std::copy(z.begin(), z.begin() + T, &batch.x[size_t(b) * size_t(T)]);
            std::copy(z.begin() + 1, z.end(), &batch.y[size_t(b) * size_t(T)]);
            std::copy(outs.begin(), outs.begin() + T, &batch.outs[size_t(b) * size_t(T)]);
        }
    }
    return batch;
}

} // namespace tdlab::birth
