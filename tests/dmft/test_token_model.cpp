// Non-binary tokens (dmft/token_model.h, docs/dmft_multistate.md): the reductions that tie the general
// token path to the paper's binary map, the scalar-vs-Potts identity, the correlation forms, and the
// ternary regression values (worked example and cold start, computed independently in NumPy).
#include "dmft/context.h"
#include "dmft/correlations.h"
#include "dmft/mean_field_map.h"
#include "dmft/token_model.h"
#include "dmft/trajectory.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab::dmft;

namespace {

ModelParams tokens(const std::string &kind, std::vector<double> values = {}) {
    ModelParams p;
    p.tokens = kind;
    p.values = std::move(values);
    return p;
}

ModelParams potts(int q, std::vector<double> state_values = {}) {
    ModelParams p;
    p.tokens = "potts";
    p.q = q;
    p.state_values = std::move(state_values);
    return p;
}

double max_diff(const std::vector<double> &a, const std::vector<double> &b) {
    EXPECT_EQ(a.size(), b.size());
    double d = 0.0;
    for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) d = std::max(d, std::fabs(a[k] - b[k]));
    return d;
}

double semantic_diff(const MeanFieldMap &x, const MeanFieldMap &y, const std::vector<double> &att) {
    const auto a = x.semantic_overlaps(att), b = y.semantic_overlaps(att);
    double d = 0.0;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) d = std::max(d, max_diff(a[alpha], b[alpha]));
    return d;
}

// 2000 random (A-hat, beta in [0, 3]) from a fixed LCG: the one-step check of the reductions.
template <class F> void for_random_fields(F f) {
    uint64_t s = 12345;
    auto u = [&] {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return double(s >> 11) * 0x1.0p-53;
    };
    for (int n = 0; n < 2000; ++n) {
        std::vector<double> att = {2 * u() - 1, 2 * u() - 1, 2 * u() - 1};
        f(3.0 * u(), att);
    }
}

} // namespace

TEST(TokenModel, DefaultIsTheBinaryTanhPath) {
    // The default keys select the paper's model: correlation form, tanh, the binary PE table.
    const DmftModel def = DmftModel::build(ModelParams{});
    EXPECT_EQ(def.fields.nl.kind, FieldKind::Tanh);
    EXPECT_EQ(def.fields.P, 4);
    EXPECT_EQ(def.potts.q, 0);
}

TEST(TokenModel, TernaryClosedFormIsTheSoftmaxMean) {
    const std::vector<double> S = {-1.0, 0.0, 1.0};
    double worst = 0.0;
    for (double h = -20.0; h <= 20.0; h += 0.001) {
        double sec = 0.0;
        worst = std::max(worst, std::fabs(ternary_mean(h) - value_softmax_mean(S, h, &sec)));
        ASSERT_NEAR(ternary_second(h), sec, 1e-15);
        ASSERT_NEAR(ternary_mean(h), 2 * std::sinh(h) / (1 + 2 * std::cosh(h)), 1e-15);
    }
    EXPECT_LE(worst, 5e-16);
    // F'(0) = Var_uniform(S) = 2/3: the weak-field rescaling of beta by 3/2.
    EXPECT_NEAR((ternary_mean(1e-6) - ternary_mean(-1e-6)) / 2e-6, 2.0 / 3.0, 1e-10);
    // F_S = d/dh log sum_s e^{s h} (central differences).
    const std::vector<double> S4 = {-1, 0, 1, 2};
    auto phi = [&](double h) {
        double z = 0;
        for (double s : S4) z += std::exp(s * h);
        return std::log(z);
    };
    for (double h : {-2.0, -0.3, 0.0, 0.7, 3.0})
        EXPECT_NEAR(value_softmax_mean(S4, h), (phi(h + 1e-5) - phi(h - 1e-5)) / 2e-5, 3e-9) << h;
}

