// The 0-1 test's fast form (phases from two short tables, the increment sums in independent partial sums,
// a rounding-level D_c read as "no growth") against the direct form it replaced, kept here verbatim as the
// reference: K agrees within 1e-9 wherever D_c carries signal (chaotic, quasi-periodic, periodic series),
// and a series whose D_c is pure rounding noise (constant) gives K = 0 where the direct form gave noise.
#include "dynamics/chaos01.h"

#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <numbers>
#include <string>
#include <vector>

using namespace tdlab;
using namespace tdlab::dynamics;

namespace {

// The direct form (tdlab before the fast form): std::cos / std::sin of j c, one running sum per n.
double correlation_ref(const std::vector<double> &a, const std::vector<double> &b) {
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
    if (saa <= 0 || sbb <= 0) return 0.0;
    return sab / std::sqrt(saa * sbb);
}

double chaos01_reference(const std::vector<double> &phi, const Chaos01Options &opt = {}) {
    const size_t N = phi.size();
    const size_t ncut = std::max<size_t>(2, size_t(double(N) * opt.ncut_frac));
    double mean = 0;
    for (double v : phi) mean += v;
    mean /= double(N);
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
        Kc.push_back(correlation_ref(nd, D));
    }
    std::sort(Kc.begin(), Kc.end());
    const size_t m = Kc.size();
    return m % 2 ? Kc[m / 2] : 0.5 * (Kc[m / 2 - 1] + Kc[m / 2]);
}

std::vector<double> logistic_series(double r, double x, size_t skip, size_t n) {
    std::vector<double> out;
    for (size_t k = 0; k < skip + n; ++k) {
        x = r * x * (1.0 - x);
        if (k >= skip) out.push_back(x);
    }
    return out;
}

// The sweep's options (sweep.cpp: 16 frequencies, 40 lags) and the defaults.
std::vector<Chaos01Options> option_sets() {
    Chaos01Options sweep;
    sweep.num_c = 16;
    sweep.num_n = 40;
    return {sweep, Chaos01Options{}};
}

constexpr double kTol = 1e-9; // the stated tolerance of the fast form against the direct one

// Checks |fast - ref| <= kTol and prints the difference (the size of the change, for the record).
void expect_close(double fast, double ref, const std::string &what) {
    std::printf("  %-28s K direct %+.15f  fast %+.15f  |diff| %.2e\n", what.c_str(), ref, fast, std::fabs(fast - ref));
    EXPECT_NEAR(fast, ref, kTol) << what;
}

} // namespace

TEST(Chaos01Fast, ChaoticLogisticMatchesDirectForm) {
    for (double r : {4.0, 3.9, 3.7}) {
        const auto phi = logistic_series(r, 0.3, 1000, 2500);
        for (const auto &o : option_sets()) {
            const double ref = chaos01_reference(phi, o), fast = chaos01(phi, o);
            expect_close(fast, ref, "logistic r = " + std::to_string(r));
            EXPECT_GT(fast, 0.8) << "r = " << r;
        }
    }
}

TEST(Chaos01Fast, RegularSeriesMatchDirectForm) {
    // Quasi-periodic (two incommensurate frequencies), a noisy-looking but periodic logistic window
    // (period 3), and a period-2 orbit: D_c oscillates with a real amplitude, K near 0.
    std::vector<std::vector<double>> series;
    std::vector<double> qp(2500);
    for (size_t j = 0; j < qp.size(); ++j) qp[j] = std::cos(0.3 * double(j)) + 0.5 * std::cos(std::sqrt(2.0) * j);
    series.push_back(qp);
    series.push_back(logistic_series(3.83, 0.3, 5000, 2500));
    series.push_back(logistic_series(3.2, 0.3, 5000, 2500));
    for (const auto &phi : series) {
        for (const auto &o : option_sets()) {
            const double ref = chaos01_reference(phi, o), fast = chaos01(phi, o);
            expect_close(fast, ref, "regular series");
            EXPECT_LT(std::fabs(fast), 0.3);
        }
    }
}

TEST(Chaos01Fast, LongSeriesAndOddLengthsMatch) {
    // Lengths that are not multiples of the table block (64) or of the partial-sum width (8).
    for (size_t n : {211, 1001, 4999}) {
        const auto phi = logistic_series(3.95, 0.41, 100, n);
        const double ref = chaos01_reference(phi), fast = chaos01(phi);
        expect_close(fast, ref, "N = " + std::to_string(n));
    }
}

TEST(Chaos01Fast, ConstantSeriesHasNoGrowth) {
    // A fixed point, or an orbit whose period divides the sampling step (the DMFT sweep samples every L
    // steps): M_c(n) equals the subtracted oscillatory term exactly, D_c is rounding noise, and its
    // correlation with n was noise too. The fast form reads it as no growth.
    for (double v : {0.0, 0.37, -0.9645}) {
        const std::vector<double> phi(2500, v);
        std::printf("  constant %+.4f: K direct %+.6f (noise), fast %+.6f\n", v, chaos01_reference(phi), chaos01(phi));
        EXPECT_EQ(chaos01(phi), 0.0) << "value " << v;
    }
}

// The increment sums run four lags at a time (p[j], q[j] loaded once for four n) with each sum's own
// partial sums and order, so K is the bits of the one-lag loop. Golden values written by the one-lag
// code (before the change) for a chaotic logistic series (num_n = 40: ten groups of four; the default
// 50: twelve groups and two single lags; num_n = 13: three groups and one) and a periodic one.
TEST(Chaos01Fast, GroupedSumsKeepTheBitsOfTheOneLagLoop) {
    std::vector<double> phi;
    double x = 0.3;
    for (int t = 0; t < 6000; ++t) {
        x = 3.9 * x * (1 - x);
        if (t >= 1000) phi.push_back(x);
    }
    Chaos01Options o;
    o.num_c = 16;
    o.num_n = 40;
    EXPECT_EQ(chaos01(phi, o), 0x1.ff21ba485aebap-1);
    EXPECT_EQ(chaos01(phi), 0x1.feaa8cc080db8p-1);
    o.num_c = 5;  // frequencies in groups of four: one full group and a group of one
    o.num_n = 13; // three groups of four lags and a single one
    EXPECT_EQ(chaos01(phi, o), 0x1.ffc3246abee85p-1);
    o.num_c = 16;
    o.num_n = 40;
    std::vector<double> per;
    for (int t = 0; t < 5000; ++t) per.push_back(std::sin(0.9 * (t % 7)) + 0.1 * (t % 3));
    EXPECT_EQ(chaos01(per, o), -0x1.0bf7e1d338602p-7);
}
