#include "nn/word_lm.h"

#include "core/error.h"
#include "core/rng.h"
#include "nn/cross_entropy.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "nn/sinusoidal_positions.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tdlab::nn {

namespace {
// PostLnWeights order
const char *kLayerNames[12] = {"self_attn.in_proj_weight",
                               "self_attn.in_proj_bias",
                               "self_attn.out_proj.weight",
                               "self_attn.out_proj.bias",
                               "norm1.weight",
                               "norm1.bias",
                               "linear1.weight",
                               "linear1.bias",
                               "linear2.weight",
                               "linear2.bias",
                               "norm2.weight",
                               "norm2.bias"};
// Dropout sites of one step: 0 the positional dropout, then 4 per layer (att, sa, hid, f).
constexpr uint64_t kSitesPerStep = 256;

void fill_uniform(Parameter &p, double bound, CounterRng &rng) {
    for (size_t i = 0; i < p.size; ++i) p.value[i] = float((2.0 * rng.uniform() - 1.0) * bound);
}
void fill_const(Parameter &p, float v) {
    std::fill(p.value, p.value + p.size, v);
}

} // namespace

WordLm::WordLm(const WordLmConfig &c) : cfg_(c) {
    if (c.vocab < 1) throw UsageError("word model: vocabulary size must be >= 1");
    if (c.dim < 2 || c.dim % 2 != 0) throw UsageError("model.dim = " + std::to_string(c.dim) + " must be even");
    if (c.n_heads < 1 || c.dim % c.n_heads != 0)
        throw UsageError("model.dim must be a multiple of model.nhead = " + std::to_string(c.n_heads));
    if (c.n_layers < 1 || c.ffn_hidden < 1) throw UsageError("model.nlayers and model.d_hid must be >= 1");
    if (!(c.dropout >= 0.0f && c.dropout < 1.0f))
        throw UsageError("model.dropout = " + std::to_string(c.dropout) + " must be in [0, 1)");
    const size_t V = c.vocab, C = c.dim, H = c.ffn_hidden;
    enc_ = params_.add("encoder.weight", {V, C});
    for (int l = 0; l < c.n_layers; ++l) {
        const std::vector<std::vector<size_t>> shapes{{3 * C, C}, {3 * C}, {C, C}, {C}, {C}, {C},
                                                      {H, C},     {H},     {C, H}, {C}, {C}, {C}};
        for (int i = 0; i < 12; ++i)
            layer_slots_.push_back(params_.add("transformer_encoder.layers." + std::to_string(l) + "." + kLayerNames[i],
                                               shapes[size_t(i)]));
    }
    dec_w_ = params_.add("decoder.weight", {V, C});
    dec_b_ = params_.add("decoder.bias", {V});
    params_.allocate();
    // the embedding's gradient touches only the batch's token rows (nn/params.h: zero_grad, clipping and
    // SGD then visit those rows; half the gradient of a word model otherwise read and written 4x a step)
    params_[enc_].row_sparse = true;
    pe_.resize(size_t(c.max_len) * C);
    sinusoidal_table(pe_.data(), c.max_len, c.dim);
}

void WordLm::init(uint64_t seed) {
    CounterRng rng(seed, 0x776f72646c6dull); // "wordlm"
    const double C = cfg_.dim, H = cfg_.ffn_hidden;
    fill_uniform(params_[enc_], 0.1, rng);
    // nn.TransformerEncoder deep-copies one initialised layer nlayers times: every layer starts equal.
    for (int l = 0; l < cfg_.n_layers; ++l) {
        auto P = [&](int i) -> Parameter & { return params_[layer_slots_[size_t(l) * 12 + size_t(i)]]; };
        if (l > 0) {
            for (int i = 0; i < 12; ++i) {
                const Parameter &src = params_[layer_slots_[size_t(i)]];
                std::copy(src.value, src.value + src.size, P(i).value);
            }
            continue;
        }
        fill_uniform(P(0), std::sqrt(6.0 / (C + 3 * C)), rng); // xavier_uniform_ of the (3C, C) in_proj
        fill_const(P(1), 0.0f);
        fill_uniform(P(2), 1.0 / std::sqrt(C), rng); // nn.Linear default, bias then zeroed by MHA
        fill_const(P(3), 0.0f);
        fill_const(P(4), 1.0f);
        fill_const(P(5), 0.0f);
        fill_uniform(P(6), 1.0 / std::sqrt(C), rng); // linear1: U(+-1/sqrt(fan_in)) weight and bias
        fill_uniform(P(7), 1.0 / std::sqrt(C), rng);
        fill_uniform(P(8), 1.0 / std::sqrt(H), rng); // linear2
        fill_uniform(P(9), 1.0 / std::sqrt(H), rng);
        fill_const(P(10), 1.0f);
        fill_const(P(11), 0.0f);
    }
    fill_uniform(params_[dec_w_], 0.1, rng);
    fill_const(params_[dec_b_], 0.0f);
}

PostLnWeights WordLm::layer_weights(int l) const {
    const float *p[12];
    for (int i = 0; i < 12; ++i) p[i] = params_[layer_slots_[size_t(l) * 12 + size_t(i)]].value;
    return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]};
}

PostLnGrads WordLm::layer_grads(int l) {
    float *g[12];
    for (int i = 0; i < 12; ++i) g[i] = params_[layer_slots_[size_t(l) * 12 + size_t(i)]].grad_or_null();
    return {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]};
}

