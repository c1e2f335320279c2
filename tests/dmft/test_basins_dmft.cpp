// Basins and continuation of the mean-field map (issue 15): at beta = 1.27 the 28-, 56- and 16-point
// orbits are all found from two stated regions (a ball of radius 1e-3 around the zoom checkpoint and
// the box [-1, 1]^27), fractions sum to 1 with Wilson intervals; the sample set and the ids do not
// depend on the thread count; the continuation's tracks agree with the upward neighbour chain.
#include "core/error.h"
#include "dmft/basins.h"
#include "dmft/context.h"
#include "dmft/continuation.h"
#include "dmft/sweep.h"
#include "dmft/tangent_map.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <omp.h>
#include <set>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

BasinsOptions quick_options() {
    BasinsOptions o;
    o.samples = 512;
    o.steps = 20000;
    o.transient = 16000;
    o.path = best_simd_path();
    return o;
}

std::set<size_t> periods(const BasinsResult &r) {
    std::set<size_t> p;
    for (const auto &a : r.attractors) p.insert(a.period);
    return p;
}

void expect_fractions_consistent(const BasinsResult &r, int64_t n) {
    double sum = 0;
    int64_t count = 0;
    for (const auto &f : r.fractions) {
        sum += f.fraction;
        count += f.count;
        EXPECT_LE(f.ci.lo, f.fraction);
        EXPECT_GE(f.ci.hi, f.fraction);
        EXPECT_EQ(r.attractors[size_t(f.id)].count, f.count);
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_EQ(count, n);
    EXPECT_EQ(int64_t(r.ids.size()), n);
}

} // namespace

TEST(Basins, Beta127FindsThe28_56And16PointOrbitsFromTwoRegions) {
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams dyn;
    dyn.beta = 1.27;
    MeanFieldMap map(model, dyn);
    StartRegion ball;
    ball.kind = StartRegion::Kind::Ball;
    ball.center = start_context("zoom", map);
    ball.radius = 1e-3;
    StartRegion box; // [-1, 1]^27 at phase 0
    const auto opt = quick_options();
    for (const auto *region : {&ball, &box}) {
        auto r = basins(model, dyn, *region, opt);
        SCOPED_TRACE(region->describe());
        expect_fractions_consistent(r, opt.samples);
        const auto p = periods(r);
        for (size_t want : {28u, 56u, 16u}) EXPECT_TRUE(p.count(want)) << "period " << want;
        for (const auto &a : r.attractors) {
            if (a.period == 28) {
                EXPECT_NEAR(a.lyapunov, -0.048, 2e-3); // docs/dmft.md: the census's lambda_1 of this orbit
                EXPECT_GT(double(a.count) / double(opt.samples), 0.6) << "most starts reach the 28-point orbit";
            }
            if (a.period > 0) {
                EXPECT_EQ(a.label, dynamics::Label::Periodic);
            }
        }
    }
}

TEST(Basins, SamplesAndIdsDoNotDependOnThreads) {
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams dyn;
    dyn.beta = 1.27;
    StartRegion box;
    auto opt = quick_options();
    opt.samples = 96;
    opt.steps = 6000;
    opt.transient = 5000;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    auto one = basins(model, dyn, box, opt);
    omp_set_num_threads(2);
    auto two = basins(model, dyn, box, opt);
    omp_set_num_threads(saved);
    EXPECT_EQ(one.ids, two.ids);
    ASSERT_EQ(one.attractors.size(), two.attractors.size());
    for (size_t k = 0; k < one.attractors.size(); ++k) {
        EXPECT_EQ(pack_state(one.attractors[k].representative), pack_state(two.attractors[k].representative));
        EXPECT_EQ(one.attractors[k].lyapunov, two.attractors[k].lyapunov);
    }
}