TEST(TokenModel, BinaryThroughTheGeneralPathIsTheTanhMap) {
    // tokens = scalar with S = {-1, 1}: the softmax mean over two values, site-type tables, the token PE
    // table; against the paper's path (tanh, correlation form).
    const DmftModel bin = DmftModel::build(ModelParams{});
    const DmftModel gen = DmftModel::build(tokens("scalar", {-1.0, 1.0}));
    ASSERT_EQ(gen.fields.nl.kind, FieldKind::ValueSoftmax);
    EXPECT_EQ(bin.pe, gen.pe); // the same PE table, bit for bit
    double worst = 0.0;
    for_random_fields([&](double beta, const std::vector<double> &att) {
        MeanFieldMap a(bin, DynamicsParams{beta, 220.0, 0.02}), b(gen, DynamicsParams{beta, 220.0, 0.02});
        worst = std::max(worst, semantic_diff(a, b, att));
    });
    EXPECT_LE(worst, 1e-15);
    // Per step along a run from the Fig 3a checkpoint: |difference| <= 1e-15 at every step (beta = 1.0 is
    // period 4, so round-off does not grow).
    const DynamicsParams d{1.0, 220.0, 0.02};
    MeanFieldMap a(bin, d), b(gen, d);
    Context ca = start_context("fig3a", a), cb = ca;
    double run_worst = 0.0;
    for (int t = 0; t < 5000; ++t) {
        const StepRecord ra = a.step(ca), rb = b.step(cb);
        for (int k = 0; k < 3; ++k) run_worst = std::max(run_worst, std::fabs(ra.mo_se[k] - rb.mo_se[k]));
    }
    EXPECT_LE(run_worst, 1e-15);
}

TEST(TokenModel, ScalarTokensAreRankOnePotts) {
    // W_{i,a,k} = s_k W_{i,a}: the Potts path with these weights is the scalar path, for binary, ternary
    // and an asymmetric set, per step along a scalar trajectory (semantic overlaps, no PE involved).
    struct Case {
        ModelParams scalar, potts;
    };
    const std::vector<Case> cases = {{tokens("binary"), potts(2)},
                                     {tokens("ternary"), potts(3)},
                                     {tokens("scalar", {-1, 0, 1, 2}), potts(4, {-1, 0, 1, 2})}};
    for (const auto &c : cases) {
        const DmftModel ms = DmftModel::build(c.scalar), mp = DmftModel::build(c.potts);
        EXPECT_EQ(mp.fields.P, 3 * c.potts.q); // three site types, q fields each
        for (double beta : {0.8, 1.5, 2.5}) {
            const DynamicsParams d{beta, 220.0, 0.02};
            MeanFieldMap a(ms, d), b(mp, d);
            Context ctx = start_context("fig3a", a);
            double worst = 0.0;
            for (int t = 0; t < 200; ++t) {
                worst = std::max(worst, semantic_diff(a, b, ctx.att));
                a.step(ctx);
            }
            EXPECT_LE(worst, 1e-15) << c.scalar.tokens << " beta " << beta;
        }
    }
    // q = 2 and q = 3 with the default state values also share the PE table and the cold start, so
    // whole steps agree.
    for (int q : {2, 3}) {
        const DmftModel ms = DmftModel::build(tokens(q == 2 ? "binary" : "ternary")), mp = DmftModel::build(potts(q));
        EXPECT_LE(max_diff(ms.pe, mp.pe), 0.0);
        const DynamicsParams d{1.27, 220.0, 0.02};
        MeanFieldMap a(ms, d), b(mp, d);
        Context ca = a.cold_start(), cb = b.cold_start();
        EXPECT_EQ(ca.att, cb.att);
        double worst = 0.0;
        for (int t = 0; t < 200; ++t) { // whole steps (PE, mixing, attention) from the same context
            cb = ca;
            const StepRecord ra = a.step(ca), rb = b.step(cb);
            for (int k = 0; k < 3; ++k) worst = std::max(worst, std::fabs(ra.att[k] - rb.att[k]));
            for (int k = 0; k < 3; ++k) worst = std::max(worst, std::fabs(ra.mo[k] - rb.mo[k]));
        }
        EXPECT_LE(worst, 1e-15) << "q = " << q;
    }
}

