// The tiled SGEMM (src/nn/gemm.h) and the softmax cross-entropy (src/nn/cross_entropy.h) at a word model's
// vocabulary-sized shapes: the tile rule's values, bytes independent of the thread count, the tiled product
// against one whole cblas_sgemm and against the 64 x 512 grid used before, and the cross-entropy against a
// row-at-a-time reference bit for bit.
#include "core/blas_kernels.h"
#include "core/rng.h"
#include "core/vexp.h"
#include "nn/cross_entropy.h"
#include "nn/gemm.h"
#include "nn/linear.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>
#include <omp.h>
#include <vector>

using namespace tdlab;
using namespace tdlab::nn;

namespace {

std::vector<float> uniform(size_t n, uint64_t seed, float scale) {
    CounterRng rng(seed, 5);
    std::vector<float> v(n);
    for (auto &x : v) x = float(scale * (2.0 * rng.uniform() - 1.0));
    return v;
}

bool same_bytes(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The grid gemm() used for every shape before the wide/deep bands: gemm_tile_rows(M) x kGemmTileN.
void gemm_old_grid(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, const float *A, int lda, const float *B,
                   int ldb, float beta, float *C, int ldc) {
    const int tm = gemm_tile_rows(M), tn = kGemmTileN;
    for (int i0 = 0; i0 < M; i0 += tm)
        for (int j0 = 0; j0 < N; j0 += tn) {
            const float *a = ta == CblasNoTrans ? A + size_t(i0) * lda : A + i0;
            const float *b = tb == CblasNoTrans ? B + j0 : B + size_t(j0) * ldb;
            cblas_sgemm(CblasRowMajor, ta, tb, std::min(tm, M - i0), std::min(tn, N - j0), K, 1.0f, a, lda, b, ldb,
                        beta, C + size_t(i0) * ldc + j0, ldc);
        }
}

struct Product {
    CBLAS_TRANSPOSE ta, tb;
    int M, N, K;
    float beta;
};
// A word model's output layer at a 10007-word vocabulary (batch 20 x bptt 35 = 700 rows, d = 200):
// logits = h D^T (wide), dh += dlogits D (deep), dD += dlogits^T h (tall, the old grid), and an
// evaluation batch (10 x 35 rows).
const Product kDecoder[] = {{CblasNoTrans, CblasTrans, 700, 10007, 200, 0.0f},
                            {CblasNoTrans, CblasNoTrans, 700, 200, 10007, 1.0f},
                            {CblasTrans, CblasNoTrans, 10007, 200, 700, 1.0f},
                            {CblasNoTrans, CblasTrans, 350, 10007, 200, 0.0f}};

struct Operands {
    std::vector<float> A, B, C;
    int lda, ldb;
};
Operands operands(const Product &p, uint64_t seed) {
    Operands o{uniform(size_t(p.M) * p.K, seed, 0.1f), uniform(size_t(p.K) * p.N, seed + 1, 1.0f),
               uniform(size_t(p.M) * p.N, seed + 2, 1.0f), p.ta == CblasNoTrans ? p.K : p.M,
               p.tb == CblasNoTrans ? p.N : p.K};
    return o;
}

} // namespace

TEST(GemmTiles, DecoderShapesGetBandsOtherShapesKeepTheGrid) {
    struct Case {
        int M, N, K, rows, cols;
        const char *what;
    };
    const Case cases[] = {
        // 16 column bands of ceil(47037 / 16) = 2940 -> 2944 columns, all rows
        {700, 47037, 200, 700, 2944, "logits = h D^T"},
        // op(B) is 47037 x 200 floats (beyond L2): 2 row bands of 350 -> 384 rows
        {700, 200, 47037, 384, kGemmTileN, "dh += dlogits D"},
        {47037, 200, 700, 2944, kGemmTileN, "dD += dlogits^T h: the grid"},
        {131072, 256, 256, 8192, kGemmTileN, "a Birth layer (B 512 x T 256, d 256): the grid"},
        {700, 600, 200, 64, kGemmTileN, "a word model's in_proj: the grid"},
        // op(B) 131072 x 256: 2 bands of 128 rows instead of 4 of 64
        {256, 256, 131072, 128, kGemmTileN, "Birth's weight gradient"},
        {700, kGemmWideN - 1, 200, 64, kGemmTileN, "narrower than kGemmWideN: the grid"},
        {20000, 10007, 200, 1280, kGemmTileN, "taller than wide: the grid"},
    };
    for (const Case &c : cases) {
        const GemmTiles t = gemm_tiles(c.M, c.N, c.K);
        EXPECT_EQ(t.rows, c.rows) << c.what;
        EXPECT_EQ(t.cols, c.cols) << c.what;
    }
}

TEST(GemmTiles, DecoderProductsSameBytesForAnyThreadCount) {
    const int procs = omp_get_num_procs();
    for (const auto &p : kDecoder) {
        const Operands o = operands(p, 17);
        std::vector<float> c1 = o.C, c2 = o.C;
        omp_set_num_threads(1);
        gemm(p.ta, p.tb, p.M, p.N, p.K, 1.0f, o.A.data(), o.lda, o.B.data(), o.ldb, p.beta, c1.data(), p.N);
        omp_set_num_threads(2);
        gemm(p.ta, p.tb, p.M, p.N, p.K, 1.0f, o.A.data(), o.lda, o.B.data(), o.ldb, p.beta, c2.data(), p.N);
        omp_set_num_threads(procs);
        EXPECT_TRUE(same_bytes(c1, c2)) << p.M << " x " << p.N << " x " << p.K;
        // and a product it is: one element against a double dot product
        double ref = p.beta * o.C[size_t(p.N) - 1];
        for (int k = 0; k < p.K; ++k) {
            const double a = p.ta == CblasNoTrans ? o.A[size_t(k)] : o.A[size_t(k) * p.M];
            const double b = p.tb == CblasNoTrans ? o.B[size_t(k) * p.N + p.N - 1] : o.B[size_t(p.N - 1) * p.K + k];
            ref += a * b;
        }
        EXPECT_NEAR(c1[size_t(p.N) - 1], ref, 1e-4 * (1.0 + std::fabs(ref)));
    }
}

// The bands start at multiples of 64 rows and columns and every band is a large product, so OpenBLAS's
// blocked kernels give each element the bits of one whole call and of the old grid: the change of tiles
// changes no output. That holds for its SkylakeX/Cooperlake and generic (Prescott) kernels; its Haswell
// kernels' bits depend on the tile shape (measured), so there the bytes of the word model change.
TEST(GemmTiles, DecoderProductsKeepTheBitsOfTheOldGridAndOfOneCall) {
    const std::string core = blas_core_name();
    if (core == "Haswell" || core == "Zen") GTEST_SKIP() << "OpenBLAS " << core << " bits depend on the tiles";
    for (const auto &p : kDecoder) {
        const Operands o = operands(p, 29);
        std::vector<float> tiled = o.C, grid = o.C, whole = o.C;
        gemm(p.ta, p.tb, p.M, p.N, p.K, 1.0f, o.A.data(), o.lda, o.B.data(), o.ldb, p.beta, tiled.data(), p.N);
        gemm_old_grid(p.ta, p.tb, p.M, p.N, p.K, o.A.data(), o.lda, o.B.data(), o.ldb, p.beta, grid.data(), p.N);
        cblas_sgemm(CblasRowMajor, p.ta, p.tb, p.M, p.N, p.K, 1.0f, o.A.data(), o.lda, o.B.data(), o.ldb, p.beta,
                    whole.data(), p.N);
        EXPECT_TRUE(same_bytes(tiled, grid)) << core << ": " << p.M << " x " << p.N << " x " << p.K;
        EXPECT_TRUE(same_bytes(tiled, whole)) << core << ": " << p.M << " x " << p.N << " x " << p.K;
    }
}

TEST(CrossEntropy, RowGroupsGiveTheBitsOfARowAtATime) {
    // 7 rows (a group of 4 and a remainder of 3) over 10007 logits with a large spread
    const int N = 7, V = 10007;
    const std::vector<float> logits = uniform(size_t(N) * V, 3, 12.0f);
    std::vector<int32_t> targets(N);
    for (int i = 0; i < N; ++i) targets[size_t(i)] = (i * 1931 + 5) % V;
    std::vector<float> probs(logits.size()), losses(N);
    const float mean = cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), nullptr, N, V);
    double total = 0.0;
    for (int i = 0; i < N; ++i) {
        const float *z = &logits[size_t(i) * V];
        float mx = z[0];
        for (int v = 1; v < V; ++v) mx = z[v] > mx ? z[v] : mx;
        std::vector<float> p(V);
        for (int v = 0; v < V; ++v) p[size_t(v)] = z[v] - mx;
        tdlab::exp_inplace(p.data(), V); // the exp the cross-entropy uses (SLEEF's 1-ulp vector exp)
        double s = 0.0;
        for (int v = 0; v < V; ++v) {
            // within SLEEF's 1 ulp (plus the argument's rounding) of the C library's exp
            EXPECT_NEAR(p[size_t(v)], std::exp(z[v] - mx), 3e-7f * std::exp(z[v] - mx)) << "row " << i << ", v " << v;
            s += p[size_t(v)];
        }
        const float inv = float(1.0 / s);
        for (auto &x : p) x *= inv;
        EXPECT_EQ(std::memcmp(p.data(), &probs[size_t(i) * V], V * sizeof(float)), 0) << "row " << i;
        const float loss = float(std::log(s) + mx - z[targets[size_t(i)]]);
        EXPECT_EQ(losses[size_t(i)], loss) << "row " << i;
        total += loss;
    }
    EXPECT_EQ(mean, float(total / N));
    // a probability row sums to 1 and the loss is -log p[target] (the numbers, not just the bits)
    double s0 = 0.0;
    for (int v = 0; v < V; ++v) s0 += probs[size_t(v)];
    EXPECT_NEAR(s0, 1.0, 1e-5);
    EXPECT_NEAR(losses[0], -std::log(probs[size_t(targets[0])]), 1e-4);
}

