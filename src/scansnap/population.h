// Population (T -> infinity) dynamics of the Y/Z model: Lemma 1 with Lemma 2 substituted
// (Tian et al. 2023, arXiv 2305.16380, Lemmas 1-2; docs/scansnap.md "Theory"). Deterministic Euler steps in
// batch-size-1 time: one step applies the class-averaged update (P(n) = 1/K), which is one batch-size-1 SGD step in
// expectation.
//   c_n = P(.|n) exp(z_m) normalised on the support, f_n = c_n/||c_n||, alpha_n = softmax(Y^T f_n),
//   Y   += eta_Y sum_n P(n) f_n (e_n - alpha_n)^T,
//   z_m += eta_Z sum_{n in psi^-1(m)} P(n) diag(c_n) P^perp_{f_n} Y (e_n - alpha_n) / ||c_n||.
// With `sampled` one class is drawn per step instead (batch-size-1 SGD at T = infinity).
#pragma once

#include "scansnap/dataset.h"

#include <cstdint>
#include <vector>

namespace tdlab::scansnap {

struct PopulationParams {
    DataParams data; // L is not used (T = infinity)
    double eta_y = 1.0, eta_z = 1.0;
    int steps = 1000;
    int record_every = 1;
    bool sampled = false;
    uint64_t seed = 1; // only for `sampled`
};

struct PopulationResult {
    int M = 0, num_queries = 0;
    std::vector<double> t;      // recorded times (steps), starting at 0 and ending at `steps`
    std::vector<double> z_rows; // t.size() x num_queries x M
    std::vector<double> err;    // t.size(): mean over classes of ||e_n - alpha_n||_2
    std::vector<double> Y;      // final Y, M x M
};

PopulationResult simulate_population(const PopulationParams &p);

} // namespace tdlab::scansnap
