// The engine against the PyTorch oracle (tests/golden/make_golden.py, torch 1.13, fp32): logits, loss,
// attention patterns and every gradient of the simplified and the full model, then five SGD and five
// AdamW steps with parameter groups and freeze-until schedules; and the options of the full model
// (tests/golden/make_golden_full.py: post-norm, sin/cos positions, per-layer FFN kinds, identity or frozen
// W_V / W_O, tied output) over 20 steps of the full trainer's SGD and AdamW defaults.
//
// Tolerances (relative error = max|got - want| / max|want| per tensor, see golden_io.h):
//   forward (logits, loss, patterns) and gradients: 1e-5, the bar;
//   parameters after 1..5 optimiser steps: 1e-5 as well (SGD and AdamW).
#include "golden_io.h"
#include "nn/capture.h"
#include "nn/freeze_schedule.h"
#include "nn/l2norm.h"
#include "nn/optimizer.h"
#include "nn/transformer.h"
#include "simple_model.h"

#include <algorithm>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::nn;
using namespace tdlab::nn::testing;

namespace {

constexpr double kForwardTol = 1e-5;
constexpr double kGradTol = 1e-5;
constexpr double kStepTol = 1e-5;

struct Case {
    std::string dir;
    std::vector<ParamGroupSpec> groups;
    std::string freeze;
    SgdOptions sgd{0.2, 0.9, 1e-2};
    AdamWOptions adamw{0.01, 0.9, 0.95, 1e-8, 0.05};
    std::vector<int> keep{1, 2, 3, 4, 5}; // steps whose parameters the oracle saved (1-based)
};

void load_init(ParameterSet &ps, const std::string &dir) {
    for (auto &p : ps.all()) {
        std::vector<float> v = load_f32(golden_dir(dir) / ("init." + p.name + ".npy"));
        ASSERT_EQ(v.size(), p.size) << p.name;
        std::copy(v.begin(), v.end(), p.value);
    }
}

template <class Model> void check_forward_backward(Model &m, const Case &c, bool has_mask) {
    auto tokens = load_i32(golden_dir(c.dir) / "tokens.npy");
    auto targets = load_i32(golden_dir(c.dir) / "targets.npy");
    std::vector<int64_t> mask64 =
        has_mask ? read_npy(golden_dir(c.dir) / "mask.npy").to_int64() : std::vector<int64_t>{};
    std::vector<uint8_t> mask(mask64.begin(), mask64.end());
    load_init(m.params(), c.dir);
    m.params().zero_grad();
    float loss = m.forward(tokens.data(), targets.data(), has_mask ? mask.data() : nullptr);
    float want_loss = load_f32(golden_dir(c.dir) / "loss.npy")[0];
    EXPECT_NEAR(loss, want_loss, kForwardTol * std::fabs(want_loss)) << c.dir << " loss";
    auto logits = load_f32(golden_dir(c.dir) / "logits.npy");
    EXPECT_TENSOR_NEAR(m.logits(), logits.data(), logits.size(), kForwardTol, c.dir + " logits");
    if (std::filesystem::exists(golden_dir(c.dir) / "pattern0.npy"))
        for (int l = 0; l < 2; ++l) {
            auto att = load_f32(golden_dir(c.dir) / ("pattern" + std::to_string(l) + ".npy"));
            EXPECT_TENSOR_NEAR(m.pattern(l), att.data(), att.size(), kForwardTol,
                               c.dir + " pattern" + std::to_string(l));
        }
    m.backward();
    int checked = 0;
    for (const auto &p : m.params().all()) {
        auto file = golden_dir(c.dir) / ("grad." + p.name + ".npy");
        if (!p.trainable) {
            EXPECT_FALSE(std::filesystem::exists(file)) << p.name << " is frozen in torch too";
            continue;
        }
        auto g = load_f32(file);
        ASSERT_EQ(g.size(), p.size) << p.name;
        EXPECT_TENSOR_NEAR(p.grad, g.data(), g.size(), kGradTol, c.dir + " grad " + p.name);
        ++checked;
    }
    EXPECT_GE(checked, 4);
    int oracle_grads = 0; // and no parameter that torch trains is missing here
    for (const auto &f : std::filesystem::directory_iterator(golden_dir(c.dir)))
        oracle_grads += f.path().filename().string().rfind("grad.", 0) == 0;
    EXPECT_EQ(checked, oracle_grads) << c.dir;

    // Five steps of each optimiser from the initial weights, on the same batch, as the oracle does.
    for (const std::string opt_name : {"sgd", "adamw"}) {
        load_init(m.params(), c.dir);
        std::unique_ptr<Optimizer> opt;
        if (opt_name == "sgd")
            opt = std::make_unique<Sgd>(m.params(), c.sgd, c.groups);
        else
            opt = std::make_unique<AdamW>(m.params(), c.adamw, c.groups);
        FreezeSchedule fs = FreezeSchedule::parse(c.freeze);
        auto want_losses = load_f32(golden_dir(c.dir) / (opt_name + "_loss.npy"));
        std::map<std::string, std::vector<float>> traj;
        for (const auto &p : m.params().all())
            if (p.trainable) traj[p.name] = load_f32(golden_dir(c.dir) / (opt_name + "." + p.name + ".npy"));
        const int steps = int(want_losses.size());
        for (int it = 0, saved = 0; it < steps; ++it) {
            fs.apply(m.params(), it);
            m.params().zero_grad();
            float l = m.forward(tokens.data(), targets.data(), has_mask ? mask.data() : nullptr);
            EXPECT_NEAR(l, want_losses[it], kStepTol * std::fabs(want_losses[it])) << opt_name << " loss step " << it;
            m.backward();
            opt->step();
            if (std::find(c.keep.begin(), c.keep.end(), it + 1) == c.keep.end()) continue;
            for (const auto &p : m.params().all()) {
                if (!p.trainable) continue;
                EXPECT_TENSOR_NEAR(p.value, traj[p.name].data() + size_t(saved) * p.size, p.size, kStepTol,
                                   c.dir + " " + opt_name + " step " + std::to_string(it + 1) + " " + p.name);
            }
            ++saved;
        }
        for (auto &p : m.params().all()) p.requires_grad = p.trainable;
    }
}

} // namespace

