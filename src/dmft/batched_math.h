// The elementwise tanh / exp of each batched-kernel path (batched_map.h), on whole lane rows: std:: on the
// scalar reference path, SLEEF's vector functions on the others. Internal to src/dmft/batched_map*.
//
// Which SLEEF build each path calls, and therefore which hosts give the same bytes:
//   sse2    Sleef_*d2_*sse2         no FMA
//   avx     Sleef_*d4_*avx          no FMA     the same algorithm without FMA: bit for bit the same results as
//                                              sse2 (tested)
//   avx2    Sleef_*d4_*avx2         FMA inside SLEEF's polynomials: its own bytes (1-2 ulp apart in tanh /
//           exp, then chaotic lanes diverge), shared by every host that runs the avx2 kernel
//   avx512  Sleef_*d8_*avx512f      the avx2 algorithm with FMA at 8 lanes: bit for bit avx2's results
//           (tested), so AVX2 and AVX-512 hosts share bytes under `auto`. These FMA builds are also 15-20%
//           faster per element than SLEEF's avx512fnofma builds on a Xeon (tanh 2.2 vs 2.6 ns, exp 1.5 vs
//           1.9 ns), which would give sse2's bytes instead (`simd: sse2` gives those on any x86-64 host)
// The kernel's own arithmetic is never contracted to FMA (-ffp-contract=off), whatever the target.
#pragma once

#include <cmath>

#if defined(TDLAB_HAVE_SLEEF) && defined(__x86_64__)
#define TDLAB_SLEEF_X86 1
#include <immintrin.h>
// Declared here rather than through sleef.h, which hides the AVX prototypes unless the whole file is
// compiled with -mavx; these functions are only called from code compiled for their target.
extern "C" {
__m128d Sleef_tanhd2_u35sse2(__m128d);
__m128d Sleef_expd2_u10sse2(__m128d);
__attribute__((target("avx"))) __m256d Sleef_tanhd4_u35avx(__m256d);
__attribute__((target("avx"))) __m256d Sleef_expd4_u10avx(__m256d);
__attribute__((target("avx2,fma"))) __m256d Sleef_tanhd4_u35avx2(__m256d);
__attribute__((target("avx2,fma"))) __m256d Sleef_expd4_u10avx2(__m256d);
__attribute__((target("avx512f"))) __m512d Sleef_tanhd8_u35avx512f(__m512d);
__attribute__((target("avx512f"))) __m512d Sleef_expd8_u10avx512f(__m512d);
}
#endif

// tanh_v / exp_v take and return vectors by value: always inlined into the path's target code, so no call
// crosses the ABI difference GCC warns about.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tdlab::dmft::batched {

// kExactDivide: the scalar reference divides by the softmax norm as MeanFieldMap does; the SLEEF paths
// multiply by one reciprocal (3 + L divisions -> 1 per step; they already differ in the last bit).
// n is a multiple of the path's vector width (every caller passes rows of W = 8, 16 or 32 lanes).
struct ScalarMath {
    static constexpr bool kExactDivide = true;
    __attribute__((always_inline)) static inline void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
    }
    __attribute__((always_inline)) static inline void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; ++i) out[i] = std::exp(in[i]);
    }
};

#ifdef TDLAB_SLEEF_X86
struct Sse2Math {
    static constexpr bool kExactDivide = false;
    using V = double __attribute__((vector_size(16))); // one register of lanes (batched_register_step.h)
    __attribute__((always_inline)) static inline V tanh_v(V x) { return Sleef_tanhd2_u35sse2(x); }
    __attribute__((always_inline)) static inline V exp_v(V x) { return Sleef_expd2_u10sse2(x); }
    __attribute__((always_inline)) static inline void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 2) _mm_storeu_pd(out + i, Sleef_tanhd2_u35sse2(_mm_loadu_pd(in + i)));
    }
    __attribute__((always_inline)) static inline void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 2) _mm_storeu_pd(out + i, Sleef_expd2_u10sse2(_mm_loadu_pd(in + i)));
    }
};
struct AvxMath {
    static constexpr bool kExactDivide = false;
    using V = double __attribute__((vector_size(32))); // one register of lanes (batched_register_step.h)
    __attribute__((always_inline)) static inline V tanh_v(V x) { return Sleef_tanhd4_u35avx(x); }
    __attribute__((always_inline)) static inline V exp_v(V x) { return Sleef_expd4_u10avx(x); }
    __attribute__((target("avx"), noinline)) static void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_tanhd4_u35avx(_mm256_loadu_pd(in + i)));
    }
    __attribute__((target("avx"), noinline)) static void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_expd4_u10avx(_mm256_loadu_pd(in + i)));
    }
};
struct Avx2Math {
    static constexpr bool kExactDivide = false;
    using V = double __attribute__((vector_size(32))); // one register of lanes (batched_register_step.h)
    __attribute__((always_inline)) static inline V tanh_v(V x) { return Sleef_tanhd4_u35avx2(x); }
    __attribute__((always_inline)) static inline V exp_v(V x) { return Sleef_expd4_u10avx2(x); }
    __attribute__((target("avx2,fma"), noinline)) static void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_tanhd4_u35avx2(_mm256_loadu_pd(in + i)));
    }
    __attribute__((target("avx2,fma"), noinline)) static void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_expd4_u10avx2(_mm256_loadu_pd(in + i)));
    }
};
struct Avx512Math {
    static constexpr bool kExactDivide = false;
    using V = double __attribute__((vector_size(64))); // one register of lanes (batched_register_step.h)
    __attribute__((always_inline)) static inline V tanh_v(V x) { return Sleef_tanhd8_u35avx512f(x); }
    __attribute__((always_inline)) static inline V exp_v(V x) { return Sleef_expd8_u10avx512f(x); }
    __attribute__((target("avx512f"), noinline)) static void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 8) _mm512_storeu_pd(out + i, Sleef_tanhd8_u35avx512f(_mm512_loadu_pd(in + i)));
    }
    __attribute__((target("avx512f"), noinline)) static void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 8) _mm512_storeu_pd(out + i, Sleef_expd8_u10avx512f(_mm512_loadu_pd(in + i)));
    }
};
#endif

} // namespace tdlab::dmft::batched

#pragma GCC diagnostic pop
