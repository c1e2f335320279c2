// Scan and Snap speed: (1) one training run (100 iterations, batch 128, L = 128, M = 240, SGD momentum,
// random init, float32 as the official code) against the PyTorch implementation bench/scansnap_torch.py
// (both of its forms) at 1 thread and at `threads`, printing the ratios; (2) the whole Fig 6 sweep
// (640 runs, one run per thread at a time). Best of N repeats (the build machine is shared).
#include "bench_common.h"

#include "core/blas_kernels.h"
#include "core/heap.h"
#include "scansnap/sweep.h"

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <omp.h>
#include <string>
#include <vector>

using namespace tdlab::scansnap;

static const char *kUsage = "usage: bench_scansnap [threads=2] [repeats=5] [--no-torch] [--no-sweep]";

static double now() {
    return tdlab::bench::now_seconds();
}

// Runs bench/scansnap_torch.py and returns its best seconds per run (or -1 with the reason printed: then no
// ratio is printed).
static double torch_best(int threads, int repeats, const char *form) {
    const auto ref = tdlab::bench::run_reference(
        {"/usr/bin/python3", std::string(TDLAB_SOURCE_DIR) + "/bench/scansnap_torch.py", "--threads",
         std::to_string(threads), "--repeats", std::to_string(repeats), "--form", form});
    const auto pos = ref.output.find("\"best_s\": ");
    if (!ref.ok || pos == std::string::npos) {
        tdlab::bench::print_skipped("PyTorch", ref.output);
        return -1;
    }
    return std::atof(ref.output.c_str() + pos + 10);
}

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(argc, argv, kUsage)) return 0;
    int threads = 2, repeats = 5, positional = 0;
    bool torch = true, sweep = true;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-torch") == 0)
            torch = false;
        else if (std::strcmp(argv[i], "--no-sweep") == 0)
            sweep = false;
        else if (positional == 0 && std::atoi(argv[i]) > 0)
            threads = std::atoi(argv[i]), ++positional;
        else if (positional == 1 && std::atoi(argv[i]) > 0)
            repeats = std::atoi(argv[i]), ++positional;
        else {
            std::fprintf(stderr, "bench_scansnap: unexpected argument '%s'\n%s\n", argv[i], kUsage);
            return 2;
        }
    }
    tdlab::keep_freed_memory_for_reuse(); // as the tdlab CLI does (core/heap.h)
    openblas_set_num_threads(1);
    TrainParams p;
    p.data = DataParams::syn_medium(10);
    p.zero_init = false;
    p.record_z = false;
    p.gamma_proxy = false;
    tdlab::bench::print_host("OpenBLAS " + tdlab::blas_core_name() + " (OPENBLAS_CORETYPE=" +
                             (std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "unset") + ")");
    std::vector<int> counts{1};
    if (threads > 1) counts.push_back(threads);
    for (int t : counts) {
        omp_set_num_threads(t);
        double best_run = 1e30;
        for (int r = 0; r < repeats; ++r) {
            p.seed = uint64_t(r + 1);
            const double t0 = now();
            TrainResult res = train(p);
            best_run = std::min(best_run, now() - t0);
            if (r == 0 && t == 1) std::printf("tdlab one run: M=%d final loss %.4g\n", res.M, res.loss.back());
        }
        std::printf("tdlab one run (100 it, B=128, L=128, M=240, float32) on %d thread%s: best of %d = %.4f s\n", t,
                    t > 1 ? "s" : "", repeats, best_run);
        if (!torch) continue;
        const int torch_repeats = std::max(2, repeats / 2);
        const double gather = torch_best(t, torch_repeats, "gather");
        const double onehot = torch_best(t, std::max(1, torch_repeats / 2), "onehot");
        if (gather > 0)
            std::printf("  pytorch (gather/scatter form, %d thread%s): best %.4f s -> ratio %.1fx (target >= 20x)\n", t,
                        t > 1 ? "s" : "", gather, gather / best_run);
        if (onehot > 0)
            std::printf("  pytorch (dense one-hot form, %d thread%s): best %.4f s -> ratio %.1fx\n", t,
                        t > 1 ? "s" : "", onehot, onehot / best_run);
    }
    if (!sweep) {
        tdlab::bench::print_load_end();
        return 0;
    }
    omp_set_num_threads(threads);
    TrainParams base;
    base.zero_init = false;
    base.data = DataParams::syn_medium(1);
    SweepGrid grid;
    double best_sweep = 1e30;
    for (int r = 0; r < std::max(1, repeats / 2); ++r) best_sweep = std::min(best_sweep, run_sweep(base, grid).wall_s);
    std::printf("Fig 6 sweep (640 runs) on %d threads: best of %d = %.2f s (target < 10 s on 2 cores)\n", threads,
                std::max(1, repeats / 2), best_sweep);
    tdlab::bench::print_load_end();
    return 0;
}