TEST(Golden, SimplifiedModelWithSqrtdAndWF) {
    SimpleModel m(11, 8, 16, 3, /*sqrtd=*/true, /*ffn=*/true);
    Case c{"simple",
           {{"wo", {"layers.1.attention.wo.weight"}, 0.05, std::nullopt}},
           "2:layers.0.attention.wk.weight, 3:layers.1.ff.weight"};
    check_forward_backward(m, c, true);
}

TEST(Golden, SimplifiedModelNoSqrtd) {
    SimpleModel m(11, 8, 16, 3, /*sqrtd=*/false, /*ffn=*/false);
    check_forward_backward(m, Case{"simple_nosqrtd", {}, ""}, true);
}

TEST(Golden, FullModelLayerNormMlpMultiHead) {
    TransformerConfig cfg;
    cfg.vocab = 11;
    cfg.max_seq = 8;
    cfg.dim = 16;
    cfg.n_layers = 2;
    cfg.n_heads = 4;
    cfg.ffn_hidden = 32;
    Transformer m(cfg, 2, 8);
    Case c{"full", {{"emb", {"*_embeddings.weight"}, 0.02, std::nullopt}}, "1:layers.0.attention.wq.weight"};
    check_forward_backward(m, c, false);
}

// The options of the full model (tests/golden/make_golden_full.py): 20 steps of the full trainer's SGD and
// AdamW defaults, parameters compared after steps 1, 2, 5, 10 and 20.
Case full_options_case(const std::string &dir) {
    Case c{dir, {}, ""};
    c.sgd = SgdOptions{0.01, 0.9, 0.01};
    c.adamw = AdamWOptions{0.01, 0.9, 0.99, 1e-8, 0.01};
    c.keep = {1, 2, 5, 10, 20};
    return c;
}

