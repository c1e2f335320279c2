#include "dynamics/chaos01.h"

#include "core/error.h"
#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tdlab::dynamics {

namespace {
double correlation(const std::vector<double> &a, const std::vector<double> &b) {
    const size_t n = a.size();
    double ma = 0, mb = 0;
    for (size_t k = 0; k < n; ++k) {
        ma += a[k];
        mb += b[k];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t k = 0; k < n; ++k) {
        sab += (a[k] - ma) * (b[k] - mb);
        saa += (a[k] - ma) * (a[k] - ma);
        sbb += (b[k] - mb) * (b[k] - mb);
    }
    if (saa <= 0 || sbb <= 0) return 0.0; // D_c constant: no growth at all, regular
    return sab / std::sqrt(saa * sbb);
}
} // namespace

double chaos01(const std::vector<double> &phi, const Chaos01Options &opt) {
    const size_t N = phi.size();
    const size_t ncut = std::max<size_t>(2, size_t(double(N) * opt.ncut_frac));
    if (N < 2 * ncut + 10) throw UsageError("chaos01: series too short for the 0-1 test");
    double mean = 0;
    for (double v : phi) mean += v;
    mean /= double(N);
    // Sampled n: evenly spaced in 1..ncut (all of them if num_n >= ncut).
    std::vector<size_t> ns;
    const size_t nn = std::min<size_t>(ncut, size_t(std::max(2, opt.num_n)));
    for (size_t k = 0; k < nn; ++k) ns.push_back(1 + k * (ncut - 1) / (nn - 1));
    std::vector<double> nd(ns.begin(), ns.end());
    std::vector<double> p(N + 1), q(N + 1), D(ns.size()), Kc;
    const size_t J = N - ncut;
    CounterRng rng(opt.seed, 0);
    const double pi = std::numbers::pi;
    for (int ic = 0; ic < opt.num_c; ++ic) {
        const double c = pi / 5.0 + rng.uniform() * (3.0 * pi / 5.0);
        p[0] = q[0] = 0.0;
        for (size_t j = 1; j <= N; ++j) {
            p[j] = p[j - 1] + phi[j - 1] * std::cos(double(j) * c);
            q[j] = q[j - 1] + phi[j - 1] * std::sin(double(j) * c);
        }
        for (size_t k = 0; k < ns.size(); ++k) {
            const size_t n = ns[k];
            double acc = 0;
            for (size_t j = 1; j <= J; ++j) {
                const double dp = p[j + n] - p[j], dq = q[j + n] - q[j];
                acc += dp * dp + dq * dq;
            }
            D[k] = acc / double(J) - mean * mean * (1.0 - std::cos(double(n) * c)) / (1.0 - std::cos(c));
        }
        Kc.push_back(correlation(nd, D));
    }
    std::sort(Kc.begin(), Kc.end());
    const size_t m = Kc.size();
    return m % 2 ? Kc[m / 2] : 0.5 * (Kc[m / 2 - 1] + Kc[m / 2]);
}

} // namespace tdlab::dynamics
