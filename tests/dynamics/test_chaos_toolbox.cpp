// Known answers of the chaos toolbox (issue 15): the QR Lyapunov spectrum (Henon a = 1.4, b = 0.3:
// 0.419, -1.623 with the sum ln 0.3 exactly; logistic r = 4: ln 2), the Kaplan-Yorke dimension
// (Henon 1.26), the Grassberger-Procaccia correlation dimension (Henon 1.21, a quasi-periodic circle
// orbit 1, a periodic orbit 0) and basin fractions with Wilson intervals.
#include "core/error.h"
#include "core/rng.h"
#include "dynamics/attractor_match.h"
#include "dynamics/basins_fractions.h"
#include "dynamics/correlation_dimension.h"
#include "dynamics/kaplan_yorke.h"
#include "dynamics/lyapunov_spectrum.h"
#include "dynamics/series_analysis.h"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>

using namespace tdlab;
using namespace tdlab::dynamics;

namespace {

// Henon map (x, y) -> (1 - a x^2 + y, b x) with its Jacobian at the state before the step.
struct Henon {
    double a = 1.4, b = 0.3, x = 0.1, y = 0.1;
    void step(std::vector<double> &J) {
        J = {-2.0 * a * x, 1.0, b, 0.0};
        const double x0 = x;
        x = 1.0 - a * x0 * x0 + y;
        y = b * x0;
    }
};

std::vector<double> henon_orbit(size_t n, size_t transient = 1000) {
    Henon h;
    std::vector<double> J, out;
    for (size_t t = 0; t < transient + n; ++t) {
        h.step(J);
        if (t >= transient) out.insert(out.end(), {h.x, h.y});
    }
    return out;
}

} // namespace

TEST(LyapunovSpectrum, HenonKnownValuesAndSumIsLnB) {
    Henon h;
    auto spec = lyapunov_spectrum_of([&](std::vector<double> &J) { h.step(J); }, 2, 2, 1000, 1000000);
    ASSERT_EQ(spec.size(), 2u);
    EXPECT_NEAR(spec[0], 0.419, 0.002);
    EXPECT_NEAR(spec[1], -1.623, 0.002);
    // |det J| = b at every step: the sum is ln 0.3 up to rounding of the accumulated logs.
    EXPECT_NEAR(spec[0] + spec[1], std::log(0.3), 1e-12);
    EXPECT_NEAR(kaplan_yorke_dimension(spec), 1.26, 0.02);
    EXPECT_NEAR(kaplan_yorke_dimension(spec), 1.0 + spec[0] / -spec[1], 1e-15);
}

TEST(LyapunovSpectrum, JacobianSequenceEqualsCallbackAndKLeading) {
    Henon h;
    std::vector<std::vector<double>> js(20000);
    for (auto &J : js) h.step(J);
    auto all = lyapunov_spectrum_of_jacobians(js, 2, 2, 100);
    auto first = lyapunov_spectrum_of_jacobians(js, 2, 1, 100);
    EXPECT_DOUBLE_EQ(first[0], all[0]); // the leading column of a QR does not see the others
    Henon h2;
    auto cb = lyapunov_spectrum_of([&](std::vector<double> &J) { h2.step(J); }, 2, 2, 100, 19900);
    EXPECT_EQ(cb, all);
    EXPECT_THROW(lyapunov_spectrum_of_jacobians(js, 2, 3, 0), UsageError);
    EXPECT_THROW(lyapunov_spectrum_of_jacobians({{1.0, 2.0}}, 2, 2, 0), UsageError);
}

TEST(LyapunovSpectrum, LogisticR4IsLn2AndPeriodicWindowNegative) {
    for (double r : {4.0, 3.83}) {
        double x = 0.3;
        auto spec = lyapunov_spectrum_of(
            [&](std::vector<double> &J) {
                J[0] = r * (1.0 - 2.0 * x);
                x = r * x * (1.0 - x);
            },
            1, 1, 1000, 400000);
        if (r == 4.0) {
            EXPECT_NEAR(spec[0], std::log(2.0), 5e-3);
        } else {
            // The stable period-3 orbit of r = 3.83: lambda = (1/3) ln |f'(x1) f'(x2) f'(x3)| < 0.
            EXPECT_LT(spec[0], -0.2);
            EXPECT_EQ(kaplan_yorke_dimension(spec), 0.0);
        }
    }
}

