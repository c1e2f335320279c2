#include "dynamics/lyapunov.h"

#include "core/error.h"

#include <algorithm>
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
