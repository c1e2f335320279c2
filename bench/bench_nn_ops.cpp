// Micro-benchmark of the nn engine: GEMM throughput of the linear layers and attention forward+backward,
// against the BLAS peak (a plain 1024^3 cblas_sgemm with OpenBLAS's own threads) sampled before every timed
// repetition of each case: the percentages use the median of those samples, from the same minutes of a
// shared machine. Prints best-of-5 times.
#include "bench_common.h"

#include "core/blas_kernels.h"
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
namespace bench = tdlab::bench;

namespace {
constexpr int kReps = 5, kPeakN = 1024;

std::vector<float> filled(size_t n, float v) {
    return std::vector<float>(n, v);
}

// One sample of the BLAS peak in GFLOP/s.
double peak_sample(int threads) {
    static auto a = filled(size_t(kPeakN) * kPeakN, 0.5f), b = filled(size_t(kPeakN) * kPeakN, 0.25f),
                c = filled(size_t(kPeakN) * kPeakN, 0.0f);
    openblas_set_num_threads(threads);
    const double t0 = bench::now_seconds();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kPeakN, kPeakN, kPeakN, 1.0f, a.data(), kPeakN, b.data(),
                kPeakN, 0.0f, c.data(), kPeakN);
    return 2.0 * kPeakN * double(kPeakN) * kPeakN / (bench::now_seconds() - t0) / 1e9;
}

// Times `f` (after a warm-up) interleaved with peak samples; prints its line with GFLOP/s and % of peak.
void report(const char *what, double flops, int threads, const std::function<void()> &f, double per_seconds = 0) {
    f();
    const auto r = bench::interleave([&] { return peak_sample(threads); },
                                     [&] {
                                         const double t0 = bench::now_seconds();
                                         f();
                                         return bench::now_seconds() - t0;
                                     },
                                     kReps);
    const double gf = flops / r.best / 1e9;
    const double pct = bench::percent_of_peak(gf, r.peak_median, what);
    std::printf("%s: %.3f ms, %.1f GFLOP/s (%.0f%% of the interleaved peak %.1f GFLOP/s)", what, r.best * 1e3, gf, pct,
                r.peak_median);
    if (per_seconds > 0) std::printf(", %.0f sequences/s", per_seconds / r.best);
    std::printf("\n");
}
} // namespace

int main(int argc, char **argv) {
    if (bench::help_requested(argc, argv,
                              "usage: bench_nn_ops [B=16] [T=256] [C=128] [NH=1]\n"
                              "  threads: OMP_NUM_THREADS (the BLAS peak uses as many OpenBLAS threads)"))
        return 0;
    const int B = argc > 1 ? std::atoi(argv[1]) : 16, T = argc > 2 ? std::atoi(argv[2]) : 256;
    const int C = argc > 3 ? std::atoi(argv[3]) : 128, NH = argc > 4 ? std::atoi(argv[4]) : 1;
    if (B <= 0 || T <= 0 || C <= 0 || NH <= 0 || C % NH) {
        std::fprintf(stderr, "bench_nn_ops: B, T, C, NH must be positive and NH must divide C\n");
        return 2;
    }
    const int threads = omp_get_max_threads();
    bench::print_host("OpenBLAS " + tdlab::blas_core_name());
    std::printf("bench_nn_ops: B=%d T=%d C=%d NH=%d, %d OpenMP threads; peak: cblas_sgemm %d^3 on %d OpenBLAS "
                "threads, sampled before each of %d repetitions\n",
                B, T, C, NH, threads, kPeakN, threads, kReps);
    const int S = kPeakN;
    auto a = filled(size_t(S) * S, 0.5f), b = filled(size_t(S) * S, 0.25f), c = filled(size_t(S) * S, 0.0f);
    report("tdlab gemm (deterministic tiles) 1024^3", 2.0 * S * S * double(S), threads,
           [&] { gemm(CblasNoTrans, CblasNoTrans, S, S, S, 1.0f, a.data(), S, b.data(), S, 0.0f, c.data(), S); });

    // Linear layer at N = B*T rows, C -> C: forward + backward (3 GEMMs)
    const int N = B * T;
    auto x = filled(size_t(N) * C, 0.1f), w = filled(size_t(C) * C, 0.01f), y = filled(size_t(N) * C, 0.0f);
    auto dx = filled(size_t(N) * C, 0.0f), dw = filled(size_t(C) * C, 0.0f);
    report("linear fwd+bwd", 3 * 2.0 * N * double(C) * C, threads, [&] {
        linear_forward(y.data(), x.data(), w.data(), nullptr, N, C, C);
        linear_backward(dx.data(), dw.data(), nullptr, y.data(), x.data(), w.data(), N, C, C);
    });

    // Attention core forward + backward (4 + 8 flops per (b, h, t, s, channel) counting the full T x T GEMMs)
    auto q = filled(size_t(N) * C, 0.01f), k = filled(size_t(N) * C, 0.02f), v = filled(size_t(N) * C, 0.03f);
    auto out = filled(size_t(N) * C, 0.0f), dq = filled(size_t(N) * C, 0.0f), dk = dq, dv = dq;
    size_t att_n = size_t(B) * NH * T * T;
    auto pre = filled(att_n, 0.0f), att = pre, datt = pre, dpre = pre;
    const float scale = 1.0f / std::sqrt(float(C / NH));
    const double flops_f = 2.0 * 2.0 * B * double(T) * T * C;
    report("attention fwd", flops_f, threads, [&] {
        attention_forward(out.data(), pre.data(), att.data(), q.data(), k.data(), v.data(), B, T, C, NH, scale);
    });
    report(
        "attention fwd+bwd", 3 * flops_f, threads,
        [&] {
            attention_forward(out.data(), pre.data(), att.data(), q.data(), k.data(), v.data(), B, T, C, NH, scale);
            attention_backward(dq.data(), dk.data(), dv.data(), datt.data(), dpre.data(), out.data(), q.data(),
                               k.data(), v.data(), att.data(), B, T, C, NH, scale);
        },
        double(B));
    bench::print_load_end();
    return 0;
}
