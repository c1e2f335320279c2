#include "core/vexp.h"

#include "core/isa.h"

#include <cmath>

#if defined(TDLAB_HAVE_SLEEF) && defined(__x86_64__)
#include <immintrin.h>
#define TDLAB_AVX2_EXP 1
// Declared here rather than through sleef.h, which hides the AVX prototypes unless the whole file is
// compiled for AVX (and the scalar fallback must stay baseline x86-64).
extern "C" __attribute__((target("avx2,fma"))) __m256d Sleef_expd4_u10avx2(__m256d);
extern "C" __attribute__((target("avx2,fma"))) __m256 Sleef_expf8_u10avx2(__m256);
extern "C" __attribute__((target("avx512f"))) __m512 Sleef_expf16_u10avx512f(__m512);
#endif

namespace tdlab {

#ifdef TDLAB_AVX2_EXP
namespace {
// 4 doubles or 8 floats a vector; the tail goes through a zero-padded vector so every element of the
// array takes the same (vector) path whatever n is.
__attribute__((target("avx2,fma"), noinline)) void exp_avx2(double *x, int n) {
    int i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, Sleef_expd4_u10avx2(_mm256_loadu_pd(x + i)));
    if (i < n) {
        alignas(32) double tail[4] = {0, 0, 0, 0};
        for (int k = i; k < n; ++k) tail[k - i] = x[k];
        _mm256_store_pd(tail, Sleef_expd4_u10avx2(_mm256_load_pd(tail)));
        for (int k = i; k < n; ++k) x[k] = tail[k - i];
    }
}
__attribute__((target("avx2,fma"), noinline)) void exp_avx2(float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, Sleef_expf8_u10avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        alignas(32) float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int k = i; k < n; ++k) tail[k - i] = x[k];
        _mm256_store_ps(tail, Sleef_expf8_u10avx2(_mm256_load_ps(tail)));
        for (int k = i; k < n; ++k) x[k] = tail[k - i];
    }
}
// 16 floats a vector where the CPU has AVX-512 (the float softmax is the hot one).
__attribute__((target("avx512f"), noinline)) void exp_avx512(float *x, int n) {
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, Sleef_expf16_u10avx512f(_mm512_loadu_ps(x + i)));
    if (i < n) {
        alignas(64) float tail[16] = {};
        for (int k = i; k < n; ++k) tail[k - i] = x[k];
        _mm512_store_ps(tail, Sleef_expf16_u10avx512f(_mm512_load_ps(tail)));
        for (int k = i; k < n; ++k) x[k] = tail[k - i];
    }
}
const bool have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
const bool have_avx512 = cpu_has_avx512f();
} // namespace
#endif

template <class Real> static void exp_any(Real *x, int n) {
#ifdef TDLAB_AVX2_EXP
    if (have_avx2) {
        exp_avx2(x, n);
        return;
    }
#endif
    for (int i = 0; i < n; ++i) x[i] = std::exp(x[i]);
}

void exp_inplace(double *x, int n) {
    exp_any(x, n);
}
void exp_inplace(float *x, int n) {
#ifdef TDLAB_AVX2_EXP
    if (have_avx512) {
        exp_avx512(x, n);
        return;
    }
#endif
    exp_any(x, n);
}

} // namespace tdlab
