// Time per training iteration (forward, masked CE on in-context positions, backward, SGD-momentum step) of
// Bietti et al.'s two models in tdlab against bench/birth_torch.py running the same model, batch and thread
// count on the same machine:
//   simplified: the frozen-embedding 2-layer attention-only model (birth/model.h, d = 128 and 256);
//   full:       the generic 2-layer transformer (nn/transformer.h: 4 heads, pre-norm parallel block, ReLU
//               FFN 4d, learned positions, everything trained), d = 128 at B = 64 and the paper's B = 512.
// Per case: best and median seconds per iteration of both, the ratio of the bests, the achieved GFLOP/s
// (FLOPs the kernels execute) against an sgemm peak measured before each timed iteration (the median of
// those samples: the peak of the same minutes of a shared machine), and the GEMM share: the time spent
// inside cblas_sgemm (summed over threads) over threads x wall time of one extra, separately timed iteration.
#include "bench_common.h"

#include "birth/model.h"
#include "birth/trigger_data.h"
#include "core/blas_kernels.h"
#include "core/parallel.h"
#include "nn/attention.h"
#include "nn/optimizer.h"
#include "nn/transformer.h"

#include <algorithm>
#include <atomic>
#include <cblas.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>
#include <string>
#include <vector>

using namespace tdlab;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Wall nanoseconds spent inside cblas_sgemm by all threads while `g_profile` is set (see the wrapper below).
std::atomic<bool> g_profile{false};
std::atomic<long long> g_sgemm_ns{0};

} // namespace

