// The analysis toolkit on maps with known answers (issue 3 acceptance): logistic r = 4 (lambda = ln 2),
// Henon a = 1.4, b = 0.3 (lambda_1 ~ 0.42, lambda_1 + lambda_2 = ln b), a quasi-periodic circle map
// (lambda ~ 0, 0-1 test ~ 0) and the logistic period-3 window (exact period 3, lambda < 0).
#include "dynamics/chaos01.h"
#include "dynamics/classify.h"
#include "dynamics/lyapunov.h"
#include "dynamics/lyapunov_spectrum.h"
#include "dynamics/period.h"
#include "dynamics/quantize.h"
#include "dynamics/spectrum.h"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>

using namespace tdlab::dynamics;

namespace {

MapSystem logistic(double r) {
    MapSystem s;
    s.dim = 1;
    s.step = [r](std::vector<double> &x) { x[0] = r * x[0] * (1.0 - x[0]); };
    s.jacobian = [r](const std::vector<double> &x, std::vector<double> &J) { J[0] = r * (1.0 - 2.0 * x[0]); };
    return s;
}

MapSystem henon(double a, double b) {
    MapSystem s;
    s.dim = 2;
    s.step = [a, b](std::vector<double> &x) {
        const double x0 = x[0];
        x[0] = 1.0 - a * x0 * x0 + x[1];
        x[1] = b * x0;
    };
    s.jacobian = [a, b](const std::vector<double> &x, std::vector<double> &J) { J = {-2.0 * a * x[0], 1.0, b, 0.0}; };
    return s;
}

// Sine circle map theta' = theta + Omega - K/(2 pi) sin(2 pi theta), lifted (no mod, so the Jacobian is smooth).
MapSystem circle(double omega, double K) {
    MapSystem s;
    s.dim = 1;
    const double tau = 2.0 * std::numbers::pi;
    s.step = [=](std::vector<double> &x) { x[0] = x[0] + omega - K / tau * std::sin(tau * x[0]); };
    s.jacobian = [=](const std::vector<double> &x, std::vector<double> &J) { J[0] = 1.0 - K * std::cos(tau * x[0]); };
    return s;
}

std::vector<double> orbit(const MapSystem &s, std::vector<double> x, int transient, int n) {
    for (int t = 0; t < transient; ++t) s.step(x);
    std::vector<double> out;
    for (int t = 0; t < n; ++t) {
        s.step(x);
        out.insert(out.end(), x.begin(), x.end());
    }
    return out;
}

} // namespace

TEST(KnownMaps, LogisticR4IsLn2) {
    std::vector<double> x{0.3};
    LyapunovOptions opt{1000, 200000, 1};
    const double lambda = largest_lyapunov(logistic(4.0), x, opt);
    EXPECT_NEAR(lambda, std::log(2.0), 0.01);
    auto series = orbit(logistic(4.0), {0.2}, 1000, 20000);
    EXPECT_EQ(detect_period(series, 1), 0u);
    std::vector<double> phi(series.begin(), series.begin() + 5000);
    EXPECT_GT(chaos01(phi), 0.9);
}

TEST(KnownMaps, HenonSpectrum) {
    std::vector<double> x{0.1, 0.1};
    LyapunovOptions opt{1000, 200000, 1};
    auto spec = lyapunov_spectrum_of_system(henon(1.4, 0.3), x, 2, opt);
    EXPECT_NEAR(spec[0], 0.419, 0.01);
    EXPECT_NEAR(spec[0] + spec[1], std::log(0.3), 1e-9); // det J = -b exactly
    x = {0.1, 0.1};
    EXPECT_NEAR(largest_lyapunov(henon(1.4, 0.3), x, opt), spec[0], 0.01);
}

TEST(KnownMaps, QuasiPeriodicCircleMap) {
    const double omega = (std::sqrt(5.0) - 1.0) / 2.0; // golden mean, K small: outside every wide Arnold tongue
    std::vector<double> x{0.0};
    const double lambda = largest_lyapunov(circle(omega, 0.2), x, {1000, 100000, 1});
    EXPECT_NEAR(lambda, 0.0, 1e-3);
    auto lifted = orbit(circle(omega, 0.2), {0.0}, 1000, 20000);
    std::vector<double> phi;
    for (double v : lifted) phi.push_back(std::cos(2.0 * std::numbers::pi * v));
    EXPECT_EQ(detect_period(phi, 1), 0u);
    EXPECT_LT(std::fabs(chaos01(std::vector<double>(phi.begin(), phi.begin() + 5000))), 0.1);
    // The paper's point count sees a quasi-periodic orbit with 2000 samples; with 20000 samples a
    // circle filling the range covers > 2500 bins and the heuristic calls it chaotic (by design).
    auto bins = unique_bins(phi.data(), 2000, 1, 1.0, 5001);
    EXPECT_EQ(paper_label(bins.size()), Label::QuasiPeriodic);
    EXPECT_EQ(paper_label(unique_bins(phi.data(), phi.size(), 1, 1.0, 5001).size()), Label::Chaotic);
    auto c = combine_indicators({0, lambda, 0.0, paper_label(bins.size())});
    EXPECT_EQ(c.label, Label::QuasiPeriodic);
    EXPECT_EQ(c.flags, "");
}

