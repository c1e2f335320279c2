#include "dynamics/spectrum.h"

#include <cmath>
#include <complex>
#include <kissfft/kissfft.hh>

namespace tdlab::dynamics {

std::vector<double> power_spectrum(const std::vector<double> &x) {
    const size_t n = x.size();
    if (n == 0) return {};
    kissfft<double> fft(n, false);
    std::vector<std::complex<double>> in(n), out(n);
    for (size_t k = 0; k < n; ++k) in[k] = {x[k], 0.0};
    fft.transform(in.data(), out.data());
    std::vector<double> p(n / 2 + 1);
    for (size_t k = 0; k < p.size(); ++k) p[k] = std::norm(out[k]) / double(n);
    return p;
}

std::vector<double> autocorrelation(const std::vector<double> &x, size_t max_lag) {
    const size_t n = x.size();
    std::vector<double> r(max_lag + 1, 0.0);
    for (size_t l = 0; l <= max_lag && l < n; ++l) {
        double acc = 0.0;
        for (size_t t = 0; t + l < n; ++t) acc += x[t] * x[t + l];
        r[l] = acc;
    }
    return r;
}

double spectral_entropy(const std::vector<double> &power) {
    if (power.size() < 3) return 0.0;
    double total = 0.0;
    for (size_t k = 1; k < power.size(); ++k) total += power[k];
    if (total <= 0.0) return 0.0;
    double h = 0.0;
    for (size_t k = 1; k < power.size(); ++k) {
        const double p = power[k] / total;
        if (p > 0) h -= p * std::log(p);
    }
    return h / std::log(double(power.size() - 1));
}

} // namespace tdlab::dynamics
