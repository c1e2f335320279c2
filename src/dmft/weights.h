// The +-1 weight matrices W^o, W^v, W^q, W^k of the network, stored as the authors store them:
// M x (N + N_P) per projection (feature a, unit i), the last N_P columns multiplying the positional code.
#pragma once

#include "dmft/params.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace tdlab::dmft {

struct Weights {
    int M = 0, N = 0, NP = 0;
    std::array<std::vector<int8_t>, kNumAlpha> w; // w[alpha][a * (N + NP) + i], entries +-1

    int cols() const { return N + NP; }
    int at(int alpha, int a, int i) const { return w[alpha][size_t(a) * size_t(cols()) + size_t(i)]; }
    int8_t &at(int alpha, int a, int i) { return w[alpha][size_t(a) * size_t(cols()) + size_t(i)]; }
};

// The paper's "random segments" generator (App. C; docs/dmft_map.md section 4), bit-exact to the authors' numpy code:
// np.random.seed(seed); an unused M x N draw; W^o, W^v, W^q, W^k semantic parts (randint(2)*2-1, row-major);
// PE columns copy the last N_P semantic columns; then each feature row is cut into `segments` equal
// segments, each set to one random sign (draw order alpha, feature, segment).
Weights random_segments_weights(int M, int N, int NP, int segments, uint32_t seed);

// i.i.d. +-1 weights from the counter-based generator (stream = seed).
Weights iid_weights(int M, int N, int NP, uint64_t seed);

// Weights from a .npy integer (or float) array of shape [4, M, N + N_P] with +-1 entries, projections
// in the order o, v, q, k. UsageError naming the file on a wrong shape or a value other than +-1.
Weights load_weights(const std::filesystem::path &path, int NP);
void save_weights(const std::filesystem::path &path, const Weights &w);

// Builds the weights a ModelParams asks for (segments, iid or file).
Weights make_weights(const ModelParams &p);

} // namespace tdlab::dmft
