// The Y/Z model and its generator: layout, invariants, closed-form gradient against finite differences,
// and the optimisers' PyTorch semantics.
#include "core/rng.h"
#include "scansnap/dataset.h"
#include "scansnap/metrics.h"
#include "scansnap/model.h"
#include "scansnap/optimizer.h"
#include "scansnap/trainer.h"

#include <cmath>
#include <gtest/gtest.h>
#include <omp.h>

using namespace tdlab;
using namespace tdlab::scansnap;

TEST(ScansnapData, SynSmallAndMediumLayout) {
    SeqClasses small(DataParams::syn_small());
    EXPECT_EQ(small.M(), 34);
    EXPECT_EQ(small.K(), 2);
    EXPECT_EQ(small.cls(0).query, 30);
    EXPECT_EQ(small.cls(1).query, 31);
    EXPECT_EQ(small.cls(0).label, 32);
    EXPECT_EQ(small.cls(1).label, 33);
    EXPECT_EQ(small.cls(1).support[10], 20); // class 2's distinct tokens are 20..29
    // Common tokens 1/15.5, distinct 0.1/15.5 .. 1/15.5.
    EXPECT_NEAR(small.cls(0).prob[0], 1.0 / 15.5, 1e-15);
    EXPECT_NEAR(small.cls(0).prob[10], 0.1 / 15.5, 1e-15);
    EXPECT_NEAR(small.cls(0).prob[19], 1.0 / 15.5, 1e-15);
    const int expect_M[] = {33, 79, 125, 240};
    const int num_last[] = {1, 3, 5, 10};
    for (int i = 0; i < 4; ++i) {
        SeqClasses med(DataParams::syn_medium(num_last[i]));
        EXPECT_EQ(med.M(), expect_M[i]);
        EXPECT_EQ(med.K(), 2 * num_last[i]);
        EXPECT_EQ(med.cls(1).query, med.cls(0).query); // two classes share each query
    }
}

TEST(ScansnapData, CountsFollowTheClassDistribution) {
    DataParams d = DataParams::syn_small();
    d.L = 1001;
    SeqClasses data(d);
    CounterRng rng(5, 1);
    Batch b;
    sample_batch(data, 400, rng, b);
    std::vector<double> freq(size_t(data.S()), 0.0);
    double total = 0;
    int n0 = 0;
    for (int i = 0; i < b.B; ++i) {
        n0 += b.cls[size_t(i)] == 0;
        for (int s = 0; s < b.S; ++s) {
            freq[size_t(s)] += b.counts[size_t(i) * b.S + s];
            total += b.counts[size_t(i) * b.S + s];
        }
        int row = 0;
        for (int s = 0; s < b.S; ++s) row += b.counts[size_t(i) * b.S + s];
        ASSERT_EQ(row, 1000);
    }
    EXPECT_NEAR(n0 / 400.0, 0.5, 0.1);
    for (int s = 0; s < data.S(); ++s) {
        const double p = data.cls(0).prob[size_t(s)];
        EXPECT_NEAR(freq[size_t(s)] / total, p, 5 * std::sqrt(p / total)) << "support slot " << s;
    }
}

