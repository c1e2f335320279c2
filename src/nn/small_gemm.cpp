#include "nn/small_gemm.h"

#include "core/error.h"

#include <cblas.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#ifdef TDLAB_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

namespace tdlab::nn {

namespace {

bool use_libxsmm() {
#ifdef TDLAB_HAVE_LIBXSMM
    static const bool yes = [] {
        const char *v = std::getenv("TDLAB_SMALL_GEMM");
        if (!v || !*v || std::strcmp(v, "libxsmm") == 0) return true;
        if (std::strcmp(v, "blas") == 0) return false;
        // read on first use, possibly inside a parallel region: a warning, not an exception
        std::fprintf(stderr, "tdlab: warning: TDLAB_SMALL_GEMM='%s' is neither 'libxsmm' nor 'blas'; using libxsmm\n",
                     v);
        return true;
    }();
    return yes;
#else
    return false;
#endif
}

void check_beta(double beta) {
    if (beta != 0.0 && beta != 1.0) throw UsageError("small_gemm: beta must be 0 or 1");
}

void blas(bool ta, int m, int n, int k, const float *A, int lda, const float *B, int ldb, float beta, float *C,
          int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, A, lda, B, ldb, beta, C,
                ldc);
}
void blas(bool ta, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta, double *C,
          int ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, 1.0, A, lda, B, ldb, beta, C,
                ldc);
}

#ifdef TDLAB_HAVE_LIBXSMM
// A kernel may return with the upper halves of the vector registers dirty, and the code after it in this project
// is built for the baseline ISA (SSE2, non-VEX encoded): on Intel cores such instructions then pay for the dirty
// upper state (Intel's optimization manual, "Mixing AVX code with SSE code"). vzeroupper after each kernel costs
// about a cycle. Only reached after a libxsmm kernel ran, so on a CPU with AVX.
__attribute__((target("avx"))) void clear_upper_state() {
    __builtin_ia32_vzeroupper();
}

// libxsmm is column-major: the row-major C = op(A) B is the column-major C^T = B^T op(A)^T, so its "A" is our B
// (n x k, as stored) and its "B" our A, transposed by the kernel when op(A) = A^T (LIBXSMM_GEMM_FLAG_TRANS_B;
// libxsmm 1.17 has no kernels with its A transposed, which is why this wrapper offers no op(B)). The dispatch
// looks the kernel up in libxsmm's registry (JIT on the first call of a shape) and returns null where it has
// none: OpenBLAS then.
template <class Real>
bool xsmm(bool ta, int m, int n, int k, const Real *A, int lda, const Real *B, int ldb, Real beta, Real *C, int ldc) {
    const libxsmm_blasint M = n, N = m, K = k, la = ldb, lb = lda, lc = ldc;
    const Real alpha = 1;
    const int flags = ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0;
    const auto f = [&] {
        if constexpr (std::is_same_v<Real, float>)
            return libxsmm_smmdispatch(M, N, K, &la, &lb, &lc, &alpha, &beta, &flags, nullptr);
        else
            return libxsmm_dmmdispatch(M, N, K, &la, &lb, &lc, &alpha, &beta, &flags, nullptr);
    }();
    if (!f) return false;
    f(B, A, C);
    clear_upper_state();
    return true;
}
#endif

template <class Real>
void small_gemm_impl(bool ta, int m, int n, int k, const Real *A, int lda, const Real *B, int ldb, Real beta, Real *C,
                     int ldc) {
    check_beta(double(beta));
    if (m <= 0 || n <= 0) return;
#ifdef TDLAB_HAVE_LIBXSMM
    if (use_libxsmm() && k > 0 && xsmm(ta, m, n, k, A, lda, B, ldb, beta, C, ldc)) return;
#endif
    blas(ta, m, n, k, A, lda, B, ldb, beta, C, ldc);
}

} // namespace

void small_gemm(bool trans_a, int m, int n, int k, const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc) {
    small_gemm_impl(trans_a, m, n, k, A, lda, B, ldb, beta, C, ldc);
}
void small_gemm(bool trans_a, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta,
                double *C, int ldc) {
    small_gemm_impl(trans_a, m, n, k, A, lda, B, ldb, beta, C, ldc);
}

bool small_gemm_is_libxsmm() {
    return use_libxsmm();
}

std::string small_gemm_backend() {
#ifdef TDLAB_HAVE_LIBXSMM
    if (use_libxsmm()) return std::string("libxsmm ") + LIBXSMM_VERSION + " (" + libxsmm_get_target_arch() + ")";
#endif
    return "OpenBLAS";
}

} // namespace tdlab::nn
