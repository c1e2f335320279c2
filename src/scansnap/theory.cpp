#include "scansnap/theory.h"

#include "core/error.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::scansnap::theory {

double h(double t, int M, double eta_y) {
    if (M < 2 || !(eta_y > 0) || !(t >= 0))
        throw UsageError(
            fmt::format("theory::h needs M >= 2, eta_y > 0, t >= 0 (got M={}, eta_y={}, t={})", M, eta_y, t));
    // In x = M h: F(x) = e^x + (M-1) x - R = 0 with R = M eta_y t + 1. F is increasing and convex, F(0) <= 0 and
    // F(ln R) >= 0, so Newton from the right end decreases monotonically onto the root (bisection guard kept).
    const double R = double(M) * eta_y * t + 1.0, a = double(M - 1);
    if (R <= 1.0) return 0.0;
    double lo = 0.0, hi = std::log(R), x = hi;
    for (int it = 0; it < 200; ++it) {
        const double F = std::exp(x) + a * x - R;
        if (F > 0)
            hi = x;
        else
            lo = x;
        double nx = x - F / (std::exp(x) + a);
        if (!(nx > lo && nx < hi)) nx = 0.5 * (lo + hi);
        if (std::fabs(nx - x) <= 1e-16 * std::max(1.0, std::fabs(x))) {
            x = nx;
            break;
        }
        x = nx;
    }
    return x / double(M);
}

std::vector<double> h_star(int s_max, int M, double eta_y) {
    std::vector<double> out(size_t(s_max) + 1, 0.0);
    for (int s = 1; s <= s_max; ++s) {
        const double prev = out[size_t(s) - 1];
        out[size_t(s)] = prev + eta_y / (double(M - 1) + std::exp(double(M) * prev));
    }
    return out;
}

double gamma(double t, int M, int K, double eta_y, bool ceil_steps) {
    const double u = ceil_steps ? std::ceil(t / double(K)) : t / double(K);
    const double hu = h(u, M, eta_y), a = double(M - 1);
    return a * a * hu / (a + std::exp(double(M) * hu));
}

double omega1(int M) {
    if (M < 3) throw UsageError(fmt::format("theory::omega1 needs M >= 3 (got {})", M));
    const double lnM = std::log(double(M)), rhs = std::log(double(M - 1) * lnM / double(M));
    auto g = [&](double w) { return w * lnM - std::log1p(w) - rhs; };
    double lo = 0.0, hi = 1.0;
    while (g(hi) < 0) hi *= 2;
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (g(mid) < 0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double t0_prime(int M, int K, double eta_y) {
    return double(K) * std::log(double(M)) / eta_y;
}
double t0(int M, int K, double eta_y) {
    return 2.0 * (1.0 + omega1(M)) * t0_prime(M, K, eta_y);
}

double big_gamma(double t, int M, int K, double eta_y, double eta_z) {
    const double hu = h(t / double(K), M, eta_y), a = double(M - 1);
    return (eta_z / eta_y) * double(K) * a * a * hu * hu / 2.0;
}

double B(double t, int M, int K, double eta_y, double eta_z, double C0) {
    return 0.25 * std::log(C0 + 4.0 * big_gamma(t, M, K, eta_y, eta_z));
}

double chi_upper(double B_value) {
    return std::exp(2.0 * B_value);
}
double chi_lower(double B_value, double f0) {
    return std::exp(2.0 * f0 * f0 * B_value);
}

double delta_z_pred(double dz_l0, double rho_l) {
    return -0.5 * std::log(1.0 - (1.0 - std::exp(-2.0 * dz_l0)) / rho_l);
}
double delta_z_limit(double rho_l) {
    return 0.5 * std::log(rho_l / (rho_l - 1.0));
}

} // namespace tdlab::scansnap::theory
