// What a sweep concludes from a window (docs/dmft_map.md section 8): no label from less data than an
// indicator needs, and the Poincare section of a converged periodic orbit at its period's size.
// Both were wrong before (issue 10, item 6): a 1-step window labelled beta = 1.3 ... 1.5 "chaotic" from
// a one-step lambda_1, and period-4 columns of Fig 3a stored 5-16 section points (period 16 at
// beta = 1.243: 15 000), one per rounding variant of the same orbit point.
#include "dmft/context.h"
#include "dmft/sweep.h"
#include "dynamics/quantize.h"

#include <cmath>
#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace tdlab;
using namespace tdlab::dmft;
using dynamics::Label;

namespace {

struct SweepRun {
    DmftModel model = DmftModel::build(ModelParams{});
    std::vector<PointResult> results;
};

// Runs `betas` from a published checkpoint with a window of `window` steps ending at `steps` - 1.
SweepRun sweep(const std::string &start, const std::vector<double> &betas, int64_t steps, int64_t window,
               bool lyapunov = true, bool chaos01 = true) {
    SweepRun r;
    MeanFieldMap map(r.model, DynamicsParams{});
    const Context c = start_context(start, map);
    std::vector<DynamicsParams> points;
    for (double b : betas) {
        DynamicsParams d;
        d.beta = b;
        points.push_back(d);
    }
    SweepOptions opt;
    opt.batch.steps = steps;
    opt.batch.transient = steps - window;
    opt.batch.lyapunov = lyapunov;
    opt.batch.path = SimdPath::Scalar; // the reference kernel: the same bits on every machine's libm path
    opt.chaos01 = chaos01;
    r.results.resize(points.size());
    run_points_checkpoint(r.model, points, c, 0, points.size(), opt,
                          [&](size_t k, PointResult &&x) { r.results[k] = std::move(x); });
    return r;
}

} // namespace

// A 1-step window: every indicator is below its minimum, so no label, and the flag says why. The
// exponent of that one step is still reported (finite), it just decides nothing.
TEST(SweepAnalysis, OneStepWindowIsUnknownWithShortFlag) {
    const std::vector<double> betas{1.3, 1.35, 1.4, 1.45, 1.5};
    const SweepRun r = sweep("fig3a", betas, 100001, 1);
    for (size_t k = 0; k < betas.size(); ++k) {
        const PointResult &p = r.results[k];
        EXPECT_EQ(p.label, int(Label::Unknown)) << "beta " << betas[k] << " flags " << bits_to_flags(p.flags);
        EXPECT_EQ(p.paper_label, int(Label::Unknown)) << "beta " << betas[k];
        EXPECT_TRUE(p.flags & kFlagShort) << "beta " << betas[k] << " flags " << bits_to_flags(p.flags);
        EXPECT_EQ(p.period, 0) << "beta " << betas[k];
        EXPECT_TRUE(std::isfinite(p.lyapunov)) << "beta " << betas[k];
        EXPECT_TRUE(std::isnan(p.chaos01)) << "beta " << betas[k];
    }
    EXPECT_EQ(bits_to_flags(kFlagShort), "short");
    EXPECT_EQ(flags_to_bits("paper|short"), kFlagPaper | kFlagShort);
}

// At the minimums every indicator counts again: beta = 1.4 (chaotic in the paper's Fig 4) over 2500
// steps is chaotic by lambda_1 and the 0-1 test, and the paper's count gives a label (whichever: its
// thresholds were set for 20 000 samples), with no "short" flag. One step below the
// exponent's minimum (999 steps) the exponent is set aside and the count too (999 < 2500): the label
// then rests on the 0-1 test alone (249 points >= 200), flagged short.
TEST(SweepAnalysis, MinimumWindowsPerIndicator) {
    const SweepOptions defaults;
    ASSERT_EQ(defaults.minimum.lyapunov_steps, 1000u);
    ASSERT_EQ(defaults.minimum.chaos01_points, 200u);
    ASSERT_EQ(defaults.paper.chaotic_from, 2500);
    const SweepRun full = sweep("zoom", {1.4}, 102500, 2500);
    const PointResult &a = full.results[0];
    EXPECT_EQ(a.label, int(Label::Chaotic)) << bits_to_flags(a.flags);
    EXPECT_NE(a.paper_label, int(Label::Unknown)) << "u = " << a.unique_points;
    EXPECT_FALSE(a.flags & (kFlagShort | kFlagLyapunov | kFlagChaos01)) << bits_to_flags(a.flags);
    EXPECT_GT(a.lyapunov, 0.01);
    EXPECT_GT(a.chaos01, 0.5);

    const SweepRun part = sweep("zoom", {1.4}, 100999, 999);
    const PointResult &b = part.results[0];
    EXPECT_TRUE(b.flags & kFlagShort) << bits_to_flags(b.flags);
    EXPECT_EQ(b.paper_label, int(Label::Unknown));
    EXPECT_FALSE(std::isnan(b.chaos01));
    EXPECT_EQ(b.label, b.chaos01 > 0.5 ? int(Label::Chaotic) : int(Label::QuasiPeriodic)) << bits_to_flags(b.flags);
    EXPECT_FALSE(b.flags & kFlagLyapunov) << "a set-aside exponent cannot disagree: " << bits_to_flags(b.flags);

    // Without the 0-1 test nothing is left at 999 steps.
    const SweepRun none = sweep("zoom", {1.4}, 100999, 999, true, false);
    EXPECT_EQ(none.results[0].label, int(Label::Unknown)) << bits_to_flags(none.results[0].flags);
    EXPECT_TRUE(none.results[0].flags & kFlagShort);
}