TEST(CrossEntropy, BackwardSetIsZeroFillThenBackwardBitForBit) {
    const int N = 6, V = 1001;
    const std::vector<float> logits = uniform(size_t(N) * V, 8, 4.0f);
    std::vector<int32_t> targets{0, 1000, 17, 17, 500, 3};
    const uint8_t mask[N] = {1, 0, 1, 1, 0, 1};
    std::vector<float> probs(logits.size()), losses(N);
    for (const uint8_t *m : {static_cast<const uint8_t *>(nullptr), mask})
        for (float dloss : {1.0f, -0.5f}) {
            cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), m, N, V);
            std::vector<float> added(logits.size(), 0.0f), set(logits.size(), 7.0f);
            cross_entropy_backward(added.data(), probs.data(), targets.data(), m, N, V, dloss);
            std::vector<float> dbias(V, 0.25f), rows_in_order(V, 0.25f);
            cross_entropy_backward_set(set.data(), dbias.data(), probs.data(), targets.data(), m, N, V, dloss);
            EXPECT_TRUE(same_bytes(added, set)) << "mask " << (m != nullptr) << " dloss " << dloss;
            // training's fused form: the same losses, mean and gradient bytes without storing probabilities
            // (one chunk of rows: its column sums are the rows-in-order sums)
            std::vector<float> fused(logits.size(), 7.0f), fused_losses(N), col(V, 7.0f), col_ref(V, 0.0f);
            const float mean =
                cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), m, N, V);
            EXPECT_EQ(cross_entropy_forward_grad(fused_losses.data(), fused.data(), col.data(), logits.data(),
                                                 targets.data(), m, N, V, dloss),
                      mean);
            EXPECT_TRUE(same_bytes(fused_losses, losses));
            EXPECT_TRUE(same_bytes(fused, set)) << "fused, mask " << (m != nullptr) << " dloss " << dloss;
            for (int i = 0; i < N; ++i)
                for (int v = 0; v < V; ++v) col_ref[size_t(v)] += set[size_t(i) * V + v];
            EXPECT_TRUE(same_bytes(col, col_ref));
            // dbias += column sums, rows in order (the bits of the word model's former separate pass)
            for (int i = 0; i < N; ++i)
                for (int v = 0; v < V; ++v) rows_in_order[size_t(v)] += added[size_t(i) * V + v];
            EXPECT_TRUE(same_bytes(dbias, rows_in_order));
            // probabilities sum to 1 per row, so a selected row adds (1 - 1) * scale: the column sums total 0
            double total = 0.0;
            for (int v = 0; v < V; ++v) total += dbias[size_t(v)] - 0.25;
            EXPECT_NEAR(total, 0.0, 1e-5);
            // the target column: (p - 1) * dloss / count
            const float count = m ? 4.0f : 6.0f;
            if (m) {
                EXPECT_EQ(*std::max_element(set.begin() + V, set.begin() + 2 * V), 0.0f); // row 1 unselected
            }
            EXPECT_NEAR(set[0], (probs[0] - 1.0f) * dloss / count, 1e-7);
        }
}

