// The causal attention core computes its T x T products in row blocks that stop at the diagonal, and keeps
// its backward scratch per thread; the LayerNorm parameter gradients walk the rows once per block of
// channels. These tests pin what that must not change: values against direct double-precision sums with
// T spanning several blocks and a ragged last one (T = 150: blocks of 64, 64, 22), the same bytes with
// caller buffers or per-thread scratch and for 1 or 2 threads, and the LayerNorm sums bit for bit.
#include "core/rng.h"
#include "nn/attention.h"
#include "nn/capture.h"
#include "nn/layernorm.h"
#include "nn/transformer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <omp.h>
#include <vector>

using namespace tdlab;
using namespace tdlab::nn;

namespace {

constexpr int B = 2, T = 150, NH = 2, C = 16, HS = C / NH;
const float kScale = 1.0f / std::sqrt(float(HS));

std::vector<float> random_vec(size_t n, uint64_t stream) {
    CounterRng rng(11, stream);
    std::vector<float> v(n);
    for (auto &x : v) x = float(rng.normal());
    return v;
}

size_t at(int b, int t, int h, int i) {
    return (size_t(b) * T + size_t(t)) * C + size_t(h) * HS + size_t(i);
}

struct Result {
    std::vector<float> out, att, dq, dk, dv;
};

// The kernels, with (B,NH,T,T) caller buffers or with null ones (per-thread scratch).
Result run(bool buffers, const std::vector<float> &q, const std::vector<float> &k, const std::vector<float> &v,
           const std::vector<float> &dout, std::vector<float> *preatt_out = nullptr) {
    const size_t n = size_t(B) * T * C, a = size_t(B) * NH * T * T;
    Result r{std::vector<float>(n), std::vector<float>(a), std::vector<float>(n), std::vector<float>(n),
             std::vector<float>(n)};
    std::vector<float> pre(buffers ? a : 0), datt(buffers ? a : 0), dpre(buffers ? a : 0);
    attention_forward(r.out.data(), buffers ? pre.data() : nullptr, r.att.data(), q.data(), k.data(), v.data(), B, T, C,
                      NH, kScale);
    attention_backward(r.dq.data(), r.dk.data(), r.dv.data(), buffers ? datt.data() : nullptr,
                       buffers ? dpre.data() : nullptr, dout.data(), q.data(), k.data(), v.data(), r.att.data(), B, T,
                       C, NH, kScale);
    if (preatt_out) *preatt_out = pre;
    return r;
}

void expect_close(const std::vector<double> &ref, const std::vector<float> &got, const char *what) {
    ASSERT_EQ(ref.size(), got.size());
    for (size_t i = 0; i < ref.size(); ++i)
        ASSERT_NEAR(got[i], ref[i], 1e-5 * std::max(1.0, std::fabs(ref[i]))) << what << " at " << i;
}

} // namespace

TEST(AttentionBlocks, MatchesDirectSumsAcrossBlockEdges) {
    const size_t n = size_t(B) * T * C;
    auto q = random_vec(n, 1), k = random_vec(n, 2), v = random_vec(n, 3), dout = random_vec(n, 4);
    std::vector<float> pre;
    const Result r = run(true, q, k, v, dout, &pre);
    std::vector<double> out(n, 0.0), dq(n, 0.0), dk(n, 0.0), dv(n, 0.0), att(size_t(B) * NH * T * T, 0.0);
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h)
            for (int t = 0; t < T; ++t) {
                // forward row t: p_s = scale q_t . k_s (s <= t), a = softmax(p), out_t = sum_s a_s v_s
                std::vector<double> p(size_t(t) + 1), a(size_t(t) + 1), da(size_t(t) + 1);
                double mx = -1e300, sum = 0.0;
                for (int s = 0; s <= t; ++s) {
                    double dot = 0.0;
                    for (int i = 0; i < HS; ++i) dot += double(q[at(b, t, h, i)]) * k[at(b, s, h, i)];
                    p[size_t(s)] = kScale * dot;
                    mx = std::max(mx, p[size_t(s)]);
                }
                for (int s = 0; s <= t; ++s) sum += a[size_t(s)] = std::exp(p[size_t(s)] - mx);
                double ada = 0.0;
                for (int s = 0; s <= t; ++s) {
                    a[size_t(s)] /= sum;
                    att[((size_t(b) * NH + size_t(h)) * T + size_t(t)) * T + size_t(s)] = a[size_t(s)];
                    for (int i = 0; i < HS; ++i) {
                        out[at(b, t, h, i)] += a[size_t(s)] * v[at(b, s, h, i)];
                        da[size_t(s)] += double(dout[at(b, t, h, i)]) * v[at(b, s, h, i)];
                        dv[at(b, s, h, i)] += a[size_t(s)] * dout[at(b, t, h, i)];
                    }
                    ada += a[size_t(s)] * da[size_t(s)];
                }
                for (int s = 0; s <= t; ++s) {
                    const double dp = a[size_t(s)] * (da[size_t(s)] - ada) * kScale;
                    for (int i = 0; i < HS; ++i) {
                        dq[at(b, t, h, i)] += dp * k[at(b, s, h, i)];
                        dk[at(b, s, h, i)] += dp * q[at(b, t, h, i)];
                    }
                }
            }
    expect_close(out, r.out, "out");
    expect_close(att, r.att, "att"); // includes the exact zeros above the diagonal
    expect_close(dq, r.dq, "dq");
    expect_close(dk, r.dk, "dk");
    expect_close(dv, r.dv, "dv");
    // the stored scores: -inf above the diagonal (TransformerLens' masked hook_attn_scores), finite below
    for (int t = 0; t < T; ++t)
        for (int s = 0; s < T; ++s) {
            const float x = pre[size_t(t) * T + size_t(s)];
            if (s > t)
                ASSERT_EQ(x, -std::numeric_limits<float>::infinity()) << t << "," << s;
            else
                ASSERT_TRUE(std::isfinite(x)) << t << "," << s;
        }
}

