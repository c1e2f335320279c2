// Appendix B of the paper (Poc-Lopez & Aguilera 2024, arXiv 2406.07247, eq. 29; docs/dmft_map.md section 3): the
// mean-field sum over units i rewritten over the output-weight sign patterns. Two exact forms, both for any M:
//
//  correlation form (paper eq. 29, the authors' code):
//    m^alpha_a = 2^-(M-1) sum_{j: sigma_1=+1} tanh(beta sigma_j . A) CS^alpha[j][a],
//    CS^alpha[j][a] = sum_{S odd subset of [M]} sigma_{j,S} <W^o_S W^alpha_a>_i
//  site-type form:
//    m^alpha_a = sum_s f_s W^alpha_{s,a} tanh(beta W^o_s . A), s over distinct rows (W^o,W^v,W^q,W^k)_i
//
// Averages <.>_i run over the N semantic units only.
#pragma once

#include "dmft/weights.h"

#include <array>
#include <cstdint>
#include <vector>

namespace tdlab::dmft {

struct Correlations {
    int M = 0;
    int P = 0;                                       // 2^(M-1) sign patterns (sigma_1 = +1) = number of odd subsets
    std::vector<uint32_t> odd_subsets;               // bitmask of features; singletons {0},{1},.. first, then by size
    std::vector<double> sign_patterns;               // [P][M], +-1; row j: sigma_b = -1 iff bit (M-1-b) of j is set
    std::array<std::vector<double>, kNumAlpha> corr; // [alpha][s][a] = <W^o_S W^alpha_a>
    std::array<std::vector<double>, kNumAlpha> signed_corr; // [alpha][j][a] = CS^alpha[j][a]

    // Pair correlation C^{o alpha}[b][a] = <W^o_b W^alpha_a> and, for M >= 3, the quad <W^o_1 W^o_2 W^o_3 W^alpha_a>.
    double pair(int alpha, int b, int a) const { return corr[alpha][size_t(b) * size_t(M) + size_t(a)]; }
    double subset(int alpha, uint32_t mask, int a) const;
};

// Largest M for which the correlation form is built (P^2 M work to build CS).
inline constexpr int kMaxCorrelationM = 12;

Correlations correlations_from_weights(const Weights &w);

struct SiteTypes {
    int M = 0;
    int S = 0;                                    // number of distinct site types
    std::vector<double> frac;                     // [S] fraction of the N semantic units
    std::array<std::vector<int8_t>, kNumAlpha> w; // [alpha][s][a]
};

SiteTypes site_types_from_weights(const Weights &w);

} // namespace tdlab::dmft
