// The simplified model against the PyTorch oracle (tests/golden/nn/simple*, written by
// tests/golden/make_golden.py), the exact top-down zero of Bietti et al. 2023 (arXiv 2306.00802)
// Sec. 6 (docs/birth.md "Top-down learning"), and the ideal memories of its Sec. 4 (>= 0.99 in-context accuracy, probes
// at 1).
#include "birth/char_stats.h"
#include "birth/ideal_memories.h"
#include "birth/model.h"
#include "birth/probes.h"
#include "birth/trigger_data.h"
#include "core/npy.h"
#include "nn/attention.h"
#include "nn/linear.h"
#include "nn/residual.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace tdlab::birth {
namespace {

const std::filesystem::path kGolden = std::filesystem::path(TDLAB_TEST_DATA) / "golden" / "nn";

double max_rel_err(const float *got, const std::vector<double> &want) {
    double scale = 0, err = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        scale = std::max(scale, std::abs(want[i]));
        err = std::max(err, std::abs(double(got[i]) - want[i]));
    }
    return err / std::max(scale, 1e-30);
}

void check_golden(const std::string &caze, bool sqrtd, bool ffn) {
    const auto dir = kGolden / caze;
    ModelOptions o;
    o.vocab = 11;
    o.dim = 16;
    o.max_length = 8;
    o.final_ffn = ffn;
    o.no_sqrtd = !sqrtd;
    o.freeze_embeddings = false;
    o.freeze_output = false;
    SimplifiedModel model(o);
    for (auto &p : model.params().all()) {
        const auto v = read_npy(dir / ("init." + p.name + ".npy")).to_double();
        ASSERT_EQ(v.size(), p.size) << p.name;
        for (size_t i = 0; i < p.size; ++i) p.value[i] = float(v[i]);
    }
    const NpyArray tok = read_npy(dir / "tokens.npy");
    const auto x64 = tok.to_int64(), y64 = read_npy(dir / "targets.npy").to_int64();
    const auto m64 = read_npy(dir / "mask.npy").to_int64();
    const int B = int(tok.shape[0]), T = int(tok.shape[1]);
    std::vector<int32_t> x(x64.begin(), x64.end()), y(y64.begin(), y64.end());
    std::vector<uint8_t> mask(m64.begin(), m64.end());
    ModelActivations a = model.make_activations(B, T);
    const float loss = model.forward(a, x.data(), y.data(), mask.data());
    EXPECT_NEAR(loss, read_npy(dir / "loss.npy").to_double()[0], 1e-5 * std::abs(loss));
    EXPECT_LE(max_rel_err(a.logits, read_npy(dir / "logits.npy").to_double()), 1e-5);
    if (std::filesystem::exists(dir / "pattern1.npy")) {
        EXPECT_LE(max_rel_err(a.att1, read_npy(dir / "pattern0.npy").to_double()), 1e-5);
        EXPECT_LE(max_rel_err(a.att2, read_npy(dir / "pattern1.npy").to_double()), 1e-5);
    }
    model.params().zero_grad();
    model.backward(a);
    int checked = 0;
    for (const auto &p : model.params().all()) {
        const auto f = dir / ("grad." + p.name + ".npy");
        if (!p.trainable) {
            EXPECT_FALSE(std::filesystem::exists(f)) << p.name;
            continue;
        }
        ASSERT_TRUE(std::filesystem::exists(f)) << p.name;
        EXPECT_LE(max_rel_err(p.grad, read_npy(f).to_double()), 1e-5) << p.name;
        ++checked;
    }
    EXPECT_EQ(checked, ffn ? 6 : 5);
}

TEST(BirthModel, MatchesTorchOracleWithFfn) {
    check_golden("simple", true, true);
}
TEST(BirthModel, MatchesTorchOracleNoSqrtd) {
    check_golden("simple_nosqrtd", false, false);
}

ModelOptions small_options(int d, bool ffn) {
    ModelOptions o;
    o.dim = d;
    o.final_ffn = ffn;
    return o;
}

Batch fixed_batch(int k, int B, int T, bool fixed = true) {
    DataOptions d;
    d.k = k;
    d.fixed_triggers = fixed;
    d.seq_length = T;
    static std::vector<std::unique_ptr<TriggerData>> keep;
    keep.push_back(std::make_unique<TriggerData>(shakespeare_stats(), d));
    return keep.back()->gen_batch(5, StreamPurpose::Test, 0, B);
}

