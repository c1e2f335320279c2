// nn::small_gemm against the definition C = op(A) B + beta C (a triple loop in long double), for the shapes the
// Scan and Snap model multiplies (a class block of 6 rows x 10 tokens x M = 240, the 64-row common block, dY's
// transposed F) and ragged ones, float and double, beta 0 and 1, through whichever backend runs here.
#include "core/error.h"
#include "core/rng.h"
#include "nn/small_gemm.h"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace tdlab;

namespace {

template <class Real> void check_case(bool ta, int m, int n, int k, int lda, int ldb, int ldc, Real beta) {
    SCOPED_TRACE(::testing::Message() << "trans_a " << ta << " m " << m << " n " << n << " k " << k << " lda " << lda
                                      << " ldb " << ldb << " ldc " << ldc << " beta " << beta << " "
                                      << (sizeof(Real) == 4 ? "float" : "double") << " on "
                                      << nn::small_gemm_backend());
    CounterRng rng(11, uint64_t(m * 1000003 + n * 1009 + k));
    std::vector<Real> A(size_t(ta ? k : m) * lda), B(size_t(k) * ldb), C(size_t(m) * ldc);
    for (auto *v : {&A, &B, &C})
        for (auto &x : *v) x = Real(2.0 * rng.uniform() - 1.0);
    std::vector<Real> C0 = C;
    nn::small_gemm(ta, m, n, k, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
    const double eps = sizeof(Real) == 4 ? 1e-6 : 1e-14;
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < ldc; ++j) {
            const size_t at = size_t(i) * ldc + j;
            if (j >= n) {
                ASSERT_EQ(C[at], C0[at]) << "wrote outside the block at " << i << "," << j;
                continue;
            }
            long double want = beta == Real(0) ? 0.0L : (long double)C0[at];
            for (int l = 0; l < k; ++l)
                want += (long double)(ta ? A[size_t(l) * lda + i] : A[size_t(i) * lda + l]) *
                        (long double)B[size_t(l) * ldb + j];
            ASSERT_NEAR(double(C[at]), double(want), eps * (k + 1)) << "at " << i << "," << j;
        }
    }
}

} // namespace

TEST(SmallGemm, MatchesTheDefinitionOnTheModelsShapesAndRaggedOnes) {
    struct Shape {
        bool ta;
        int m, n, k, lda, ldb, ldc;
    };
    // row-major: A (m x k, lda) or (k x m, lda) transposed; B (k x n, ldb); C (m x n, ldc)
    for (const Shape &s :
         {Shape{false, 6, 240, 10, 20, 240, 240},  // forward, a class block of F (ld S = 20)
          Shape{false, 64, 240, 10, 20, 240, 240}, // forward, the common block of a row tile
          Shape{true, 10, 240, 6, 20, 240, 240},   // dY = F^T G of a class block
          Shape{true, 10, 128, 128, 20, 240, 240}, // dY of the common block, a column tile
          Shape{false, 1, 1, 1, 1, 1, 1}, Shape{false, 7, 13, 5, 9, 17, 15}, Shape{true, 3, 33, 19, 4, 40, 35}}) {
        for (double beta : {0.0, 1.0}) {
            check_case<float>(s.ta, s.m, s.n, s.k, s.lda, s.ldb, s.ldc, float(beta));
            check_case<double>(s.ta, s.m, s.n, s.k, s.lda, s.ldb, s.ldc, beta);
        }
    }
}

TEST(SmallGemm, SameBitsAtEveryCallAndBetaIsZeroOrOne) {
    std::vector<float> A(6 * 20, 0.25f), B(10 * 240), C1(6 * 240), C2(6 * 240, 7.0f);
    for (size_t i = 0; i < B.size(); ++i) B[i] = float(std::sin(double(i)));
    nn::small_gemm(false, 6, 240, 10, A.data(), 20, B.data(), 240, 0.0f, C1.data(), 240);
    nn::small_gemm(false, 6, 240, 10, A.data(), 20, B.data(), 240, 0.0f, C2.data(), 240); // beta 0 ignores C
    EXPECT_EQ(C1, C2);
    EXPECT_THROW(nn::small_gemm(false, 6, 240, 10, A.data(), 20, B.data(), 240, 0.5f, C1.data(), 240), UsageError);
    EXPECT_FALSE(nn::small_gemm_backend().empty());
}

// Each thread keeps the kernels it looked up in a small table (64 slots). Each shape here is called in variants
// that differ only in one leading dimension, the transpose flag or beta, one right after the other, and there are
// more shapes than slots, so that slots are shared and replaced: a lookup that matched on part of the shape
// (m, n, k alone, say) would run the previous variant's kernel and miss the definition.
TEST(SmallGemm, KernelsLookedUpAgainAcrossManyShapesAreTheirOwn) {
    for (int i = 0; i < 100; ++i) {
        const int m = 1 + i % 7, n = 1 + (i * 5) % 11, k = 1 + (i * 3) % 9;
        for (int v = 0; v < 6; ++v) {
            const bool ta = v == 5;
            const int lda = (ta ? m : k) + (v == 1), ldb = n + (v == 2), ldc = n + (v == 3);
            check_case<float>(ta, m, n, k, lda, ldb, ldc, float(v == 4));
        }
        if (i % 10 == 0) check_case<double>(false, m, n, k, k, n, n, 0.0);
    }
}