// Converged period-4 (and, at 1.243, period-16) orbits of Figs 3a/3b: the section holds at most one
// point per phase of the period, each a sample of the window that passes the paper's filter. The old
// exact-equality dedup stored 8, 15, 14, 267 and 15 000 points here (scalar kernel).
TEST(SweepAnalysis, PeriodicSectionHasAtMostPeriodPoints) {
    struct Case {
        const char *start;
        double beta;
    };
    for (const Case cs : {Case{"fig3a", 0.2625}, Case{"fig3a", 0.3675}, Case{"fig3a", 0.5325}, Case{"zoom", 1.241},
                          Case{"zoom", 1.243}}) {
        const SweepRun r = sweep(cs.start, {cs.beta}, 120000, 20000, false, false);
        const PointResult &p = r.results[0];
        ASSERT_GT(p.period, 0) << "beta " << cs.beta;
        EXPECT_EQ(p.label, int(Label::Periodic)) << "beta " << cs.beta;
        EXPECT_GE(p.poincare.size(), 1u) << "beta " << cs.beta;
        EXPECT_LE(int64_t(p.poincare.size()), p.period) << "beta " << cs.beta << " period " << p.period;
        // Distinct beyond the period test's tolerance.
        for (size_t i = 0; i < p.poincare.size(); ++i)
            for (size_t j = 0; j < i; ++j)
                EXPECT_GT(std::fabs(p.poincare[i] - p.poincare[j]), 1e-8) << "beta " << cs.beta;
        // Each point is m^o_1 of the orbit: within 1e-6 of a value of the last period (the kept samples).
        for (double v : p.poincare) {
            double best = INFINITY;
            for (size_t k = p.points.size() - size_t(p.period); k < p.points.size(); ++k)
                best = std::min(best, std::fabs(double(p.points[k]) - v));
            EXPECT_LT(best, 1e-6) << "beta " << cs.beta << " section value " << v;
        }
    }
}

// A window that repeats itself bit for bit with its detected period is counted over its first period only;
// the counts must be those of the whole window (and a window that repeats only within the period test's
// tolerance is counted whole).
TEST(SweepAnalysis, ExactlyPeriodicWindowCountsTheBinsOfTheWholeWindow) {
    const int M = 3, L = 4;
    SweepOptions opt;
    opt.raster_resolution = 4000;
    opt.chaos01 = false;
    for (double wobble : {0.0, 1e-12}) {
        SCOPED_TRACE(wobble == 0 ? "exact" : "within tolerance");
        LaneOutput lane;
        const size_t n = 4000, p = 12;
        for (size_t t = 0; t < n; ++t)
            for (int a = 0; a < M; ++a)
                lane.mo_se.push_back(0.9 * std::sin(0.7 * double(t % p) + a) + (t % 7 == 3 ? wobble : 0.0));
        lane.max_abs = 0.9;
        DynamicsParams d;
        const PointResult r = analyse_lane(lane, d, M, L, opt);
        EXPECT_EQ(r.period, int64_t(p));
        const auto full =
            dynamics::unique_bins(lane.mo_se.data(), n, M, opt.max_y > 0 ? opt.max_y : 0.9, opt.paper.resolution);
        EXPECT_EQ(r.unique_points, int64_t(full.size()));
        const auto raster = dynamics::unique_bins(lane.mo_se.data(), n, M, 0.9, opt.raster_resolution);
        ASSERT_EQ(r.raster_bins.size(), raster.size());
        for (size_t k = 0; k < raster.size(); ++k) EXPECT_EQ(r.raster_bins[k], raster[k]);
    }
}