TEST(Basins, RegionsSampleWhatTheySay) {
    auto model = DmftModel::build(ModelParams{});
    MeanFieldMap map(model, DynamicsParams{});
    const Context templ = map.cold_start();
    const size_t D = state_dim(templ);
    StartRegion ball;
    ball.kind = StartRegion::Kind::Ball;
    ball.center = start_context("zoom", map);
    ball.radius = 0.25;
    const auto centre = pack_state(ball.center);
    double max_r = 0;
    for (uint64_t i = 0; i < 400; ++i) {
        const Context c = sample_start(ball, templ, 7, i);
        EXPECT_EQ(c.t, ball.center.t % c.L);
        EXPECT_EQ(c.filled, c.L);
        const auto x = pack_state(c);
        double r2 = 0;
        for (size_t k = 0; k < D; ++k) r2 += (x[k] - centre[k]) * (x[k] - centre[k]);
        max_r = std::max(max_r, std::sqrt(r2));
    }
    EXPECT_LE(max_r, 0.25);
    EXPECT_GT(max_r, 0.2); // uniform in the ball: in 27 dimensions most of the volume is near the surface
    StartRegion box;
    box.lo = -0.5, box.hi = 0.25;
    for (uint64_t i = 0; i < 50; ++i)
        for (double v : pack_state(sample_start(box, templ, 7, i))) EXPECT_TRUE(v >= -0.5 && v < 0.25) << v;
    EXPECT_EQ(pack_state(sample_start(box, templ, 7, 3)), pack_state(sample_start(box, templ, 7, 3)));
    EXPECT_NE(pack_state(sample_start(box, templ, 7, 3)), pack_state(sample_start(box, templ, 8, 3)));
    StartRegion rows;
    rows.kind = StartRegion::Kind::Starts;
    for (size_t k = 0; k < 2 * D; ++k) rows.starts.push_back(0.001 * double(k));
    EXPECT_EQ(region_samples(rows, D, 999), 2);
    const auto x1 = pack_state(sample_start(rows, templ, 0, 1));
    EXPECT_EQ(x1, std::vector<double>(rows.starts.begin() + long(D), rows.starts.end()));
    rows.starts.pop_back();
    EXPECT_THROW(region_samples(rows, D, 1), UsageError);
}

TEST(Continuation, TracksAgreeWithTheUpwardNeighbourChain) {
    // docs/dmft.md: the upward neighbour chain from the zoom checkpoint sits on the 28-point orbit at
    // beta = 1.269 ... 1.271. The continuation over the same values must carry that orbit as one track.
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams base;
    MeanFieldMap map(model, base);
    const Context zoom = start_context("zoom", map);
    std::vector<double> values{1.269, 1.2695, 1.27, 1.2705, 1.271};
    std::vector<DynamicsParams> pts;
    for (double b : values) {
        DynamicsParams d;
        d.beta = b;
        pts.push_back(d);
    }
    SweepOptions so;
    so.batch.path = best_simd_path();
    so.chaos01 = false;
    so.max_y = 0.6;
    std::vector<PointResult> chain(values.size());
    run_points_neighbour(model, pts, zoom, so, [&](size_t k, PointResult &&r) { chain[k] = std::move(r); });
    ContinuationOptions co;
    co.basins = quick_options();
    co.basins.samples = 64;
    co.basins.lyapunov = false;
    StartRegion ball;
    ball.kind = StartRegion::Kind::Ball;
    ball.center = zoom;
    ball.radius = 1e-3;
    auto res = continuation(model, base, "beta", values, ball, co);
    ASSERT_EQ(res.per_value.size(), values.size());
    int track = -1;
    const auto mo = basin_match_options(3, 4, co.basins);
    for (size_t k = 0; k < values.size(); ++k) {
        ASSERT_EQ(chain[k].period, 28) << "beta " << values[k];
        // The chain's last period, ending at the same forcing phase as the continuation's windows.
        dynamics::AttractorSignature s{size_t(chain[k].period), chain[k].orbit, {}};
        int found = -1;
        for (const auto &a : res.per_value[k].attractors)
            if (dynamics::signature_distance(a.signature, s, mo) < 1e-6) found = a.id;
        ASSERT_GE(found, 0) << "the chain's 28-point orbit is among the attractors at beta " << values[k];
        const int t = res.track_of[k][size_t(found)];
        if (k == 0) track = t;
        EXPECT_EQ(t, track) << "one track carries the orbit at beta " << values[k];
        double sum = 0;
        for (const auto &f : res.per_value[k].fractions) sum += f.fraction;
        EXPECT_NEAR(sum, 1.0, 1e-12);
    }
}
