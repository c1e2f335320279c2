// The 0-1 test for chaos (Gottwald & Melbourne 2004/2009, regression form with the oscillatory term
// removed), on a scalar observable phi_1..phi_N:
//   p_n = sum_{j<=n} phi_j cos(j c),  q_n = sum_{j<=n} phi_j sin(j c)
//   M_c(n) = mean_{j <= N - ncut} |z_{j+n} - z_j|^2,  z = p + i q
//   D_c(n) = M_c(n) - (E phi)^2 (1 - cos n c) / (1 - cos c)
//   K_c = corr(n, D_c(n)) over the sampled n in 1..ncut,   K = median_c K_c
// K near 0: regular (periodic or quasi-periodic; the test cannot tell them apart); K near 1: chaotic.
// c is drawn in (pi/5, 4 pi/5) to avoid resonances. For a map forced with period L, pass the series
// sampled every L steps, otherwise c near 2 pi / L resonates with the forcing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tdlab::dynamics {

struct Chaos01Options {
    int num_c = 32;           // frequencies c, median taken over them
    double ncut_frac = 0.1;   // ncut = N * ncut_frac (N0 = N/10 as ChaosTools)
    int num_n = 50;           // n values sampled evenly in 1..ncut for the correlation
    uint64_t seed = 20090101; // c_k from CounterRng(seed, k): deterministic
};

double chaos01(const std::vector<double> &phi, const Chaos01Options &opt = {});

} // namespace tdlab::dynamics
