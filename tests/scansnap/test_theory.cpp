// Theory closed forms (Tian et al. 2023, arXiv 2305.16380, Secs. 4-6) against the reference values of
// docs/scansnap.md "Theory" and the
// population ODE's frequency and discriminative biases (Theorem 2).
#include "scansnap/population.h"
#include "scansnap/theory.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab::scansnap;
namespace th = tdlab::scansnap::theory;

TEST(ScansnapTheory, HAndHStarReferenceValues) {
    EXPECT_NEAR(th::h(1, 50, 1.0), 0.019722, 1e-6);
    EXPECT_NEAR(th::h(10, 50, 1.0), 0.109084, 1e-6);
    EXPECT_NEAR(th::h(80, 50, 1.0), 0.163772, 1e-6);
    const auto hs = th::h_star(80, 50, 1.0);
    EXPECT_NEAR(hs[1], 0.020000, 1e-6);
    EXPECT_NEAR(hs[10], 0.112250, 1e-6);
    EXPECT_NEAR(hs[80], 0.164368, 1e-6);
    EXPECT_NEAR(th::h(10, 1000, 0.5), 0.004875, 1e-6);
    EXPECT_NEAR(th::h_star(10, 1000, 0.5)[10], 0.004901, 1e-6);
    // The implicit equation holds, and 0 <= h* - h <= 2 eta/M (Lemma 7).
    for (double t : {0.5, 3.0, 40.0, 1e4}) {
        const double x = th::h(t, 50, 2.0);
        EXPECT_NEAR(std::exp(50 * x) + 49 * 50 * x, 50 * 2.0 * t + 1, 1e-9 * (100 * t + 1));
    }
    const auto hs2 = th::h_star(200, 50, 2.0);
    for (int s = 0; s <= 200; ++s) {
        const double gap = hs2[size_t(s)] - th::h(s, 50, 2.0);
        EXPECT_GE(gap, -1e-12);
        EXPECT_LE(gap, 2 * 2.0 / 50 + 1e-12);
    }
}

TEST(ScansnapTheory, GammaOmegaAndTransitionTimes) {
    // M = 1000, K = 10, eta_Y = 1 (continuous h, u = t/K).
    const double t[] = {10, 50, 138, 300, 1000, 1e4};
    const double g[] = {0.996, 4.306, 1.369, 0.469, 0.127, 0.0140};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(th::gamma(t[i], 1000, 10, 1.0), g[i], 0.5e-3 * std::max(1.0, g[i])) << t[i];
    // The peak is near t = 56.
    double best = 0, tbest = 0;
    for (double x = 1; x < 200; x += 0.25)
        if (th::gamma(x, 1000, 10, 1.0) > best) best = th::gamma(x, 1000, 10, 1.0), tbest = x;
    EXPECT_NEAR(tbest, 56, 2);
    EXPECT_NEAR(th::omega1(34), 0.4553, 1e-4);
    EXPECT_NEAR(th::omega1(100), 0.4030, 1e-4);
    EXPECT_NEAR(th::omega1(1000), 0.3198, 1e-4);
    EXPECT_NEAR(th::omega1(10000), 0.2667, 1e-4);
    EXPECT_NEAR(th::t0_prime(1000, 10, 1.0), 69.1, 0.05);
    EXPECT_NEAR(th::t0(1000, 10, 1.0), 182.3, 0.05);
}

