#include "birth/model.h"

#include "core/error.h"
#include "core/rng.h"
#include "nn/attention.h"
#include "nn/cross_entropy.h"
#include "nn/embedding.h"
#include "nn/gemm.h"
#include "nn/linear.h"
#include "nn/residual.h"

#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace tdlab::birth {

SimplifiedModel::SimplifiedModel(const ModelOptions &opt) : opt_(opt) {
    if (opt.dim < 1 || opt.vocab < 2 || opt.max_length < 1)
        throw UsageError(fmt::format("model: dim = {}, vocab = {}, max_length = {} must be positive", opt.dim,
                                     opt.vocab, opt.max_length));
    const size_t d = size_t(opt.dim), N = size_t(opt.vocab);
    iE_ = params_.add("tok_embeddings.weight", {N, d}, !opt.freeze_embeddings);
    iP_ = params_.add("pos_embeddings", {size_t(opt.max_length), d}, false);
    iK1_ = params_.add("layers.0.attention.wk.weight", {d, d}, true);
    iV1_ = params_.add("layers.0.attention.wv.weight", {d, d}, false);
    iO1_ = params_.add("layers.0.attention.wo.weight", {d, d}, false);
    iK2_ = params_.add("layers.1.attention.wk.weight", {d, d}, true);
    iV2_ = params_.add("layers.1.attention.wv.weight", {d, d}, false);
    iO2_ = params_.add("layers.1.attention.wo.weight", {d, d}, true);
    if (opt.final_ffn) iF_ = params_.add("layers.1.ff.weight", {d, d}, true);
    iU_ = params_.add("output.weight", {N, d}, !opt.freeze_output);
    params_.allocate();
    for (auto &p : params_.all()) p.requires_grad = p.trainable;
}

float SimplifiedModel::attn_scale() const {
    return opt_.no_sqrtd ? 1.0f : 1.0f / std::sqrt(float(opt_.dim));
}

void SimplifiedModel::init(uint64_t seed) {
    // One counter stream per parameter (its index), so adding a parameter does not move the others.
    const double emb_sd = opt_.sqrtd_embeddings ? 1.0 / std::sqrt(double(opt_.dim)) : 1.0;
    const double bound = 1.0 / std::sqrt(double(opt_.dim)); // U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = d
    for (size_t i = 0; i < params_.count(); ++i) {
        nn::Parameter &p = params_[i];
        CounterRng rng(seed, 0x1000 + i);
        const bool table = i == iE_ || i == iP_;
        for (size_t j = 0; j < p.size; ++j)
            p.value[j] = table ? float(emb_sd * rng.normal()) : float(bound * (2.0 * rng.uniform() - 1.0));
    }
}

ModelActivations SimplifiedModel::make_activations(int B, int T) const {
    if (B < 1 || T < 1 || T > opt_.max_length)
        throw UsageError(
            fmt::format("model: batch {} x length {} impossible (max_length = {})", B, T, opt_.max_length));
    ModelActivations a;
    a.B = B;
    a.T = T;
    const size_t b = size_t(B), t = size_t(T), d = size_t(opt_.dim), N = size_t(opt_.vocab);
    const std::vector<size_t> btd{b, t, d}, btt{b, 1, t, t}, btn{b, t, N};
    std::vector<std::pair<float **, size_t>> fw, bw;
    auto plan = [&](nn::Arena &ar, std::vector<std::pair<float **, size_t>> &list, float **ptr, const char *name,
                    const std::vector<size_t> &shape) {
        list.push_back({ptr, ar.reserve(name, shape)});
    };
    for (auto [ptr, name] : std::initializer_list<std::pair<float **, const char *>>{{&a.h0, "h0"},
                                                                                     {&a.k1, "k1"},
                                                                                     {&a.v1, "v1"},
                                                                                     {&a.z1, "z1"},
                                                                                     {&a.h1, "h1"},
                                                                                     {&a.k2, "k2"},
                                                                                     {&a.ov2, "ov2"},
                                                                                     {&a.oz2, "oz2"},
                                                                                     {&a.h2, "h2"}})
        plan(a.acts, fw, ptr, name, btd);
    if (opt_.final_ffn) plan(a.acts, fw, &a.h3, "h3", btd);
    plan(a.acts, fw, &a.wov1, "wov1", {d, d});
    plan(a.acts, fw, &a.wov2, "wov2", {d, d});
    plan(a.acts, fw, &a.ek1, "ek1", {N, d});
    plan(a.acts, fw, &a.ev1, "ev1", {N, d});
    plan(a.acts, fw, &a.pk1, "pk1", {t, d});
    plan(a.acts, fw, &a.pv1, "pv1", {t, d});
    plan(a.acts, fw, &a.preatt1, "preatt1", btt);
    plan(a.acts, fw, &a.att1, "att1", btt);
    plan(a.acts, fw, &a.preatt2, "preatt2", btt);
    plan(a.acts, fw, &a.att2, "att2", btt);
    plan(a.acts, fw, &a.logits, "logits", btn);
    plan(a.acts, fw, &a.probs, "probs", btn);
    plan(a.acts, fw, &a.losses, "losses", {b, t});
    for (auto [ptr, name] : std::initializer_list<std::pair<float **, const char *>>{{&a.dh2, "dh2"},
                                                                                     {&a.dk2, "dk2"},
                                                                                     {&a.dov2, "dov2"},
                                                                                     {&a.dh1, "dh1"},
                                                                                     {&a.dk1, "dk1"},
                                                                                     {&a.dv1, "dv1"},
                                                                                     {&a.dh0, "dh0"}})
        plan(a.grads, bw, ptr, name, btd);
    if (opt_.final_ffn) plan(a.grads, bw, &a.dh3, "dh3", btd);
    plan(a.grads, bw, &a.dlogits, "dlogits", btn);
    plan(a.grads, bw, &a.dk1_tok, "dk1_tok", {N, d});
    plan(a.grads, bw, &a.dk1_pos, "dk1_pos", {t, d});
    plan(a.grads, bw, &a.dwov2, "dwov2", {d, d});
    a.datt = a.dpreatt = nullptr; // the attention backward keeps its T x T gradients in per-thread buffers
    a.acts.allocate();
    a.grads.allocate();
    for (auto &[ptr, slot] : fw) *ptr = a.acts.data(slot);
    for (auto &[ptr, slot] : bw) *ptr = a.grads.data(slot);
    return a;
}

