// Exact period detection for orbits of maps: the smallest p such that the recorded state returns to
// within a tolerance after p steps, over a whole window (PeriodicOrbits.jl's minimal_period idea,
// applied to a time series instead of a known orbit).
#pragma once

#include <cstddef>
#include <vector>

namespace tdlab::dynamics {

struct PeriodOptions {
    size_t max_period = 2000; // largest p tried
    size_t multiple_of = 1;   // only p = k * multiple_of (a map forced with period L has periods k L)
    double tol = 1e-8;        // max-norm return distance accepted as "the same point"
};

// `x` is a series of `dim`-vectors, row-major [n][dim]. Returns the smallest p (a multiple of
// `multiple_of`, <= max_period) with |x[t+p] - x[t]|_inf <= tol for every t in [0, n - p), or 0 if
// there is none (quasi-periodic, chaotic, or a periodic orbit not yet converged to tol). Requires
// n >= 2 * p for p to count, so a period is seen at least twice.
size_t detect_period(const std::vector<double> &x, size_t dim, const PeriodOptions &opt = {});

} // namespace tdlab::dynamics
