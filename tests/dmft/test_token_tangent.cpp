// Non-binary tokens in the map's other copies (mean_field_map.h lists them): the tangent map against
// central differences, the batched kernel's scalar path against MeanFieldMap::step bit for bit, its SIMD
// path against the scalar one, and the Lyapunov exponent under the weak-field rescaling.
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dmft/tangent_map.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab::dmft;

namespace {
std::vector<ModelParams> token_models() {
    std::vector<ModelParams> v(3);
    v[0].tokens = "ternary";
    v[1].tokens = "scalar";
    v[1].values = {-1, 0, 1, 2};
    v[2].tokens = "potts";
    v[2].q = 3;
    v[2].potts_weights = "segments";
    return v;
}

// A full context at beta: 2000 steps from the Fig 3a checkpoint.
Context settled(const DmftModel &m, const DynamicsParams &d) {
    MeanFieldMap map(m, d);
    Context c = start_context("fig3a", map);
    for (int t = 0; t < 2000; ++t) map.step(c);
    return c;
}
} // namespace

TEST(TokenTangent, JacobianMatchesCentralDifferences) {
    for (const auto &p : token_models()) {
        const DmftModel m = DmftModel::build(p);
        for (double beta : {1.0, 2.5}) {
            const DynamicsParams d{beta, 220.0, 0.02};
            MeanFieldMap map(m, d);
            const Context c = settled(m, d);
            const size_t D = state_dim(c);
            std::vector<double> v(D);
            for (size_t k = 0; k < D; ++k) v[k] = std::sin(1.0 + 3.7 * double(k)); // a fixed generic direction
            const auto jv = tangent_step(map, c, v);
            const double h = 1e-6;
            auto image = [&](double s) {
                Context x = c;
                auto st = pack_state(c);
                for (size_t k = 0; k < D; ++k) st[k] += s * v[k];
                unpack_state(st, x);
                MeanFieldMap mm(m, d);
                mm.step(x);
                return pack_state(x);
            };
            const auto plus = image(h), minus = image(-h);
            double worst = 0, scale = 0;
            for (size_t k = 0; k < D; ++k) {
                worst = std::max(worst, std::fabs((plus[k] - minus[k]) / (2 * h) - jv[k]));
                scale = std::max(scale, std::fabs(jv[k]));
            }
            EXPECT_LE(worst, 1e-6 * std::max(1.0, scale)) << p.tokens << " beta " << beta;
        }
    }
}

TEST(TokenTangent, BatchedScalarPathIsTheMapBitForBitAndSimdIsClose) {
    for (const auto &p : token_models()) {
        const DmftModel m = DmftModel::build(p);
        const std::vector<double> betas = {0.9, 1.7, 2.3};
        std::vector<LaneSpec> lanes;
        for (double b : betas) {
            const DynamicsParams d{b, 220.0, 0.02};
            lanes.push_back({d, settled(m, d)});
        }
        BatchOptions opt;
        opt.steps = lanes[0].start.t + 301;
        opt.transient = lanes[0].start.t + 1;
        opt.path = SimdPath::Scalar;
        const auto sc = run_batch(m, lanes, opt);
        for (size_t l = 0; l < lanes.size(); ++l) {
            MeanFieldMap map(m, lanes[l].dyn);
            Context c = lanes[l].start;
            for (int t = 0; t < 300; ++t) {
                const StepRecord r = map.step(c);
                for (int a = 0; a < 3; ++a)
                    ASSERT_EQ(r.mo_se[a], sc[l].mo_se[size_t(3 * t + a)]) << p.tokens << " lane " << l << " t " << t;
            }
        }
        // The SIMD path differs only through exp (SLEEF u10): a few ulp per step, 10 steps stay within 1e-12
        // even on chaotic lanes.
        opt.steps = lanes[0].start.t + 11;
        opt.path = best_simd_path();
        const auto vec = run_batch(m, lanes, opt);
        opt.path = SimdPath::Scalar;
        const auto ref = run_batch(m, lanes, opt);
        for (size_t l = 0; l < lanes.size(); ++l)
            for (size_t k = 0; k < ref[l].mo_se.size(); ++k) EXPECT_NEAR(vec[l].mo_se[k], ref[l].mo_se[k], 1e-12);
    }
}

TEST(TokenTangent, LyapunovExponentFollowsTheWeakFieldRescaling) {
    // On the period-4 orbit the fields are ~1e-3: lambda_1 of the ternary map at beta = 1.5 is the binary
    // one at 1.0 up to O(h^2).
    auto lambda = [](const ModelParams &p, double beta) {
        const DmftModel m = DmftModel::build(p);
        const DynamicsParams d{beta, 220.0, 0.02};
        BatchOptions opt;
        const Context c = settled(m, d);
        opt.steps = c.t + 12001;
        opt.transient = c.t + 2001;
        opt.record = false;
        opt.lyapunov = true;
        opt.path = SimdPath::Scalar;
        return run_batch(m, {{d, c}}, opt)[0].lyapunov;
    };
    ModelParams ter;
    ter.tokens = "ternary";
    const double lt = lambda(ter, 1.5), lb = lambda(ModelParams{}, 1.0);
    EXPECT_LT(lb, -0.01); // a stable orbit, not a degenerate zero
    EXPECT_NEAR(lt, lb, 1e-4 * std::fabs(lb));
}