// The counts are those of drawing token by token: draw t of sequence i is the 31-bit uniform at position t
// of the sequence's words (two per 64-bit draw, high half first), token s where cum31[s-1] <= u < cum31[s].
// Exact, so any compare-and-count path (AVX-512 masks, AVX2, baseline) must give these integers; lengths
// that are not a multiple of 16 and an odd number of draws exercise the padding and the unused half-word.
TEST(ScansnapData, CountsAreThoseOfTokenByTokenInverseCdf) {
    for (int L : {2, 17, 100, 128, 200}) {
        DataParams d = DataParams::syn_medium(3);
        d.L = L;
        SeqClasses data(d);
        CounterRng rng(11, 3), replay(11, 3);
        Batch b;
        const int B = 37;
        sample_batch(data, B, rng, b);
        const int T1 = L - 1, S = data.S();
        const size_t words = size_t(T1 + 1) / 2;
        for (int i = 0; i < B; ++i) ASSERT_EQ(b.cls[size_t(i)], int(replay.uniform_int(uint64_t(data.K()))));
        std::vector<uint64_t> w(words);
        for (int i = 0; i < B; ++i) {
            replay.peek_u64(replay.counter() + uint64_t(i) * words, w.data(), words);
            const SeqClass &c = data.cls(b.cls[size_t(i)]);
            std::vector<int32_t> expect(size_t(S), 0);
            for (int t = 0; t < T1; ++t) {
                const uint64_t x = w[size_t(t / 2)];
                const int32_t u = int32_t(t % 2 == 0 ? x >> 33 : (x >> 1) & 0x7fffffffu);
                int s = 0;
                while (s < S - 1 && c.cum31[size_t(s)] <= u) ++s;
                expect[size_t(s)] += 1;
            }
            for (int s = 0; s < S; ++s)
                ASSERT_EQ(b.counts[size_t(i) * S + s], expect[size_t(s)]) << "L=" << L << " seq " << i << " slot " << s;
        }
        EXPECT_EQ(rng.counter(), replay.counter() + uint64_t(B) * words) << "L=" << L;
    }
}

// The default init draws uniform() in K1-row-major order (Y column by column, then Z row by row); drawn in
// blocks it must give exactly those values, in float32 and float64.
TEST(ScansnapModel, UniformInitIsTheSequentialDraws) {
    const int M = 37;
    YZParamsT<float> pf(M);
    YZParams pd(M);
    CounterRng rf(9, 0), rd(9, 0), replay(9, 0);
    pf.init_uniform(rf);
    pd.init_uniform(rd);
    const double bound = 1.0 / std::sqrt(double(M));
    for (int k = 0; k < M; ++k)
        for (int l = 0; l < M; ++l) {
            const double want = (2.0 * replay.uniform() - 1.0) * bound;
            ASSERT_EQ(pd.Y[size_t(l) * M + k], want) << l << "," << k;
            ASSERT_EQ(pf.Y[size_t(l) * M + k], float(want)) << l << "," << k;
        }
    for (size_t i = 0; i < pd.Z.size(); ++i) {
        const double want = (2.0 * replay.uniform() - 1.0) * bound;
        ASSERT_EQ(pd.Z[i], want) << i;
        ASSERT_EQ(pf.Z[i], float(want)) << i;
    }
    EXPECT_EQ(rd.counter(), replay.counter());
}

TEST(ScansnapModel, ZeroInitLossIsLogM) {
    TrainParams p;
    p.data = DataParams::syn_small();
    p.niter = 3;
    TrainResult r = train(p);
    EXPECT_NEAR(r.loss[0], std::log(34.0), 1e-12); // the official log shows 3.52636
    EXPECT_LT(r.loss[2], r.loss[0]);
}

// Y 1 = 0 and Z 1 = 0 exactly in exact arithmetic (softmax - onehot sums to 0; dZ rows: v.(dv - v.dv) = 0),
// so the row sums stay at rounding level: 1e-10 in float64, 1e-4 in float32 (entries are O(1) after 30
// steps at lr_y = 10; a wrong gradient gives O(1) sums).
static void check_row_sums(bool float32, double tol) {
    TrainParams p;
    p.data = DataParams::syn_medium(3);
    p.niter = 30;
    p.lr_z = 2;
    p.ratio = 5;
    p.float32 = float32;
    TrainResult r = train(p);
    const int M = r.M;
    double worst = 0;
    for (int row = 0; row < M; ++row) {
        double sy = 0, sz = 0;
        for (int k = 0; k < M; ++k) {
            sy += r.final_params.Y[size_t(row) * M + k];
            sz += r.final_params.Z[size_t(row) * M + k];
        }
        worst = std::max({worst, std::fabs(sy), std::fabs(sz)});
    }
    EXPECT_LT(worst, tol) << (float32 ? "float32" : "float64");
    // ... and the parameters did move.
    EXPECT_GT(std::fabs(r.final_params.Z[size_t(SeqClasses(p.data).last_offset()) * M]), 1e-4);
}

