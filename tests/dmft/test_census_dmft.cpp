// Multistability at beta = 1.27 (docs/dmft_map.md section 5): an ensemble of 1e-14-perturbed starts from
// the zoom checkpoint reaches periodic orbits only (every indicator agrees), and the census finds the
// paper's 28-point orbit among them. Below beta = 1.2 the map is on a tiny period-4 orbit.
#include "dmft/context.h"
#include "dmft/sweep.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::dmft;
using dynamics::Label;

namespace {
// Sorted m^o_1 values of the authors' period-28 orbit (their published run from the zoom checkpoint).
const std::vector<double> kOrbit28{-0.156278706, -0.149362622, -0.137066966, -0.129988812, -0.121100583, -0.110971991,
                                   -0.108639515, -0.07508838,  -0.062200175, -0.060775229, -0.029995478, -0.027555072,
                                   -0.002952518, -0.001209813, 0.021589669,  0.027545882,  0.02882329,   0.042067368,
                                   0.044954586,  0.053740403,  0.064900076,  0.107520364,  0.107536546,  0.121718197,
                                   0.123594288,  0.131051377,  0.14578212,   0.149202536};

SweepOptions paper_options() {
    SweepOptions opt;
    opt.batch.steps = 120000;
    opt.batch.transient = 100000;
    opt.batch.lyapunov = true;
    opt.batch.path = best_simd_path();
    return opt;
}

void expect_periodic_everywhere(const PointResult &r, const std::string &what) {
    EXPECT_GT(r.period, 0) << what;
    EXPECT_EQ(r.period % 4, 0) << what << ": periods are multiples of L = 4";
    EXPECT_LT(r.lyapunov, -1e-3) << what;
    EXPECT_LT(r.chaos01, 0.5) << what;
    EXPECT_EQ(r.paper_label, int(Label::Periodic)) << what << " u = " << r.unique_points;
    EXPECT_EQ(r.label, int(Label::Periodic)) << what;
    EXPECT_EQ(r.flags, 0) << what << ": " << bits_to_flags(r.flags);
}
} // namespace

TEST(Census, Beta127AllPeriodicAndFinds28PointOrbit) {
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams dyn;
    dyn.beta = 1.27;
    MeanFieldMap map(model, dyn);
    SweepOptions opt = paper_options();
    opt.census = 16;
    opt.census_perturb = 1e-14;
    opt.max_y = 0.6; // any diagram-wide scale >= max |m^o|; u counts bins of the 28 or 56 points
    auto found = attractor_census(model, dyn, start_context("zoom", map), opt, 0);
    ASSERT_GE(found.size(), 1u);
    int64_t total = 0;
    bool has28 = false;
    for (const auto &a : found) {
        total += a.starts;
        expect_periodic_everywhere(a.representative, "attractor of period " + std::to_string(a.representative.period));
        if (a.representative.period == 28) {
            std::vector<double> m1;
            for (int64_t r = 0; r < 28; ++r) m1.push_back(a.representative.orbit[size_t(r) * 3]);
            std::sort(m1.begin(), m1.end());
            for (size_t k = 0; k < 28; ++k) EXPECT_NEAR(m1[k], kOrbit28[k], 2e-9) << k;
            has28 = true;
            EXPECT_GE(a.starts, 4) << "most starts reach the 28-point orbit (about three in four)";
        }
    }
    EXPECT_EQ(total, 16);
    EXPECT_TRUE(has28);
}

TEST(Census, LowBetaIsPeriod4) {
    auto model = DmftModel::build(ModelParams{});
    SweepOptions opt = paper_options();
    opt.max_y = 0.6;
    std::vector<DynamicsParams> pts;
    for (double b : {0.1, 0.4, 0.7, 1.0, 1.1, 1.2}) {
        DynamicsParams d;
        d.beta = b;
        pts.push_back(d);
    }
    DynamicsParams d0;
    MeanFieldMap map(model, d0);
    std::vector<PointResult> res(pts.size());
    run_points_checkpoint(model, pts, start_context("fig3a", map), 0, pts.size(), opt,
                          [&](size_t k, PointResult &&r) { res[k] = std::move(r); });
    for (size_t k = 0; k < pts.size(); ++k) {
        const std::string what = "beta " + std::to_string(pts[k].beta);
        expect_periodic_everywhere(res[k], what);
        EXPECT_EQ(res[k].period, 4) << what;
        EXPECT_LT(std::max(std::fabs(res[k].m1_min), std::fabs(res[k].m1_max)), 7e-4) << what;
    }
}
