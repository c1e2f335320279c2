#include "nn/gemm.h"

#include "nn/blas_threads.h"

namespace tdlab::nn {

int gemm_tile_rows(int M) {
    const int per_task = (M + kGemmTasks - 1) / kGemmTasks;
    const int rows = (per_task + kGemmTileM - 1) / kGemmTileM * kGemmTileM;
    return rows > kGemmTileM ? rows : kGemmTileM;
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc) {
    ensure_blas_single_thread();
    const int tile_m = gemm_tile_rows(M);
    const int tiles_m = (M + tile_m - 1) / tile_m, tiles_n = (N + kGemmTileN - 1) / kGemmTileN;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < tiles_m * tiles_n; ++t) {
        int i0 = (t / tiles_n) * tile_m, j0 = (t % tiles_n) * kGemmTileN;
        int m = M - i0 < tile_m ? M - i0 : tile_m, n = N - j0 < kGemmTileN ? N - j0 : kGemmTileN;
        // rows i0.. of op(A): A + i0*lda (no trans) or A + i0 (trans); columns j0.. of op(B): B + j0 or B + j0*ldb
        const float *a = ta == CblasNoTrans ? A + size_t(i0) * lda : A + i0;
        const float *b = tb == CblasNoTrans ? B + j0 : B + size_t(j0) * ldb;
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, K, alpha, a, lda, b, ldb, beta, C + size_t(i0) * ldc + j0, ldc);
    }
}

} // namespace tdlab::nn