TEST(ScansnapModel, RowSumsStayZero) {
    check_row_sums(false, 1e-10);
    check_row_sums(true, 1e-4);
}

TEST(ScansnapModel, GradientMatchesFiniteDifferences) {
    DataParams d = DataParams::syn_medium(3);
    d.L = 20;
    SeqClasses data(d);
    const int M = data.M();
    YZParams p(M), grad(M);
    CounterRng init(3, 0), rng(3, 1);
    p.init_uniform(init);
    // Make the attention non-trivial so the Z gradient is exercised away from uniform.
    for (auto &z : p.Z) z *= 20.0;
    Batch b;
    sample_batch(data, 16, rng, b);
    for (bool normalize : {true, false}) {
        YZWorkspace ws;
        grad = YZParams(M);
        forward_backward(data, b, p, normalize, grad, ws);
        const double h = 1e-6;
        int checked = 0;
        double worst = 0;
        auto check = [&](AlignedVector<double> &param, const AlignedVector<double> &g, size_t idx) {
            const double old = param[idx];
            param[idx] = old + h;
            const double lp = forward_loss(data, b, p, normalize);
            param[idx] = old - h;
            const double lm = forward_loss(data, b, p, normalize);
            param[idx] = old;
            const double fd = (lp - lm) / (2 * h);
            worst = std::max(worst, std::fabs(fd - g[idx]) / std::max(1e-3, std::fabs(fd)));
            ++checked;
        };
        for (int n = 0; n < data.K(); ++n) {
            const SeqClass &c = data.cls(n);
            for (int s = 0; s < data.S(); s += 3) {
                check(p.Z, grad.Z, size_t(c.query) * M + c.support[size_t(s)]);
                check(p.Y, grad.Y, size_t(c.support[size_t(s)]) * M + c.label);
                check(p.Y, grad.Y, size_t(c.support[size_t(s)]) * M + size_t(s % M));
            }
        }
        EXPECT_GT(checked, 50);
        EXPECT_LT(worst, 1e-5) << "normalize=" << normalize;
    }
}

// The float32 instantiation (the training default) computes the same loss and gradients as the float64
// one that the finite differences validate, to float rounding.
TEST(ScansnapModel, Float32GradientMatchesFloat64) {
    SeqClasses data(DataParams::syn_medium(3));
    const int M = data.M();
    YZParams p(M), grad(M);
    CounterRng init(4, 0), rng(4, 1);
    p.init_uniform(init);
    for (auto &z : p.Z) z *= 20.0;
    YZParamsT<float> pf(M), gradf(M);
    std::copy(p.Y.begin(), p.Y.end(), pf.Y.begin());
    std::copy(p.Z.begin(), p.Z.end(), pf.Z.begin());
    Batch b;
    sample_batch(data, 64, rng, b);
    YZWorkspace ws;
    YZWorkspaceT<float> wsf;
    const double loss = forward_backward(data, b, p, true, grad, ws).loss;
    const double lossf = forward_backward(data, b, pf, true, gradf, wsf).loss;
    EXPECT_NEAR(lossf, loss, 1e-5 * loss);
    double scale = 0, worst = 0;
    for (size_t i = 0; i < grad.Y.size(); ++i) {
        scale = std::max({scale, std::fabs(grad.Y[i]), std::fabs(grad.Z[i])});
        worst = std::max({worst, std::fabs(gradf.Y[i] - grad.Y[i]), std::fabs(gradf.Z[i] - grad.Z[i])});
    }
    EXPECT_GT(scale, 1e-3);
    EXPECT_LT(worst, 1e-5 * scale);
}