TEST(LyapunovSpectrum, DiagonalLinearMapExact) {
    // A constant diagonal Jacobian diag(2, 0.5, 0.1): exponents ln 2, ln 0.5, ln 0.1 whatever the order
    // of the axes, once the frame has aligned.
    std::vector<double> J{0.5, 0, 0, 0, 0.1, 0, 0, 0, 2.0};
    auto spec = lyapunov_spectrum_of([&](std::vector<double> &Jo) { Jo = J; }, 3, 3, 200, 1000);
    EXPECT_NEAR(spec[0], std::log(2.0), 1e-12);
    EXPECT_NEAR(spec[1], std::log(0.5), 1e-12);
    EXPECT_NEAR(spec[2], std::log(0.1), 1e-12);
    EXPECT_NEAR(kaplan_yorke_dimension(spec), 2.0 + (std::log(2.0) + std::log(0.5)) / std::log(10.0), 1e-12);
}

TEST(KaplanYorke, Conventions) {
    EXPECT_EQ(kaplan_yorke_dimension({-0.1, -0.5}), 0.0);
    EXPECT_EQ(kaplan_yorke_dimension({0.2, 0.1}), 2.0);
    EXPECT_DOUBLE_EQ(kaplan_yorke_dimension({-1.0, 0.5}), 1.5); // sorted first
    EXPECT_DOUBLE_EQ(kaplan_yorke_dimension({0.0, -INFINITY}), 1.0);
    EXPECT_TRUE(std::isnan(kaplan_yorke_dimension({0.1, NAN})));
}

TEST(CorrelationDimension, HenonIs1_21) {
    auto x = henon_orbit(10000);
    auto d = correlation_dimension(x, 2);
    EXPECT_NEAR(d.d2, 1.21, 0.05) << "fit over r in [" << d.r_lo << ", " << d.r_hi << "]";
    EXPECT_GE(d.r_hi / d.r_lo, 10.0) << "the fit spans at least a decade";
    EXPECT_EQ(d.sum.c.back(), 1.0);
}

TEST(CorrelationDimension, QuasiPeriodicCircleIsOne) {
    // Sine circle map below the critical coupling (K = 0.5) at the golden-mean bare rotation: a
    // quasi-periodic orbit that fills the circle, embedded as (cos 2 pi theta, sin 2 pi theta).
    const double omega = (std::sqrt(5.0) - 1.0) / 2.0, K = 0.5, tau = 2.0 * std::numbers::pi;
    double th = 0.1;
    std::vector<double> x;
    for (int t = 0; t < 6000; ++t) {
        th = th + omega - K / tau * std::sin(tau * th);
        th -= std::floor(th);
        if (t >= 1000) x.insert(x.end(), {std::cos(tau * th), std::sin(tau * th)});
    }
    auto d = correlation_dimension(x, 2);
    EXPECT_NEAR(d.d2, 1.0, 0.05) << "fit over r in [" << d.r_lo << ", " << d.r_hi << "]";
}

TEST(CorrelationDimension, PeriodicOrbitIsZero) {
    double x = 0.3;
    std::vector<double> s;
    for (int t = 0; t < 5000; ++t) {
        x = 3.83 * x * (1.0 - x);
        if (t >= 2000) s.push_back(x);
    }
    auto d = correlation_dimension(s, 1);
    EXPECT_NEAR(d.d2, 0.0, 0.05);
    // The Theiler window removes pairs: with w larger than the series nothing is left.
    CorrelationOptions o;
    o.theiler = 5000;
    EXPECT_THROW(correlation_sum(s, 1, o), UsageError);
}

TEST(CorrelationDimension, TheilerWindowCountsPairs) {
    std::vector<double> s{0.0, 1.0, 2.0, 3.0, 4.0};
    CorrelationOptions o;
    o.theiler = 1; // pairs with j - i >= 2: (0,2) (0,3) (0,4) (1,3) (1,4) (2,4)
    o.max_points = 0;
    auto c = correlation_sum(s, 1, o);
    EXPECT_EQ(c.total_pairs, 6);
    // distances 2,3,4,2,3,2: three pairs closer than r just above 2
    for (size_t k = 0; k < c.r.size(); ++k) {
        const int64_t expect = c.r[k] > 4 ? 6 : c.r[k] > 3 ? 5 : c.r[k] > 2 ? 3 : 0;
        EXPECT_EQ(c.pairs[k], expect) << c.r[k];
    }
}

TEST(LinearRegion, FindsTheStraightPart) {
    // v = 2 u on [0, 5], then flat: the region is the first six points, slope 2.
    std::vector<double> u, v;
    for (int k = 0; k <= 9; ++k) u.push_back(k), v.push_back(k <= 5 ? 2.0 * k : 10.0);
    auto r = linear_region(u, v, 0.25, 0.05, 4);
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.last, 5u);
    EXPECT_NEAR(r.slope, 2.0, 1e-12);
}

