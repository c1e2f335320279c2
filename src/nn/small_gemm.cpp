#include "nn/small_gemm.h"

#include "core/error.h"
#include "core/isa.h"

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
        // A build without AVX-512 (core/isa.h) measures an AVX2 host: libxsmm generates that host's kernels too,
        // unless LIBXSMM_TARGET names a target.
        if (!kAvx512Allowed && !std::getenv("LIBXSMM_TARGET")) {
            libxsmm_init(); // which reads the CPU: the target is set after it
            libxsmm_set_target_arch("hsw");
        }
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

// libxsmm's dispatch hashes the whole descriptor and searches its registry on every call (~2% of a Scan and Snap
// run, whose ~60 products per iteration come in a few dozen shapes). Each thread keeps the kernels it looked up in
// a small direct-mapped table instead; a kernel stays valid for the life of the process.
struct KernelKey {
    int m, n, k, lda, ldb, ldc, flags; // flags: trans_a, beta = 1 (one table per element type)
    bool operator==(const KernelKey &) const = default;
};
struct CachedKernel {
    KernelKey key{};
    const void *kernel = nullptr; // null: empty slot, or a shape libxsmm has no kernel for (looked up again)
};
constexpr int kKernelSlots = 64;

template <class Real>
using Kernel = std::conditional_t<std::is_same_v<Real, float>, libxsmm_smmfunction, libxsmm_dmmfunction>;

template <class Real> Kernel<Real> lookup(bool ta, int m, int n, int k, int lda, int ldb, Real beta, int ldc) {
    thread_local CachedKernel table[kKernelSlots];
    const KernelKey key{m, n, k, lda, ldb, ldc, int(ta) | int(beta != 0) << 1};
    const unsigned h = (unsigned(m) * 73856093u) ^ (unsigned(n) * 19349663u) ^ (unsigned(k) * 83492791u) ^
                       unsigned(lda + 7 * ldb + 13 * ldc + 17 * key.flags);
    CachedKernel &slot = table[h % kKernelSlots];
    if (slot.kernel && slot.key == key) return reinterpret_cast<Kernel<Real>>(const_cast<void *>(slot.kernel));
    // libxsmm is column-major: the row-major C = op(A) B is the column-major C^T = B^T op(A)^T, so its "A" is our
    // B (n x k, as stored) and its "B" our A, transposed by the kernel when op(A) = A^T
    // (LIBXSMM_GEMM_FLAG_TRANS_B; libxsmm 1.17 has no kernels with its A transposed, which is why this wrapper
    // offers no op(B)). The dispatch JIT-compiles a shape on its first call and returns null where it has none
    // (OpenBLAS multiplies then).
    const libxsmm_blasint M = n, N = m, K = k, la = ldb, lb = lda, lc = ldc;
    const Real alpha = 1;
    const int flags = ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0;
    Kernel<Real> f;
    if constexpr (std::is_same_v<Real, float>)
        f = libxsmm_smmdispatch(M, N, K, &la, &lb, &lc, &alpha, &beta, &flags, nullptr);
    else
        f = libxsmm_dmmdispatch(M, N, K, &la, &lb, &lc, &alpha, &beta, &flags, nullptr);
    slot = {key, reinterpret_cast<const void *>(f)};
    return f;
}

template <class Real>
bool xsmm(bool ta, int m, int n, int k, const Real *A, int lda, const Real *B, int ldb, Real beta, Real *C, int ldc) {
    const Kernel<Real> f = lookup(ta, m, n, k, lda, ldb, beta, ldc);
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