float SimplifiedModel::forward(ModelActivations &a, const int32_t *x, const int32_t *y, const uint8_t *mask,
                               nn::ActivationCapture *cap) const {
    const int B = a.B, T = a.T, C = opt_.dim, V = opt_.vocab, BT = B * T;
    const size_t n = size_t(BT) * size_t(C);
    const float scale = attn_scale();
    a.tokens = x;
    a.targets = y;
    if (mask) {
        a.mask.assign(mask, mask + BT);
    } else {
        a.mask.clear();
    }
    nn::embedding_forward(a.h0, x, E().value, P().value, B, T, C, V);
    // layer 1 (W_Q = identity: the query is the layer input itself). Rows are positions, as in nn.Linear:
    // z1 = att (h0 W_V^1^T) W_O^1^T = att (h0 (W_O^1 W_V^1)^T). W_V^1 and W_O^1 never train in this model (the
    // constructor makes them trainable = false), so one (B T, d) x (d, d) projection with their product
    // replaces two, and the backward needs no dz1 = dh1 W_O^1. With the table gathers below and layer 2 on
    // W_O^2 W_V^2, a step with E frozen and no W_F makes 6 (B T, d) x (d, d) projections where the direct form
    // makes 11 (docs/performance.md, "2026-12-02 (third session)"). The product costs d / (B T) of one projection
    // (0.2-1.6% for the shipped configs) and is made by every forward, so it always follows the weights.
    // And h0 = E[x] + P[t] is a sum of two table rows: k1 = (E W_K^1^T)[x] + (P W_K^1^T)[t], v1 likewise with
    // wov1, so layer 1's two (B T, d) x (d, d) projections become (N + T, d) x (d, d) products of the tables
    // and a gather (nn::embedding_forward on the projected tables): at N = 65, T = d = 256 the products cost
    // (N + T) / (B T) of a projection. Rounding differs from projecting h0 in float32's last bits
    // (BirthModel.LayerOneOnTheTablesMatchesTwoProjections, tests/birth/test_model.cpp).
    nn::gemm(CblasNoTrans, CblasNoTrans, C, C, C, 1.0f, WO(0).value, C, WV(0).value, C, 0.0f, a.wov1, C);
    project_tables(a.ek1, a.pk1, WK(0).value, T);
    project_tables(a.ev1, a.pv1, a.wov1, T);
    nn::embedding_forward(a.k1, x, a.ek1, a.pk1, B, T, C, V);
    nn::embedding_forward(a.v1, x, a.ev1, a.pv1, B, T, C, V);
    nn::attention_forward(a.z1, a.preatt1, a.att1, a.h0, a.k1, a.v1, B, T, C, 1, scale);
    nn::residual_forward(a.h1, a.z1, a.h0, n);
    // layer 2: W_O^2 sum_s beta_ts W_V^2 h1_s = sum_s beta_ts (W_O^2 W_V^2) h1_s, so the attention runs on the values
    // ov2 = h1 wov2^T with wov2 = W_O^2 W_V^2 (d,d) made by every forward (W_V^2 never trains; W_O^2 does, its
    // gradient comes back through wov2 in the backward), and its output oz2 is the layer's own: h2 = h1 + oz2.
    // One (B T, d) x (d, d) projection fewer forward and one backward. Rounding differs from applying W_V^2 and
    // W_O^2 apart in float32's last bits (BirthModel.LayerTwoOnWoWvMatchesThreeProjections).
    nn::gemm(CblasNoTrans, CblasNoTrans, C, C, C, 1.0f, WO(1).value, C, WV(1).value, C, 0.0f, a.wov2, C);
    nn::linear_forward(a.k2, a.h1, WK(1).value, nullptr, BT, C, C);
    nn::linear_forward(a.ov2, a.h1, a.wov2, nullptr, BT, C, C);
    nn::attention_forward(a.oz2, a.preatt2, a.att2, a.h1, a.k2, a.ov2, B, T, C, 1, scale);
    nn::residual_forward(a.h2, a.oz2, a.h1, n);
    const float *last = a.h2;
    if (opt_.final_ffn) {
        nn::linear_forward(a.h3, a.h2, WF()->value, nullptr, BT, C, C);
        nn::residual_forward(a.h3, a.h3, a.h2, n);
        last = a.h3;
    }
    nn::linear_forward(a.logits, last, WU().value, nullptr, BT, C, V);
    float loss = 0.0f;
    if (y) loss = nn::cross_entropy_forward(a.losses, a.probs, a.logits, y, mask, BT, V);
    if (cap) {
        const std::vector<size_t> btd{size_t(B), size_t(T), size_t(C)}, pat{size_t(B), 1, size_t(T), size_t(T)};
        cap->record("blocks.0.hook_resid_pre", a.h0, btd);
        cap->record("blocks.0.attn.hook_attn_scores", a.preatt1, pat);
        cap->record("blocks.0.attn.hook_pattern", a.att1, pat);
        cap->record("blocks.0.hook_resid_post", a.h1, btd);
        cap->record("blocks.1.attn.hook_attn_scores", a.preatt2, pat);
        cap->record("blocks.1.attn.hook_pattern", a.att2, pat);
        cap->record("blocks.1.hook_resid_post", a.h2, btd);
        cap->record("logits", a.logits, {size_t(B), size_t(T), size_t(V)});
    }
    return loss;
}

