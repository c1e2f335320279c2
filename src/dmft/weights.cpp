#include "dmft/weights.h"

#include "core/error.h"
#include "core/npy.h"
#include "core/rng.h"

#include <fmt/format.h>

namespace tdlab::dmft {

namespace {
Weights empty_weights(int M, int N, int NP) {
    Weights w;
    w.M = M;
    w.N = N;
    w.NP = NP;
    for (auto &m : w.w) m.assign(size_t(M) * size_t(N + NP), 0);
    return w;
}
} // namespace

Weights random_segments_weights(int M, int N, int NP, int segments, uint32_t seed) {
    NumpyLegacyRng rng(seed);
    auto sign = [&] { return int8_t(rng.randint2() * 2 - 1); };
    // 1. W_SE: drawn and unused by the authors' code, but it advances the generator.
    for (int k = 0; k < M * N; ++k) rng.randint2();
    Weights w = empty_weights(M, N, NP);
    // 2. Semantic parts, alpha = o, v, q, k, each M x N row-major.
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int a = 0; a < M; ++a) {
            for (int i = 0; i < N; ++i) w.at(alpha, a, i) = sign();
        }
        // 3. The PE columns copy the last N_P semantic columns before segmentation.
        for (int a = 0; a < M; ++a) {
            for (int j = 0; j < NP; ++j) w.at(alpha, a, N + j) = w.at(alpha, a, N - NP + j);
        }
    }
    // 4. Segments: one sign per (alpha, feature, segment), PE columns untouched.
    const int seg_size = N / segments;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int a = 0; a < M; ++a) {
            for (int s = 0; s < segments; ++s) {
                int8_t v = sign();
                for (int i = s * seg_size; i < (s + 1) * seg_size; ++i) w.at(alpha, a, i) = v;
            }
        }
    }
    return w;
}

Weights iid_weights(int M, int N, int NP, uint64_t seed) {
    CounterRng rng(seed, 0x5745494748545300ull); // stream "WEIGHTS"
    Weights w = empty_weights(M, N, NP);
    for (auto &m : w.w) {
        for (auto &v : m) v = int8_t((rng.next_u64() >> 63) ? 1 : -1);
    }
    return w;
}

Weights load_weights(const std::filesystem::path &path, int NP) {
    NpyArray a = read_npy(path);
    if (a.shape.size() != 3 || a.shape[0] != 4 || a.shape[2] <= size_t(NP)) {
        throw UsageError(
            fmt::format("weights file '{}': expected shape [4, M, N + N_P] with N_P = {}", path.string(), NP));
    }
    int M = int(a.shape[1]), cols = int(a.shape[2]);
    Weights w = empty_weights(M, cols - NP, NP);
    std::vector<double> v = a.to_double();
    for (int alpha = 0; alpha < 4; ++alpha) {
        for (size_t k = 0; k < size_t(M) * size_t(cols); ++k) {
            double x = v[size_t(alpha) * size_t(M) * size_t(cols) + k];
            if (x != 1.0 && x != -1.0) {
                throw UsageError(fmt::format("weights file '{}': entry {} of projection {} is {}, not +-1",
                                             path.string(), k, kAlphaNames[alpha], x));
            }
            w.w[alpha][k] = int8_t(x);
        }
    }
    return w;
}

void save_weights(const std::filesystem::path &path, const Weights &w) {
    std::vector<int32_t> flat;
    for (const auto &m : w.w) flat.insert(flat.end(), m.begin(), m.end());
    write_npy(path, flat, {4, size_t(w.M), size_t(w.cols())});
}

Weights make_weights(const ModelParams &p) {
    Weights w;
    if (p.weights == "segments") {
        w = random_segments_weights(p.M, p.N, p.NP, p.segments, p.weights_seed);
    } else if (p.weights == "iid") {
        w = iid_weights(p.M, p.N, p.NP, p.weights_seed);
    } else {
        w = load_weights(p.weights, p.NP);
        if (w.M != p.M) {
            throw UsageError(
                fmt::format("weights file '{}' has M = {} but config key 'dmft.M' is {}", p.weights, w.M, p.M));
        }
    }
    return w;
}

} // namespace tdlab::dmft
