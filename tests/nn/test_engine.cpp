// Engine invariants: identical bytes for any thread count, freeze schedules and parameter groups
// (parsing, errors, no momentum while frozen), the top-down zero-gradient identity of the simplified
// model, and activation-capture filtering.
#include "core/error.h"
#include "nn/blas_threads.h"
#include "nn/capture.h"
#include "nn/freeze_schedule.h"
#include "nn/optimizer.h"
#include "nn/transformer.h"
#include "simple_model.h"

#include "core/rng.h"

#include <cstring>
#include <gtest/gtest.h>
#include <omp.h>

using namespace tdlab;
using namespace tdlab::nn;

namespace {
std::vector<int32_t> tokens_for(int n, int V, uint64_t seed) {
    CounterRng rng(seed, 1);
    std::vector<int32_t> t(n);
    for (auto &x : t) x = int32_t(rng.uniform_int(V));
    return t;
}

// Logits and all gradients of a full-model forward/backward as raw bytes, at a given thread count.
std::vector<float> full_model_run(int threads) {
    omp_set_num_threads(threads);
    TransformerConfig cfg;
    cfg.vocab = 13, cfg.max_seq = 32, cfg.dim = 32, cfg.n_layers = 2, cfg.n_heads = 4, cfg.ffn_hidden = 0;
    Transformer m(cfg, 4, 32);
    m.init(7);
    auto x = tokens_for(4 * 32, 13, 1), y = tokens_for(4 * 32, 13, 2);
    m.params().zero_grad();
    m.forward(x.data(), y.data(), nullptr);
    m.backward();
    std::vector<float> out(m.logits(), m.logits() + 4 * 32 * 13);
    for (const auto &p : m.params().all()) out.insert(out.end(), p.grad, p.grad + p.size);
    return out;
}
} // namespace

TEST(Engine, SameBytesForAnyThreadCount) {
    std::vector<float> a = full_model_run(1), b = full_model_run(2), c = full_model_run(3);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(a.data(), c.data(), a.size() * sizeof(float)));
    omp_set_num_threads(omp_get_num_procs());
}

TEST(Engine, FreezeScheduleParsingAndErrors) {
    FreezeSchedule fs = FreezeSchedule::parse("300:layers.1.attention.wo.weight, 300:layers.0.attention.wk.weight");
    EXPECT_EQ(fs.thaw_iter("layers.1.attention.wo.weight"), 300);
    EXPECT_EQ(fs.thaw_iter("output.weight"), 0);
    EXPECT_TRUE(FreezeSchedule::parse("").entries().empty());
    EXPECT_THROW(FreezeSchedule::parse("300"), UsageError);
    EXPECT_THROW(FreezeSchedule::parse("x:layers.0"), UsageError);
    EXPECT_THROW(FreezeSchedule::parse("-1:a"), UsageError);
    nn::testing::SimpleModel m(5, 4, 8, 1, true, false);
    FreezeSchedule bad = FreezeSchedule::parse("3:layers.7.nope");
    try {
        bad.apply(m.params(), 0);
        FAIL() << "unknown parameter accepted";
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("layers.7.nope"), std::string::npos);
    }
    fs.apply(m.params(), 299);
    EXPECT_FALSE(m.params().at("layers.1.attention.wo.weight").requires_grad);
    EXPECT_TRUE(m.params().at("layers.1.attention.wk.weight").requires_grad);
    EXPECT_FALSE(m.params().at("layers.0.attention.wv.weight").requires_grad); // frozen for ever
    fs.apply(m.params(), 300);
    EXPECT_TRUE(m.params().at("layers.1.attention.wo.weight").requires_grad);
    EXPECT_FALSE(m.params().at("layers.1.attention.wv.weight").requires_grad);
}

TEST(Engine, FrozenParameterGetsNoDecayNoMomentum) {
    ParameterSet ps;
    ps.add("a", {3});
    ps.add("b", {3});
    ps.allocate();
    for (int i = 0; i < 3; ++i) ps.at("a").value[i] = ps.at("b").value[i] = 1.0f + i;
    Sgd sgd(ps, SgdOptions{0.1, 0.9, 0.5});
    FreezeSchedule fs = FreezeSchedule::parse("2:b");
    for (int it = 0; it < 3; ++it) {
        fs.apply(ps, it);
        for (int i = 0; i < 3; ++i) ps.at("a").grad[i] = ps.at("b").grad[i] = 1.0f;
        if (it < 2) {
            std::vector<float> before(ps.at("b").value, ps.at("b").value + 3);
            sgd.step();
            EXPECT_EQ(std::vector<float>(ps.at("b").value, ps.at("b").value + 3), before) << "frozen b moved";
            EXPECT_EQ(sgd.momentum_buffer("b"), nullptr);
        } else {
            float w = ps.at("b").value[1]; // first real step: buf = g + wd w, w -= lr buf (no stale momentum)
            sgd.step();
            EXPECT_FLOAT_EQ(ps.at("b").value[1], w - 0.1f * (1.0f + 0.5f * w));
            EXPECT_FLOAT_EQ(sgd.momentum_buffer("b")[1], 1.0f + 0.5f * w);
        }
    }
}

