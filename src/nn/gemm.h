// Deterministic parallel SGEMM: C (M,N) = alpha op(A) op(B) + beta C, row-major, through cblas_sgemm.
//
// Why not let OpenBLAS thread it: measured on this machine, OpenBLAS 0.3.21's threaded sgemm gives
// different bits with 1 and 2 threads (e.g. M=N=K=128), which breaks "same bytes for any thread count".
// So OpenBLAS always runs single-threaded and we split C into fixed tiles (gemm_tiles(M, N, K), a function
// of the shape only, never of the thread count) that OpenMP threads compute independently; the K
// reduction of each element is never split, so every element gets the same bits whatever runs it.
#pragma once

#include <cblas.h>

namespace tdlab::nn {

// Tiles: about kGemmTasks row bands (multiples of kGemmTileM rows, at least one), columns in kGemmTileN.
// Few, tall tiles matter: each cblas_sgemm call packs its whole op(B) panel again, and with the layers'
// K = N = 128 a 64-row tile spent more time packing B than multiplying (perf: ~12% of a full-model
// iteration in the copy routines). 16 bands keep 2-4 threads balanced.
constexpr int kGemmTileM = 64;
constexpr int kGemmTileN = 512;
constexpr int kGemmTasks = 16;
// Two shapes where that grid packs a large operand from memory over and over (a word model's decoder,
// V ~ 5e4): a product at least kGemmWideN columns wide and wider than tall is cut into kGemmTasks column
// bands of all M rows instead (op(B) packed once, only the small op(A) again per band); and when the
// op(B) that every row band packs again holds more than kGemmBigOperand floats (beyond L2), row bands
// are at least kGemmMinBand rows (and at least 2 bands, for 2 threads).
constexpr int kGemmWideN = kGemmTasks * kGemmTileN;
constexpr long kGemmBigOperand = 1L << 20;
constexpr int kGemmMinBand = 256;

// Rows per tile for an M-row product: ceil(M / kGemmTasks) rounded up to a multiple of kGemmTileM.
int gemm_tile_rows(int M);

struct GemmTiles {
    int rows, cols;
};
// The tile of an (M,N) product with inner dimension K; every tile starts at a multiple of kGemmTileM
// rows and columns.
GemmTiles gemm_tiles(int M, int N, int K);

// Same arguments as cblas_sgemm with CblasRowMajor.
void gemm(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);

} // namespace tdlab::nn