// dF = G Y^T of a block reaches BLAS as one GEMM (OpenBLAS's small-matrix kernels) or as a GEMV per row (its
// packing kernels): the loss and dY do not depend on the form (the same bytes); dZ, which is computed from
// dF, agrees to float rounding. Syn-Medium with 10 queries at B = 128: classes of ~6 rows, below the GEMV
// threshold, and the common block of 64 rows per tile, above it.
TEST(ScansnapModel, DfByGemmMatchesDfByGemv) {
    SeqClasses data(DataParams::syn_medium(10));
    const int M = data.M();
    YZParamsT<float> p(M), g_gemv(M), g_gemm(M);
    CounterRng init(7, 0), rng(7, 1);
    p.init_uniform(init);
    for (auto &z : p.Z) z *= 20.0f;
    Batch b;
    sample_batch(data, 128, rng, b);
    YZWorkspaceT<float> ws_gemv, ws_gemm;
    ws_gemv.df_form = DfForm::Gemv;
    ws_gemm.df_form = DfForm::Gemm;
    const double loss_gemv = forward_backward(data, b, p, true, g_gemv, ws_gemv).loss;
    const double loss_gemm = forward_backward(data, b, p, true, g_gemm, ws_gemm).loss;
    EXPECT_EQ(loss_gemv, loss_gemm);
    EXPECT_EQ(g_gemv.Y, g_gemm.Y);
    double scale = 0, worst = 0;
    for (size_t i = 0; i < g_gemv.Z.size(); ++i) {
        scale = std::max(scale, double(std::fabs(g_gemv.Z[i])));
        worst = std::max(worst, double(std::fabs(g_gemv.Z[i] - g_gemm.Z[i])));
    }
    EXPECT_GT(scale, 1e-3);
    EXPECT_LT(worst, 1e-5 * scale);
}

// The support blocks tile every class's support: block columns [col, col + len) hold tokens
// [token, token + len) for exactly the classes [class_begin, class_end).
// The bytes of a run must not depend on the thread count, on both threaded paths: a large batch
// (B = 512, L = 256, M = 240: above the thresholds of model.cpp and dataset.cpp, 8 row tiles, 2 dY column
// tiles) shares each iteration among the threads; a small one (B = 128) draws batch t+1 on a second
// thread while batch t trains.
TEST(ScansnapModel, OneRunSameBytesForAnyThreadCount) {
    for (int batch : {512, 128}) {
        TrainParams p;
        p.data = DataParams::syn_medium(10);
        p.data.L = batch == 512 ? 256 : 128;
        p.batch = batch;
        p.zero_init = false;
        p.niter = 4;
        p.lr_z = 3;
        p.ratio = 5;
        p.gamma_proxy = true;
        const int saved = omp_get_max_threads();
        omp_set_num_threads(1);
        const TrainResult a = train(p);
        for (int threads : {2, 3}) {
            omp_set_num_threads(threads);
            const TrainResult b = train(p);
            EXPECT_EQ(a.loss, b.loss) << threads << " threads, B = " << batch;
            EXPECT_EQ(a.gamma_proxy, b.gamma_proxy) << threads << " threads, B = " << batch;
            EXPECT_EQ(a.final_params.Y, b.final_params.Y) << threads << " threads, B = " << batch;
            EXPECT_EQ(a.final_params.Z, b.final_params.Z) << threads << " threads, B = " << batch;
        }
        omp_set_num_threads(saved);
    }
}

TEST(ScansnapData, SupportBlocksTileEveryClassSupport) {
    DataParams d = DataParams::syn_medium(3);
    d.num_common_per_last = 2;
    SeqClasses data(d);
    std::vector<int> covered(size_t(data.K()) * data.S(), 0);
    for (const SupportBlock &blk : data.blocks())
        for (int n = blk.class_begin; n < blk.class_end; ++n)
            for (int j = 0; j < blk.len; ++j) {
                EXPECT_EQ(data.cls(n).support[size_t(blk.col + j)], blk.token + j) << "class " << n;
                covered[size_t(n) * data.S() + blk.col + j] += 1;
            }
    for (int c : covered) EXPECT_EQ(c, 1);
    EXPECT_EQ(data.blocks().size(), size_t(1 + 3 + data.K())); // common, per-query common, distinct
}

