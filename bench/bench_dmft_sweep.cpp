// Fig 3a sweep benchmark (issue 3): 4001 betas x 120 000 steps from the beta = 3 checkpoint, with the
// batched SIMD kernel (a) map + period/count analysis, (b) + Lyapunov exponents, (c) + the 0-1 test;
// the scalar reference kernel on a subset (per-beta time -> speed-up); and the NumPy per-beta time
// (bench/dmft_numpy_sweep_ref.py, measured in the same run). Prints best-of-N wall times and ratios.
//   build/bench/bench_dmft_sweep [--betas 4001] [--steps 120000] [--repeat 3] [--threads 2] [--no-numpy]
#include "core/parallel.h"
#include "dmft/context.h"
#include "dmft/sweep.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

int main(int argc, char **argv) {
    int64_t betas = 4001, steps = 120000, repeat = 3, scalar_betas = 32;
    int threads = 2;
    bool numpy = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--betas")
            betas = next();
        else if (a == "--steps")
            steps = next();
        else if (a == "--repeat")
            repeat = next();
        else if (a == "--threads")
            threads = int(next());
        else if (a == "--scalar-betas")
            scalar_betas = next();
        else if (a == "--no-numpy")
            numpy = false;
    }
    configure_threads(threads);
    const auto model = DmftModel::build(ModelParams{});
    DynamicsParams d0;
    MeanFieldMap map(model, d0);
    const Context start = start_context("fig3a", map);
    auto grid = [&](int64_t n) {
        std::vector<DynamicsParams> pts(static_cast<size_t>(n), d0);
        for (int64_t k = 0; k < n; ++k) pts[size_t(k)].beta = n == 1 ? 0 : 3.0 * double(k) / double(n - 1);
        return pts;
    };
    const auto pts = grid(betas);
    auto time_sweep = [&](const std::vector<DynamicsParams> &p, SweepOptions opt, int64_t reps) {
        double best = 1e30;
        for (int64_t r = 0; r < reps; ++r) {
            std::vector<PointResult> res(p.size());
            const double t0 = now();
            run_points_checkpoint(model, p, start, 0, p.size(), opt,
                                  [&](size_t k, PointResult &&x) { res[k] = std::move(x); });
            best = std::min(best, now() - t0);
        }
        return best;
    };
    SweepOptions base;
    base.batch.steps = steps;
    base.batch.transient = steps - 20000 > 4 ? steps - 20000 : steps / 2;
    base.batch.path = best_simd_path();
    base.chaos01 = false;
    base.batch.lyapunov = false;
    std::printf("Fig 3a sweep: %lld betas x %lld steps, %d threads, %s kernel, best of %lld (machine shared: noisy)\n",
                (long long)betas, (long long)steps, threads, simd_path_name(base.batch.path), (long long)repeat);
    const double t_map = time_sweep(pts, base, repeat);
    SweepOptions lyap = base;
    lyap.batch.lyapunov = true;
    const double t_lyap = time_sweep(pts, lyap, repeat);
    SweepOptions full = lyap;
    full.chaos01 = true;
    const double t_full = time_sweep(pts, full, 1);
    std::printf("  (a) map + period/count analysis : %8.3f s  (target <= 5 s)\n", t_map);
    std::printf("  (b) + Lyapunov exponents         : %8.3f s  (target <= 20 s)\n", t_lyap);
    std::printf("  (c) + 0-1 test (1 run)           : %8.3f s\n", t_full);
    // Scalar reference kernel (std::tanh/exp, bit-identical to MeanFieldMap) on a subset, 1 thread.
    configure_threads(1);
    SweepOptions sc = base;
    sc.batch.path = SimdPath::Scalar;
    const auto sub = grid(scalar_betas);
    const double t_sc = time_sweep(sub, sc, 1) / double(scalar_betas);
    SweepOptions vec1 = base;
    const double t_v1 = time_sweep(sub, vec1, 1) / double(scalar_betas);
    std::printf("  per beta, 1 thread: scalar kernel %.4f s, %s kernel %.4f s -> SIMD speed-up x%.1f\n", t_sc,
                simd_path_name(base.batch.path), t_v1, t_sc / t_v1);
    std::printf("  per beta in the %d-thread sweep (a): %.5f s; vs scalar 1-thread: x%.1f\n", threads,
                t_map / double(betas), t_sc / (t_map / double(betas)));
    if (numpy) {
        const std::string cmd = "/usr/bin/python3 " TDLAB_SOURCE_DIR "/bench/dmft_numpy_sweep_ref.py --steps " +
                                std::to_string(steps) + " --measure 12000";
        FILE *f = popen(cmd.c_str(), "r");
        double t_np = 0;
        if (f && std::fscanf(f, "%lf", &t_np) == 1 && t_np > 0) {
            std::printf("  NumPy per beta (measured 12000 steps, scaled to %lld): %.2f s -> the whole sweep (a) is "
                        "x%.0f faster than one NumPy beta per beta, %.0f s of NumPy for all %lld betas vs %.2f s\n",
                        (long long)steps, t_np, t_np / (t_map / double(betas)), t_np * double(betas), (long long)betas,
                        t_map);
        } else {
            std::printf("  NumPy reference not run (needs /usr/bin/python3 with numpy)\n");
        }
        if (f) pclose(f);
    }
    return 0;
}
