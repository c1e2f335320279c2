// Forward and backward of the generic transformer (see transformer.h), assembled from the op kernels.
// Shapes: B batch, T sequence, C channels, NH heads, HS = C/NH, H FFN hidden, V vocabulary, N = B*T.
#include "nn/transformer.h"

#include "core/error.h"
#include "core/rng.h"
#include "nn/attention.h"
#include "nn/cross_entropy.h"
#include "nn/embedding.h"
#include "nn/layernorm.h"
#include "nn/linear.h"
#include "nn/mlp.h"
#include "nn/residual.h"
#include "nn/sinusoidal_positions.h"

#include <cmath>
#include <cstring>
#include <string>

namespace tdlab::nn {

namespace {
// Parameter slots per layer, in this order
// (WF, the linear FFN, comes last so that the other layouts keep their parameter order, hence their init)
enum LayerParam { WQ, WK, WV, WO, LNA_W, LNA_B, LNF_W, LNF_B, W1, W2, WF, kLayerParams };
const char *kLayerParamNames[kLayerParams] = {"attention.wq.weight",
                                              "attention.wk.weight",
                                              "attention.wv.weight",
                                              "attention.wo.weight",
                                              "attention_norm.weight",
                                              "attention_norm.bias",
                                              "ff_norm.weight",
                                              "ff_norm.bias",
                                              "ff.w1.weight",
                                              "ff.w2.weight",
                                              "ff.weight"};
// Activation slots per layer
enum LayerAct {
    RESID_IN,
    LN1,
    LN1_MEAN,
    LN1_RSTD,
    Q,
    K,
    V_,
    Z,
    PREATT,
    ATT,
    ATTN_OUT,
    LN2,
    LN2_MEAN,
    LN2_RSTD,
    HPRE,
    HID,
    MLP_OUT,
    R1, // post-norm: x + Attn(x)
    R2, // post-norm: h + FFN(h)
    kLayerActs
};
// Global parameter / activation / gradient-scratch slots
enum GlobalParam { TOK, POS, NORM_W, NORM_B, OUT_W, kGlobalParams };
enum GlobalAct { RESID_FINAL, LNF, LNF_MEAN, LNF_RSTD, LOGITS, PROBS, LOSSES, kGlobalActs };
enum Scratch { DRESID, DLN1, DLN2, DQ, DK, DV, DZ, DATT, DPREATT, DHID, DLNF, DLOGITS, DH, DR, kScratch };
constexpr size_t kAbsent = size_t(-1);

void fill_uniform(float *w, size_t n, float bound, CounterRng &rng) {
    for (size_t i = 0; i < n; ++i) w[i] = float((2.0 * rng.uniform() - 1.0) * bound);
}
} // namespace

Transformer::Transformer(const TransformerConfig &c, int B, int T) : cfg_(c), B_(B), T_(T) {
    if (c.vocab < 1) throw UsageError("transformer: vocab must be >= 1");
    if (c.dim < 1 || c.n_heads < 1 || c.dim % c.n_heads != 0)
        throw UsageError("transformer: dim (" + std::to_string(c.dim) + ") must be a positive multiple of n_heads (" +
                         std::to_string(c.n_heads) + ")");
    if (c.n_layers < 0) throw UsageError("transformer: n_layers must be >= 0");
    if (B < 1 || T < 1 || T > c.max_seq)
        throw UsageError("transformer: sequence length " + std::to_string(T) +
                         " must be in [1, max_seq=" + std::to_string(c.max_seq) + "]");
    if (!c.layer_ffn.empty() && int(c.layer_ffn.size()) != c.n_layers)
        throw UsageError("transformer: " + std::to_string(c.layer_ffn.size()) + " FFN kinds given for " +
                         std::to_string(c.n_layers) + " layers");
    if (c.sin_cos && c.dim % 2 != 0)
        throw UsageError("transformer: sin/cos positions need an even dim, not " + std::to_string(c.dim));
    ffn_ = c.layer_ffn.empty() ? std::vector<FfnKind>(size_t(c.n_layers), c.ffn ? FfnKind::Relu : FfnKind::None)
                               : c.layer_ffn;
    tied_ = c.tie_output && !c.freeze_output;
    H_ = c.ffn_hidden > 0 ? c.ffn_hidden : 4 * c.dim;
    const size_t Bs = B, Ts = T, C = c.dim, V = c.vocab, NH = c.n_heads, H = H_;

    pslot_.push_back(params_.add("tok_embeddings.weight", {V, C}, !c.freeze_embeddings));
    pslot_.push_back(c.sin_cos ? kAbsent
                               : params_.add("pos_embeddings.weight", {size_t(c.max_seq), C}, !c.freeze_embeddings));
    pslot_.push_back(c.pre_norm ? params_.add("norm.weight", {C}) : kAbsent);
    pslot_.push_back(c.pre_norm ? params_.add("norm.bias", {C}) : kAbsent);
    pslot_.push_back(tied_ ? kAbsent : params_.add("output.weight", {V, C}, !c.freeze_output));
    for (int l = 0; l < c.n_layers; ++l)
        for (int p = 0; p < kLayerParams; ++p) {
            const FfnKind f = ffn_[size_t(l)];
            std::vector<size_t> shape = p <= WO || p == WF ? std::vector<size_t>{C, C}
                                        : p == W1          ? std::vector<size_t>{H, C}
                                        : p == W2          ? std::vector<size_t>{C, H}
                                                           : std::vector<size_t>{C};
            const bool absent = (f == FfnKind::None && (p == LNF_W || p == LNF_B)) ||
                                (f != FfnKind::Relu && (p == W1 || p == W2)) || (f != FfnKind::Linear && p == WF) ||
                                (c.no_wv && p == WV) || (c.no_wo && p == WO);
            if (absent) {
                pslot_.push_back(kAbsent);
                continue;
            }
            const bool trainable = !(p == WV && c.freeze_wv) && !(p == WO && c.freeze_wo);
            pslot_.push_back(params_.add("layers." + std::to_string(l) + "." + kLayerParamNames[p], shape, trainable));
        }
    params_.allocate();
    if (c.sin_cos) {
        pe_.resize(size_t(c.max_seq) * C);
        sinusoidal_table(pe_.data(), c.max_seq, c.dim);
    }

    const std::vector<size_t> btc{Bs, Ts, C}, bt{Bs, Ts}, att{Bs, NH, Ts, Ts}, bth{Bs, Ts, H};
    for (int l = 0; l < c.n_layers; ++l) {
        std::string pre = "blocks." + std::to_string(l) + ".";
        const std::vector<size_t> *shapes[kLayerActs] = {&btc, &btc, &bt, &bt, &btc, &btc, &btc, &btc, &att, &att,
                                                         &btc, &btc, &bt, &bt, &bth, &bth, &btc, &btc, &btc};
        for (int a = 0; a < kLayerActs; ++a) {
            const bool ffn_act = a >= LN2 && a <= MLP_OUT, post_act = a == R1 || a == R2;
            // the scores are kept only when a hook asks for them (forward), so no slot
            const bool absent =
                (ffn_act && ffn_[size_t(l)] == FfnKind::None) || (post_act && c.pre_norm) || a == PREATT;
            aslot_.push_back(absent ? kAbsent : acts_.reserve(pre + std::to_string(a), *shapes[a]));
        }
    }
    gact_ = acts_.reserve("resid_final", btc); // the global slots follow in GlobalAct order
    acts_.reserve("lnf", btc);
    acts_.reserve("lnf_mean", bt);
    acts_.reserve("lnf_rstd", bt);
    acts_.reserve("logits", {Bs, Ts, V});
    acts_.reserve("probs", {Bs, Ts, V});
    acts_.reserve("losses", bt);
    acts_.allocate();
    const std::vector<size_t> *gshapes[kScratch] = {&btc, &btc, &btc, &btc, &btc,    &btc, &btc,
                                                    &att, &att, &bth, &btc, nullptr, &btc, &btc};
    std::vector<size_t> btv{Bs, Ts, V};
    for (int s = 0; s < kScratch; ++s) {
        // the attention backward keeps its T x T gradients in per-thread buffers
        const bool post_only = s == DH || s == DR, unused = s == DATT || s == DPREATT;
        gslot_.push_back((post_only && c.pre_norm) || unused
                             ? kAbsent
                             : grads_.reserve(std::to_string(s), gshapes[s] ? *gshapes[s] : btv));
    }
    grads_.allocate();
}

void Transformer::init(uint64_t seed) {
    CounterRng rng(seed, 0x7472616e73ull); // "trans"
    const float C = float(cfg_.dim), H = float(H_);
    for (auto &p : params_.all()) {
        const std::string &n = p.name;
        if (n.find("embeddings") != std::string::npos) {
            for (size_t i = 0; i < p.size; ++i) p.value[i] = float(rng.normal()); // nn.Embedding: N(0,1)
        } else if (n.find("norm.weight") != std::string::npos) {
            for (size_t i = 0; i < p.size; ++i) p.value[i] = 1.0f;
        } else if (n.find("norm.bias") != std::string::npos) {
            for (size_t i = 0; i < p.size; ++i) p.value[i] = 0.0f;
        } else {
            float fan_in = n.find("ff.w2") != std::string::npos ? H : C; // nn.Linear: U(+-1/sqrt(fan_in))
            fill_uniform(p.value, p.size, 1.0f / std::sqrt(fan_in), rng);
        }
    }
}

const float *Transformer::logits() const {
    return acts_.data(gact_ + LOGITS);
}

const float *Transformer::pattern(int layer) const {
    return acts_.data(aslot_[layer * kLayerActs + ATT]);
}

void Transformer::ablate_head(int layer, int head, Ablation mode) {
    if (mode != Ablation::None && (layer < 0 || layer >= cfg_.n_layers || head < 0 || head >= cfg_.n_heads))
        throw UsageError("transformer: cannot ablate head " + std::to_string(head) + " of layer " +
                         std::to_string(layer) + " (" + std::to_string(cfg_.n_layers) + " layers of " +
                         std::to_string(cfg_.n_heads) + " heads)");
    ablation_ = mode;
    ablated_layer_ = layer;
    ablated_head_ = head;
}

namespace {
// z (N,C): the channels [h*HS, (h+1)*HS) of every row set to 0 or to their mean over the rows (summed in
// double, serially: the same bytes for any thread count).
void ablate_z(float *z, int N, int C, int h, int HS, Ablation mode) {
    std::vector<double> mean(size_t(HS), 0.0);
    if (mode == Ablation::Mean) {
        for (int r = 0; r < N; ++r)
            for (int i = 0; i < HS; ++i) mean[size_t(i)] += z[size_t(r) * C + size_t(h * HS + i)];
        for (double &m : mean) m /= N;
    }
    for (int r = 0; r < N; ++r)
        for (int i = 0; i < HS; ++i) z[size_t(r) * C + size_t(h * HS + i)] = float(mean[size_t(i)]);
}
} // namespace

const float *Transformer::positions() const {
    return cfg_.sin_cos ? pe_.data() : params_[pslot_[POS]].value;
}

float Transformer::forward(const int32_t *tokens, const int32_t *targets, const uint8_t *mask,
                           ActivationCapture *capture) {
    tokens_ = tokens;
    targets_ = targets;
    mask_ = mask;
    const int B = B_, T = T_, C = cfg_.dim, NH = cfg_.n_heads, V = cfg_.vocab, N = B * T, H = H_;
    const size_t BTC = size_t(N) * C;
    const size_t G = gact_; // first global activation slot
    auto P = [&](int i) { return params_[pslot_[i]].value; };
    auto LP = [&](int l, int i) { return params_[pslot_[kGlobalParams + l * kLayerParams + i]].value; };
    auto A = [&](int l, int i) { return acts_.data(aslot_[l * kLayerActs + i]); };
    auto rec = [&](const std::string &name, const float *x, std::vector<size_t> shape) {
        if (capture) capture->record(name, x, shape);
    };
    const size_t Bs = B, Ts = T, Cs = C, NHs = NH, HS = C / NH;
    const float *wu = tied_ ? P(TOK) : P(OUT_W);

    float *x = cfg_.n_layers > 0 ? A(0, RESID_IN) : acts_.data(G + RESID_FINAL);
    embedding_forward(x, tokens, P(TOK), positions(), B, T, C, V);
    if (capture && capture->wants("hook_embed")) {
        std::vector<float> e(BTC);
        embedding_forward(e.data(), tokens, P(TOK), nullptr, B, T, C, V);
        rec("hook_embed", e.data(), {Bs, Ts, Cs});
    }
    rec("hook_pos_embed", positions(), {Ts, Cs});
    const float scale = 1.0f / std::sqrt(float(HS));
    for (int l = 0; l < cfg_.n_layers; ++l) {
        std::string pre = "blocks." + std::to_string(l) + ".";
        const FfnKind ffn = ffn_[size_t(l)];
        x = A(l, RESID_IN);
        float *next = l + 1 < cfg_.n_layers ? A(l + 1, RESID_IN) : acts_.data(G + RESID_FINAL);
        rec(pre + "hook_resid_pre", x, {Bs, Ts, Cs});
        // attention reads LN_a(x) (pre-norm) or x itself (post-norm)
        const float *ain = x;
        if (cfg_.pre_norm) {
            layernorm_forward(A(l, LN1), A(l, LN1_MEAN), A(l, LN1_RSTD), x, LP(l, LNA_W), LP(l, LNA_B), N, C);
            ain = A(l, LN1);
        }
        linear_forward(A(l, Q), ain, LP(l, WQ), nullptr, N, C, C);
        linear_forward(A(l, K), ain, LP(l, WK), nullptr, N, C, C);
        if (cfg_.no_wv)
            std::memcpy(A(l, V_), ain, BTC * sizeof(float));
        else
            linear_forward(A(l, V_), ain, LP(l, WV), nullptr, N, C, C);
        std::vector<float> scores; // (B,NH,T,T) only for the hook
        if (capture && capture->wants(pre + "attn.hook_attn_scores")) scores.resize(Bs * NHs * Ts * Ts);
        attention_forward(A(l, Z), scores.empty() ? nullptr : scores.data(), A(l, ATT), A(l, Q), A(l, K), A(l, V_), B,
                          T, C, NH, scale);
        if (ablation_ != Ablation::None && l == ablated_layer_)
            ablate_z(A(l, Z), N, C, ablated_head_, int(HS), ablation_);
        if (cfg_.no_wo)
            std::memcpy(A(l, ATTN_OUT), A(l, Z), BTC * sizeof(float));
        else
            linear_forward(A(l, ATTN_OUT), A(l, Z), LP(l, WO), nullptr, N, C, C);
        // the FFN reads LN_f(x) (pre-norm, parallel) or h = LN_a(x + Attn(x)) (post-norm, sequential)
        const float *fin = nullptr;
        if (cfg_.pre_norm) {
            residual_forward(next, x, A(l, ATTN_OUT), BTC);
            if (ffn != FfnKind::None) {
                layernorm_forward(A(l, LN2), A(l, LN2_MEAN), A(l, LN2_RSTD), x, LP(l, LNF_W), LP(l, LNF_B), N, C);
                fin = A(l, LN2);
            }
        } else {
            residual_forward(A(l, R1), x, A(l, ATTN_OUT), BTC);
            float *h = ffn == FfnKind::None ? next : A(l, LN1);
            layernorm_forward(h, A(l, LN1_MEAN), A(l, LN1_RSTD), A(l, R1), LP(l, LNA_W), LP(l, LNA_B), N, C);
            fin = ffn == FfnKind::None ? nullptr : h;
        }
        if (ffn == FfnKind::Relu)
            mlp_forward(A(l, MLP_OUT), A(l, HPRE), A(l, HID), fin, LP(l, W1), nullptr, LP(l, W2), nullptr, N, C, H);
        else if (ffn == FfnKind::Linear)
            linear_forward(A(l, MLP_OUT), fin, LP(l, WF), nullptr, N, C, C);
        if (ffn != FfnKind::None) {
            if (cfg_.pre_norm) {
                residual_forward(next, next, A(l, MLP_OUT), BTC);
            } else {
                residual_forward(A(l, R2), fin, A(l, MLP_OUT), BTC);
                layernorm_forward(next, A(l, LN2_MEAN), A(l, LN2_RSTD), A(l, R2), LP(l, LNF_W), LP(l, LNF_B), N, C);
            }
        }
        if (capture) {
            if (cfg_.pre_norm || ffn != FfnKind::None) rec(pre + "ln1.hook_normalized", A(l, LN1), {Bs, Ts, Cs});
            if (!cfg_.pre_norm) rec(pre + "hook_resid_mid", A(l, R1), {Bs, Ts, Cs});
            rec(pre + "attn.hook_q", A(l, Q), {Bs, Ts, NHs, HS});
            rec(pre + "attn.hook_k", A(l, K), {Bs, Ts, NHs, HS});
            rec(pre + "attn.hook_v", A(l, V_), {Bs, Ts, NHs, HS});
            if (!scores.empty()) rec(pre + "attn.hook_attn_scores", scores.data(), {Bs, NHs, Ts, Ts});
            rec(pre + "attn.hook_pattern", A(l, ATT), {Bs, NHs, Ts, Ts});
            rec(pre + "attn.hook_z", A(l, Z), {Bs, Ts, NHs, HS});
            rec(pre + "hook_attn_out", A(l, ATTN_OUT), {Bs, Ts, Cs});
            if (ffn != FfnKind::None) {
                if (cfg_.pre_norm) rec(pre + "ln2.hook_normalized", A(l, LN2), {Bs, Ts, Cs});
                rec(pre + "hook_mlp_out", A(l, MLP_OUT), {Bs, Ts, Cs});
            }
            rec(pre + "hook_resid_post", next, {Bs, Ts, Cs});
        }
    }
    const float *final_in = acts_.data(G + RESID_FINAL);
    if (cfg_.pre_norm) {
        float *lnf = acts_.data(G + LNF);
        layernorm_forward(lnf, acts_.data(G + LNF_MEAN), acts_.data(G + LNF_RSTD), acts_.data(G + RESID_FINAL),
                          P(NORM_W), P(NORM_B), N, C);
        rec("ln_final.hook_normalized", lnf, {Bs, Ts, Cs});
        final_in = lnf;
    }
    float *logits = acts_.data(G + LOGITS);
    linear_forward(logits, final_in, wu, nullptr, N, C, V);
    rec("logits", logits, {Bs, Ts, size_t(V)});
    if (!targets) return 0.0f;
    return cross_entropy_forward(acts_.data(G + LOSSES), acts_.data(G + PROBS), logits, targets, mask, N, V);
}

void Transformer::backward() {
    if (!tokens_ || !targets_) throw RuntimeError("transformer: backward() needs a forward() with targets first");
    if (ablation_ != Ablation::None) throw RuntimeError("transformer: backward() with a head ablated");
    const int B = B_, T = T_, C = cfg_.dim, NH = cfg_.n_heads, V = cfg_.vocab, N = B * T, H = H_;
    const size_t G = gact_;
    auto P = [&](int i) -> Parameter & { return params_[pslot_[i]]; };
    auto LP = [&](int l, int i) -> Parameter & { return params_[pslot_[kGlobalParams + l * kLayerParams + i]]; };
    auto A = [&](int l, int i) { return acts_.data(aslot_[l * kLayerActs + i]); };
    auto S = [&](int i) { return grads_.data(gslot_[i]); };
    // only the buffers accumulated into before anything writes them; the others are cleared where they are used
    for (int s : {DLOGITS, DRESID, DLNF})
        if (gslot_[s] != kAbsent) std::memset(S(s), 0, grads_.tensor(gslot_[s]).size * sizeof(float));
    const float scale = 1.0f / std::sqrt(float(C / NH));
    const size_t BTC = size_t(N) * C;
    Parameter &wu = tied_ ? P(TOK) : P(OUT_W);

    cross_entropy_backward(S(DLOGITS), acts_.data(G + PROBS), targets_, mask_, N, V);
    // dresid is d(loss)/d(x_l); walking down, each block turns d x_{l+1} into d x_l
    float *dresid = S(DRESID);
    if (cfg_.pre_norm) {
        linear_backward(S(DLNF), wu.grad_or_null(), nullptr, S(DLOGITS), acts_.data(G + LNF), wu.value, N, C, V);
        layernorm_backward(dresid, P(NORM_W).grad_or_null(), P(NORM_B).grad_or_null(), S(DLNF),
                           acts_.data(G + RESID_FINAL), P(NORM_W).value, acts_.data(G + LNF_MEAN),
                           acts_.data(G + LNF_RSTD), N, C);
    } else {
        linear_backward(dresid, wu.grad_or_null(), nullptr, S(DLOGITS), acts_.data(G + RESID_FINAL), wu.value, N, C, V);
    }
    for (int l = cfg_.n_layers - 1; l >= 0; --l) {
        const FfnKind ffn = ffn_[size_t(l)];
        float *x = A(l, RESID_IN);
        // d(attn_out): dresid itself (pre-norm: x_{l+1} = x + attn_out + ...); post-norm: d r1, computed
        // below from d x_{l+1} through LN_f, the FFN and LN_a
        float *dattn_out = dresid;
        const float *ain = cfg_.pre_norm ? A(l, LN1) : x;
        if (!cfg_.pre_norm) {
            float *dh = S(DH), *dr = S(DR);
            if (ffn == FfnKind::None) {
                std::memcpy(dh, dresid, BTC * sizeof(float));
            } else {
                std::memset(dr, 0, BTC * sizeof(float));
                layernorm_backward(dr, LP(l, LNF_W).grad_or_null(), LP(l, LNF_B).grad_or_null(), dresid, A(l, R2),
                                   LP(l, LNF_W).value, A(l, LN2_MEAN), A(l, LN2_RSTD), N, C);
                std::memcpy(dh, dr, BTC * sizeof(float)); // r2 = h + FFN(h)
                if (ffn == FfnKind::Relu)
                    mlp_backward(dh, LP(l, W1).grad_or_null(), nullptr, LP(l, W2).grad_or_null(), nullptr, S(DHID), dr,
                                 A(l, LN1), A(l, HPRE), A(l, HID), LP(l, W1).value, LP(l, W2).value, N, C, H);
                else
                    linear_backward(dh, LP(l, WF).grad_or_null(), nullptr, dr, A(l, LN1), LP(l, WF).value, N, C, C);
            }
            std::memset(dr, 0, BTC * sizeof(float));
            layernorm_backward(dr, LP(l, LNA_W).grad_or_null(), LP(l, LNA_B).grad_or_null(), dh, A(l, R1),
                               LP(l, LNA_W).value, A(l, LN1_MEAN), A(l, LN1_RSTD), N, C);
            // r1 = x + attn_out: d x starts as d r1 and the attention inputs add to it
            std::memcpy(dresid, dr, BTC * sizeof(float));
            dattn_out = dr;
        }
        // attention branch: attn_out = z Wo^T; z = attention(q, k, v); q,k,v = ain W^T
        std::memset(S(DZ), 0, BTC * sizeof(float));
        std::memset(S(DQ), 0, BTC * sizeof(float));
        std::memset(S(DK), 0, BTC * sizeof(float));
        std::memset(S(DV), 0, BTC * sizeof(float));
        std::memset(S(DLN1), 0, BTC * sizeof(float));
        if (cfg_.no_wo)
            std::memcpy(S(DZ), dattn_out, BTC * sizeof(float));
        else
            linear_backward(S(DZ), LP(l, WO).grad_or_null(), nullptr, dattn_out, A(l, Z), LP(l, WO).value, N, C, C);
        attention_backward(S(DQ), S(DK), S(DV), nullptr, nullptr, S(DZ), A(l, Q), A(l, K), A(l, V_), A(l, ATT), B, T, C,
                           NH, scale);
        // d(ain): scratch in pre-norm (then through LN_a), d x itself in post-norm
        float *dain = cfg_.pre_norm ? S(DLN1) : dresid;
        linear_backward(dain, LP(l, WQ).grad_or_null(), nullptr, S(DQ), ain, LP(l, WQ).value, N, C, C);
        linear_backward(dain, LP(l, WK).grad_or_null(), nullptr, S(DK), ain, LP(l, WK).value, N, C, C);
        if (cfg_.no_wv)
            residual_backward(dain, nullptr, S(DV), BTC);
        else
            linear_backward(dain, LP(l, WV).grad_or_null(), nullptr, S(DV), ain, LP(l, WV).value, N, C, C);
        if (!cfg_.pre_norm) continue;
        if (ffn == FfnKind::Relu) {
            std::memset(S(DLN2), 0, BTC * sizeof(float));
            mlp_backward(S(DLN2), LP(l, W1).grad_or_null(), nullptr, LP(l, W2).grad_or_null(), nullptr, S(DHID), dresid,
                         A(l, LN2), A(l, HPRE), A(l, HID), LP(l, W1).value, LP(l, W2).value, N, C, H);
        } else if (ffn == FfnKind::Linear) {
            std::memset(S(DLN2), 0, BTC * sizeof(float));
            linear_backward(S(DLN2), LP(l, WF).grad_or_null(), nullptr, dresid, A(l, LN2), LP(l, WF).value, N, C, C);
        }
        // dresid (as d x_{l+1}) is no longer read below, so the LayerNorm backwards accumulate d x_l into it
        layernorm_backward(dresid, LP(l, LNA_W).grad_or_null(), LP(l, LNA_B).grad_or_null(), S(DLN1), x,
                           LP(l, LNA_W).value, A(l, LN1_MEAN), A(l, LN1_RSTD), N, C);
        if (ffn != FfnKind::None)
            layernorm_backward(dresid, LP(l, LNF_W).grad_or_null(), LP(l, LNF_B).grad_or_null(), S(DLN2), x,
                               LP(l, LNF_W).value, A(l, LN2_MEAN), A(l, LN2_RSTD), N, C);
    }
    embedding_backward(P(TOK).grad_or_null(), cfg_.sin_cos ? nullptr : P(POS).grad_or_null(), dresid, tokens_, B, T, C);
}

} // namespace tdlab::nn
