// Two-parameter phase diagram benchmark (issue 5): an N x N grid of (beta, gamma) at the paper's step
// counts (120 000 steps, last 20 000 analysed) with Lyapunov exponents, on the batched SIMD kernel.
// Prints the wall time and the extrapolated time of the 400 x 400 target (goal: < 10 min on 2 cores).
//   build/bench/bench_dmft_phase [--n 60] [--steps 120000] [--threads 2]
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

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(argc, argv, "usage: bench_dmft_phase [--n 60] [--steps 120000] [--threads 2]"))
        return 0;
    tdlab::bench::print_host(tdlab::dmft::simd_path_name(tdlab::dmft::best_simd_path()));
    int64_t n = 60, steps = 120000;
    int threads = 2;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--n")
            n = next();
        else if (a == "--steps")
            steps = next();
        else if (a == "--threads")
            threads = int(next());
    }
    configure_threads(threads);
    const auto model = DmftModel::build(ModelParams{});
    DynamicsParams d0;
    MeanFieldMap map(model, d0);
    const Context start = start_context("fig3a", map);
    std::vector<DynamicsParams> pts;
    for (int64_t iy = 0; iy < n; ++iy) {
        for (int64_t ix = 0; ix < n; ++ix) {
            DynamicsParams d = d0;
            d.beta = 0.5 + 2.5 * double(ix) / double(n - 1);
            d.gamma = 20.0 + 380.0 * double(iy) / double(n - 1);
            pts.push_back(d);
        }
    }
    SweepOptions opt;
    opt.batch.steps = steps;
    opt.batch.transient = steps - 20000;
    opt.batch.lyapunov = true;
    opt.batch.path = best_simd_path();
    opt.chaos01 = false;
    opt.keep = 0;
    std::vector<int> label(pts.size());
    const auto t0 = std::chrono::steady_clock::now();
    run_points_checkpoint(model, pts, start, 0, pts.size(), opt,
                          [&](size_t k, PointResult &&r) { label[k] = r.label; });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int64_t count[4] = {0, 0, 0, 0};
    for (int l : label) count[l] += 1;
    const double per_point = s / double(pts.size());
    std::printf("phase diagram beta x gamma: %lld x %lld points x %lld steps, %d threads, %s kernel: %.2f s wall "
                "(%.3f ms per point; machine shared: noisy)\n",
                (long long)n, (long long)n, (long long)steps, threads, simd_path_name(opt.batch.path), s,
                per_point * 1e3);
    std::printf("  classes: %lld periodic, %lld quasi-periodic, %lld chaotic\n", (long long)count[0],
                (long long)count[1], (long long)count[2]);
    std::printf("  extrapolated 400 x 400 grid: %.0f s = %.1f min (target < 10 min)\n", per_point * 160000.0,
                per_point * 160000.0 / 60.0);
    tdlab::bench::print_load_end();
    return 0;
}
