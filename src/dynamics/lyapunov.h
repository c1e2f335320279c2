// The largest Lyapunov exponent of a map x_{t+1} = f(x_t) from the tangent dynamics with an analytic
// Jacobian (Benettin et al. 1980, tangent version): v <- J(x_t) v, accumulate ln|v|, renormalise.
// Exponents are per step (natural log). The first `transient` steps move x onto the attractor and
// align the tangent vector without being accumulated. The full spectrum has one implementation,
// QrSpectrum (lyapunov_spectrum.h); `lyapunov_spectrum_of_system` there drives it from a MapSystem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tdlab::dynamics {

struct MapSystem {
    size_t dim = 0;
    std::function<void(std::vector<double> &x)> step; // x <- f(x)
    // J[i * dim + j] = d f_i / d x_j at x (row-major dim x dim).
    std::function<void(const std::vector<double> &x, std::vector<double> &J)> jacobian;
};

struct LyapunovOptions {
    int64_t transient = 1000; // steps of x and the tangent vectors before accumulating
    int64_t steps = 100000;   // accumulated steps
    int renorm_every = 1;     // renormalise the tangent vector every k steps (largest exponent only)
};

// Largest exponent; x is advanced in place. The tangent vector starts as (1,...,1)/sqrt(dim).
double largest_lyapunov(const MapSystem &sys, std::vector<double> &x, const LyapunovOptions &opt);

// Central finite-difference Jacobian of `step` at x, for tests of analytic Jacobians.
std::vector<double> finite_difference_jacobian(const std::function<void(std::vector<double> &)> &step,
                                               const std::vector<double> &x, double h = 1e-6);

} // namespace tdlab::dynamics
