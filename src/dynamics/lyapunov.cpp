#include "dynamics/lyapunov.h"

#include "core/error.h"

#include <Eigen/Dense>
#include <cmath>

namespace tdlab::dynamics {

namespace {
void check_system(const MapSystem &sys, const std::vector<double> &x) {
    if (sys.dim == 0 || !sys.step || !sys.jacobian) throw UsageError("lyapunov: map system without dim/step/jacobian");
    if (x.size() != sys.dim) throw UsageError("lyapunov: state size does not match the system dimension");
}
} // namespace

double largest_lyapunov(const MapSystem &sys, std::vector<double> &x, const LyapunovOptions &opt) {
    check_system(sys, x);
    const size_t n = sys.dim;
    std::vector<double> J(n * n), v(n, 1.0 / std::sqrt(double(n))), w(n);
    double sum = 0.0;
    const int64_t total = opt.transient + opt.steps;
    const int every = std::max(1, opt.renorm_every);
    for (int64_t t = 0; t < total; ++t) {
        sys.jacobian(x, J);
        for (size_t i = 0; i < n; ++i) {
            double acc = 0.0;
            for (size_t j = 0; j < n; ++j) acc += J[i * n + j] * v[j];
            w[i] = acc;
        }
        v.swap(w);
        sys.step(x);
        if ((t + 1) % every == 0 || t + 1 == total || t + 1 == opt.transient) {
            double norm = 0.0;
            for (double c : v) norm += c * c;
            norm = std::sqrt(norm);
            if (!(norm > 0.0) || !std::isfinite(norm)) {
                throw RuntimeError("lyapunov: tangent vector collapsed or overflowed; lower renorm_every");
            }
            if (t >= opt.transient) sum += std::log(norm);
            for (double &c : v) c /= norm;
        }
    }
    return opt.steps > 0 ? sum / double(opt.steps) : 0.0;
}

std::vector<double> lyapunov_spectrum(const MapSystem &sys, std::vector<double> &x, size_t k,
                                      const LyapunovOptions &opt) {
    check_system(sys, x);
    const size_t n = sys.dim;
    if (k == 0 || k > n) throw UsageError("lyapunov_spectrum: k must be in 1..dim");
    Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(Eigen::Index(n), Eigen::Index(k));
    std::vector<double> Jv(n * n);
    Eigen::VectorXd sums = Eigen::VectorXd::Zero(Eigen::Index(k));
    const int64_t total = opt.transient + opt.steps;
    for (int64_t t = 0; t < total; ++t) {
        sys.jacobian(x, Jv);
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> J(
            Jv.data(), Eigen::Index(n), Eigen::Index(n));
        Eigen::MatrixXd Y = J * Q;
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(Y);
        Eigen::MatrixXd R = qr.matrixQR().topRows(Eigen::Index(k)).triangularView<Eigen::Upper>();
        Q = qr.householderQ() * Eigen::MatrixXd::Identity(Eigen::Index(n), Eigen::Index(k));
        // Householder QR leaves signs free: make diag(R) positive so Q is continuous in t.
        for (Eigen::Index j = 0; j < Eigen::Index(k); ++j) {
            if (R(j, j) < 0) Q.col(j) = -Q.col(j);
            if (t >= opt.transient) sums(j) += std::log(std::fabs(R(j, j)));
        }
        sys.step(x);
    }
    std::vector<double> out(k);
    for (size_t j = 0; j < k; ++j) out[j] = opt.steps > 0 ? sums(Eigen::Index(j)) / double(opt.steps) : 0.0;
    return out;
}

std::vector<double> finite_difference_jacobian(const std::function<void(std::vector<double> &)> &step,
                                               const std::vector<double> &x, double h) {
    const size_t n = x.size();
    std::vector<double> J(n * n);
    for (size_t j = 0; j < n; ++j) {
        std::vector<double> xp = x, xm = x;
        xp[j] += h;
        xm[j] -= h;
        step(xp);
        step(xm);
        for (size_t i = 0; i < n; ++i) J[i * n + j] = (xp[i] - xm[i]) / (2.0 * h);
    }
    return J;
}

} // namespace tdlab::dynamics
