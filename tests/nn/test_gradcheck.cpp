// Finite-difference gradient check of every op, ggml test-backend-ops "grad" style: one harness, many
// small cases. Each case maps input tensors to an output tensor; the harness draws a random cotangent r,
// takes L = sum(r * out) (accumulated in double), and compares the backward's d L / d input with central
// differences (L(x + eps) - L(x - eps)) / (2 eps), eps = 1e-3, on every element of every input.
// The ops are fp32, so round-off in L is ~1e-7 |L| / eps; the check is normwise:
//   ||g_fd - g|| / ||g|| <= 2e-3    (a wrong term in a backward gives O(1) errors).
#include "nn/attention.h"
#include "nn/cross_entropy.h"
#include "nn/embedding.h"
#include "nn/l2norm.h"
#include "nn/layernorm.h"
#include "nn/linear.h"
#include "nn/mlp.h"
#include "nn/residual.h"

#include "core/rng.h"

#include <cmath>
#include <functional>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::nn;

namespace {

using Tensors = std::vector<std::vector<float>>;

struct GradCase {
    std::string name;
    Tensors inputs;
    // out = f(inputs)
    std::function<std::vector<float>(const Tensors &)> forward;
    // grads (shaped as inputs, zero-initialised by the harness) += J^T dout
    std::function<void(const Tensors &, const std::vector<float> &dout, Tensors &grads)> backward;
};

constexpr double kEps = 1e-3;
constexpr double kTol = 2e-3;

std::vector<float> randn(size_t n, uint64_t seed, double scale = 1.0) {
    CounterRng rng(seed, 7);
    std::vector<float> v(n);
    for (auto &x : v) x = float(scale * rng.normal());
    return v;
}

double dot(const std::vector<float> &a, const std::vector<float> &b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
    return s;
}

void run_case(GradCase c) {
    std::vector<float> out = c.forward(c.inputs);
    std::vector<float> r = randn(out.size(), 4242);
    Tensors grads;
    for (const auto &t : c.inputs) grads.emplace_back(t.size(), 0.0f);
    c.backward(c.inputs, r, grads);
    for (size_t i = 0; i < c.inputs.size(); ++i) {
        double num = 0.0, den = 0.0;
        for (size_t j = 0; j < c.inputs[i].size(); ++j) {
            float x0 = c.inputs[i][j];
            c.inputs[i][j] = float(x0 + kEps);
            double lp = dot(r, c.forward(c.inputs));
            c.inputs[i][j] = float(x0 - kEps);
            double lm = dot(r, c.forward(c.inputs));
            c.inputs[i][j] = x0;
            double fd = (lp - lm) / (2 * kEps);
            num += (fd - grads[i][j]) * (fd - grads[i][j]);
            den += double(grads[i][j]) * grads[i][j];
        }
        double err = std::sqrt(num / std::max(den, 1e-30));
        EXPECT_LE(err, kTol) << c.name << ": input " << i << " normwise FD error " << err;
        EXPECT_GT(den, 0.0) << c.name << ": input " << i << " has an all-zero gradient (the check would be vacuous)";
    }
}

// Shapes shared by the cases
constexpr int B = 2, T = 5, C = 8, V = 7, H = 12;
constexpr int N = B * T;

} // namespace

TEST(GradCheck, Embedding) {
    std::vector<int32_t> tok{0, 3, 6, 3, 1, 2, 2, 5, 0, 4};
    run_case({"embedding",
              {randn(V * C, 1), randn(T * C, 2)},
              [=](const Tensors &in) {
                  std::vector<float> o(N * C);
                  embedding_forward(o.data(), tok.data(), in[0].data(), in[1].data(), B, T, C, V);
                  return o;
              },
              [=](const Tensors &, const std::vector<float> &d, Tensors &g) {
                  embedding_backward(g[0].data(), g[1].data(), d.data(), tok.data(), B, T, C);
              }});
}

TEST(GradCheck, LinearWithAndWithoutBias) {
    for (bool bias : {false, true}) {
        Tensors in{randn(N * C, 3), randn(V * C, 4, 0.3)};
        if (bias) in.push_back(randn(V, 5));
        run_case({bias ? "linear+bias" : "linear", in,
                  [=](const Tensors &x) {
                      std::vector<float> o(N * V);
                      linear_forward(o.data(), x[0].data(), x[1].data(), bias ? x[2].data() : nullptr, N, C, V);
                      return o;
                  },
                  [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                      linear_backward(g[0].data(), g[1].data(), bias ? g[2].data() : nullptr, d.data(), x[0].data(),
                                      x[1].data(), N, C, V);
                  }});
    }
}

