// The batched (lanes x SIMD) mean-field map: a lane's result does not depend on its block neighbours
// or the block width. The paths against each other and against MeanFieldMap::step are in the table
// of test_map_paths.cpp.
#include "core/error.h"
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dynamics/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <string>

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

// Blocks of 8, 16 and 32 lanes (picked by the lane count) run the same per-lane arithmetic: a lane's
// window, exponent, window max and final context are the same bits whatever the block it runs in.
TEST(BatchedMap, BlockWidthDoesNotChangeLanes) {
    auto model = DmftModel::build(ModelParams{});
    std::vector<double> betas;
    for (int k = 0; k < 20; ++k) betas.push_back(0.2 + 0.14 * k); // 20 lanes: a 32-lane block
    BatchOptions opt;
    opt.steps = 3000;
    opt.transient = 2000;
    opt.lyap_align = 500;
    opt.lyapunov = true;
    std::vector<SimdPath> paths{SimdPath::Scalar};
    if (best_simd_path() != SimdPath::Scalar) paths.push_back(best_simd_path());
    for (auto p : paths) {
        opt.path = p;
        auto wide = run_batch(model, lanes_for(model, betas), opt);
        auto mid = run_batch(model, lanes_for(model, {betas.begin() + 4, betas.begin() + 16}), opt); // 16 lanes
        auto narrow = run_batch(model, lanes_for(model, {betas[5], betas[19]}), opt);                // 8 lanes
        ASSERT_EQ(wide.size(), 20u);
        for (auto [n, w] : {std::pair{0, 5}, std::pair{1, 19}}) {
            EXPECT_EQ(narrow[size_t(n)].mo_se, wide[size_t(w)].mo_se) << simd_path_name(p);
            EXPECT_EQ(0, std::memcmp(&narrow[size_t(n)].lyapunov, &wide[size_t(w)].lyapunov, sizeof(double)));
            EXPECT_EQ(narrow[size_t(n)].max_abs, wide[size_t(w)].max_abs);
            EXPECT_EQ(narrow[size_t(n)].final.att, wide[size_t(w)].final.att);
        }
        for (size_t k = 0; k < mid.size(); ++k) EXPECT_EQ(mid[k].mo_se, wide[k + 4].mo_se) << simd_path_name(p);
        EXPECT_TRUE(std::isfinite(wide[7].lyapunov));
        EXPECT_GT(wide[7].max_abs, 0.0);
    }
    // Reusing an output vector (the sweep's per-thread buffers) gives the same results.
    opt.path = paths.back();
    std::vector<LaneOutput> reused;
    run_batch(model, lanes_for(model, betas), opt, reused);
    run_batch(model, lanes_for(model, {betas[5], betas[19]}), opt, reused);
    auto fresh = run_batch(model, lanes_for(model, {betas[5], betas[19]}), opt);
    ASSERT_EQ(reused.size(), 2u);
    EXPECT_EQ(reused[1].mo_se, fresh[1].mo_se);
    EXPECT_EQ(reused[1].max_abs, fresh[1].max_abs);
}

// The sweep's unique-bin count uses a bin table over the occupied range instead of a sort; it must give
// the sorted unique bins of the definition, also for values outside [-max_y, max_y] and max_y < 0.
TEST(BatchedMap, UniqueBinsTableEqualsSortedUnique) {
    uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) * 0x1.0p-53;
    };
    for (double scale : {0.5, 1.0, 3.0, 1e12}) {
        for (double max_y : {1.0, 0.7, -0.9}) {
            std::vector<double> v(3 * 5000);
            for (auto &x : v) x = (2 * uniform() - 1) * scale;
            std::vector<int64_t> ref;
            for (size_t k = 0; k < 5000; ++k) ref.push_back(dynamics::quantize(v[3 * k], max_y, 5001));
            std::sort(ref.begin(), ref.end());
            ref.erase(std::unique(ref.begin(), ref.end()), ref.end());
            EXPECT_EQ(dynamics::unique_bins(v.data(), 5000, 3, max_y, 5001), ref) << scale << " " << max_y;
        }
    }
}

