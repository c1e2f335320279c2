// Small matrix products without packing: row-major C (m x n) = op(A) (m x k) B (k x n) + beta C, beta 0 or 1,
// op(A) = A or A^T, through libxsmm's JIT-generated kernels (Heinecke et al., "LIBXSMM: Accelerating Small Matrix
// Multiplications by Runtime Code Generation", SC16), else through OpenBLAS.
//
// Why: the Scan and Snap model multiplies blocks of ~6 x 10 x 240 (docs/performance.md, "Scan and Snap run").
// OpenBLAS's Haswell kernels (what an AVX2 host runs) pack both operands on every call, which for such blocks
// costs more than the multiply; libxsmm builds one kernel per shape, once, for the CPU it runs on (AVX2 "hsw",
// AVX-512 "skx"/"cpx", ...), and calls it directly.
//
// Bytes: a kernel is a fixed sequence of operations for its shape and CPU target, so a product gives the same
// bits at every call and for any thread count; they differ from OpenBLAS's and between targets (an AVX2 and an
// AVX-512 host), like OpenBLAS's own kernels do. libxsmm's target follows the CPU (LIBXSMM_TARGET, e.g. hsw,
// picks another), independently of OPENBLAS_CORETYPE. `small_gemm_backend()` names it. Callers choose when to
// use this (the Scan and Snap model: src/scansnap/model.cpp, blocks_on_libxsmm, which its manifests record as
// block_products). TDLAB_SMALL_GEMM=blas sends these products to OpenBLAS; a shape libxsmm has no kernel for
// goes there too (1.17 had one for every shape tried, up to 1200 x 4096 x 600).
#pragma once

#include <string>

namespace tdlab::nn {

// C (m x n, ldc) = op(A) B + beta C; A is (m x k, lda) or, with trans_a, (k x m, lda); B (k x n, ldb); all
// row-major. beta must be 0 or 1 (UsageError otherwise: libxsmm's kernels take no other).
void small_gemm(bool trans_a, int m, int n, int k, const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc);
void small_gemm(bool trans_a, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta,
                double *C, int ldc);

// Whether small_gemm runs libxsmm's kernels (the build has libxsmm and TDLAB_SMALL_GEMM is not "blas").
bool small_gemm_is_libxsmm();

// "libxsmm 1.17 (hsw)", or "OpenBLAS" when the build has no libxsmm or TDLAB_SMALL_GEMM=blas.
std::string small_gemm_backend();

} // namespace tdlab::nn