TEST(AttentionBlocks, ScratchAndThreadCountGiveTheSameBytes) {
    const size_t n = size_t(B) * T * C;
    auto q = random_vec(n, 5), k = random_vec(n, 6), v = random_vec(n, 7), dout = random_vec(n, 8);
    const int procs = omp_get_max_threads();
    omp_set_num_threads(1);
    const Result one = run(true, q, k, v, dout);
    omp_set_num_threads(2);
    const Result two = run(false, q, k, v, dout), two_buf = run(true, q, k, v, dout);
    omp_set_num_threads(procs);
    for (const Result *r : {&two, &two_buf}) {
        EXPECT_EQ(0, std::memcmp(one.out.data(), r->out.data(), n * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(one.att.data(), r->att.data(), one.att.size() * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(one.dq.data(), r->dq.data(), n * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(one.dk.data(), r->dk.data(), n * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(one.dv.data(), r->dv.data(), n * sizeof(float)));
    }
}

// The softmax and its backward run kSoftmaxRows rows interleaved (attention.cpp): each row must keep the bits of
// the row-at-a-time form, its max, sum and dot serial in key order. Forward: the att the kernel wrote against
// the row-at-a-time softmax of the scores it wrote (preatt); a sum in double seldom shows its order in the float
// result, so this part catches a wrong max, bound or tail rather than a reordered sum. Backward: the grouped rows
// against causal_softmax_backward_row, from a group-aligned start and from a ragged one (T = 150: groups of 8 and a
// tail); a reordered or rescaled dot fails it (checked by mutation).
TEST(AttentionBlocks, InterleavedSoftmaxRowsKeepTheBitsOfOneRowAtATime) {
    const size_t n = size_t(B) * T * C;
    auto q = random_vec(n, 1), k = random_vec(n, 2), v = random_vec(n, 3), dout = random_vec(n, 4);
    std::vector<float> pre;
    const Result r = run(true, q, k, v, dout, &pre);
    size_t differ = 0;
    for (size_t row = 0; row < size_t(B) * NH * T; ++row) {
        const int t = int(row % T);
        const float *p = &pre[row * T], *a = &r.att[row * T];
        float mx = p[0];
        for (int s = 1; s <= t; ++s) mx = p[s] > mx ? p[s] : mx;
        std::vector<float> e(size_t(T), 0.0f);
        double sum = 0.0;
        for (int s = 0; s <= t; ++s) {
            e[size_t(s)] = std::exp(p[s] - mx);
            sum += e[size_t(s)];
        }
        const float inv = float(1.0 / sum);
        for (int s = 0; s <= t; ++s) e[size_t(s)] *= inv;
        differ += std::memcmp(e.data(), a, sizeof(float) * size_t(T)) != 0;
    }
    EXPECT_EQ(differ, 0u) << "rows of att whose bits differ from the row-at-a-time softmax";
    const std::vector<float> A(r.att.begin(), r.att.begin() + ptrdiff_t(T) * T), dA = random_vec(size_t(T) * T, 5);
    for (int t0 : {0, 5}) {
        std::vector<float> grouped(size_t(T) * T, -1.0f), single(size_t(T) * T, -1.0f);
        causal_softmax_backward(grouped.data(), A.data(), dA.data(), t0, T, T, T - 3);
        for (int t = t0; t < T; ++t) {
            std::vector<float> row(size_t(T), -1.0f);
            causal_softmax_backward_row(row.data(), &A[size_t(t) * T], &dA[size_t(t) * T], t, T - 3);
            std::copy(row.begin(), row.end(), single.begin() + ptrdiff_t(t) * T);
        }
        std::printf("causal_softmax_backward rows [%d, %d), T = %d, width %d\n", t0, T, T, T - 3);
        EXPECT_EQ(std::memcmp(grouped.data(), single.data(), sizeof(float) * grouped.size()), 0);
    }
}

TEST(AttentionBlocks, CausalProductFraction) {
    EXPECT_DOUBLE_EQ(causal_product_fraction(64), 1.0);
    EXPECT_DOUBLE_EQ(causal_product_fraction(256), 0.625); // (1 + 2 + 3 + 4) / 16
    EXPECT_DOUBLE_EQ(causal_product_fraction(150), (64.0 * 64 + 64.0 * 128 + 22.0 * 150) / (150.0 * 150));
}

// The transformer keeps the scores only for a hook that asks for them: the recorded scores are -inf above the
// diagonal and their row softmax is the recorded pattern, and recording them does not change the forward.
TEST(AttentionBlocks, TransformerScoresHookMatchesPatternAndChangesNothing) {
    TransformerConfig cfg;
    cfg.vocab = 11;
    cfg.max_seq = 100;
    cfg.dim = 16;
    cfg.n_heads = 2;
    const int Bm = 2, Tm = 100; // two row blocks, the second ragged
    Transformer m(cfg, Bm, Tm);
    m.init(5);
    std::vector<int32_t> tok(size_t(Bm) * Tm);
    CounterRng rng(3, 4);
    for (auto &t : tok) t = int32_t(rng.uniform_int(11));
    m.forward(tok.data(), nullptr, nullptr);
    const std::vector<float> plain(m.logits(), m.logits() + tok.size() * 11);
    ActivationCapture cap({"blocks.1.attn.hook_attn_scores", "blocks.1.attn.hook_pattern"});
    m.forward(tok.data(), nullptr, nullptr, &cap);
    EXPECT_EQ(0, std::memcmp(plain.data(), m.logits(), plain.size() * sizeof(float)));
    EXPECT_FALSE(cap.has("blocks.0.attn.hook_attn_scores"));
    const NpyArray &sc = cap.get("blocks.1.attn.hook_attn_scores");
    ASSERT_EQ(sc.shape, (std::vector<size_t>{size_t(Bm), 2, size_t(Tm), size_t(Tm)}));
    const std::vector<double> s = sc.to_double(), pat = cap.get("blocks.1.attn.hook_pattern").to_double();
    for (size_t row = 0; row < size_t(Bm) * 2 * Tm; ++row) {
        const size_t t = row % Tm, r0 = row * Tm;
        double mx = -1e300, sum = 0.0;
        for (size_t k = 0; k <= t; ++k) mx = std::max(mx, s[r0 + k]);
        for (size_t k = 0; k <= t; ++k) sum += std::exp(s[r0 + k] - mx);
        for (size_t k = 0; k < size_t(Tm); ++k) {
            if (k > t) {
                ASSERT_EQ(s[r0 + k], -std::numeric_limits<double>::infinity()) << row << "," << k;
                ASSERT_EQ(pat[r0 + k], 0.0);
            } else {
                ASSERT_NEAR(pat[r0 + k], std::exp(s[r0 + k] - mx) / sum, 1e-6) << row << "," << k;
            }
        }
    }
}

// The weight and bias gradients of LayerNorm: per channel, a double sum over the rows in row order, exactly
// as a direct loop computes it (C = 20: one full block of 16 channels and a ragged one).
TEST(LayerNormBlocks, ParameterGradientsAreTheSerialRowSumsBitForBit) {
    const int N = 37, LC = 20;
    auto x = random_vec(size_t(N) * LC, 9), dy = random_vec(size_t(N) * LC, 10), w = random_vec(LC, 11),
         bias = random_vec(LC, 12);
    std::vector<float> y(x.size()), mean(N), rstd(N), dx(x.size()), dw(LC, 0.5f), db(LC, -0.25f);
    layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), bias.data(), N, LC);
    layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, LC);
    for (int c = 0; c < LC; ++c) {
        double gw = 0.0, gb = 0.0;
        for (int r = 0; r < N; ++r) {
            const float d = dy[size_t(r) * LC + size_t(c)];
            const float xhat = (x[size_t(r) * LC + size_t(c)] - mean[size_t(r)]) * rstd[size_t(r)];
            gw += double(d) * xhat;
            gb += d;
        }
        EXPECT_EQ(dw[size_t(c)], 0.5f + float(gw)) << c;
        EXPECT_EQ(db[size_t(c)], -0.25f + float(gb)) << c;
    }
}
