// The batched (lanes x SIMD) mean-field map: the scalar path reproduces MeanFieldMap::step bit for
// bit; every SLEEF path agrees with the others bit for bit and with the scalar path closely over a
// short (pre-divergence) window; a lane's result does not depend on its block neighbours.
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dmft/trajectory.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
std::vector<LaneSpec> lanes_for(const DmftModel &model, const std::vector<double> &betas) {
    std::vector<LaneSpec> lanes;
    for (double b : betas) {
        DynamicsParams d;
        d.beta = b;
        MeanFieldMap map(model, d);
        lanes.push_back({d, start_context("zoom", map)});
    }
    return lanes;
}
} // namespace

TEST(BatchedMap, ScalarPathIsBitIdenticalToMeanFieldMap) {
    auto model = DmftModel::build(ModelParams{});
    std::vector<double> betas{0.5, 1.255, 1.27, 1.4, 2.0, 3.0};
    BatchOptions opt;
    opt.steps = 3000;
    opt.transient = 2000;
    opt.path = SimdPath::Scalar;
    auto out = run_batch(model, lanes_for(model, betas), opt);
    for (size_t l = 0; l < betas.size(); ++l) {
        DynamicsParams d;
        d.beta = betas[l];
        MeanFieldMap map(model, d);
        Context c = start_context("zoom", map);
        TrajectoryOptions topt{opt.steps, opt.transient, 1};
        Trajectory tr = run_trajectory(map, c, topt);
        ASSERT_EQ(tr.mo_se.size(), out[l].mo_se.size());
        EXPECT_EQ(0, std::memcmp(tr.mo_se.data(), out[l].mo_se.data(), tr.mo_se.size() * sizeof(double)))
            << "beta " << betas[l];
        EXPECT_EQ(c.att, out[l].final.att);
        EXPECT_EQ(c.mv, out[l].final.mv);
        EXPECT_EQ(c.t, out[l].final.t);
    }
}

TEST(BatchedMap, SleefPathsAgreeBitForBitAndCloseToScalar) {
    auto model = DmftModel::build(ModelParams{});
    std::vector<double> betas{0.5, 1.255, 1.27, 1.4, 2.0, 3.0, 1.0, 1.1};
    BatchOptions opt;
    opt.steps = 104;
    opt.transient = 4;
    opt.path = SimdPath::Scalar;
    auto ref = run_batch(model, lanes_for(model, betas), opt);
    std::vector<SimdPath> paths{SimdPath::Sse2};
    SimdPath best = best_simd_path();
    if (best == SimdPath::Scalar) GTEST_SKIP() << "built without SLEEF";
    if (best == SimdPath::Avx || best == SimdPath::Avx512) paths.push_back(SimdPath::Avx);
    if (best == SimdPath::Avx512) paths.push_back(SimdPath::Avx512);
    std::vector<std::vector<LaneOutput>> outs;
    for (auto p : paths) {
        opt.path = p;
        outs.push_back(run_batch(model, lanes_for(model, betas), opt));
    }
    for (size_t l = 0; l < betas.size(); ++l) {
        for (size_t k = 0; k < ref[l].mo_se.size(); ++k) {
            EXPECT_NEAR(outs[0][l].mo_se[k], ref[l].mo_se[k], 1e-9) << "beta " << betas[l] << " k " << k;
        }
        for (size_t p = 1; p < outs.size(); ++p) {
            EXPECT_EQ(outs[p][l].mo_se, outs[0][l].mo_se) << simd_path_name(paths[p]) << " beta " << betas[l];
        }
    }
}

TEST(BatchedMap, LaneResultIndependentOfNeighbours) {
    auto model = DmftModel::build(ModelParams{});
    BatchOptions opt;
    opt.steps = 5000;
    opt.transient = 4000;
    opt.lyapunov = true;
    opt.path = best_simd_path();
    auto a = run_batch(model, lanes_for(model, {1.3, 2.9, 0.2}), opt);
    auto b = run_batch(model, lanes_for(model, {1.7, 1.3}), opt);
    EXPECT_EQ(a[0].mo_se, b[1].mo_se);
    EXPECT_EQ(a[0].lyapunov, b[1].lyapunov);
}