TEST(BasinsFractions, WilsonIntervalClosedForm) {
    // n = 100, 50 successes: centre 0.5, half = 1.96/(1 + 1.96^2/100) sqrt(0.0025 + 1.96^2/40000).
    auto ci = wilson_interval(50, 100);
    const double z = kZ95, den = 1 + z * z / 100, half = z / den * std::sqrt(0.25 / 100 + z * z / 40000);
    EXPECT_NEAR(ci.lo, 0.5 - half, 1e-15);
    EXPECT_NEAR(ci.hi, 0.5 + half, 1e-15);
    // Zero successes: the interval is [0, z^2/(n + z^2)], not the degenerate point 0.
    auto c0 = wilson_interval(0, 100);
    EXPECT_EQ(c0.lo, 0.0);
    EXPECT_NEAR(c0.hi, z * z / (100 + z * z), 1e-15);
    EXPECT_THROW(wilson_interval(3, 0), UsageError);
    EXPECT_THROW(wilson_interval(5, 4), UsageError);
}

TEST(BasinsFractions, SymmetricBistableMapIsHalfHalf) {
    // x' = x + 0.4 (x - x^3): stable fixed points -1 and +1, symmetric under x -> -x, with an intricate
    // basin boundary in [-2, 2] (large |x| overshoot). Symmetric sampling gives 1/2 each in expectation.
    MatchOptions mo;
    mo.orbit_tol = 1e-9;
    AttractorRegistry reg(mo);
    std::vector<int> ids;
    const int n = 10000;
    for (int k = 0; k < n; ++k) {
        CounterRng rng(2026, uint64_t(k));
        double x = -2.0 + 4.0 * rng.uniform();
        for (int t = 0; t < 200; ++t) x = x + 0.4 * (x - x * x * x);
        AttractorSignature s;
        s.period = 1;
        s.orbit = {x};
        ids.push_back(reg.identify(s));
    }
    ASSERT_EQ(reg.size(), 2u);
    auto rows = basins_fractions(ids);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].count + rows[1].count, n);
    EXPECT_DOUBLE_EQ(rows[0].fraction + rows[1].fraction, 1.0);
    for (const auto &r : rows) {
        EXPECT_LE(r.ci.lo, 0.5) << r.id;
        EXPECT_GE(r.ci.hi, 0.5) << r.id;
        EXPECT_LT(r.ci.hi - r.ci.lo, 0.021); // 2 * 1.96 * sqrt(0.25 / 10000) = 0.0196
    }
    EXPECT_NEAR(std::fabs(reg.representatives()[0].orbit[0]), 1.0, 1e-12);
}

TEST(AttractorMatch, CyclicShiftsOnlyByMultiples) {
    MatchOptions mo;
    mo.dim = 1;
    mo.shift_multiple = 2;
    AttractorSignature a{4, {1, 2, 3, 4}, {}}, b{4, {3, 4, 1, 2}, {}}, c{4, {2, 3, 4, 1}, {}};
    EXPECT_TRUE(same_attractor(a, b, mo));  // shift 2
    EXPECT_FALSE(same_attractor(a, c, mo)); // shift 1 compares other forcing phases
    mo.shift_multiple = 1;
    EXPECT_TRUE(same_attractor(a, c, mo));
    AttractorSignature q1{0, {}, {0.1, 0.2}}, q2{0, {}, {0.105, 0.2}}, q3{0, {}, {0.2, 0.2}};
    EXPECT_TRUE(same_attractor(q1, q2, mo));
    EXPECT_FALSE(same_attractor(q1, q3, mo));
    EXPECT_FALSE(same_attractor(a, q1, mo));
}

TEST(SeriesAnalysis, HenonIsChaoticAndPeriod3IsPeriodic) {
    auto x = henon_orbit(8000);
    auto a = analyze_series(x, 2);
    EXPECT_EQ(a.period, 0u);
    EXPECT_GT(a.chaos01, 0.8);
    EXPECT_EQ(a.label.label, Label::Chaotic);
    EXPECT_NEAR(a.d2.d2, 1.21, 0.06) << a.d2.r_lo << " .. " << a.d2.r_hi;
    EXPECT_EQ(a.power.size(), 8000u / 2 + 1);
    double y = 0.3;
    std::vector<double> s;
    for (int t = 0; t < 4000; ++t) {
        y = 3.83 * y * (1.0 - y);
        if (t >= 1000) s.push_back(y);
    }
    auto p = analyze_series(s, 1);
    EXPECT_EQ(p.period, 3u);
    EXPECT_EQ(p.unique_points, 3);
    EXPECT_EQ(p.label.label, Label::Periodic);
    EXPECT_NEAR(p.d2.d2, 0.0, 0.05); // of the delay embedding: three points
    EXPECT_THROW(analyze_series({1.0, NAN}, 1), UsageError);
}