WordLmWorkspace::WordLmWorkspace(const WordLm &model, int B_, int T_) : B(B_), T(T_) {
    const auto &c = model.config();
    if (B < 1 || T < 1 || T > c.max_len)
        throw UsageError("word model: batch shape (" + std::to_string(B) + ", " + std::to_string(T) +
                         ") needs B >= 1 and 1 <= T <= " + std::to_string(c.max_len));
    const size_t N = size_t(B) * T, NC = N * c.dim, NV = N * c.vocab;
    for (auto *p : {&emb, &pos_mask, &demb, &dtmp}) p->resize(NC);
    for (auto *p : {&logits, &probs, &dlogits}) p->resize(NV);
    losses.resize(N);
    dbias.resize(size_t(c.vocab));
    x.assign(size_t(c.n_layers) + 1, std::vector<float>(NC));
    dx.assign(size_t(c.n_layers) + 1, std::vector<float>(NC));
    for (int l = 0; l < c.n_layers; ++l) layers.emplace_back(B, T, c.dim, c.ffn_hidden, c.n_heads);
}

float WordLm::forward(WordLmWorkspace &ws, const int32_t *tokens, const int32_t *targets, bool train,
                      uint64_t dropout_seed, uint64_t step) const {
    const int B = ws.B, T = ws.T, C = cfg_.dim, V = cfg_.vocab, N = B * T;
    const size_t NC = size_t(N) * C;
    ws.tokens = tokens;
    ws.targets = targets;
    ws.dropout = train && cfg_.dropout > 0.0f;
    const uint64_t base = step * kSitesPerStep;
    auto mask = [&](std::vector<float> &m, uint64_t site) {
        if (ws.dropout) dropout_mask(m.data(), m.size(), cfg_.dropout, dropout_seed, base + site);
    };
    embedding_forward(ws.emb.data(), tokens, params_[enc_].value, nullptr, B, T, C, V);
    scaled_add_positions(ws.x[0].data(), ws.emb.data(), pe_.data(), std::sqrt(float(C)), B, T, C);
    mask(ws.pos_mask, 0);
    if (ws.dropout) dropout_forward(ws.x[0].data(), ws.x[0].data(), ws.pos_mask.data(), NC);
    for (int l = 0; l < cfg_.n_layers; ++l) {
        auto &b = ws.layers[size_t(l)];
        mask(b.att_mask, 1 + 4 * uint64_t(l));
        mask(b.sa_mask, 2 + 4 * uint64_t(l));
        mask(b.hid_mask, 3 + 4 * uint64_t(l));
        mask(b.f_mask, 4 + 4 * uint64_t(l));
        post_ln_forward(ws.x[size_t(l) + 1].data(), ws.x[size_t(l)].data(), layer_weights(l), b, ws.dropout);
    }
    linear_forward(ws.logits.data(), ws.x.back().data(), params_[dec_w_].value, params_[dec_b_].value, N, C, V);
    ws.grad_ready = false;
    if (!targets) return 0.0f;
    if (train) {
        // training: the loss's gradient is written now instead of the probabilities (backward() uses it)
        ws.grad_ready = true;
        return cross_entropy_forward_grad(ws.losses.data(), ws.dlogits.data(), ws.dbias.data(), ws.logits.data(),
                                          targets, nullptr, N, V);
    }
    return cross_entropy_forward(ws.losses.data(), ws.probs.data(), ws.logits.data(), targets, nullptr, N, V);
}

void WordLm::backward(WordLmWorkspace &ws) {
    if (!ws.tokens || !ws.targets) throw RuntimeError("word model: backward() needs a forward() with targets first");
    const int B = ws.B, T = ws.T, C = cfg_.dim, V = cfg_.vocab, N = B * T;
    const size_t NC = size_t(N) * C;
    // decoder.bias's gradient is the column sum of dlogits (rows in order); a training forward has written
    // dlogits already (cross_entropy_forward_grad), an evaluation forward left the probabilities
    float *dbias = params_[dec_b_].grad_or_null();
    if (ws.grad_ready) {
        if (dbias)
            for (int v = 0; v < V; ++v) dbias[v] += ws.dbias[size_t(v)];
    } else {
        cross_entropy_backward_set(ws.dlogits.data(), dbias, ws.probs.data(), ws.targets, nullptr, N, V);
    }
    auto &top = ws.dx.back();
    std::fill(top.begin(), top.end(), 0.0f);
    linear_backward(top.data(), params_[dec_w_].grad_or_null(), nullptr, ws.dlogits.data(), ws.x.back().data(),
                    params_[dec_w_].value, N, C, V);
    for (int l = cfg_.n_layers - 1; l >= 0; --l) {
        auto &d = ws.dx[size_t(l)];
        std::fill(d.begin(), d.end(), 0.0f);
        post_ln_backward(d.data(), ws.dx[size_t(l) + 1].data(), ws.x[size_t(l)].data(), layer_weights(l),
                         layer_grads(l), ws.layers[size_t(l)], ws.dropout);
    }
    std::fill(ws.dtmp.begin(), ws.dtmp.end(), 0.0f);
    dropout_backward(ws.dtmp.data(), ws.dx[0].data(), ws.dropout ? ws.pos_mask.data() : nullptr, NC);
    std::fill(ws.demb.begin(), ws.demb.end(), 0.0f);
    scaled_add_positions_backward(ws.demb.data(), ws.dtmp.data(), std::sqrt(float(C)), B, T, C);
    if (float *g = params_[enc_].grad_or_null()) {
        embedding_backward(g, nullptr, ws.demb.data(), ws.tokens, B, T, C);
        params_[enc_].add_grad_rows(ws.tokens, size_t(N));
    }
}

} // namespace tdlab::nn
