#include "dynamics/lyapunov_spectrum.h"

#include "core/error.h"
#include "core/rng.h"

#include <cmath>
#include <string>

namespace tdlab::dynamics {

namespace {
constexpr uint64_t kFrameSeed = 1980; // any fixed seed: the frame only has to be generic
}

QrSpectrum::QrSpectrum(size_t dim, size_t k) : dim_(dim), k_(k), sums_(k, 0.0) {
    if (dim == 0 || k == 0 || k > dim)
        throw UsageError("lyapunov spectrum: k = " + std::to_string(k) + " must be in 1.." + std::to_string(dim));
    // A generic start: the Q factor of a Gaussian matrix from a fixed stream. The identity's columns
    // are not generic for a map that keeps coordinate axes invariant (a diagonal Jacobian would keep
    // the exponents in axis order instead of sorting them).
    CounterRng rng(kFrameSeed, uint64_t(dim) * 1000003u + uint64_t(k));
    Eigen::MatrixXd g(static_cast<Eigen::Index>(dim), static_cast<Eigen::Index>(k));
    for (Eigen::Index j = 0; j < g.cols(); ++j)
        for (Eigen::Index i = 0; i < g.rows(); ++i) g(i, j) = rng.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
    q_ = qr.householderQ() * Eigen::MatrixXd::Identity(Eigen::Index(dim), Eigen::Index(k));
}

void QrSpectrum::push(const double *J, bool accumulate) {
    const auto n = Eigen::Index(dim_);
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> Jm(J, n, n);
    y_.noalias() = Jm * q_;
    push_image(y_, accumulate);
}

void QrSpectrum::push_image(Eigen::MatrixXd &Y, bool accumulate) {
    const auto n = Eigen::Index(dim_), k = Eigen::Index(k_);
    if (Y.rows() != n || Y.cols() != k) throw UsageError("lyapunov spectrum: the image J Q has the wrong shape");
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(Y);
    q_ = qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
    const auto &packed = qr.matrixQR();
    for (Eigen::Index j = 0; j < k; ++j) {
        const double r = packed(j, j);
        // Householder QR leaves the sign of each R_jj free: flip the column so that diag R > 0 and the
        // frame moves continuously along the trajectory.
        if (r < 0) q_.col(j) = -q_.col(j);
        if (accumulate) sums_[size_t(j)] += std::log(std::fabs(r));
    }
    if (accumulate) ++steps_;
}

std::vector<double> QrSpectrum::exponents() const {
    std::vector<double> out(k_, 0.0);
    if (steps_ == 0) return out;
    for (size_t j = 0; j < k_; ++j) out[j] = sums_[j] / double(steps_);
    return out;
}

std::vector<double> lyapunov_spectrum_of_jacobians(const std::vector<std::vector<double>> &jacobians, size_t dim,
                                                   size_t k, size_t transient) {
    QrSpectrum qr(dim, k);
    for (size_t t = 0; t < jacobians.size(); ++t) {
        if (jacobians[t].size() != dim * dim)
            throw UsageError("lyapunov spectrum: Jacobian " + std::to_string(t) + " has " +
                             std::to_string(jacobians[t].size()) + " entries, expected " + std::to_string(dim * dim));
        qr.push(jacobians[t].data(), t >= transient);
    }
    return qr.exponents();
}

std::vector<double> lyapunov_spectrum_of(const std::function<void(std::vector<double> &J)> &next_jacobian, size_t dim,
                                         size_t k, int64_t transient, int64_t steps) {
    QrSpectrum qr(dim, k);
    std::vector<double> J(dim * dim);
    for (int64_t t = 0; t < transient + steps; ++t) {
        next_jacobian(J);
        qr.push(J.data(), t >= transient);
    }
    return qr.exponents();
}

std::vector<double> lyapunov_spectrum_of_system(const MapSystem &sys, std::vector<double> &x, size_t k,
                                                const LyapunovOptions &opt) {
    if (sys.dim == 0 || !sys.step || !sys.jacobian)
        throw UsageError("lyapunov spectrum: map system without dim/step/jacobian");
    if (x.size() != sys.dim) throw UsageError("lyapunov spectrum: state size does not match the system dimension");
    return lyapunov_spectrum_of(
        [&](std::vector<double> &J) {
            sys.jacobian(x, J);
            sys.step(x);
        },
        sys.dim, k, opt.transient, opt.steps);
}

} // namespace tdlab::dynamics
