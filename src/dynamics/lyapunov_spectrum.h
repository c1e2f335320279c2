// The Lyapunov spectrum of a map from its Jacobians along a trajectory, by repeated QR decomposition
// (Benettin, Galgani, Giorgilli & Strelcyn 1980, Meccanica 15, 9-20 and 21-30; the discrete QR form
// of Shimada & Nagashima 1979, Prog. Theor. Phys. 61, 1605):
//   Y_t = J_t Q_t,   Y_t = Q_{t+1} R_t (Householder QR, diag R_t >= 0),   lambda_j = (1/N) sum_t ln R_t[j][j]
// over the N accumulated steps, in decreasing order from a generic start Q_0 (a fixed pseudo-random
// orthonormal frame, as ChaosTools.jl's lyapunovspectrum; the identity is not generic).
// Exponents are per step, natural log. With k = dim the sum of the exponents is exactly the average
// of ln|det J_t| (|det R_t| = |det J_t| for a square orthogonal Q), which the tests use as an identity.
//
// Defaults and caveats: the first `transient` Jacobians only align Q (not accumulated; Q converges to
// the Oseledets directions at the rate of the gaps between exponents, so near-degenerate exponents
// need a longer alignment); one QR per Jacobian (no skipping: products of several Jacobians lose the
// small exponents to rounding). A Jacobian that collapses a direction (R_jj = 0) gives -infinity for
// that exponent, which is the right answer for a map that forgets part of its state.
// A map given as a MapSystem callback pair (lyapunov.h) runs through the same QrSpectrum.
#pragma once

#include "dynamics/lyapunov.h"

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tdlab::dynamics {

// Accumulates the k leading exponents from Jacobians pushed one step at a time.
class QrSpectrum {
  public:
    QrSpectrum(size_t dim, size_t k); // UsageError unless 1 <= k <= dim
    // One step with the Jacobian J (row-major dim x dim). `accumulate` false: alignment only.
    void push(const double *J, bool accumulate = true);
    // The same step given the image Y = J * frame() (dim x k) directly: for a map whose tangent is a
    // Jacobian-vector product, k products instead of a dense Jacobian. Y is overwritten.
    void push_image(Eigen::MatrixXd &Y, bool accumulate = true);
    // The exponents so far (sums / accumulated steps), decreasing for an aligned frame; zeros before
    // any accumulated step.
    std::vector<double> exponents() const;
    // Sum over accumulated steps of ln R_jj, per exponent (for a caller that combines windows).
    const std::vector<double> &log_sums() const { return sums_; }
    int64_t steps() const { return steps_; }
    // The current orthonormal frame (dim x k): column 0 is the most expanding direction once aligned.
    const Eigen::MatrixXd &frame() const { return q_; }
    size_t dim() const { return dim_; }
    size_t k() const { return k_; }

  private:
    size_t dim_, k_;
    Eigen::MatrixXd q_, y_;
    std::vector<double> sums_;
    int64_t steps_ = 0;
};

// The spectrum of a sequence of Jacobians, each row-major dim x dim; the first `transient` only align.
std::vector<double> lyapunov_spectrum_of_jacobians(const std::vector<std::vector<double>> &jacobians, size_t dim,
                                                   size_t k, size_t transient = 0);

// The spectrum from a callback that advances the system one step and writes that step's Jacobian
// (the Jacobian of the map at the state before the step) into J (row-major, pre-sized dim * dim).
std::vector<double> lyapunov_spectrum_of(const std::function<void(std::vector<double> &J)> &next_jacobian, size_t dim,
                                         size_t k, int64_t transient, int64_t steps);

// The k largest exponents of a MapSystem from x (advanced in place): opt.transient alignment steps,
// then opt.steps accumulated ones (opt.renorm_every does not apply: QR runs every step).
std::vector<double> lyapunov_spectrum_of_system(const MapSystem &sys, std::vector<double> &x, size_t k,
                                                const LyapunovOptions &opt);

} // namespace tdlab::dynamics