// The one cblas_sgemm of this executable: the static tdlab_core resolves its calls here, and this forwards
// to OpenBLAS's (the next definition in link order), timing the call only while profiling.
extern "C" void cblas_sgemm(const CBLAS_ORDER order, const CBLAS_TRANSPOSE ta, const CBLAS_TRANSPOSE tb,
                            const blasint M, const blasint N, const blasint K, const float alpha, const float *A,
                            const blasint lda, const float *B, const blasint ldb, const float beta, float *C,
                            const blasint ldc) {
    using Fn = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, float, const float *,
                        blasint, const float *, blasint, float, float *, blasint);
    static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "cblas_sgemm"));
    if (!real) {
        std::fprintf(stderr, "bench_birth: OpenBLAS's cblas_sgemm not found\n");
        std::exit(1);
    }
    if (!g_profile.load(std::memory_order_relaxed))
        return real(order, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    const auto t0 = Clock::now();
    real(order, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    g_sgemm_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

namespace {

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
    double peak = 0;       // median sgemm GFLOP/s of the samples interleaved with the iterations
    double gemm_share = 0; // sgemm time / (threads x wall) of one profiled iteration
};

struct Case {
    bool full;
    int d, T, B, iters;
};

TdlabTiming time_steps(const std::function<void()> &step, int iters, int threads) {
    step(); // warm-up
    const auto r = bench::interleave([&] { return sgemm_peak_sample(1024, threads); },
                                     [&] {
                                         auto t0 = Clock::now();
                                         step();
                                         return seconds_since(t0);
                                     },
                                     iters);
    g_sgemm_ns = 0;
    g_profile = true;
    const auto t0 = Clock::now();
    step();
    const double wall = seconds_since(t0);
    g_profile = false;
    return {{r.best, r.med}, r.peak_median, 1e-9 * double(g_sgemm_ns.load()) / (threads * wall)};
}

TdlabTiming tdlab_iteration(const Case &c, int threads) {
    birth::DataOptions dopt;
    dopt.seq_length = c.T;
    birth::TriggerData data(birth::shakespeare_stats(), dopt);
    const birth::Batch batch = data.gen_batch(0, birth::StreamPurpose::Train, 0, c.B);
    std::vector<uint8_t> mask(batch.outs.size());
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = batch.outs[i] >= 2;
    const nn::SgdOptions sgd{0.03, 0.9, 1e-4};
    if (c.full) {
        nn::TransformerConfig cfg; // the defaults: 2 layers, 4 heads, pre-norm, ReLU FFN 4d, learned positions
        cfg.dim = c.d;
        cfg.max_seq = c.T;
        nn::Transformer model(cfg, c.B, c.T);
        model.init(0);
        nn::Sgd opt(model.params(), sgd);
        return time_steps(
            [&] {
                model.params().zero_grad();
                model.forward(batch.x.data(), batch.y.data(), mask.data());
                model.backward();
                opt.step();
            },
            c.iters, threads);
    }
    birth::ModelOptions o;
    o.dim = c.d;
    o.max_length = c.T;
    birth::SimplifiedModel model(o);
    model.init(0);
    birth::ModelActivations acts = model.make_activations(c.B, c.T);
    nn::Sgd opt(model.params(), sgd);
    return time_steps(
        [&] {
            model.params().zero_grad();
            model.forward(acts, batch.x.data(), batch.y.data(), mask.data());
            model.backward(acts);
            opt.step();
        },
        c.iters, threads);
}

// bench/birth_torch.py's best and median seconds per iteration, or {-1, -1} with the reason printed.
Timing torch_iteration(const Case &c, int threads) {
    const auto ref = bench::run_reference({"/usr/bin/python3", std::string(TDLAB_SOURCE_DIR) + "/bench/birth_torch.py",
                                           "--model", c.full ? "full" : "simplified", "--dim", std::to_string(c.d),
                                           "--seq", std::to_string(c.T), "--batch", std::to_string(c.B), "--threads",
                                           std::to_string(threads), "--iters", std::to_string(c.iters)});
    Timing r{-1, -1};
    // the reference's torch version, threads and the BLAS library it mapped (once per run)
    static bool shown = false;
    if (const auto v = ref.output.find("torch_config: "); ref.ok && !shown && v != std::string::npos) {
        std::printf("  reference %s\n", ref.output.substr(v + 14, ref.output.find('\n', v) - v - 14).c_str());
        shown = true;
    }
    const auto pos = ref.output.find("torch_iter_seconds ");
    if (!ref.ok || pos == std::string::npos ||
        std::sscanf(ref.output.c_str() + pos, "torch_iter_seconds %lf %lf", &r.best, &r.median) != 2) {
        bench::print_skipped("PyTorch", ref.output);
        return {-1, -1};
    }
    return r;
}

// Matrix-product FLOPs one training iteration executes; `f` is the share of each T x T product computed
// (nn::causal_product_fraction: the masked blocks above the diagonal are skipped).
// Simplified: forward 2 d x d projections (layer 2's k and its values h1 wov2^T, wov2 = W_O^2 W_V^2, whose
// attention output is the layer's; layer 1's k and fused o v are gathered from the tables E, P projected once:
// 2 x (N + T) rows), 4 T x T x d products, W_U; backward (E, W_U, W_V, W_O^1 frozen) on layer 2: dh2 = dlogits
// W_U, dA2, dbeta2, d(ov2), dS2 -> dQ2 and dK2 (4 score products), dwov2 = d(ov2)^T h1, dW_K^2, dh1 via W_K^2
// and via wov2 (4 projections); on layer 1 only what W_K^1 needs: dA1, dbeta1, dK1 (2 score products) and
// dW_K^1 from dK1 summed per token and position ((N + T) rows), no gradient into h0. 6 projections + 3 x
// (N + T)-row table products + 10 score products + 2 W_U products + four d^3 products (W_O W_V twice, dW_O^2,
// W_O^1 W_V^1).
// Full, per layer: forward 4 projections (d x d) + FFN (2 x 4 d^2) = 12 d^2 per token, 2 score products;
// backward twice the projections and FFN, 4 score products; plus the unembedding, forward and backward.
double train_step_flops(const Case &c, int vocab) {
    const double bt = double(c.B) * c.T, d = c.d, f = nn::causal_product_fraction(c.T);
    const double score = 2.0 * bt * c.T * d * f; // one T x T x d product over all heads
    if (!c.full)
        return 6 * 2.0 * bt * d * d + 3 * 2.0 * (vocab + c.T) * d * d + 10 * score + 2 * 2.0 * bt * d * vocab +
               4 * 2.0 * d * d * d;
    const int layers = nn::TransformerConfig{}.n_layers;
    return layers * (3 * 12 * 2.0 * bt * d * d + 6 * score) + 3 * 2.0 * bt * d * vocab;
}

} // namespace

int main(int argc, char **argv) {
    if (bench::help_requested(
            argc, argv,
            "usage: bench_birth [--threads N=2] [--iters K=5] [--quick] [--model simplified|full|all] [--no-torch]\n"
            "  --iters: timed iterations of the B = 64 cases; the B = 512 cases time max(2, K/2)\n"
            "  --quick: only the B = 64 cases (d = 128)\n"
            "  --no-torch: tdlab alone (no PyTorch reference, no ratios)"))
        return 0;
    int threads = 2, iters = 5;
    bool quick = false, torch = true;
    std::string which = "all";
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--no-torch"))
            torch = false;
        else if (!std::strcmp(argv[i], "--model") && i + 1 < argc)
            which = argv[++i];
        else {
            std::fprintf(stderr, "bench_birth: unknown argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (which != "all" && which != "simplified" && which != "full") {
        std::fprintf(stderr, "bench_birth: --model must be simplified, full or all, not '%s'\n", which.c_str());
        return 2;
    }
    configure_threads(threads);
    bench::print_host("OpenBLAS " + blas_core_name());
    std::printf("threads %d; peak: a 1024^3 sgemm on %d OpenBLAS threads before each timed iteration (median)\n",
                threads, threads);
    if (!torch) std::printf("PyTorch reference: skipped (--no-torch)\n");
    const int big = std::max(2, iters / 2);
    std::vector<Case> cases;
    if (which != "full") {
        cases.push_back({false, 128, 256, 64, iters});
        if (!quick) cases.push_back({false, 256, 256, 512, big});
    }
    if (which != "simplified") {
        cases.push_back({true, 128, 256, 64, iters});
        if (!quick) cases.push_back({true, 128, 256, 512, big});
    }
    std::printf("%-22s %10s %10s %8s %8s %8s %7s %6s\n", "case (d,T,B)", "tdlab s/it", "torch s/it", "speedup",
                "GFLOP/s", "peak", "of peak", "GEMM");
    for (const auto &c : cases) {
        const TdlabTiming a = tdlab_iteration(c, threads);
        const Timing b = torch ? torch_iteration(c, threads) : Timing{-1, -1};
        const double gf = train_step_flops(c, birth::ModelOptions{}.vocab) / a.t.best / 1e9;
        const double pct = bench::percent_of_peak(gf, a.peak, "tdlab iteration");
        char ratio[32] = "skipped";
        if (b.best > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", b.best / a.t.best);
        std::printf("%-10s d=%-3d B=%-4d %10.4f %10.4f %8s %8.1f %8.1f %6.0f%% %5.0f%%   (best of %d; medians %.4f / "
                    "%.4f)\n",
                    c.full ? "full" : "simplified", c.d, c.B, a.t.best, b.best, ratio, gf, a.peak, pct,
                    100 * a.gemm_share, c.iters, a.t.median, b.median);
        std::fflush(stdout);
    }
    bench::print_load_end();
    return 0;
}
