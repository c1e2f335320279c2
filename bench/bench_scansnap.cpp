// Scan and Snap speed: (1) one training run (100 iterations, batch 128, L = 128, M = 240, SGD momentum,
// random init) against the PyTorch implementation bench/scansnap_torch.py at the same thread count,
// printing the ratio; (2) the whole Fig 6 sweep (640 runs). Best of N repeats (the build machine is shared).
// Usage: bench_scansnap [threads=2] [repeats=5] [--no-torch] [--no-sweep]
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

using namespace tdlab::scansnap;

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? std::atoi(argv[1]) : 2, repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    bool torch = true, sweep = true;
    for (int i = 3; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-torch") == 0) torch = false;
        if (std::strcmp(argv[i], "--no-sweep") == 0) sweep = false;
    }
    tdlab::keep_freed_memory_for_reuse(); // as the tdlab CLI does (core/heap.h)
    omp_set_num_threads(threads);
    openblas_set_num_threads(1);
    TrainParams p;
    p.data = DataParams::syn_medium(10);
    p.zero_init = false;
    p.record_z = false;
    p.gamma_proxy = false;
    double best_run = 1e30;
    for (int r = 0; r < repeats; ++r) {
        p.seed = uint64_t(r + 1);
        const double t0 = now();
        TrainResult res = train(p);
        best_run = std::min(best_run, now() - t0);
        if (r == 0) std::printf("tdlab one run: M=%d final loss %.4g\n", res.M, res.loss.back());
    }
    std::printf("tdlab one run (100 it, B=128, L=128, M=240): best of %d = %.4f s (1 thread: one run is one "
                "trajectory)\n",
                repeats, best_run);
    if (torch) {
        const std::string cmd = "/usr/bin/python3 " + std::string(TDLAB_SOURCE_DIR) +
                                "/bench/scansnap_torch.py --threads " + std::to_string(threads) + " --repeats " +
                                std::to_string(std::max(2, repeats / 2));
        FILE *f = popen(cmd.c_str(), "r");
        char buf[4096] = {0};
        std::string out;
        while (f && fgets(buf, sizeof buf, f)) out += buf;
        if (f) pclose(f);
        const auto pos = out.find("\"best_s\": ");
        if (pos != std::string::npos) {
            const double torch_s = std::atof(out.c_str() + pos + 10);
            std::printf("pytorch one run (%d threads): best = %.4f s   %s", threads, torch_s, out.c_str());
            std::printf("ratio pytorch/tdlab = %.1fx (target >= 20x)\n", torch_s / best_run);
        } else {
            std::printf("pytorch comparison unavailable: %s\n", out.c_str());
        }
    }
    if (!sweep) return 0;
    TrainParams base;
    base.zero_init = false;
    base.data = DataParams::syn_medium(1);
    SweepGrid grid;
    double best_sweep = 1e30;
    for (int r = 0; r < std::max(1, repeats / 2); ++r) best_sweep = std::min(best_sweep, run_sweep(base, grid).wall_s);
    std::printf("Fig 6 sweep (640 runs) on %d threads: best of %d = %.2f s (target < 10 s on 2 cores)\n", threads,
                std::max(1, repeats / 2), best_sweep);
    return 0;
}
