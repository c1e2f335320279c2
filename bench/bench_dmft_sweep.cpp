// Fig 3a sweep benchmark: 4001 betas x 120 000 steps from the beta = 3 checkpoint, with the batched SIMD
// kernel (a) map + period/count analysis, (b) + Lyapunov exponents, (c) + the 0-1 test; the kernel alone
// (one 32-lane block, 1 thread, ns of thread CPU time per lane-step) against its floor on this machine (SLEEF's tanh
// and exp per element times P and L per step, plus the step's flops at the measured mul/add rate of the same
// target, medians of samples interleaved with the kernel's); the scalar reference kernel on a subset; and
// the NumPy per-beta time (bench/dmft_numpy_sweep_ref.py, measured in the same run, skipped without numpy).
#include "bench_common.h"

#include "core/parallel.h"
#include "dmft/context.h"
#include "dmft/sweep.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

const char *kUsage =
    "usage: bench_dmft_sweep [--betas 4001] [--steps 120000] [--repeat 3] [--threads 2] [--scalar-betas 32]\n"
    "                        [--simd auto|scalar|sse2|avx|avx2|avx512] [--no-numpy] [--kernel-only]\n"
    "  --simd forces the kernel (e.g. avx on an AVX-512 host estimates an AVX host without AVX2;\n"
    "  avx2 estimates an AVX2 host); --kernel-only prints only the kernel against its floor.";

// Flops of one lane-step of the map without the tangent (batched_map.cpp, binary tokens): fields P (2M + 1),
// the overlaps 2 M P each (three of them on a step that is not recorded: m^o only goes to the window),
// three mixes of 3 flops per feature, logits L (2M + 1) and their max, the softmax's L subtractions and L
// adds and one division, A-hat M (2L + 1). The kernel line times unrecorded steps.
double step_flops(int M, int L, int P, bool recorded) {
    const double overlaps = recorded ? 4.0 : 3.0;
    return P * (2.0 * M + 1) + overlaps * 2 * M * P + 3.0 * 3 * M + L * (2.0 * M + 1) + L + 2.0 * L + 1 +
           M * (2.0 * L + 1);
}

} // namespace