// Kernel names round-trip; auto prefers avx512, then avx2 (AVX2 + FMA), then avx, as the docs' table of
// which hosts share bytes says; an unknown name is a usage error that lists avx2.
TEST(BatchedMap, SimdPathNamesAndAutoOrder) {
    for (const char *name : {"scalar", "sse2", "avx", "avx2", "avx512"}) {
        try {
            EXPECT_STREQ(simd_path_name(simd_path_from_name(name)), name);
        } catch (const tdlab::UsageError &) { // not on this CPU / build: auto must then not pick it either
            EXPECT_STRNE(simd_path_name(best_simd_path()), name);
        }
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (simd_path_name(best_simd_path()) != std::string("scalar")) {
        if (__builtin_cpu_supports("avx512f")) {
            EXPECT_EQ(best_simd_path(), SimdPath::Avx512);
        } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            EXPECT_EQ(best_simd_path(), SimdPath::Avx2);
        }
    }
#endif
    try {
        simd_path_from_name("avx3");
        ADD_FAILURE() << "avx3 accepted";
    } catch (const tdlab::UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("avx2"), std::string::npos) << e.what();
    }
}

// Exact-cycle fast-forward (BatchOptions::skip_cycles): a block whose lanes all sit on exact cycles during
// the transient jumps to the end of the transient, and every output is the same bits as computing every
// step. Betas 0.3-0.9 are on the period-4 branch of the paper's default model (Fig 3a); with a chaotic lane
// (beta 1.5) in the block nothing is skipped and the outputs are still the same.
TEST(BatchedMap, CycleFastForwardKeepsEveryBit) {
    auto model = DmftModel::build(ModelParams{});
    std::vector<double> periodic;
    for (int k = 0; k < 12; ++k) periodic.push_back(0.3 + 0.05 * k);
    std::vector<double> mixed = periodic;
    mixed.back() = 1.5;
    std::vector<SimdPath> paths{SimdPath::Scalar};
    if (best_simd_path() != SimdPath::Scalar) paths.push_back(best_simd_path());
    for (auto p : paths) {
        for (bool lyap : {false, true}) {
            for (const auto *betas : {&periodic, &mixed}) {
                BatchOptions opt;
                opt.steps = 12000, opt.transient = 10000, opt.lyap_align = 2000, opt.lyapunov = lyap, opt.path = p;
                const bool is_mixed = betas == &mixed;
                SCOPED_TRACE(std::string(simd_path_name(p)) + (lyap ? " lyapunov" : "") + (is_mixed ? " mixed" : ""));
                opt.skip_cycles = false;
                auto full = run_batch(model, lanes_for(model, *betas), opt);
                opt.skip_cycles = true;
                auto fast = run_batch(model, lanes_for(model, *betas), opt);
                for (size_t l = 0; l < betas->size(); ++l) {
                    EXPECT_EQ(full[l].skipped_steps, 0);
                    if (is_mixed) {
                        EXPECT_EQ(fast[l].skipped_steps, 0);
                    } else { // detected within the first windows, well before the jump target
                        EXPECT_GT(fast[l].skipped_steps, (lyap ? 8000 : 10000) - 3 * kCycleCheckEvery);
                        EXPECT_EQ(fast[l].cycle_period % 4, 0);
                    }
                    EXPECT_EQ(std::memcmp(full[l].mo_se.data(), fast[l].mo_se.data(), full[l].mo_se.size() * 8), 0);
                    EXPECT_EQ(full[l].mo_se.size(), fast[l].mo_se.size());
                    EXPECT_EQ(std::memcmp(&full[l].max_abs, &fast[l].max_abs, 8), 0);
                    if (lyap) {
                        EXPECT_EQ(std::memcmp(&full[l].lyapunov, &fast[l].lyapunov, 8), 0);
                    }
                    EXPECT_EQ(full[l].final.att, fast[l].final.att);
                    EXPECT_EQ(full[l].final.mv, fast[l].final.mv);
                    EXPECT_EQ(full[l].final.mk, fast[l].final.mk);
                    EXPECT_EQ(full[l].final.mq, fast[l].final.mq);
                }
            }
        }
    }
}

