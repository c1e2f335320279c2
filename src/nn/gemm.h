// Deterministic parallel SGEMM: C (M,N) = alpha op(A) op(B) + beta C, row-major, through cblas_sgemm.
//
// Why not let OpenBLAS thread it: measured on this machine, OpenBLAS 0.3.21's threaded sgemm gives
// different bits with 1 and 2 threads (e.g. M=N=K=128), which breaks "same bytes for any thread count".
// So OpenBLAS always runs single-threaded and we split C into fixed tiles (kGemmTileM x kGemmTileN, a
// function of the shape only, never of the thread count) that OpenMP threads compute independently;
// the K reduction of each element is never split, so every element gets the same bits whatever runs it.
#pragma once

#include <cblas.h>

namespace tdlab::nn {

constexpr int kGemmTileM = 64;
constexpr int kGemmTileN = 256;

// Same arguments as cblas_sgemm with CblasRowMajor.
void gemm(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);

} // namespace tdlab::nn
