// Continuation benchmark (issue 15 acceptance: the Fig 3b window, >= 401 values x 1000 starts, under
// 3 minutes on 2 cores): attractor continuation over beta in [1.24, 1.28] from a ball of radius 0.1
// around the zoom checkpoint, seeded from the previous value's attractors, with the SIMD kernel.
// Prints wall time and process CPU time (on a shared machine CPU / threads estimates the quiet wall
// time), the number of tracks and the attractor count per value.
//   build/bench/bench_dmft_continuation [--values 401] [--starts 1000] [--steps 12000] [--transient 10000]
//                                        [--threads 2] [--no-lyapunov]
#include "core/parallel.h"
#include "dmft/context.h"
#include "dmft/continuation.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

using namespace tdlab;
using namespace tdlab::dmft;

int main(int argc, char **argv) {
    int64_t values = 401, starts = 1000, steps = 12000, transient = 10000;
    int threads = 2;
    bool lyapunov = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--values")
            values = next();
        else if (a == "--starts")
            starts = next();
        else if (a == "--steps")
            steps = next();
        else if (a == "--transient")
            transient = next();
        else if (a == "--threads")
            threads = int(next());
        else if (a == "--no-lyapunov")
            lyapunov = false;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    configure_threads(threads);
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams base;
    MeanFieldMap map(model, base);
    StartRegion ball;
    ball.kind = StartRegion::Kind::Ball;
    ball.center = start_context("zoom", map);
    ball.radius = 0.1;
    ContinuationOptions opt;
    opt.basins.samples = starts;
    opt.basins.steps = steps;
    opt.basins.transient = transient;
    opt.basins.max_period = size_t(std::min<int64_t>(1000, (steps - transient) / 2));
    opt.basins.lyapunov = lyapunov;
    opt.basins.path = best_simd_path();
    std::vector<double> grid;
    for (int64_t k = 0; k < values; ++k)
        grid.push_back(1.24 + (1.28 - 1.24) * double(k) / double(std::max<int64_t>(1, values - 1))); // as the CLI
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    auto res = continuation(model, base, "beta", grid, ball, opt);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    size_t most = 0;
    for (const auto &v : res.per_value) most = std::max(most, v.attractors.size());
    std::printf("continuation: %lld values x %lld starts x %lld steps (%s, %d threads, %s): wall %.1f s, CPU %.1f s "
                "(CPU / threads %.1f s); %zu tracks, at most %zu attractors at one value\n",
                (long long)values, (long long)starts, (long long)steps, simd_path_name(opt.basins.path), threads,
                lyapunov ? "lambda_1 on" : "lambda_1 off", wall, cpu, cpu / threads, res.tracks.size(), most);
    return 0;
}