TEST(ScansnapTheory, BnReferenceValues) {
    // §3.7: M = 1000, K = 10, eta_Y = 1, eta_Z = 0.5.
    const double t[] = {10, 50, 138, 300, 1000, 1e4};
    const double B[] = {0.599, 1.368, 1.649, 1.722, 1.792, 1.888};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(th::B(t[i], 1000, 10, 1.0, 0.5), B[i], 0.5e-3) << t[i];
    // §5 Fig 9: K = 1; left eta_Z = 8, eta_Y = 80, M = 100: B(5) = 0.783; right eta = 8, M = 1e4: B(50) = 1.533.
    EXPECT_NEAR(th::B(5, 100, 1, 80, 8), 0.783, 0.5e-3);
    EXPECT_NEAR(th::B(50, 10000, 1, 8, 8), 1.533, 0.5e-3);
    // B_n(t_0) depends only on K, M and nu (not on eta_Z at fixed nu).
    const double b1 = th::B(th::t0(100, 1, 5), 100, 1, 5, 0.5), b2 = th::B(th::t0(100, 1, 80), 100, 1, 80, 8);
    EXPECT_NEAR(b1, b2, 1e-12);
}

TEST(ScansnapTheory, PerTokenPrediction) {
    // Integrated form (Eqn. 110): e^{-2dz_l} - 1 = (r(0)+1)(e^{-2dz_l'} - 1) with r(0)+1 = 1/rho_l.
    for (double rho : {1.5, 4.0, 100.0})
        for (double dz0 : {0.1, 1.0, 5.0}) {
            const double dz = th::delta_z_pred(dz0, rho);
            EXPECT_NEAR(std::exp(-2 * dz) - 1, (std::exp(-2 * dz0) - 1) / rho, 1e-13);
            EXPECT_LT(dz, dz0);
            EXPECT_LT(dz, th::delta_z_limit(rho));
        }
    EXPECT_NEAR(th::delta_z_pred(50.0, 4.0), 0.5 * std::log(4.0 / 3.0), 1e-12);
    EXPECT_NEAR(th::delta_z_pred(1e-6, 4.0), 1e-6 / 4.0, 1e-12); // small times: rate ratio 1/rho = f_l^2/f_l0^2
}

TEST(ScansnapTheory, PopulationFrequencyAndDiscriminativeBias) {
    // Syn-Small at T = infinity, eta_Y = eta_Z = 1: distinct-token logits grow in the order of P(l|n),
    // common-token logits fall (Theorem 2 (a) and Corollary 2), for both classes; Y rows sum to 0.
    PopulationParams p;
    p.data = DataParams::syn_small();
    p.steps = 600;
    p.record_every = 100;
    PopulationResult r = simulate_population(p);
    const SeqClasses data(p.data);
    const int M = data.M(), Q = data.num_queries();
    const size_t last = r.t.size() - 1;
    for (int n = 0; n < data.K(); ++n) {
        const SeqClass &c = data.cls(n);
        const double *z = &r.z_rows[(last * Q + size_t(c.query - data.last_offset())) * M];
        for (size_t s = 0; s < c.support.size(); ++s) {
            if (!c.distinct[s]) {
                EXPECT_LT(z[c.support[s]], -0.05) << "common token " << c.support[s];
            } else {
                EXPECT_GT(z[c.support[s]], 0.0) << "distinct token " << c.support[s];
                if (s > 0 && c.distinct[s - 1]) {
                    EXPECT_GT(z[c.support[s]], z[c.support[s - 1]]);
                }
            }
        }
    }
    double worst = 0;
    for (int l = 0; l < M; ++l) {
        double s = 0;
        for (int k = 0; k < M; ++k) s += r.Y[size_t(l) * M + k];
        worst = std::max(worst, std::fabs(s));
    }
    EXPECT_LT(worst, 1e-12);
    // Early on (one step), Delta z_l / Delta z_l0 = f_l^2 / f_l0^2 = (P_l/P_l0)^2 for distinct tokens.
    PopulationParams q = p;
    q.steps = 3;
    q.record_every = 1;
    q.eta_z = 1e-4;
    PopulationResult e = simulate_population(q);
    const SeqClass &c = data.cls(0);
    const double *z = &e.z_rows[(3 * Q + size_t(c.query - data.last_offset())) * M];
    const double ratio = z[c.support[15]] / z[c.support[19]];
    EXPECT_NEAR(ratio, std::pow(c.prob[15] / c.prob[19], 2), 1e-3);
}