TransformerConfig small_full_config() {
    TransformerConfig cfg;
    cfg.vocab = 11;
    cfg.max_seq = 8;
    cfg.dim = 16;
    cfg.n_layers = 2;
    cfg.n_heads = 4;
    return cfg;
}

TEST(Golden, FullModelPreNormSinCosMixedFfnTiedFrozenWo) {
    TransformerConfig cfg = small_full_config();
    cfg.sin_cos = true;
    cfg.layer_ffn = {FfnKind::None, FfnKind::Linear};
    cfg.tie_output = true;
    cfg.freeze_wo = true;
    Transformer m(cfg, 2, 8);
    EXPECT_EQ(m.params().find("output.weight"), nullptr);
    EXPECT_EQ(m.params().find("pos_embeddings.weight"), nullptr);
    check_forward_backward(m, full_options_case("full_pre_mix"), false);
}

TEST(Golden, FullModelPostNormReluNoWv) {
    TransformerConfig cfg = small_full_config();
    cfg.pre_norm = false;
    cfg.no_wv = true;
    Transformer m(cfg, 2, 8);
    EXPECT_EQ(m.params().find("norm.weight"), nullptr);
    check_forward_backward(m, full_options_case("full_post"), false);
}

TEST(Golden, FullModelPostNormMixedFfnNoWoFrozenWvAndEmbeddingsTied) {
    TransformerConfig cfg = small_full_config();
    cfg.pre_norm = false;
    cfg.layer_ffn = {FfnKind::Linear, FfnKind::None};
    cfg.no_wo = true;
    cfg.freeze_wv = true;
    cfg.freeze_embeddings = true;
    cfg.tie_output = true;
    Transformer m(cfg, 2, 8);
    check_forward_backward(m, full_options_case("full_post_mix"), false);
}

TEST(Golden, FullModelCaptureMatchesOraclePattern) {
    TransformerConfig cfg;
    cfg.vocab = 11, cfg.max_seq = 8, cfg.dim = 16, cfg.n_layers = 2, cfg.n_heads = 4, cfg.ffn_hidden = 32;
    Transformer m(cfg, 2, 8);
    load_init(m.params(), "full");
    auto tokens = load_i32(golden_dir("full") / "tokens.npy");
    ActivationCapture cap({"blocks.*.attn.hook_pattern", "logits"});
    m.forward(tokens.data(), nullptr, nullptr, &cap);
    EXPECT_EQ(cap.names(),
              (std::vector<std::string>{"blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern", "logits"}));
    const NpyArray &pat = cap.get("blocks.1.attn.hook_pattern");
    EXPECT_EQ(pat.shape, (std::vector<size_t>{2, 4, 8, 8}));
    auto want = load_f32(golden_dir("full") / "pattern1.npy");
    std::vector<double> got = pat.to_double();
    std::vector<float> gotf(got.begin(), got.end());
    EXPECT_TENSOR_NEAR(gotf.data(), want.data(), want.size(), kForwardTol, "captured hook_pattern");
}

TEST(Golden, L2Normalisation) {
    auto x = load_f32(golden_dir("ops") / "l2norm_in.npy");
    auto r = load_f32(golden_dir("ops") / "l2norm_dout.npy");
    auto want_out = load_f32(golden_dir("ops") / "l2norm_out.npy");
    auto want_din = load_f32(golden_dir("ops") / "l2norm_din.npy");
    std::vector<float> out(35), norm(5), din(35, 0.0f);
    l2norm_forward(out.data(), norm.data(), x.data(), 5, 7);
    l2norm_backward(din.data(), r.data(), out.data(), norm.data(), x.data(), 5, 7);
    EXPECT_TENSOR_NEAR(out.data(), want_out.data(), 35, kForwardTol, "l2norm out");
    EXPECT_TENSOR_NEAR(din.data(), want_din.data(), 35, kGradTol, "l2norm din (incl. a zero row: eps clamp)");
}