TEST(CrossEntropy, FusedBiasGradientIsTheSameForAnyThreadsAndNearTheExactSum) {
    // 300 rows: three chunks of 128 rows, summed per chunk then in order
    const int N = 300, V = 517;
    const std::vector<float> logits = uniform(size_t(N) * V, 21, 6.0f);
    std::vector<int32_t> targets(N);
    for (int i = 0; i < N; ++i) targets[size_t(i)] = (i * 97 + 1) % V;
    std::vector<float> g1(logits.size()), g2(logits.size()), b1(V), b2(V), l1(N), l2(N);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    cross_entropy_forward_grad(l1.data(), g1.data(), b1.data(), logits.data(), targets.data(), nullptr, N, V);
    omp_set_num_threads(2);
    cross_entropy_forward_grad(l2.data(), g2.data(), b2.data(), logits.data(), targets.data(), nullptr, N, V);
    omp_set_num_threads(saved);
    std::printf("fused cross-entropy N %d V %d, 1 vs 2 threads\n", N, V);
    EXPECT_TRUE(same_bytes(g1, g2));
    EXPECT_TRUE(same_bytes(b1, b2));
    for (int v = 0; v < V; ++v) {
        double exact = 0.0;
        for (int i = 0; i < N; ++i) exact += g1[size_t(i) * V + v];
        ASSERT_NEAR(b1[size_t(v)], exact, 1e-7) << "column " << v;
    }
}

