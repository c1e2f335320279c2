#include "dmft/batched_map.h"
#include "dmft/batched_math.h"

#include "core/error.h"

#include <algorithm>
#include <ctime>

namespace tdlab::dmft {

namespace {

// CPU time of this thread: on a shared machine the wall clock also counts the time the thread waits for
// a core, which the kernel's timing (bench_dmft_sweep, also CPU time) must not be compared against.
double seconds_now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Rows of kLanes elements as the kernel passes them (P = 4 tanh rows, L = 4 exp rows per step), with
// arguments spread over the ranges the map produces: tanh of beta sigma . A-hat in [-9, 9], exp of z - zmax
// in [-40, 0]. The SLEEF functions are opaque calls, so repeating them on the same rows is not optimised away.
constexpr int kRows = 4, kCalls = 20000;

template <class Math> double ns_per_element(bool tanh, int repeats) {
    std::vector<double> in(size_t(kRows) * kLanes), out(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const double u = double((i * 37) % in.size()) / double(in.size() - 1); // a fixed scramble of [0, 1]
        in[i] = tanh ? -9.0 + 18.0 * u : -40.0 * u;
    }
    double best = 1e30, sink = 0;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const double t0 = seconds_now();
        for (int c = 0; c < kCalls; ++c) {
            if (tanh)
                Math::tanh(in.data(), out.data(), kRows * kLanes);
            else
                Math::exp(in.data(), out.data(), kRows * kLanes);
        }
        best = std::min(best, seconds_now() - t0);
        sink += out[0];
    }
    volatile double keep = sink;
    (void)keep;
    return 1e9 * best / (double(kCalls) * kRows * kLanes);
}

// Independent multiply-then-add chains over kRows x kLanes lanes: 2 flops per element per pass.
template <int W> inline void mul_add_passes(double *acc, int passes) {
    for (int p = 0; p < passes; ++p) {
        for (int r = 0; r < kRows * 2; ++r) {
            double *a = acc + size_t(r) * W;
#pragma omp simd
            for (int l = 0; l < W; ++l) a[l] = a[l] * 0.999999 + 1e-7;
        }
    }
}
using PassFn = void (*)(double *, int);
void passes_default(double *a, int n) {
    mul_add_passes<kLanes>(a, n);
}
#ifdef TDLAB_SLEEF_X86
__attribute__((target("avx"))) void passes_avx(double *a, int n) {
    mul_add_passes<kLanes>(a, n);
}
__attribute__((target("avx2,fma"))) void passes_avx2(double *a, int n) {
    mul_add_passes<kLanes>(a, n);
}
__attribute__((target("avx512f"))) void passes_avx512(double *a, int n) {
    mul_add_passes<kLanes>(a, n);
}
#endif

double ns_per_flop(PassFn fn, int repeats) {
    std::vector<double> acc(size_t(kRows) * 2 * kLanes, 1.0);
    constexpr int kPasses = 20000;
    double best = 1e30;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const double t0 = seconds_now();
        fn(acc.data(), kPasses);
        best = std::min(best, seconds_now() - t0);
    }
    volatile double sink = acc[0];
    (void)sink;
    return 1e9 * best / (double(kPasses) * kRows * 2 * kLanes * 2.0);
}

template <class Math> KernelFloor floor_of(PassFn fn, int repeats) {
    return {ns_per_element<Math>(true, repeats), ns_per_element<Math>(false, repeats), ns_per_flop(fn, repeats)};
}

} // namespace

KernelFloor measure_kernel_floor(SimdPath path, int repeats) {
    switch (path) {
    case SimdPath::Scalar: return floor_of<batched::ScalarMath>(passes_default, repeats);
#ifdef TDLAB_SLEEF_X86
    case SimdPath::Sse2: return floor_of<batched::Sse2Math>(passes_default, repeats);
    case SimdPath::Avx: return floor_of<batched::AvxMath>(passes_avx, repeats);
    case SimdPath::Avx2: return floor_of<batched::Avx2Math>(passes_avx2, repeats);
    case SimdPath::Avx512: return floor_of<batched::Avx512Math>(passes_avx512, repeats);
#endif
    default: throw UsageError("measure_kernel_floor: SIMD path not available in this build");
    }
}

} // namespace tdlab::dmft
