// Micro-benchmark of the nn engine: GEMM throughput of the linear layers and attention forward+backward,
// against the BLAS peak measured in the same run (a plain 1024^3 cblas_sgemm with OpenBLAS's own threads).
// Usage: bench_nn_ops [B=16] [T=256] [C=128] [NH=1]. Prints best-of-5 times; ratios are to the peak.
#include "nn/attention.h"
#include "nn/gemm.h"
#include "nn/linear.h"

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <omp.h>
#include <vector>

using namespace tdlab::nn;

namespace {
double best_seconds(const std::function<void()> &f, int reps = 5) {
    f(); // warm-up
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}
std::vector<float> filled(size_t n, float v) {
    return std::vector<float>(n, v);
}
} // namespace

int main(int argc, char **argv) {
    const int B = argc > 1 ? std::atoi(argv[1]) : 16, T = argc > 2 ? std::atoi(argv[2]) : 256;
    const int C = argc > 3 ? std::atoi(argv[3]) : 128, NH = argc > 4 ? std::atoi(argv[4]) : 1;
    const int threads = omp_get_max_threads();
    std::printf("bench_nn_ops: B=%d T=%d C=%d NH=%d, %d OpenMP threads\n", B, T, C, NH, threads);

    // Reference: the BLAS peak, OpenBLAS threaded, 1024^3
    const int S = 1024;
    auto a = filled(size_t(S) * S, 0.5f), b = filled(size_t(S) * S, 0.25f), c = filled(size_t(S) * S, 0.0f);
    openblas_set_num_threads(threads);
    double t_peak = best_seconds([&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S, S, S, 1.0f, a.data(), S, b.data(), S, 0.0f, c.data(),
                    S);
    });
    double peak = 2.0 * S * S * S / t_peak / 1e9;
    std::printf("BLAS peak (cblas_sgemm %d^3, %d OpenBLAS threads): %.1f GFLOP/s\n", S, threads, peak);
    double t_tiled = best_seconds(
        [&] { gemm(CblasNoTrans, CblasNoTrans, S, S, S, 1.0f, a.data(), S, b.data(), S, 0.0f, c.data(), S); });
    double g_tiled = 2.0 * S * S * S / t_tiled / 1e9;
    std::printf("tdlab gemm (deterministic tiles)  %d^3: %.1f GFLOP/s  (%.2f of peak)\n", S, g_tiled, g_tiled / peak);

    // Linear layer at N = B*T rows, C -> C: forward + backward (3 GEMMs)
    const int N = B * T;
    auto x = filled(size_t(N) * C, 0.1f), w = filled(size_t(C) * C, 0.01f), y = filled(size_t(N) * C, 0.0f);
    auto dx = filled(size_t(N) * C, 0.0f), dw = filled(size_t(C) * C, 0.0f);
    double t_lin = best_seconds([&] {
        linear_forward(y.data(), x.data(), w.data(), nullptr, N, C, C);
        linear_backward(dx.data(), dw.data(), nullptr, y.data(), x.data(), w.data(), N, C, C);
    });
    double g_lin = 3 * 2.0 * N * C * C / t_lin / 1e9;
    std::printf("linear %dx%d -> %d fwd+bwd: %.3f ms, %.1f GFLOP/s (%.2f of peak)\n", N, C, C, t_lin * 1e3, g_lin,
                g_lin / peak);

    // Attention core forward + backward (4 + 8 flops per (b, h, t, s, channel) counting the full T x T GEMMs)
    auto q = filled(size_t(N) * C, 0.01f), k = filled(size_t(N) * C, 0.02f), v = filled(size_t(N) * C, 0.03f);
    auto out = filled(size_t(N) * C, 0.0f), dq = filled(size_t(N) * C, 0.0f), dk = dq, dv = dq;
    size_t att_n = size_t(B) * NH * T * T;
    auto pre = filled(att_n, 0.0f), att = pre, datt = pre, dpre = pre;
    double t_fwd = best_seconds([&] {
        attention_forward(out.data(), pre.data(), att.data(), q.data(), k.data(), v.data(), B, T, C, NH,
                          1.0f / std::sqrt(float(C / NH)));
    });
    double t_fb = best_seconds([&] {
        attention_forward(out.data(), pre.data(), att.data(), q.data(), k.data(), v.data(), B, T, C, NH,
                          1.0f / std::sqrt(float(C / NH)));
        attention_backward(dq.data(), dk.data(), dv.data(), datt.data(), dpre.data(), out.data(), q.data(), k.data(),
                           v.data(), att.data(), B, T, C, NH, 1.0f / std::sqrt(float(C / NH)));
    });
    double flops_f = 2.0 * 2.0 * B * double(T) * T * C, flops_fb = 3 * flops_f;
    std::printf("attention fwd: %.3f ms, %.1f GFLOP/s (%.2f of peak)\n", t_fwd * 1e3, flops_f / t_fwd / 1e9,
                flops_f / t_fwd / 1e9 / peak);
    std::printf("attention fwd+bwd: %.3f ms, %.1f GFLOP/s (%.2f of peak), %.0f sequences/s\n", t_fb * 1e3,
                flops_fb / t_fb / 1e9, flops_fb / t_fb / 1e9 / peak, B / t_fb);
    return 0;
}