// One training step's forward and backward of `model` on the batch (gradients zeroed first).
ModelActivations forward_backward(SimplifiedModel &model, const Batch &b) {
    ModelActivations a = model.make_activations(b.B, b.T);
    model.params().zero_grad();
    model.forward(a, b.x.data(), b.y.data(), nullptr);
    model.backward(a);
    return a;
}

// Layer l of the simplified model in its direct form, three projections on its input h (B,T,d):
// k = h W_K^T, v = h W_V^T, z = attn(q = h, k, v), out = h + z W_O^T (the model fuses these; see below).
struct DirectLayer {
    std::vector<float> k, v, z, att, out;
};
DirectLayer direct_layer(const SimplifiedModel &model, int l, const float *h, int B, int T) {
    const int C = model.options().dim, BT = B * T;
    const size_t n = size_t(BT) * size_t(C);
    DirectLayer r{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n),
                  std::vector<float>(size_t(B) * T * T), std::vector<float>(n)};
    std::vector<float> pre(r.att.size());
    nn::linear_forward(r.k.data(), h, model.WK(l).value, nullptr, BT, C, C);
    nn::linear_forward(r.v.data(), h, model.WV(l).value, nullptr, BT, C, C);
    nn::attention_forward(r.z.data(), pre.data(), r.att.data(), h, r.k.data(), r.v.data(), B, T, C, 1,
                          model.attn_scale());
    nn::linear_forward(r.out.data(), r.z.data(), model.WO(l).value, nullptr, BT, C, C);
    nn::residual_forward(r.out.data(), r.out.data(), h, n);
    return r;
}

std::vector<double> as_double(const std::vector<float> &x) {
    return std::vector<double>(x.begin(), x.end());
}

// Layer 1 runs on the product W_O^1 W_V^1 of its two frozen matrices, and on the tables h0 is made of: k1 and
// v1 are gathered from E and P projected once, W_K^1's gradient is formed from dk1 summed per token and per
// position (src/birth/model.cpp). Against the direct form on h0 itself, run here with the same nn ops on the
// model's own h0 and dh1, at a width where the products are long: h1 and W_K^1's gradient agree to float32
// rounding (1e-5 of the largest entry), with E frozen (the paper's setting) and trained (the chain then also
// runs into h0).
TEST(BirthModel, LayerOneOnTheTablesMatchesTwoProjections) {
    for (const bool freeze_e : {true, false}) {
        ModelOptions o = small_options(128, false);
        o.freeze_embeddings = freeze_e;
        std::printf("d = %d, B = 4, T = 128, freeze_embeddings = %d\n", o.dim, int(freeze_e));
        SimplifiedModel model(o);
        model.init(5);
        const Batch b = fixed_batch(3, 4, 128);
        const ModelActivations a = forward_backward(model, b);
        const int B = b.B, T = b.T, C = o.dim, BT = B * T;
        const size_t n = size_t(BT) * size_t(C);
        const DirectLayer L = direct_layer(model, 0, a.h0, B, T);
        EXPECT_LE(max_rel_err(a.h1, as_double(L.out)), 1e-5);
        std::vector<float> dz(n, 0.0f), dk(n, 0.0f), dwk(size_t(C) * C, 0.0f);
        nn::linear_backward(dz.data(), nullptr, nullptr, a.dh1, L.z.data(), model.WO(0).value, BT, C, C);
        nn::attention_backward(nullptr, dk.data(), nullptr, nullptr, nullptr, dz.data(), a.h0, L.k.data(), L.v.data(),
                               L.att.data(), B, T, C, 1, model.attn_scale());
        nn::linear_backward(nullptr, dwk.data(), nullptr, dk.data(), a.h0, model.WK(0).value, BT, C, C);
        EXPECT_LE(max_rel_err(model.WK(0).grad, as_double(dwk)), 1e-5);
        EXPECT_GT(*std::max_element(dwk.begin(), dwk.end()), 0.0f); // W_K^1 does learn at this batch
    }
}