TEST(Engine, ParameterGroupsAndErrors) {
    ParameterSet ps;
    ps.add("layers.0.wk", {2});
    ps.add("layers.1.wk", {2});
    ps.add("output", {2});
    ps.add("frozen", {2}, false);
    ps.allocate();
    AdamW opt(ps, AdamWOptions{0.01, 0.9, 0.99, 1e-8, 0.01}, {{"keys", {"layers.*.wk"}, 0.5, 0.0}});
    EXPECT_DOUBLE_EQ(opt.lr_of("layers.1.wk"), 0.5);
    EXPECT_DOUBLE_EQ(opt.weight_decay_of("layers.0.wk"), 0.0);
    EXPECT_DOUBLE_EQ(opt.lr_of("output"), 0.01);
    EXPECT_THROW(opt.lr_of("frozen"), UsageError);
    opt.set_lr("keys", 0.25);
    EXPECT_DOUBLE_EQ(opt.lr_of("layers.0.wk"), 0.25);
    EXPECT_THROW(opt.set_lr("nope", 1.0), UsageError);
    EXPECT_THROW(Sgd(ps, SgdOptions{}, {{"g", {"nothing.*"}, 1.0, std::nullopt}}), UsageError);
    EXPECT_THROW(Sgd(ps, SgdOptions{}, {{"g1", {"output"}, 1.0, {}}, {"g2", {"out*"}, 1.0, {}}}), UsageError);
}

// Bietti et al. 2023, arXiv 2306.00802, Sec. 6 (docs/birth.md "Top-down learning"): W_K^2 reaches the logits only
// through W_O^2, so its gradient is exactly 0.
TEST(Engine, SimplifiedModelWK2GradientIsZeroWhenWO2IsZero) {
    nn::testing::SimpleModel m(11, 16, 16, 2, true, true);
    CounterRng rng(5, 5);
    for (auto &p : m.params().all())
        for (size_t i = 0; i < p.size; ++i) p.value[i] = float(rng.normal() * 0.5);
    auto &wo = m.params().at("layers.1.attention.wo.weight");
    std::fill(wo.value, wo.value + wo.size, 0.0f);
    auto x = tokens_for(32, 11, 3), y = tokens_for(32, 11, 4);
    m.params().zero_grad();
    m.forward(x.data(), y.data(), nullptr);
    m.backward();
    auto &g2 = m.params().at("layers.1.attention.wk.weight");
    for (size_t i = 0; i < g2.size; ++i) ASSERT_EQ(g2.grad[i], 0.0f) << i;
    auto &g1 = m.params().at("layers.0.attention.wk.weight");
    double n1 = 0;
    for (size_t i = 0; i < g1.size; ++i) n1 += std::fabs(g1.grad[i]);
    EXPECT_GT(n1, 0.0); // W_K^1 still gets a gradient through the layer-1 residual path
    EXPECT_GT(std::fabs(wo.grad[0]) + std::fabs(wo.grad[1]), 0.0f);
}

TEST(Engine, CaptureFiltersByGlob) {
    EXPECT_TRUE(glob_match("blocks.*.attn.hook_pattern", "blocks.10.attn.hook_pattern"));
    EXPECT_FALSE(glob_match("blocks.*.attn.hook_pattern", "blocks.1.attn.hook_q"));
    EXPECT_TRUE(glob_match("*", "logits"));
    EXPECT_FALSE(glob_match("log", "logits"));
    TransformerConfig cfg;
    cfg.vocab = 9, cfg.max_seq = 8, cfg.dim = 8, cfg.n_layers = 2, cfg.n_heads = 2, cfg.ffn_hidden = 0;
    Transformer m(cfg, 1, 8);
    m.init(3);
    auto x = tokens_for(8, 9, 1);
    ActivationCapture none;
    m.forward(x.data(), nullptr, nullptr, &none);
    EXPECT_TRUE(none.names().empty());
    ActivationCapture cap({"blocks.1.*"});
    m.forward(x.data(), nullptr, nullptr, &cap);
    EXPECT_TRUE(cap.has("blocks.1.attn.hook_pattern"));
    EXPECT_TRUE(cap.has("blocks.1.hook_resid_pre"));
    EXPECT_FALSE(cap.has("blocks.0.attn.hook_pattern"));
    EXPECT_THROW(cap.get("blocks.0.attn.hook_pattern"), UsageError);
    // pattern rows are distributions over keys s <= q and 0 beyond (causal)
    std::vector<double> pat = cap.get("blocks.1.attn.hook_pattern").to_double(); // [1, 2, 8, 8]
    for (int h = 0; h < 2; ++h)
        for (int q = 0; q < 8; ++q) {
            double s = 0;
            for (int k = 0; k < 8; ++k) {
                double a = pat[(h * 8 + q) * 8 + k];
                if (k > q) {
                    EXPECT_EQ(a, 0.0);
                }
                s += a;
            }
            EXPECT_NEAR(s, 1.0, 1e-6);
        }
    // resid_post of layer 0 is resid_pre of layer 1
    ActivationCapture both({"blocks.0.hook_resid_post", "blocks.1.hook_resid_pre"});
    m.forward(x.data(), nullptr, nullptr, &both);
    EXPECT_EQ(both.get("blocks.0.hook_resid_post").bytes, both.get("blocks.1.hook_resid_pre").bytes);
}