namespace {
// The full correlation form for +-1 weights: m^alpha_a = 2^-M sum_{sigma in {+-1}^M} F_S(beta sigma . A)
// sum_{R subset [M]} sigma_R <W^o_R W^alpha_a>_i, all subsets R including the empty one.
std::array<std::vector<double>, kNumAlpha> full_correlation_form(const Weights &w, const std::vector<double> &S,
                                                                 double beta, const std::vector<double> &att) {
    const int M = w.M, N = w.N;
    std::array<std::vector<double>, kNumAlpha> out;
    for (auto &o : out) o.assign(size_t(M), 0.0);
    for (uint32_t sm = 0; sm < (1u << M); ++sm) {
        double h = 0.0;
        std::vector<int> sigma(static_cast<size_t>(M));
        for (int b = 0; b < M; ++b) {
            sigma[size_t(b)] = (sm >> b) & 1 ? -1 : 1;
            h += sigma[size_t(b)] * att[size_t(b)];
        }
        const double F = value_softmax_mean(S, beta * h);
        for (uint32_t R = 0; R < (1u << M); ++R) {
            double sigR = 1.0;
            for (int b = 0; b < M; ++b)
                if ((R >> b) & 1) sigR *= sigma[size_t(b)];
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                for (int a = 0; a < M; ++a) {
                    double c = 0.0;
                    for (int i = 0; i < N; ++i) {
                        double wr = 1.0;
                        for (int b = 0; b < M; ++b)
                            if ((R >> b) & 1) wr *= w.at(kO, b, i);
                        c += wr * w.at(alpha, a, i);
                    }
                    out[alpha][size_t(a)] += F * sigR * c / N / double(1u << M);
                }
            }
        }
    }
    return out;
}
} // namespace

TEST(TokenModel, SiteTypesEqualTheCorrelationFormAndTheFoldedFormNeedsASymmetricSet) {
    const std::vector<std::vector<double>> sets = {{-1, 1}, {-1, 0, 1}, {0, 1}, {-1, 0, 1, 2}};
    for (const auto &S : sets) {
        const DmftModel st = DmftModel::build(tokens("scalar", S));
        // The paper's folded form (eq. 29: sigma_1 = +1, odd subsets, 2^-(M-1)) with tanh -> F_S.
        DmftModel folded = DmftModel::build(ModelParams{});
        folded.fields.nl = st.fields.nl;
        const bool symmetric = S.front() == -S.back() && (S.size() % 2 == 0 || S[S.size() / 2] == 0.0);
        double full_worst = 0.0, folded_worst = 0.0;
        for (double beta : {0.5, 1.27, 2.5}) {
            for (const std::vector<double> &att : {std::vector<double>{0.1, -0.2, 0.05}, {0.4, 0.3, -0.6}}) {
                MeanFieldMap a(st, DynamicsParams{beta, 220.0, 0.02}), f(folded, DynamicsParams{beta, 220.0, 0.02});
                const auto site = a.semantic_overlaps(att), fold = f.semantic_overlaps(att);
                const auto full = full_correlation_form(st.weights, S, beta, att);
                for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                    full_worst = std::max(full_worst, max_diff(site[alpha], full[alpha]));
                    folded_worst = std::max(folded_worst, max_diff(site[alpha], fold[alpha]));
                }
            }
        }
        EXPECT_LE(full_worst, 1e-15) << "S size " << S.size();
        if (symmetric)
            EXPECT_LE(folded_worst, 1e-15) << "S size " << S.size();
        else
            EXPECT_GT(folded_worst, 0.1) << "S size " << S.size(); // the even part of F_S is dropped
    }
}

TEST(TokenModel, TernaryWorkedExample) {
    const DmftModel m = DmftModel::build(tokens("ternary"));
    MeanFieldMap map(m, DynamicsParams{1.27, 220.0, 0.02});
    const std::vector<double> att = {0.1, -0.2, 0.05};
    ASSERT_EQ(m.fields.P, 3);
    const double h[3] = {0.1905, -0.0635, 0.4445};
    const double F[3] = {0.1262378472286231, -0.0423049084021423, 0.2869750120334194};
    for (int s = 0; s < 3; ++s) {
        double dot = 0;
        for (int b = 0; b < 3; ++b) dot += m.fields.sigma[size_t(3 * s + b)] * att[size_t(b)];
        EXPECT_NEAR(1.27 * dot, h[s], 1e-12);
        EXPECT_NEAR(ternary_mean(1.27 * dot), F[s], 1e-12);
    }
    const auto mse = map.semantic_overlaps(att);
    const double expect[4][3] = {{0.03947741880088466, -0.15183925588806158, 0.12363598361996675},
                                 {-0.15183925588806158, 0.06768069106897949, 0.03947741880088466},
                                 {-0.03947741880088466, -0.12363598361996675, 0.15183925588806158},
                                 {-0.12363598361996675, 0.06768069106897949, -0.15183925588806158}};
    for (int alpha = 0; alpha < kNumAlpha; ++alpha)
        for (int a = 0; a < 3; ++a) EXPECT_NEAR(mse[alpha][size_t(a)], expect[alpha][a], 1e-12) << alpha << a;
}