// Layer 2 runs on wov2 = W_O^2 W_V^2 (src/birth/model.cpp): the attention's values are h1 wov2^T and its
// output is the layer's, W_O^2's gradient comes back through wov2. Against the direct form (k, v, then W_O^2
// on the attention output) run with the same nn ops on the model's own h1 and dh2: h2, the gradients of W_O^2
// and W_K^2 and dh1 agree to float32 rounding (1e-5 of the largest entry); also with both keys frozen, where
// only W_O^2 trains and the attention backward forms dv alone.
TEST(BirthModel, LayerTwoOnWoWvMatchesThreeProjections) {
    for (const bool keys_frozen : {false, true}) {
        ModelOptions o = small_options(128, false);
        std::printf("d = %d, B = 4, T = 128, W_K^1 and W_K^2 frozen = %d\n", o.dim, int(keys_frozen));
        SimplifiedModel model(o);
        model.init(7);
        if (keys_frozen) model.WK(0).requires_grad = model.WK(1).requires_grad = false;
        const Batch b = fixed_batch(3, 4, 128);
        const ModelActivations a = forward_backward(model, b);
        const int B = b.B, T = b.T, C = o.dim, BT = B * T;
        const size_t n = size_t(BT) * size_t(C);
        const DirectLayer L = direct_layer(model, 1, a.h1, B, T);
        EXPECT_LE(max_rel_err(a.h2, as_double(L.out)), 1e-5);
        std::vector<float> dz(n, 0.0f), dk(n, 0.0f), dv(n, 0.0f), dh1(a.dh2, a.dh2 + n);
        std::vector<float> dwo(size_t(C) * C, 0.0f), dwk(dwo.size(), 0.0f);
        nn::linear_backward(dz.data(), dwo.data(), nullptr, a.dh2, L.z.data(), model.WO(1).value, BT, C, C);
        EXPECT_LE(max_rel_err(model.WO(1).grad, as_double(dwo)), 1e-5);
        EXPECT_GT(*std::max_element(dwo.begin(), dwo.end()), 0.0f);
        if (keys_frozen) continue; // nothing below layer 2's values trains
        nn::attention_backward(dh1.data(), dk.data(), dv.data(), nullptr, nullptr, dz.data(), a.h1, L.k.data(),
                               L.v.data(), L.att.data(), B, T, C, 1, model.attn_scale());
        nn::linear_backward(dh1.data(), dwk.data(), nullptr, dk.data(), a.h1, model.WK(1).value, BT, C, C);
        nn::linear_backward(dh1.data(), nullptr, nullptr, dv.data(), a.h1, model.WV(1).value, BT, C, C);
        EXPECT_LE(max_rel_err(model.WK(1).grad, as_double(dwk)), 1e-5);
        EXPECT_LE(max_rel_err(a.dh1, as_double(dh1)), 1e-5);
    }
}

// Spec 6.2 check 1: W_K^2 reaches the logits only through W_O^2, so its gradient is exactly zero when
// W_O^2 = 0 (with W_F, trainable E and W_U, loss on all positions), and nonzero otherwise.
TEST(BirthModel, WK2GradientExactlyZeroWhenWO2IsZero) {
    ModelOptions o = small_options(32, true);
    o.freeze_embeddings = false;
    o.freeze_output = false;
    SimplifiedModel model(o);
    model.init(3);
    const Batch b = fixed_batch(3, 4, 64);
    ModelActivations a = model.make_activations(b.B, b.T);
    auto grad_norm = [&](const nn::Parameter &p) {
        double s = 0;
        for (size_t i = 0; i < p.size; ++i) s += double(p.grad[i]) * p.grad[i];
        return std::sqrt(s);
    };
    model.params().zero_grad();
    model.forward(a, b.x.data(), b.y.data(), nullptr);
    model.backward(a);
    EXPECT_GT(grad_norm(model.WK(1)), 1e-6);
    std::fill(model.WO(1).value, model.WO(1).value + model.WO(1).size, 0.0f);
    model.params().zero_grad();
    model.forward(a, b.x.data(), b.y.data(), nullptr);
    model.backward(a);
    for (size_t i = 0; i < model.WK(1).size; ++i) ASSERT_EQ(model.WK(1).grad[i], 0.0f) << i;
    EXPECT_GT(grad_norm(model.WO(1)), 1e-6); // W_O^2 itself still learns (top-down: it goes first)
    EXPECT_GT(grad_norm(model.WK(0)), 0.0);  // W_K^1 keeps a (non-induction) gradient via the residual
}

