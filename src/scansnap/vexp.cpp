#include "scansnap/vexp.h"

#include <cmath>

#if defined(TDLAB_HAVE_SLEEF) && defined(__x86_64__)
#include <immintrin.h>
#define TDLAB_SCANSNAP_AVX2_EXP 1
// Declared here rather than through sleef.h, which hides the AVX prototypes unless the whole file is
// compiled for AVX (and the scalar fallback must stay baseline x86-64).
extern "C" __attribute__((target("avx2,fma"))) __m256d Sleef_expd4_u10avx2(__m256d);
#endif

namespace tdlab::scansnap {

#ifdef TDLAB_SCANSNAP_AVX2_EXP
namespace {
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
const bool have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
} // namespace
#endif

void exp_inplace(double *x, int n) {
#ifdef TDLAB_SCANSNAP_AVX2_EXP
    if (have_avx2) {
        exp_avx2(x, n);
        return;
    }
#endif
    for (int i = 0; i < n; ++i) x[i] = std::exp(x[i]);
}

} // namespace tdlab::scansnap