TEST(Linear, BiasWrittenFirstIsTheBiasAddedAfterTheProduct) {
    // linear_forward writes the bias and adds the product with beta = 1 (as torch's addmm). For a K that is one
    // of OpenBLAS's K blocks on every kernel (K = 8) those are the bits of the product then the bias; for a
    // word model's K = 200, the same numbers to a few ulp whatever the kernel's K blocking.
    for (const int K : {8, 200}) {
        const int N = 70, OC = 1001;
        const std::vector<float> x = uniform(size_t(N) * K, 11, 1.0f), w = uniform(size_t(OC) * K, 12, 0.1f),
                                 b = uniform(size_t(OC), 13, 0.5f);
        std::vector<float> out(size_t(N) * OC), ref(size_t(N) * OC);
        linear_forward(out.data(), x.data(), w.data(), b.data(), N, K, OC);
        gemm(CblasNoTrans, CblasTrans, N, OC, K, 1.0f, x.data(), K, w.data(), K, 0.0f, ref.data(), OC);
        for (int n = 0; n < N; ++n)
            for (int o = 0; o < OC; ++o) ref[size_t(n) * OC + o] += b[size_t(o)];
        std::printf("linear N %d K %d OC %d\n", N, K, OC);
        if (K == 8) {
            EXPECT_TRUE(same_bytes(out, ref));
        } else {
            for (size_t i = 0; i < out.size(); ++i)
                ASSERT_NEAR(out[i], ref[i], 1e-5f * (1.0f + std::fabs(ref[i]))) << i;
        }
    }
}
