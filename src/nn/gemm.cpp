#include "nn/gemm.h"

#include "nn/blas_threads.h"

#include <algorithm>

namespace tdlab::nn {

namespace {
int round_up(int x, int step) {
    return (x + step - 1) / step * step;
}
} // namespace

int gemm_tile_rows(int M) {
    return std::max(kGemmTileM, round_up((M + kGemmTasks - 1) / kGemmTasks, kGemmTileM));
}

GemmTiles gemm_tiles(int M, int N, int K) {
    // Wide: a 64 x 512 grid over logits (700 x 47037, K = 200) made 1012 calls that packed the 37 MB
    // decoder 11 times; column bands pack it once (measured 0.156 -> 0.103 CPU s per product).
    if (N >= kGemmWideN && N > M) return {M, round_up((N + kGemmTasks - 1) / kGemmTasks, kGemmTileM)};
    GemmTiles t{gemm_tile_rows(M), kGemmTileN};
    // Deep: dX = dlogits (700 x 47037) . W (47037 x 200) in 64-row bands packed all of W 11 times
    // (measured 0.133 -> 0.105 CPU s with 2 bands).
    if (long(K) * std::min(N, kGemmTileN) > kGemmBigOperand) {
        const int bands = std::clamp(M / kGemmMinBand, 2, kGemmTasks);
        t.rows = std::max(t.rows, round_up((M + bands - 1) / bands, kGemmTileM));
    }
    return t;
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc) {
    ensure_blas_single_thread();
    const GemmTiles tile = gemm_tiles(M, N, K);
    const int tiles_m = (M + tile.rows - 1) / tile.rows, tiles_n = (N + tile.cols - 1) / tile.cols;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < tiles_m * tiles_n; ++t) {
        int i0 = (t / tiles_n) * tile.rows, j0 = (t % tiles_n) * tile.cols;
        int m = std::min(tile.rows, M - i0), n = std::min(tile.cols, N - j0);
        // rows i0.. of op(A): A + i0*lda (no trans) or A + i0 (trans); columns j0.. of op(B): B + j0 or B + j0*ldb
        const float *a = ta == CblasNoTrans ? A + size_t(i0) * lda : A + i0;
        const float *b = tb == CblasNoTrans ? B + j0 : B + size_t(j0) * ldb;
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, K, alpha, a, lda, b, ldb, beta, C + size_t(i0) * ldc + j0, ldc);
    }
}

} // namespace tdlab::nn