TEST(GradCheck, AttentionHeadsAndScaling) {
    struct Opt {
        int nh;
        bool sqrtd;
    };
    for (Opt o : {Opt{1, true}, Opt{1, false}, Opt{2, true}, Opt{4, false}}) {
        const float scale = o.sqrtd ? 1.0f / std::sqrt(float(C / o.nh)) : 1.0f;
        const int nh = o.nh;
        run_case({"attention nh=" + std::to_string(nh) + (o.sqrtd ? " /sqrt(d)" : " no sqrtd"),
                  {randn(N * C, 10 + nh, 0.5), randn(N * C, 20 + nh, 0.5), randn(N * C, 30 + nh)},
                  [=](const Tensors &x) {
                      std::vector<float> out(N * C), pre(B * nh * T * T), att(B * nh * T * T);
                      attention_forward(out.data(), pre.data(), att.data(), x[0].data(), x[1].data(), x[2].data(), B, T,
                                        C, nh, scale);
                      return out;
                  },
                  [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                      std::vector<float> out(N * C), pre(B * nh * T * T), att(B * nh * T * T), da(att.size()),
                          dp(att.size());
                      attention_forward(out.data(), pre.data(), att.data(), x[0].data(), x[1].data(), x[2].data(), B, T,
                                        C, nh, scale);
                      attention_backward(g[0].data(), g[1].data(), g[2].data(), da.data(), dp.data(), d.data(),
                                         x[0].data(), x[1].data(), x[2].data(), att.data(), B, T, C, nh, scale);
                  }});
    }
}

// Bietti et al.'s layer: W_Q = identity, so q = v-input = x and x's gradient collects three paths.
TEST(GradCheck, AttentionWithIdentityQueryLayer) {
    run_case({"attention W_Q=I layer",
              {randn(N * C, 40, 0.7), randn(C * C, 41, 0.3)},
              [=](const Tensors &x) {
                  std::vector<float> k(N * C), out(N * C), pre(B * T * T), att(B * T * T);
                  linear_forward(k.data(), x[0].data(), x[1].data(), nullptr, N, C, C);
                  attention_forward(out.data(), pre.data(), att.data(), x[0].data(), k.data(), x[0].data(), B, T, C, 1,
                                    1.0f / std::sqrt(float(C)));
                  return out;
              },
              [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                  std::vector<float> k(N * C), out(N * C), pre(B * T * T), att(B * T * T), da(att.size()),
                      dp(att.size()), dk(N * C, 0.0f);
                  const float s = 1.0f / std::sqrt(float(C));
                  linear_forward(k.data(), x[0].data(), x[1].data(), nullptr, N, C, C);
                  attention_forward(out.data(), pre.data(), att.data(), x[0].data(), k.data(), x[0].data(), B, T, C, 1,
                                    s);
                  attention_backward(g[0].data(), dk.data(), g[0].data(), da.data(), dp.data(), d.data(), x[0].data(),
                                     k.data(), x[0].data(), att.data(), B, T, C, 1, s);
                  linear_backward(g[0].data(), g[1].data(), nullptr, dk.data(), x[0].data(), x[1].data(), N, C, C);
              }});
}

TEST(GradCheck, Residual) {
    run_case({"residual",
              {randn(N * C, 50), randn(N * C, 51)},
              [=](const Tensors &x) {
                  std::vector<float> o(N * C);
                  residual_forward(o.data(), x[0].data(), x[1].data(), o.size());
                  return o;
              },
              [=](const Tensors &, const std::vector<float> &d, Tensors &g) {
                  residual_backward(g[0].data(), g[1].data(), d.data(), d.size());
              }});
}

TEST(GradCheck, LayerNorm) {
    run_case({"layernorm",
              {randn(N * C, 60, 2.0), randn(C, 61), randn(C, 62)},
              [=](const Tensors &x) {
                  std::vector<float> o(N * C), m(N), r(N);
                  layernorm_forward(o.data(), m.data(), r.data(), x[0].data(), x[1].data(), x[2].data(), N, C);
                  return o;
              },
              [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                  std::vector<float> o(N * C), m(N), r(N);
                  layernorm_forward(o.data(), m.data(), r.data(), x[0].data(), x[1].data(), x[2].data(), N, C);
                  layernorm_backward(g[0].data(), g[1].data(), g[2].data(), d.data(), x[0].data(), x[1].data(),
                                     m.data(), r.data(), N, C);
              }});
}

