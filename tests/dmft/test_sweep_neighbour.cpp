// The neighbour (continuation, hysteresis) protocol of `tdlab dmft sweep` (sweep.seed_from=neighbour):
//   (a) in a single-attractor region (beta in [0.4, 1.0]: the period-4 orbit, docs/dmft.md "Our figures") upward,
//       downward and checkpoint sweeps find the same attractor at every value (period 4, same orbit);
//   (b) the chain is real: each value starts from the previous value's final context. Checked against
//       an independent sequential loop of the scalar reference map (MeanFieldMap::step, not the batched
//       kernel), bit for bit, upward and downward; and the checkpoint protocol differs there, so the
//       comparison can fail;
//   (c) the outputs do not depend on the thread count (census on, which runs in parallel).
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/npy.h"
#include "dmft/context.h"
#include "dmft/mean_field_map.h"
#include "dmft/params.h"
#include "dmft/sweep_runner.h"

#include "cli_test_support.h"
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("neighbour", name);
}
int run(const std::string &args) {
    return tdlab_test::run_tdlab(args);
}

struct Row {
    std::string label;
    int64_t period = 0;
    double m1_min = 0, m1_max = 0;
};
// summary.csv: beta,gamma,epsilon,label,paper_label,period,lyapunov,chaos01,unique_points,poincare_points,
// max_abs,m1_min,m1_max,flags
std::vector<Row> read_summary(const fs::path &dir) {
    std::istringstream in(tdlab::read_file(dir / "summary.csv"));
    std::string line;
    std::getline(in, line);
    std::vector<Row> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
        EXPECT_GE(f.size(), 13u) << line;
        if (f.size() < 13) continue;
        rows.push_back({f[3], std::stoll(f[5]), std::stod(f[11]), std::stod(f[12])});
    }
    return rows;
}

// The independent reference: the scalar map, value after value, each from the previous final context
// (its step index reduced mod L, as the sweep restarts every value at the same phase).
std::vector<std::vector<float>> reference_chain(const std::vector<double> &betas, bool downward, int64_t steps,
                                                int64_t transient) {
    const auto cfg = tdlab::Config::defaults(tdlab::dmft::grid_schema());
    const auto model = tdlab::dmft::DmftModel::build(tdlab::dmft::model_params_from(cfg));
    const int M = model.params.M, L = model.params.L;
    tdlab::dmft::DynamicsParams d = tdlab::dmft::dynamics_params_from(cfg);
    d.beta = betas.front();
    tdlab::dmft::MeanFieldMap first(model, d);
    tdlab::dmft::Context c = tdlab::dmft::start_context("zoom", first);
    std::vector<std::vector<float>> out(betas.size());
    for (size_t i = 0; i < betas.size(); ++i) {
        const size_t k = downward ? betas.size() - 1 - i : i;
        d.beta = betas[k];
        tdlab::dmft::MeanFieldMap map(model, d);
        c.t = c.t % L;
        while (c.t + 1 < steps) {
            auto rec = map.step(c);
            if (c.t >= transient) out[k].push_back(float(rec.mo_se[0]));
        }
        EXPECT_EQ(M, 3);
    }
    return out;
}
} // namespace

TEST(SweepNeighbour, SingleAttractorRegionSameAttractorAllProtocols) {
    const std::string base = "dmft sweep --set dmft.start=fig3a --set sweep.min=0.4 --set sweep.max=1.0 "
                             "--set sweep.count=7 --set dmft.steps=6000 --set dmft.transient=4000 "
                             "--set sweep.lyapunov=false --set sweep.keep=16";
    const fs::path up = tmp("a_up"), down = tmp("a_down"), ck = tmp("a_ck");
    ASSERT_EQ(run(base + " --set sweep.seed_from=neighbour --out " + up.string()), 0);
    ASSERT_EQ(run(base + " --set sweep.seed_from=neighbour --set sweep.direction=down --out " + down.string()), 0);
    ASSERT_EQ(run(base + " --out " + ck.string()), 0);
    const auto a = read_summary(up), b = read_summary(down), c = read_summary(ck);
    ASSERT_EQ(a.size(), 7u);
    ASSERT_EQ(b.size(), 7u);
    ASSERT_EQ(c.size(), 7u);
    for (size_t k = 0; k < 7; ++k) {
        // The paper's reference: period 4 of tiny amplitude below beta = 1.2.
        EXPECT_EQ(c[k].label, "periodic") << k;
        EXPECT_EQ(c[k].period, 4) << k;
        EXPECT_LT(std::fabs(c[k].m1_min), 1e-2) << k;
        for (const auto *r : {&a[k], &b[k]}) {
            EXPECT_EQ(r->label, c[k].label) << k;
            EXPECT_EQ(r->period, c[k].period) << k;
            // One attractor: the same orbit whatever the start (to round-off).
            EXPECT_NEAR(r->m1_min, c[k].m1_min, 1e-12) << k;
            EXPECT_NEAR(r->m1_max, c[k].m1_max, 1e-12) << k;
        }
    }
}