TEST(KnownMaps, LogisticPeriod3Window) {
    auto series = orbit(logistic(3.83), {0.3}, 5000, 20000);
    EXPECT_EQ(detect_period(series, 1), 3u);
    EXPECT_EQ(detect_period(series, 1, {2000, 2, 1e-8}), 6u); // only even candidates: the double period
    std::vector<double> x{0.3};
    const double lambda = largest_lyapunov(logistic(3.83), x, {5000, 50000, 1});
    EXPECT_LT(lambda, -0.05);
    EXPECT_EQ(unique_bins(series.data(), series.size(), 1, 1.0, 5001).size(), 3u);
    EXPECT_LT(std::fabs(chaos01(std::vector<double>(series.begin(), series.begin() + 5000))), 0.1);
    auto c = combine_indicators({3, lambda, 0.0, Label::Periodic});
    EXPECT_EQ(c.label, Label::Periodic);
    EXPECT_EQ(c.flags, "");
}

TEST(KnownMaps, CombinedLabelFlagsDisagreement) {
    auto c = combine_indicators({0, 0.3, 0.05, Label::QuasiPeriodic});
    EXPECT_EQ(c.label, Label::Chaotic);
    EXPECT_EQ(c.flags, "chaos01|paper");
    c = combine_indicators({0, -0.01, std::nan(""), Label::Periodic});
    EXPECT_EQ(c.label, Label::Periodic);
    EXPECT_EQ(c.flags, "unconverged");
}

TEST(Spectrum, PureToneAndAutocorrelation) {
    const size_t n = 20000;
    std::vector<double> x(n);
    for (size_t t = 0; t < n; ++t) x[t] = std::cos(2.0 * std::numbers::pi * 0.25 * double(t)); // period 4
    auto p = power_spectrum(x);
    ASSERT_EQ(p.size(), n / 2 + 1);
    EXPECT_NEAR(p[n / 4], double(n) / 4.0, 1e-6); // |N/2|^2 / N
    double rest = 0;
    for (size_t k = 0; k < p.size(); ++k) rest += k == n / 4 ? 0 : p[k];
    EXPECT_LT(rest, 1e-12 * double(n));
    auto r = autocorrelation(x, 8);
    EXPECT_NEAR(r[0], double(n) / 2.0, 1e-6);
    EXPECT_NEAR(r[4], double(n - 4) / 2.0, 1e-6);
    EXPECT_NEAR(r[2], -double(n - 2) / 2.0, 1e-6);
    EXPECT_LT(spectral_entropy(p), 0.01);
}

TEST(Quantize, DistinctInOrderKeepsFirstVisits) {
    const std::vector<double> v{0.5, -1.0, 0.5, 2.0, -1.0, 0.5, 3.0, 2.0};
    EXPECT_EQ(distinct_in_order(v), (std::vector<double>{0.5, -1.0, 2.0, 3.0}));
    EXPECT_TRUE(distinct_in_order({}).empty());
    // A period-4 sequence repeated 1000 times keeps its 4 values, in order.
    auto at = [](int k) { return 0.1 * double((k % 4) * (k % 4)) - 0.2; };
    std::vector<double> orbit;
    for (int k = 0; k < 4000; ++k) orbit.push_back(at(k));
    EXPECT_EQ(distinct_in_order(orbit), (std::vector<double>{at(0), at(1), at(2), at(3)}));
    // Periodic with a repeat inside the period (the fast path), and the same broken at the last sample
    // (the sorting path must then find the extra value).
    std::vector<double> rep;
    for (int k = 0; k < 400; ++k) rep.push_back(std::vector<double>{1.0, 2.0, 1.0, 3.0}[size_t(k % 4)]);
    EXPECT_EQ(distinct_in_order(rep), (std::vector<double>{1.0, 2.0, 3.0}));
    rep.back() = 4.0;
    EXPECT_EQ(distinct_in_order(rep), (std::vector<double>{1.0, 2.0, 3.0, 4.0}));
}

TEST(Quantize, PaperBinsAndPoincare) {
    EXPECT_EQ(quantize(0.0, 1.0, 5001), 2500);
    EXPECT_EQ(quantize(-1.0, 1.0, 5001), 0);
    EXPECT_EQ(quantize(1.0, 1.0, 5001), 5001);
    EXPECT_EQ(paper_label(79), Label::Periodic);
    EXPECT_EQ(paper_label(80), Label::QuasiPeriodic);
    EXPECT_EQ(paper_label(2500), Label::Chaotic);
    std::vector<double> xy{0.1, 0.0005, 0.2, -0.002, 0.3, -0.001};
    auto sec = poincare_filter(xy.data(), xy.data() + 1, 3, 2, 1e-3);
    EXPECT_EQ(sec, (std::vector<double>{0.1, 0.3}));
}