void SimplifiedModel::backward(ModelActivations &a) {
    if (!a.targets) throw RuntimeError("model backward: the last forward had no targets");
    const int B = a.B, T = a.T, C = opt_.dim, V = opt_.vocab, BT = B * T;
    const size_t n = size_t(BT) * size_t(C);
    const float scale = attn_scale();
    // Which activation gradients are needed at all: the chain stops at the deepest trainable leaf.
    const bool need_h0 = E().requires_grad;
    const bool need_l1 = need_h0 || WK(0).requires_grad;
    const bool need_h1 = need_l1 || WK(1).requires_grad || WO(1).requires_grad;
    const bool need_h2 = need_h1 || (WF() && WF()->requires_grad);
    // Zero only the accumulated buffers this backward writes: with E frozen (the shipped configs) dv1 and dh0
    // are never touched, and zeroing them cost two (B, T, d) passes (268 MB at d = T = 256, B = 512) a step.
    const bool need_k2 = need_l1 || WK(1).requires_grad, need_ov2 = need_l1 || WO(1).requires_grad;
    for (auto [g, used] : {std::pair{a.dlogits, true},
                           {a.dh3, need_h2},
                           {a.dh2, need_h2},
                           {a.dk2, need_k2 && need_h1},
                           {a.dov2, need_ov2 && need_h1},
                           {a.dh1, need_l1},
                           {a.dk1, need_l1},
                           {a.dv1, need_h0},
                           {a.dh0, need_h0}}) {
        if (!g || !used) continue;
        const size_t count = g == a.dlogits ? size_t(BT) * size_t(V) : n;
        std::memset(g, 0, count * sizeof(float));
    }
    const uint8_t *mask = a.mask.empty() ? nullptr : a.mask.data();
    nn::cross_entropy_backward(a.dlogits, a.probs, a.targets, mask, BT, V);
    const float *last = opt_.final_ffn ? a.h3 : a.h2;
    float *dlast = opt_.final_ffn ? a.dh3 : a.dh2;
    nn::linear_backward(need_h2 ? dlast : nullptr, WU().grad_or_null(), nullptr, a.dlogits, last, WU().value, BT, C, V);
    if (!need_h2) return;
    if (opt_.final_ffn) {
        nn::residual_backward(a.dh2, nullptr, a.dh3, n);
        nn::linear_backward(need_h1 ? a.dh2 : nullptr, WF()->grad_or_null(), nullptr, a.dh3, a.h2, WF()->value, BT, C,
                            C);
    }
    if (!need_h1) return;
    // layer 2: h2 = h1 + oz2, oz2 = attn(q = h1, k = W_K^2 h1, v = ov2 = h1 wov2^T), wov2 = W_O^2 W_V^2
    if (need_l1) nn::residual_backward(a.dh1, nullptr, a.dh2, n);
    nn::attention_backward(need_l1 ? a.dh1 : nullptr, need_k2 ? a.dk2 : nullptr, need_ov2 ? a.dov2 : nullptr, nullptr,
                           nullptr, a.dh2, a.h1, a.k2, a.ov2, a.att2, B, T, C, 1, scale);
    // dwov2 = dov2^T h1 (d,d); wov2 = W_O^2 W_V^2, so dW_O^2 += dwov2 W_V^2^T
    if (float *g = WO(1).grad_or_null()) {
        nn::gemm(CblasTrans, CblasNoTrans, C, C, BT, 1.0f, a.dov2, C, a.h1, C, 0.0f, a.dwov2, C);
        nn::gemm(CblasNoTrans, CblasTrans, C, C, C, 1.0f, a.dwov2, C, WV(1).value, C, 1.0f, g, C);
    }
    if (need_k2)
        nn::linear_backward(need_l1 ? a.dh1 : nullptr, WK(1).grad_or_null(), nullptr, a.dk2, a.h1, WK(1).value, BT, C,
                            C);
    if (!need_l1) return;
    nn::linear_backward(a.dh1, nullptr, nullptr, a.dov2, a.h1, a.wov2, BT, C, C);
    // layer 1: h1 = h0 + z1, z1 = attn(q = h0, k = h0 W_K^1^T, v = h0 (W_O^1 W_V^1)^T), so dz1 = dh1; h0 is a
    // leaf unless E trains
    if (need_h0) nn::residual_backward(a.dh0, nullptr, a.dh1, n);
    nn::attention_backward(need_h0 ? a.dh0 : nullptr, a.dk1, need_h0 ? a.dv1 : nullptr, nullptr, nullptr, a.dh1, a.h0,
                           a.k1, a.v1, a.att1, B, T, C, 1, scale);
    // dW_K^1 += dk1^T h0 = dk1_tok^T E + dk1_pos^T P (h0 = E[x] + P[t]): dk1 summed per token and per position
    // (nn::embedding_backward's scatter-add), then two products of (N + T) rows instead of one of B T rows.
    if (float *g = WK(0).grad_or_null()) {
        std::memset(a.dk1_tok, 0, size_t(V) * size_t(C) * sizeof(float));
        std::memset(a.dk1_pos, 0, size_t(T) * size_t(C) * sizeof(float));
        nn::embedding_backward(a.dk1_tok, a.dk1_pos, a.dk1, a.tokens, B, T, C);
        nn::gemm(CblasTrans, CblasNoTrans, C, C, V, 1.0f, a.dk1_tok, C, E().value, C, 1.0f, g, C);
        nn::gemm(CblasTrans, CblasNoTrans, C, C, T, 1.0f, a.dk1_pos, C, P().value, C, 1.0f, g, C);
    }
    if (!need_h0) return;
    nn::linear_backward(a.dh0, nullptr, nullptr, a.dk1, a.h0, WK(0).value, BT, C, C);
    nn::linear_backward(a.dh0, nullptr, nullptr, a.dv1, a.h0, a.wov1, BT, C, C);
    nn::embedding_backward(E().grad_or_null(), nullptr, a.dh0, a.tokens, B, T, C);
}

void SimplifiedModel::project_tables(float *e_out, float *p_out, const float *w, int T) const {
    const int C = opt_.dim;
    nn::gemm(CblasNoTrans, CblasTrans, opt_.vocab, C, C, 1.0f, E().value, C, w, C, 0.0f, e_out, C);
    nn::gemm(CblasNoTrans, CblasTrans, T, C, C, 1.0f, P().value, C, w, C, 0.0f, p_out, C);
}

double forward_flops(const ModelOptions &opt, int B, int T) {
    const double bt = double(B) * T, d = opt.dim;
    // k and fused o v in layer 2 (+ W_F); layer 1's k and fused o v on the tables, (N + T) rows each; the d^3
    // products W_O^1 W_V^1 and W_O^2 W_V^2 are not counted
    const double proj = 2.0 * bt * d * d * (2 + (opt.final_ffn ? 1 : 0)) + 2 * 2.0 * (opt.vocab + T) * d * d;
    const double attn = 2.0 * 2.0 * double(B) * T * T * d * 2; // q k^T and att v, two layers
    const double unemb = 2.0 * bt * d * opt.vocab;
    return proj + attn + unemb;
}

} // namespace tdlab::birth