int main(int argc, char **argv) {
    if (bench::help_requested(argc, argv, kUsage)) return 0;
    int64_t betas = 4001, steps = 120000, repeat = 3, scalar_betas = 32;
    int threads = 2;
    bool numpy = true, kernel_only = false;
    std::string simd = "auto";
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
        else if (a == "--simd" && i + 1 < argc)
            simd = argv[++i];
        else if (a == "--no-numpy")
            numpy = false;
        else if (a == "--kernel-only")
            kernel_only = true;
        else {
            std::fprintf(stderr, "unknown option %s\n%s\n", a.c_str(), kUsage);
            return 2;
        }
    }
    const SimdPath path = simd_path_from_name(simd);
    bench::print_host(std::string(simd_path_name(path)) + (simd == "auto" ? " (auto)" : " (forced)"));
    const auto model = DmftModel::build(ModelParams{});
    DynamicsParams d0;
    MeanFieldMap map(model, d0);
    const Context start = start_context("fig3a", map);
    const int M = model.params.M, L = model.params.L, P = model.fields.P;

    double kernel_cpu_ns = 0; // CPU ns per lane-step of the kernel alone
    // The kernel alone: one block of kLanes betas, 1 thread, nothing recorded, against its floor.
    {
        configure_threads(1);
        std::vector<LaneSpec> lanes;
        for (int l = 0; l < kLanes; ++l) {
            DynamicsParams d = d0;
            d.beta = 0.5 + 2.5 * double(l) / double(kLanes - 1);
            lanes.push_back({d, start});
            lanes.back().start.t = start.t % L;
        }
        BatchOptions bo;
        bo.steps = 20000;
        bo.transient = bo.steps - 1;
        bo.record = false;
        bo.path = path;
        bo.skip_cycles = false; // the cost of a computed step, whatever the betas' dynamics
        std::vector<LaneOutput> out;
        run_batch(model, lanes, bo, out); // warm-up
        const double lane_steps = double(kLanes) * double(bo.steps - 1 - lanes[0].start.t);
        const double flops = step_flops(M, L, P, false);
        auto timed = [&](const BatchOptions &o) {
            const double t0 = bench::thread_cpu_seconds();
            run_batch(model, lanes, o, out);
            return bench::thread_cpu_seconds() - t0;
        };
        std::vector<double> floors;
        KernelFloor last;
        const auto r = bench::interleave(
            [&] {
                last = measure_kernel_floor(path, 3);
                const double f = P * last.tanh_ns + L * last.exp_ns + flops * last.flop_ns;
                floors.push_back(f);
                return f;
            },
            [&] { return timed(bo); }, int(std::max<int64_t>(3, repeat)));
        const double kernel_ns = 1e9 * r.best / lane_steps;
        kernel_cpu_ns = kernel_ns;
        std::printf("kernel (%s, %d lanes, 1 thread, thread CPU time): %.1f ns per lane-step (best; median %.1f)\n",
                    simd_path_name(path), kLanes, kernel_ns, 1e9 * r.med / lane_steps);
        std::printf("  floor: %d tanh x %.2f ns + %d exp x %.2f ns + %.0f flops x %.3f ns = %.1f ns (median of %zu "
                    "interleaved samples)\n",
                    P, last.tanh_ns, L, last.exp_ns, flops, last.flop_ns, r.peak_median, floors.size());
        std::printf("  kernel / floor = %.2f (target <= 1.3)\n", kernel_ns / r.peak_median);
        if (kernel_ns < r.peak_median)
            std::printf("WARNING: the kernel ran below its measured floor: a disturbed floor sample; do not quote\n");
        // The register step against the row form it replaced (the same bytes), without and with the
        // tangent vector (lambda_1 on: every step carries it), alternated, best of each.
        if (path != SimdPath::Scalar) {
            BatchOptions rows = bo, tan = bo, tan_rows = bo;
            rows.register_step = tan_rows.register_step = false;
            tan.lyapunov = tan_rows.lyapunov = true;
            tan.lyap_align = tan_rows.lyap_align = bo.steps;
            double best[4] = {1e300, 1e300, 1e300, 1e300}; // register, rows, register + tangent, rows + tangent
            const BatchOptions *opts[4] = {&bo, &rows, &tan, &tan_rows};
            for (int64_t k = 0; k < std::max<int64_t>(3, repeat); ++k)
                for (int c = 0; c < 4; ++c) best[c] = std::min(best[c], 1e9 * timed(*opts[c]) / lane_steps);
            std::printf("  register step vs row form (alternated, best): %.1f vs %.1f ns per lane-step (%.2fx); with "
                        "the tangent %.1f vs %.1f ns (%.2fx)\n",
                        best[0], best[1], best[1] / best[0], best[2], best[3], best[3] / best[2]);
        }
    }
    if (kernel_only) {
        bench::print_load_end();
        return 0;
    }
    configure_threads(threads);
    auto grid = [&](int64_t n) {
        std::vector<DynamicsParams> pts(static_cast<size_t>(n), d0);
        for (int64_t k = 0; k < n; ++k) pts[size_t(k)].beta = n == 1 ? 0 : 3.0 * double(k) / double(n - 1);
        return pts;
    };
    const auto pts = grid(betas);
    // Best wall time of `reps` sweeps; `cpu` gets the process CPU seconds of that best run (on a shared
    // machine CPU / threads is the better estimate of the quiet wall time).
    // `skipped` gets the beta-steps the exact-cycle fast-forward did not compute.
    auto time_sweep = [&](const std::vector<DynamicsParams> &p, SweepOptions opt, int64_t reps, double *cpu = nullptr,
                          double *skipped = nullptr) {
        double best = 1e30, best_cpu = 1e30, skip = 0;
        for (int64_t r = 0; r < reps; ++r) {
            std::vector<PointResult> res(p.size());
            const double t0 = bench::now_seconds(), c0 = bench::process_cpu_seconds();
            run_points_checkpoint(model, p, start, 0, p.size(), opt,
                                  [&](size_t k, PointResult &&x) { res[k] = std::move(x); });
            best = std::min(best, bench::now_seconds() - t0);
            best_cpu = std::min(best_cpu, bench::process_cpu_seconds() - c0);
            skip = 0;
            for (const auto &x : res) skip += double(x.skipped_steps);
        }
        if (cpu) *cpu = best_cpu;
        if (skipped) *skipped = skip;
        return best;
    };
    SweepOptions base;
    base.batch.steps = steps;
    base.batch.transient = steps - 20000 > 4 ? steps - 20000 : steps / 2;
    base.batch.path = path;
    base.chaos01 = false;
    base.batch.lyapunov = false;
    std::printf("Fig 3a sweep: %lld betas x %lld steps, %d threads, %s kernel, best of %lld (the sweep's function, "
                "without the process start, results.npz and figure)\n",
                (long long)betas, (long long)steps, threads, simd_path_name(path), (long long)repeat);
    double c_map = 0, c_lyap = 0, c_full = 0, c_k01 = 0;
    const double t_map = time_sweep(pts, base, repeat, &c_map);
    SweepOptions lyap = base;
    lyap.batch.lyapunov = true;
    const double t_lyap = time_sweep(pts, lyap, repeat, &c_lyap);
    SweepOptions full = lyap;
    full.chaos01 = true;
    double skipped = 0, c_noskip = 0;
    const double t_full = time_sweep(pts, full, repeat, &c_full, &skipped);
    SweepOptions noskip = full;
    noskip.batch.skip_cycles = false;
    const double t_noskip = time_sweep(pts, noskip, repeat, &c_noskip);
    SweepOptions k01 = base;
    k01.chaos01 = true;
    const double t_k01 = time_sweep(pts, k01, repeat, &c_k01);
    const double per = double(betas) * double(steps);
    std::printf("  %-34s %9s %14s %22s\n", "", "wall s", "CPU s/threads", "CPU ns per beta-step");
    auto line = [&](const char *what, double w, double c) {
        std::printf("  %-34s %9.3f %14.3f %22.1f\n", what, w, c / threads, 1e9 * c / per);
    };
    line("(a) map + period/count analysis", t_map, c_map);
    line("(b) + Lyapunov exponents", t_lyap, c_lyap);
    line("(c) + 0-1 test (config default)", t_full, c_full);
    line("(a) + 0-1 test", t_k01, c_k01);
    line("(c) every step computed", t_noskip, c_noskip);
    std::printf("  exact-cycle fast-forward: %.0f%% of the beta-steps not computed; (c) CPU x%.2f faster than every "
                "step computed (same bytes)\n",
                100.0 * skipped / per, c_noskip / c_full);
    const double kernel_cpu = kernel_cpu_ns * (per - skipped) * 1e-9;
    std::printf("  where (c)'s CPU goes: kernel without tangent %.0f%% (the kernel line above x computed beta-steps), "
                "tangent %.0f%%, 0-1 test %.0f%%, the rest of the analysis %.0f%%\n",
                100.0 * kernel_cpu / c_full, 100.0 * (c_lyap - c_map) / c_full, 100.0 * (c_k01 - c_map) / c_full,
                100.0 * (c_map - kernel_cpu) / c_full);
    // Scalar reference kernel (std::tanh/exp, bit-identical to MeanFieldMap) on a subset, 1 thread.
    configure_threads(1);
    SweepOptions sc = base;
    sc.batch.path = SimdPath::Scalar;
    const auto sub = grid(scalar_betas);
    const double t_sc = time_sweep(sub, sc, 1) / double(scalar_betas);
    const double t_v1 = time_sweep(sub, base, 1) / double(scalar_betas);
    std::printf("  per beta, 1 thread: scalar kernel %.4f s, %s kernel %.4f s -> SIMD speed-up x%.1f\n", t_sc,
                simd_path_name(path), t_v1, t_sc / t_v1);
    if (numpy) {
        const auto ref = bench::run_reference({"/usr/bin/python3", TDLAB_SOURCE_DIR "/bench/dmft_numpy_sweep_ref.py",
                                               "--steps", std::to_string(steps), "--measure", "12000"});
        const auto pos = ref.output.find("numpy_seconds_per_beta ");
        const double t_np = ref.ok && pos != std::string::npos ? std::atof(ref.output.c_str() + pos + 23) : -1;
        if (t_np > 0)
            std::printf("  NumPy per beta (measured 12000 steps, scaled to %lld): %.2f s -> one NumPy beta takes x%.0f "
                        "the time of a beta in sweep (a); all %lld betas: %.0f s of NumPy vs %.2f s\n",
                        (long long)steps, t_np, t_np / (t_map / double(betas)), (long long)betas, t_np * double(betas),
                        t_map);
        else
            bench::print_skipped("NumPy", ref.output);
    }
    bench::print_load_end();
    return 0;
}
