// Time per training iteration of Bietti et al.'s simplified model (forward, masked CE on in-context
// positions, backward, SGD-momentum step) in tdlab against bench/birth_torch.py running the same model,
// batch and thread count on the same machine; plus achieved GFLOP/s against an sgemm peak measured
// before each timed iteration (the median of those samples: the peak of the same minutes of a shared machine).
// Prints best-of-K times (the machine may be shared: best-of is the least noisy statistic).
#include "bench_common.h"

#include "birth/model.h"
#include "birth/trigger_data.h"
#include "core/blas_kernels.h"
#include "core/parallel.h"
#include "nn/optimizer.h"

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace tdlab;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One sgemm peak sample: a 1024^3 product through the same OpenBLAS with `threads` threads, in GFLOP/s.
// The model runs OpenBLAS single-threaded inside its OpenMP loop and resets it to 1 itself.
double sgemm_peak_sample(int n, int threads) {
    static std::vector<float> a(size_t(n) * n, 0.5f), b(size_t(n) * n, 0.25f), c(size_t(n) * n);
    openblas_set_num_threads(threads);
    auto t0 = Clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    const double s = seconds_since(t0);
    openblas_set_num_threads(1);
    return 2.0 * n * n * double(n) / s / 1e9;
}

struct Timing {
    double best, median;
};

struct TdlabTiming {
    Timing t;
    double peak = 0; // median sgemm GFLOP/s of the samples interleaved with the iterations
};

TdlabTiming tdlab_iteration(int d, int T, int B, int iters, int threads) {
    birth::ModelOptions o;
    o.dim = d;
    o.max_length = T;
    birth::SimplifiedModel model(o);
    model.init(0);
    birth::DataOptions dopt;
    dopt.seq_length = T;
    birth::TriggerData data(birth::shakespeare_stats(), dopt);
    const birth::Batch batch = data.gen_batch(0, birth::StreamPurpose::Train, 0, B);
    std::vector<uint8_t> mask(batch.outs.size());
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = batch.outs[i] >= 2;
    birth::ModelActivations acts = model.make_activations(B, T);
    nn::Sgd opt(model.params(), {0.03, 0.9, 1e-4});
    auto step = [&] {
        model.params().zero_grad();
        model.forward(acts, batch.x.data(), batch.y.data(), mask.data());
        model.backward(acts);
        opt.step();
    };
    step(); // warm-up
    const auto r = bench::interleave([&] { return sgemm_peak_sample(1024, threads); },
                                     [&] {
                                         auto t0 = Clock::now();
                                         step();
                                         return seconds_since(t0);
                                     },
                                     iters);
    return {{r.best, r.med}, r.peak_median};
}

// bench/birth_torch.py's best and median seconds per iteration, or {-1, -1} with the reason printed.
Timing torch_iteration(int d, int T, int B, int threads, int iters) {
    const auto ref =
        bench::run_reference({"/usr/bin/python3", std::string(TDLAB_SOURCE_DIR) + "/bench/birth_torch.py", "--dim",
                              std::to_string(d), "--seq", std::to_string(T), "--batch", std::to_string(B), "--threads",
                              std::to_string(threads), "--iters", std::to_string(iters)});
    Timing r{-1, -1};
    const auto pos = ref.output.find("torch_iter_seconds ");
    if (!ref.ok || pos == std::string::npos ||
        std::sscanf(ref.output.c_str() + pos, "torch_iter_seconds %lf %lf", &r.best, &r.median) != 2) {
        bench::print_skipped("PyTorch", ref.output);
        return {-1, -1};
    }
    return r;
}

// Matrix-product FLOPs one training iteration executes (full T x T score products, as the kernels compute
// them): forward 6 d x d projections, 4 T x T x d products, W_U; backward (E, W_U, W_V, W_O^1 frozen) on
// layer 2: dh2 = dlogits W_U, dW_O^2, dA2, dbeta2, dV2, dh1 via W_V^2, dS2 -> dQ2 and dK2, dW_K^2, dh1 via
// W_K^2 (5 projections, 4 score products); on layer 1 only what W_K^1 needs: dA1, dbeta1, dK1, dW_K^1 (2
// projections, 2 score products), no gradient into h0. 13 projections + 10 score products + 2 W_U products,
// about 0.76 of the llm.c "3 x forward" convention at T = d.
double train_step_flops(int d, int T, int B, int vocab) {
    const double bt = double(B) * T;
    return 13 * 2.0 * bt * d * d + 10 * 2.0 * bt * T * d + 2 * 2.0 * bt * d * vocab;
}

} // namespace

int main(int argc, char **argv) {
    if (bench::help_requested(argc, argv, "usage: bench_birth [--threads N=2] [--iters K=5] [--quick]")) return 0;
    int threads = 2, iters = 5;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--quick"))
            quick = true;
    }
    configure_threads(threads);
    bench::print_host("OpenBLAS " + blas_core_name());
    std::printf("threads %d; peak: a 1024^3 sgemm on %d OpenBLAS threads before each timed iteration (median)\n",
                threads, threads);
    struct Case {
        int d, T, B, iters;
    };
    std::vector<Case> cases{{128, 256, 64, iters}};
    if (!quick) cases.push_back({256, 256, 512, std::max(2, iters / 2)});
    std::printf("%-18s %12s %12s %8s %10s %10s %8s\n", "case (d,T,B)", "tdlab s/it", "torch s/it", "speedup", "GFLOP/s",
                "peak", "of peak");
    for (const auto &c : cases) {
        const TdlabTiming a = tdlab_iteration(c.d, c.T, c.B, c.iters, threads);
        const Timing b = torch_iteration(c.d, c.T, c.B, threads, c.iters);
        birth::ModelOptions o;
        const double flops = train_step_flops(c.d, c.T, c.B, o.vocab);
        const double gf = flops / a.t.best / 1e9;
        const double pct = bench::percent_of_peak(gf, a.peak, "tdlab iteration");
        char ratio[32] = "skipped";
        if (b.best > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", b.best / a.t.best);
        std::printf(
            "d=%-3d T=%-3d B=%-4d %12.4f %12.4f %8s %10.1f %10.1f %7.0f%%   (best of %d; medians %.4f / %.4f)\n", c.d,
            c.T, c.B, a.t.best, b.best, ratio, gf, a.peak, pct, c.iters, a.t.median, b.median);
    }
    bench::print_load_end();
    return 0;
}