TEST(SweepNeighbour, ChainSeedsEachValueFromThePreviousFinalContext) {
    // beta in [1.262, 1.28] from the zoom checkpoint: quasi-periodic / chaotic / multistable values, where the
    // start context matters. The scalar kernel is bit-identical to MeanFieldMap::step.
    const int64_t steps = 3000, transient = 2000;
    const std::vector<double> betas{1.262, 1.268, 1.274, 1.28};
    const std::string base = "dmft sweep --set dmft.start=zoom --set sweep.min=1.262 --set sweep.max=1.28 "
                             "--set sweep.count=4 --set dmft.steps=3000 --set dmft.transient=2000 "
                             "--set sweep.simd=scalar --set sweep.lyapunov=false --set sweep.keep=1000";
    const fs::path ck = tmp("b_ck");
    ASSERT_EQ(run(base + " --out " + ck.string()), 0);
    const auto ckpt = tdlab::read_npy(ck / "points.npy").to_double();
    for (bool downward : {false, true}) {
        const fs::path dir = tmp(downward ? "b_down" : "b_up");
        ASSERT_EQ(run(base + " --set sweep.seed_from=neighbour --set sweep.direction=" + (downward ? "down" : "up") +
                      " --out " + dir.string()),
                  0);
        const auto pts = tdlab::read_npy(dir / "points.npy");
        ASSERT_EQ(pts.shape, (std::vector<size_t>{4, 1000}));
        const auto got = pts.to_double();
        const auto ref = reference_chain(betas, downward, steps, transient);
        size_t differs_from_checkpoint = 0;
        for (size_t k = 0; k < 4; ++k) {
            ASSERT_EQ(ref[k].size(), 1000u);
            size_t mismatches = 0;
            bool differs = false;
            for (size_t j = 0; j < 1000; ++j) {
                mismatches += got[k * 1000 + j] != double(ref[k][j]);
                differs = differs || got[k * 1000 + j] != ckpt[k * 1000 + j];
            }
            EXPECT_EQ(mismatches, 0u) << "beta " << betas[k] << (downward ? " down" : " up");
            differs_from_checkpoint += differs;
        }
        // The first value of the chain starts from the checkpoint itself; the later ones must not behave
        // as if they did (otherwise this test could not tell the protocols apart).
        EXPECT_GE(differs_from_checkpoint, 2u) << (downward ? "down" : "up");
    }
}

TEST(SweepNeighbour, SameBytesForOneAndTwoThreads) {
    const std::string base = "dmft sweep --set dmft.start=zoom --set sweep.min=1.25 --set sweep.max=1.28 "
                             "--set sweep.count=6 --set dmft.steps=5000 --set dmft.transient=3000 "
                             "--set sweep.seed_from=neighbour --set sweep.direction=down --set sweep.census=3 "
                             "--set sweep.keep=200";
    const fs::path one = tmp("c_one"), two = tmp("c_two");
    ASSERT_EQ(run(base + " --threads 1 --out " + one.string()), 0);
    ASSERT_EQ(run(base + " --threads 2 --out " + two.string()), 0);
    for (const char *f : {"summary.csv", "points.npy", "poincare.npy", "results.npz", "census.csv"})
        EXPECT_EQ(tdlab::read_file(one / f), tdlab::read_file(two / f)) << f;
}

// Hysteresis in the multistable window (the census finds the 28-point and a period-16 orbit at 1.27): the
// chain from the zoom checkpoint over 41 values of [1.24, 1.28] ends on the paper's 28-point orbit at
// beta = 1.269 .. 1.271 going up, and on the period-16 orbit going down (measured at 41 and 81 values).
TEST(SweepNeighbour, UpAndDownEndOnDifferentOrbitsAt1_27) {
    const std::string base = "dmft sweep --config " + std::string(TDLAB_SOURCE_DIR) +
                             "/configs/dmft/fig3b.yaml --set sweep.count=41 --set sweep.seed_from=neighbour";
    const fs::path up = tmp("h_up"), down = tmp("h_down");
    ASSERT_EQ(run(base + " --out " + up.string()), 0);
    ASSERT_EQ(run(base + " --set sweep.direction=down --out " + down.string()), 0);
    const auto a = read_summary(up), b = read_summary(down);
    ASSERT_EQ(a.size(), 41u);
    ASSERT_EQ(b.size(), 41u);
    for (size_t k : {29u, 30u, 31u}) { // beta = 1.24 + 0.001 k = 1.269, 1.27, 1.271
        EXPECT_EQ(a[k].label, "periodic") << k;
        EXPECT_EQ(a[k].period, 28) << k;
        EXPECT_EQ(b[k].label, "periodic") << k;
        EXPECT_EQ(b[k].period, 16) << k;
    }
    int differ = 0;
    for (size_t k = 0; k < 41; ++k) differ += a[k].label != b[k].label || a[k].period != b[k].period;
    EXPECT_GE(differ, 5);
}
