// Exact-cycle detection of the lanes of a batched mean-field block, for the transient fast-forward of
// BatchOptions::skip_cycles (the reasoning and the guarantee are in batched_map.h). Used by batched_map.cpp
// only; `Block` is its structure-of-arrays block (att [M][W], mq [M][W], mv / mk [L][M][W], M).
#pragma once

#include "dmft/batched_map.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tdlab::dmft {

// Exact-cycle detection for the transient fast-forward (BatchOptions::skip_cycles, batched_map.h). A block
// state is (A-hat, m^q, m^v, m^k) of all lanes, copied contiguously; a window keeps the states after steps
// start, start + 1, ..., start + kCycleMaxLag and compares each with the first at multiples of L.
inline std::vector<double> &cycle_history(size_t n) {
    static thread_local std::vector<double> hist; // reused by every block this thread runs
    if (hist.size() < n) hist.resize(n);
    return hist;
}

template <class Block, int W> struct CycleWatch {
    size_t S = 0;       // doubles of one block state: (2 M + 2 L M) x W
    double *hist;       // [kCycleMaxLag + 1][S]
    int64_t start = -1; // step of hist[0]; -1 outside a window
    int period[W] = {}; // lane's exact period in this window, 0 if it has not returned yet
    int matched = 0;
    explicit CycleWatch(const Block &B)
        : S(B.att.size() + B.mq.size() + B.mv.size() + B.mk.size()),
          hist(cycle_history(S * size_t(kCycleMaxLag + 1)).data()) {}

    void save(const Block &B, int k) const {
        double *d = hist + size_t(k) * S;
        d = std::copy(B.att.begin(), B.att.end(), d);
        d = std::copy(B.mq.begin(), B.mq.end(), d);
        d = std::copy(B.mv.begin(), B.mv.end(), d);
        std::copy(B.mk.begin(), B.mk.end(), d);
    }
    void load_lane(Block &B, int k, int l) const {
        const double *src = hist + size_t(k) * S;
        for (auto *v : {&B.att, &B.mq, &B.mv, &B.mk}) {
            for (size_t i = size_t(l); i < v->size(); i += W) (*v)[i] = src[i];
            src += v->size();
        }
    }
    // Records the state after step t; true once every lane has returned bit for bit to the window's first
    // state (finite states only: a NaN lane keeps running into the kernel's non-finite check).
    bool observe(const Block &B, int64_t t, int64_t t_start, int64_t t_end, int L) {
        if (start < 0) {
            if ((t - t_start) % kCycleCheckEvery != 0 || t + kCycleMaxLag >= t_end) return false;
            start = t, matched = 0;
            std::fill(period, period + W, 0);
            save(B, 0);
            return false;
        }
        const int k = int(t - start);
        save(B, k);
        if (k % L == 0) {
            const uint64_t *cur = reinterpret_cast<const uint64_t *>(hist + size_t(k) * S);
            const uint64_t *first = reinterpret_cast<const uint64_t *>(hist);
            uint64_t diff[W] = {};
            for (size_t i = 0; i < S; i += W) {
                _Pragma("omp simd") for (int l = 0; l < W; ++l) diff[l] |= cur[i + size_t(l)] ^ first[i + size_t(l)];
            }
            for (int l = 0; l < W; ++l) {
                if (period[l] || diff[l]) continue;
                double check = 0.0;
                for (int a = 0; a < B.M; ++a) check += B.att[size_t(a) * W + size_t(l)];
                if (!std::isfinite(check)) continue;
                period[l] = k, ++matched;
            }
            if (matched == W) return true;
        }
        if (k == kCycleMaxLag) start = -1;
        return false;
    }
    // Sets every lane to its state after step T >= the current step: the state after start + (T - start) mod p.
    void jump(Block &B, int64_t T) const {
        for (int l = 0; l < W; ++l) load_lane(B, int((T - start) % period[l]), l);
    }
};

} // namespace tdlab::dmft