// Spec 2.2 / 6.3 check 5: the ideal memories give an induction head that predicts every in-context
// token on fixed triggers, and every recall probe reads them back perfectly.
// d = 512: with the code's initialisation the frozen maps shrink norms by ~1/sqrt(3) per map, so the
// key signal |w_1|^2 ~ d/9 competes with E[z_s].w_1 cross-talk ~ sqrt(d)/3; at d = 256 the margin is
// ~4 sigma and about 4% of in-context positions fail, at d = 512 it is ~5.5 sigma.
constexpr int kIdealDim = 512;

TEST(BirthModel, IdealMemoriesGiveInContextAccuracy) {
    const CharStats &s = shakespeare_stats();
    SimplifiedModel model(small_options(kIdealDim, false));
    model.init(11);
    DataOptions d;
    d.k = 5;
    TriggerData data(s, d);
    set_ideal_memories(model, data.fixed_triggers(), s);
    const Batch b = data.gen_batch(9, StreamPurpose::Test, 0, 16);
    ModelActivations a = model.make_activations(b.B, b.T);
    model.forward(a, b.x.data(), b.y.data(), nullptr);
    const double acc = in_context_accuracy(b, a.logits, 65);
    std::printf("ideal memories d=%d: acc_end %.4f\n", kIdealDim, acc);
    EXPECT_GE(acc, 0.99);
    nlohmann::json m;
    batch_metrics(b, a, 65, m);
    EXPECT_GE(m["score_acc"].get<double>(), 0.99);  // layer 1 attends to the previous token
    EXPECT_GE(m["score2_acc"].get<double>(), 0.99); // layer 2 attends after the previous occurrence
    const ProbeValues p = memory_probes(model, data.fixed_triggers(), s);
    EXPECT_GE(p.wo1_acc, 0.99);
    EXPECT_EQ(p.wk1_acc, 1.0);
    EXPECT_EQ(p.wk1_all_acc, 1.0); // the ideal W_K^2 also beats every non-trigger key
    EXPECT_GE(p.wk0_acc, 0.99);
    EXPECT_EQ(p.wk0_64_acc, 1.0);
    EXPECT_EQ(p.ff1_loss, -1.0);
    // At the random initialisation the probes sit near chance (1/65, 1/K, 1/255).
    model.init(11);
    const ProbeValues p0 = memory_probes(model, data.fixed_triggers(), s);
    EXPECT_LT(p0.wo1_acc, 0.2);
    EXPECT_LT(p0.wk0_acc, 0.1);
    EXPECT_LE(p0.wk1_all_acc, 0.2); // chance 1/65 per trigger: at most one of the five by luck
}

// The ideal W_F memory is close to the global bigrams (small KL), far closer than at initialisation.
TEST(BirthModel, IdealBigramMemoryLowersFfnProbe) {
    const CharStats &s = shakespeare_stats();
    SimplifiedModel model(small_options(128, true));
    model.init(2);
    const double kl0 = memory_probes(model, {}, s).ff1_loss;
    set_ideal_memories(model, {}, s);
    const double kl1 = memory_probes(model, {}, s).ff1_loss;
    EXPECT_GT(kl0, 1.0);
    EXPECT_LT(kl1, 0.3 * kl0);
}

// With one fixed trigger R(W_K^2) is an argmax over a single key: 1 for any weights. It is reported as
// undefined (-1, the code's "absent"), not as a perfect recall (Fig 4's K = 1 variant).
TEST(BirthModel, KeyProbeOverOneTriggerIsUndefined) {
    const CharStats &s = shakespeare_stats();
    SimplifiedModel model(small_options(64, false));
    model.init(3);
    EXPECT_EQ(memory_probes(model, {7}, s).wk1_acc, -1.0);
    // Against all N keys the single trigger's recall is defined: 0 at this initialisation (chance 1/65), 1
    // once W_K^2 stores the trigger.
    EXPECT_EQ(memory_probes(model, {7}, s).wk1_all_acc, 0.0);
    set_ideal_memories(model, {7}, s);
    EXPECT_EQ(memory_probes(model, {7}, s).wk1_all_acc, 1.0);
    model.init(3);
    const double two = memory_probes(model, {7, 9}, s).wk1_acc;
    EXPECT_GE(two, 0.0);
    EXPECT_LE(two, 1.0);
}

} // namespace
} // namespace tdlab::birth