TEST(ScansnapOptimizer, SgdMomentumAndAdamMatchPyTorchByHand) {
    // Two steps on one 1 x 2 block with gradients g1 then g2, computed from the PyTorch update rules.
    AlignedVector<double> p{1.0, -1.0}, g1{0.5, -0.25}, g2{0.1, 0.3};
    RowBlockOptimizer<double> sgd(OptMethod::Sgd, 0.1, 0.9, 0, 1, 2);
    auto g = g1;
    sgd.step(p, g);
    EXPECT_EQ(g, (AlignedVector<double>{0.0, 0.0})); // zero_grad fused into the step
    g = g2;
    sgd.step(p, g);
    // buf1 = g1, buf2 = 0.9 g1 + g2; p = p0 - 0.1 (buf1 + buf2)
    EXPECT_DOUBLE_EQ(p[0], 1.0 - 0.1 * (0.5 + (0.45 + 0.1)));
    EXPECT_DOUBLE_EQ(p[1], -1.0 - 0.1 * (-0.25 + (-0.225 + 0.3)));
    AlignedVector<double> q{1.0, -1.0};
    RowBlockOptimizer<double> adam(OptMethod::Adam, 0.01, 0.9, 0, 1, 2);
    g = g1;
    adam.step(q, g);
    // First Adam step moves each entry by lr * sign(g) (up to eps).
    EXPECT_NEAR(q[0], 1.0 - 0.01, 1e-9);
    EXPECT_NEAR(q[1], -1.0 + 0.01, 1e-9);
    g = g2;
    adam.step(q, g);
    const double m = 0.9 * 0.05 + 0.1 * 0.1, v = 0.999 * 0.00025 + 0.001 * 0.01;
    const double upd = 0.01 / (1 - 0.81) * m / (std::sqrt(v) / std::sqrt(1 - 0.999 * 0.999) + 1e-8);
    const double upd1 = 0.01 * 0.5 / (std::sqrt(0.00025) / std::sqrt(1 - 0.999) + 1e-8);
    EXPECT_NEAR(q[0], 1.0 - upd1 - upd, 1e-14);
}

TEST(ScansnapModel, SameSeedSameBytesAndInitBound) {
    TrainParams p;
    p.data = DataParams::syn_medium(1);
    p.zero_init = false;
    p.niter = 5;
    TrainResult a = train(p), b = train(p);
    EXPECT_EQ(a.final_params.Z, b.final_params.Z);
    EXPECT_EQ(a.loss, b.loss);
    YZParams init(33);
    CounterRng rng(1, 0);
    init.init_uniform(rng);
    double mx = 0, mean = 0;
    for (double x : init.Y) mx = std::max(mx, std::fabs(x)), mean += x;
    EXPECT_LE(mx, 1.0 / std::sqrt(33.0));
    EXPECT_GT(mx, 0.95 / std::sqrt(33.0));
    EXPECT_NEAR(mean / init.Y.size(), 0.0, 0.01);
}

TEST(ScansnapMetrics, EntropyAtInitAndRecall) {
    SeqClasses data(DataParams::syn_medium(1));
    std::vector<double> Z(size_t(data.M()) * data.M(), 0.0);
    // Spec §4.2: at z = 0 the distinct-token entropy is 2.1513 (max ln 10 = 2.3026).
    EXPECT_NEAR(mean_distinct_entropy(data, Z.data()), 2.1513, 1e-4);
    // Uniform softmax(z_m) = 1/M: every distinct token is recalled at theta = 1/M, none above.
    auto rc = recall_curve(data, Z, {1.0 / 33 - 1e-12, 1.0 / 33 + 1e-9});
    EXPECT_DOUBLE_EQ(rc[0], 1.0);
    EXPECT_DOUBLE_EQ(rc[1], 0.0);
}