TEST(GradCheck, ReluMlpWithBiases) {
    // ReLU has a kink: pick the first seed whose hidden pre-activations all stay > 10 eps away from 0.
    Tensors in;
    for (uint64_t seed = 70;; seed += 10) {
        in = {randn(N * C, seed), randn(H * C, seed + 1, 0.4), randn(H, seed + 2, 0.3), randn(C * H, seed + 3, 0.3),
              randn(C, seed + 4)};
        std::vector<float> pre(N * H);
        linear_forward(pre.data(), in[0].data(), in[1].data(), in[2].data(), N, C, H);
        bool clear = true;
        for (float p : pre) clear = clear && std::fabs(p) > 10 * kEps;
        if (clear) break;
        ASSERT_LT(seed, 10000u);
    }
    run_case({"relu mlp", in,
              [=](const Tensors &x) {
                  std::vector<float> o(N * C), hp(N * H), h(N * H);
                  mlp_forward(o.data(), hp.data(), h.data(), x[0].data(), x[1].data(), x[2].data(), x[3].data(),
                              x[4].data(), N, C, H);
                  return o;
              },
              [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                  std::vector<float> o(N * C), hp(N * H), h(N * H), dh(N * H);
                  mlp_forward(o.data(), hp.data(), h.data(), x[0].data(), x[1].data(), x[2].data(), x[3].data(),
                              x[4].data(), N, C, H);
                  mlp_backward(g[0].data(), g[1].data(), g[2].data(), g[3].data(), g[4].data(), dh.data(), d.data(),
                               x[0].data(), hp.data(), h.data(), x[1].data(), x[3].data(), N, C, H);
              }});
}

TEST(GradCheck, MaskedCrossEntropy) {
    std::vector<int32_t> y{1, 0, 6, 3, 3, 2, 5, 4, 0, 1};
    std::vector<uint8_t> mask{1, 0, 0, 1, 1, 0, 1, 0, 0, 1};
    for (bool masked : {true, false}) {
        run_case(
            {masked ? "cross-entropy masked" : "cross-entropy all",
             {randn(N * V, 80, 2.0)},
             [=](const Tensors &x) {
                 std::vector<float> l(N), p(N * V);
                 return std::vector<float>{cross_entropy_forward(l.data(), p.data(), x[0].data(), y.data(),
                                                                 masked ? mask.data() : nullptr, N, V)};
             },
             [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                 std::vector<float> l(N), p(N * V);
                 cross_entropy_forward(l.data(), p.data(), x[0].data(), y.data(), masked ? mask.data() : nullptr, N, V);
                 cross_entropy_backward(g[0].data(), p.data(), y.data(), masked ? mask.data() : nullptr, N, V, d[0]);
             }});
    }
}

TEST(GradCheck, L2Norm) {
    run_case({"l2norm",
              {randn(N * C, 90)},
              [=](const Tensors &x) {
                  std::vector<float> o(N * C), nr(N);
                  l2norm_forward(o.data(), nr.data(), x[0].data(), N, C);
                  return o;
              },
              [=](const Tensors &x, const std::vector<float> &d, Tensors &g) {
                  std::vector<float> o(N * C), nr(N);
                  l2norm_forward(o.data(), nr.data(), x[0].data(), N, C);
                  l2norm_backward(g[0].data(), d.data(), o.data(), nr.data(), x[0].data(), N, C);
              }});
}

// The masked loss ignores unselected rows entirely: their logits get exactly zero gradient.
TEST(GradCheck, MaskedRowsGetNoGradient) {
    std::vector<float> logits = randn(N * V, 81), l(N), p(N * V), g(N * V, 0.0f);
    std::vector<int32_t> y(N, 2);
    std::vector<uint8_t> mask(N, 0);
    mask[3] = 1;
    float loss = cross_entropy_forward(l.data(), p.data(), logits.data(), y.data(), mask.data(), N, V);
    cross_entropy_backward(g.data(), p.data(), y.data(), mask.data(), N, V);
    EXPECT_FLOAT_EQ(loss, l[3]);
    for (int i = 0; i < N; ++i)
        for (int v = 0; v < V; ++v)
            if (i != 3) {
                EXPECT_EQ(g[i * V + v], 0.0f);
            }
}