TEST(TokenModel, TernaryColdStartBeta127) {
    const DmftModel m = DmftModel::build(tokens("ternary"));
    MeanFieldMap map(m, DynamicsParams{1.27, 220.0, 0.02});
    Context c = map.cold_start();
    // The cold start itself is the binary one (the +-1 template token is a legal ternary token).
    EXPECT_NEAR(c.mv[0] * 101, 35, 1e-12);
    EXPECT_NEAR(c.mv[1] * 101, 33, 1e-12);
    EXPECT_NEAR(c.mv[2] * 101, 99, 1e-12);
    TrajectoryOptions opt;
    opt.steps = 12;
    opt.transient = 0;
    const Trajectory tr = run_trajectory(map, c, opt);
    const std::vector<std::pair<int, std::array<double, 3>>> expect = {
        {1, {0.4299728078409193, -0.02166355336932539, 0.5989704801063328}},
        {2, {0.0618647353258183, -0.24098548762384966, 0.38286365152779944}},
        {6, {-0.2074315498660625, -0.15213032221822093, 0.005985665984613785}},
        {11, {0.019082089427536877, 0.06925016163008944, -0.0802914315422557}}};
    for (const auto &[t, v] : expect)
        for (int a = 0; a < 3; ++a) EXPECT_NEAR(tr.mo_se[size_t(3 * t + a)], v[size_t(a)], 1e-12) << t << " " << a;
}

TEST(TokenModel, WeakFieldTernaryAtBetaIsBinaryAtTwoThirdsBeta) {
    // F_ternary(h) = (2/3) h + O(h^3): the ternary map at beta = 1.5 is the binary map at 1.0 to linear
    // order. On the period-4 orbit the fields are small enough that the amplitudes agree to 1e-6.
    auto amplitude = [](const ModelParams &p, double beta) {
        const DmftModel m = DmftModel::build(p);
        MeanFieldMap map(m, DynamicsParams{beta, 220.0, 0.02});
        Context c = start_context("fig3a", map);
        TrajectoryOptions opt;
        opt.steps = c.t + 20001;
        opt.transient = c.t + 20001 - 400;
        const Trajectory tr = run_trajectory(map, c, opt);
        std::array<double, 3> amp{};
        for (size_t k = 0; k < tr.mo_se.size(); ++k) amp[k % 3] = std::max(amp[k % 3], std::fabs(tr.mo_se[k]));
        return amp;
    };
    const auto ter = amplitude(tokens("ternary"), 1.5), bin = amplitude(ModelParams{}, 1.0);
    for (int a = 0; a < 3; ++a) {
        EXPECT_GT(bin[size_t(a)], 1e-4); // a small orbit: |h| ~ 1e-3, where the cubic terms are ~1e-9
        EXPECT_NEAR(ter[size_t(a)] / bin[size_t(a)], 1.0, 1e-6) << "feature " << a;
    }
}

TEST(TokenModel, BaseQPositionalCode) {
    // pe_code = base_q, ternary: ceil(log_3 4) = 2 digits, phase 0..3 -> 00, 01, 02, 10, digit d -> S[d] =
    // -1, 0, 1 on the first two PE units; Potts q = 4: one digit, the PE unit in state (t mod 4).
    ModelParams p = tokens("ternary");
    p.pe_code = "base_q";
    EXPECT_EQ(pe_digits(p), 2);
    const DmftModel m = DmftModel::build(p);
    const double S[4][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}};
    for (int alpha = 0; alpha < kNumAlpha; ++alpha)
        for (int phase = 0; phase < 4; ++phase)
            for (int a = 0; a < 3; ++a) {
                const double expect =
                    (m.weights.at(alpha, a, 99) * S[phase][0] + m.weights.at(alpha, a, 100) * S[phase][1]) / 2;
                EXPECT_EQ(m.pe_at(alpha, phase, a), expect) << alpha << phase << a;
            }
    ModelParams pq = potts(4);
    pq.potts_weights = "segments";
    pq.pe_code = "base_q";
    EXPECT_EQ(pe_digits(pq), 1);
    const DmftModel mq = DmftModel::build(pq);
    for (int phase = 0; phase < 4; ++phase) EXPECT_EQ(mq.pe_at(kV, phase, 1), mq.potts.at(kV, 1, 99, phase));
}
