// Ternary vs binary Fig 3a sweep (issue 18): the same grid of betas at the paper's step counts (120 000
// steps, last 20 000 analysed, Lyapunov exponent and 0-1 test on, as configs/dmft/fig3a.yaml) through the
// batched SIMD kernel, for binary tokens (tanh, correlation form, 4 fields) and ternary tokens (one exp
// per field, site-type form, 3 fields), each from its own start (the Fig 3a checkpoint; ternary: the
// checkpoint too, so the two runs do the same number of steps). Prints both times and their ratio
// (target: ternary <= 1.5x binary). On a shared machine use --betas to measure a subset: the time per
// beta is constant, so the full-sweep time scales linearly (printed).
//   build/bench/bench_dmft_multistate [--betas 4001] [--steps 120000] [--threads 2] [--repeat 1]
#include "bench_common.h"

#include "core/parallel.h"
#include "dmft/context.h"
#include "dmft/sweep.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(
            argc, argv, "usage: bench_dmft_multistate [--betas 4001] [--steps 120000] [--threads 2] [--repeat 1]"))
        return 0;
    tdlab::bench::print_host(tdlab::dmft::simd_path_name(tdlab::dmft::best_simd_path()));
    int64_t betas = 4001, steps = 120000, repeat = 1;
    int threads = 2;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--betas")
            betas = next();
        else if (a == "--steps")
            steps = next();
        else if (a == "--threads")
            threads = int(next());
        else if (a == "--repeat")
            repeat = next();
    }
    configure_threads(threads);
    SweepOptions opt;
    opt.batch.steps = steps;
    opt.batch.transient = steps - 20000 > 4 ? steps - 20000 : steps / 2;
    opt.batch.path = best_simd_path();
    opt.batch.lyapunov = true;
    opt.chaos01 = true;
    auto time_model = [&](const ModelParams &p) {
        const auto model = DmftModel::build(p);
        DynamicsParams d0;
        MeanFieldMap map(model, d0);
        const Context start = start_context("fig3a", map);
        std::vector<DynamicsParams> pts(static_cast<size_t>(betas), d0);
        // The whole Fig 3a range [0, 3], thinned evenly when --betas < 4001.
        for (int64_t k = 0; k < betas; ++k)
            pts[size_t(k)].beta = betas == 1 ? 1.0 : 3.0 * double(k) / double(betas - 1);
        double best = 1e30;
        for (int64_t r = 0; r < repeat; ++r) {
            std::vector<PointResult> res(pts.size());
            const double t0 = now();
            run_points_checkpoint(model, pts, start, 0, pts.size(), opt,
                                  [&](size_t k, PointResult &&x) { res[k] = std::move(x); });
            best = std::min(best, now() - t0);
        }
        return best;
    };
    ModelParams ternary;
    ternary.tokens = "ternary";
    std::printf("Fig 3a-analogue sweep: %lld betas in [0, 3] x %lld steps, Lyapunov + 0-1 test, %d threads, %s kernel, "
                "best of %lld (machine shared: noisy)\n",
                (long long)betas, (long long)steps, threads, simd_path_name(opt.batch.path), (long long)repeat);
    const double tb = time_model(ModelParams{});
    const double tt = time_model(ternary);
    std::printf("  binary  : %8.3f s (%.5f s per beta; 4001 betas: %.1f s)\n", tb, tb / double(betas),
                tb / double(betas) * 4001);
    std::printf("  ternary : %8.3f s (%.5f s per beta; 4001 betas: %.1f s)\n", tt, tt / double(betas),
                tt / double(betas) * 4001);
    std::printf("  ratio ternary / binary = %.3f (target <= 1.5)\n", tt / tb);
    tdlab::bench::print_load_end();
    return 0;
}