// The fast-forward keeps (kCycleMaxLag + 1) block states per thread; a model whose state would make that
// history larger than kCycleMaxHistory (here L = 64, M = 4: 2 M + 2 L M = 520 doubles per lane) computes
// every step instead of allocating hundreds of megabytes. At these small betas the lanes do reach an exact
// cycle, and in an 8-lane block (4 MiB of history) the same lanes skip 3,411 steps with the same window.
TEST(BatchedMap, CycleFastForwardSkipsNothingWhenItsHistoryWouldBeTooLarge) {
    ModelParams p;
    p.M = 4, p.NP = 6, p.L = 64;
    auto model = DmftModel::build(p);
    ASSERT_GT(size_t(2 * p.M + 2 * p.L * p.M) * kLanes * (kCycleMaxLag + 1), kCycleMaxHistory);
    BatchOptions opt;
    opt.steps = 5000, opt.transient = 4500, opt.path = best_simd_path();
    std::vector<LaneSpec> lanes;
    std::vector<double> betas{0.01, 0.05}; // 20 lanes run in one 32-lane block (the cap counts the block)
    for (int k = 2; k < 20; ++k) betas.push_back(0.01 + 0.002 * k);
    for (double b : betas) {
        DynamicsParams d;
        d.beta = b;
        MeanFieldMap map(model, d);
        Context c = map.cold_start(); // fill the ring buffer (run_batch starts from full contexts)
        for (int k = 0; k < 2 * p.L; ++k) map.step(c);
        lanes.push_back({d, c});
    }
    opt.transient = 4500 + lanes[0].start.t, opt.steps = 5000 + lanes[0].start.t;
    const auto out = run_batch(model, lanes, opt);
    for (const auto &o : out) EXPECT_EQ(o.skipped_steps, 0);
    // The first two lanes alone run in an 8-lane block, whose history fits: they do skip.
    const auto small = run_batch(model, {lanes[0], lanes[1]}, opt);
    for (const auto &o : small) EXPECT_GT(o.skipped_steps, 3000);
    EXPECT_EQ(small[0].mo_se, out[0].mo_se);
}

// The paper's shape on a SLEEF path runs the step in registers (batched_register_step.h); it must give the
// row form's bytes on every path this host has, in blocks of 8, 16 and 32 lanes, with and without the
// tangent vector, and with a recorded window that is not a whole number of record tiles (1,001 steps).
TEST(BatchedMap, RegisterStepIsTheRowFormBitForBit) {
    auto model = DmftModel::build(ModelParams{});
    std::vector<double> betas;
    for (int k = 0; k < 23; ++k) betas.push_back(0.1 + 0.13 * k); // periodic, quasi-periodic and chaotic lanes
    int compared = 0;
    for (const char *name : {"sse2", "avx", "avx2", "avx512"}) {
        SimdPath p;
        try {
            p = simd_path_from_name(name);
        } catch (const UsageError &) {
            continue; // not on this CPU or this build
        }
        for (bool lyap : {false, true}) {
            for (size_t n : {size_t(5), size_t(12), betas.size()}) {
                SCOPED_TRACE(std::string(name) + (lyap ? " lyapunov " : " ") + std::to_string(n) + " lanes");
                BatchOptions opt;
                opt.steps = 4001, opt.transient = 3000, opt.lyap_align = 700, opt.lyapunov = lyap, opt.path = p;
                const auto lanes = lanes_for(model, {betas.begin(), betas.begin() + long(n)});
                opt.register_step = false;
                const auto rows = run_batch(model, lanes, opt);
                opt.register_step = true;
                const auto regs = run_batch(model, lanes, opt);
                for (size_t l = 0; l < n; ++l) {
                    ASSERT_EQ(rows[l].mo_se.size(), 1001u * 3);
                    EXPECT_EQ(std::memcmp(rows[l].mo_se.data(), regs[l].mo_se.data(), rows[l].mo_se.size() * 8), 0)
                        << "lane " << l;
                    EXPECT_EQ(std::memcmp(&rows[l].max_abs, &regs[l].max_abs, 8), 0);
                    EXPECT_EQ(std::memcmp(&rows[l].lyapunov, &regs[l].lyapunov, 8), 0);
                    EXPECT_EQ(rows[l].final.att, regs[l].final.att);
                    EXPECT_EQ(rows[l].final.mq, regs[l].final.mq);
                    EXPECT_EQ(rows[l].final.mv, regs[l].final.mv);
                    EXPECT_EQ(rows[l].final.mk, regs[l].final.mk);
                }
                ++compared;
            }
        }
    }
    if (best_simd_path() != SimdPath::Scalar) {
        EXPECT_GE(compared, 12);
    } // sse2 and the host's best, both widths
}
