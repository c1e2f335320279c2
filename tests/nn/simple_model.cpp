#include "simple_model.h"

#include "nn/attention.h"
#include "nn/cross_entropy.h"
#include "nn/embedding.h"
#include "nn/linear.h"

#include <cmath>
#include <cstring>

namespace tdlab::nn::testing {

SimpleModel::SimpleModel(int V, int T, int C, int B, bool sqrtd, bool ffn)
    : V_(V), T_(T), C_(C), B_(B), scale_(sqrtd ? 1.0f / std::sqrt(float(C)) : 1.0f), ffn_(ffn) {
    const size_t v = V, t = T, c = C, b = B;
    params_.add("tok_embeddings.weight", {v, c});
    params_.add("pos_embeddings", {t, c}, false);
    for (int l = 0; l < 2; ++l) {
        std::string pre = "layers." + std::to_string(l) + ".attention.";
        params_.add(pre + "wk.weight", {c, c});
        params_.add(pre + "wv.weight", {c, c}, false);
        params_.add(pre + "wo.weight", {c, c}, l == 1);
    }
    if (ffn) params_.add("layers.1.ff.weight", {c, c});
    params_.add("output.weight", {v, c});
    params_.allocate();
    for (const char *n :
         {"h0", "k0", "v0", "z0", "o0", "h1", "k1", "v1", "z1", "o1", "h2", "h3", "dh", "dh2", "dk", "dv", "dz"})
        acts_.reserve(n, {b, t, c});
    for (const char *n : {"pre0", "att0", "pre1", "att1", "datt", "dpre"}) acts_.reserve(n, {b, 1, t, t});
    acts_.reserve("logits", {b, t, v});
    acts_.reserve("probs", {b, t, v});
    acts_.reserve("dlogits", {b, t, v});
    acts_.reserve("losses", {b, t});
    acts_.allocate();
}

float SimpleModel::forward(const int32_t *tokens, const int32_t *targets, const uint8_t *mask) {
    tokens_ = tokens, targets_ = targets, mask_ = mask;
    const int N = B_ * T_, C = C_;
    auto a = [&](const std::string &n) { return acts_.at(n).data; };
    auto w = [&](const std::string &n) { return params_.at(n).value; };
    embedding_forward(a("h0"), tokens, w("tok_embeddings.weight"), w("pos_embeddings"), B_, T_, C, V_);
    for (int l = 0; l < 2; ++l) {
        std::string s = std::to_string(l), pre = "layers." + s + ".attention.";
        float *h = a("h" + s), *k = a("k" + s), *v = a("v" + s), *z = a("z" + s), *o = a("o" + s);
        float *out = a("h" + std::to_string(l + 1));
        linear_forward(k, h, w(pre + "wk.weight"), nullptr, N, C, C);
        linear_forward(v, h, w(pre + "wv.weight"), nullptr, N, C, C);
        attention_forward(z, a("pre" + s), a("att" + s), h, k, v, B_, T_, C, 1, scale_); // q = h: W_Q = identity
        linear_forward(o, z, w(pre + "wo.weight"), nullptr, N, C, C);
        for (size_t i = 0; i < size_t(N) * C; ++i) out[i] = h[i] + o[i];
    }
    float *last = a("h2");
    if (ffn_) {
        linear_forward(a("h3"), a("h2"), w("layers.1.ff.weight"), nullptr, N, C, C);
        for (size_t i = 0; i < size_t(N) * C; ++i) a("h3")[i] += a("h2")[i];
        last = a("h3");
    }
    linear_forward(a("logits"), last, w("output.weight"), nullptr, N, C, V_);
    return cross_entropy_forward(a("losses"), a("probs"), a("logits"), targets, mask, N, V_);
}

void SimpleModel::backward() {
    const int N = B_ * T_, C = C_;
    const size_t NC = size_t(N) * C;
    auto a = [&](const std::string &n) { return acts_.at(n).data; };
    auto p = [&](const std::string &n) -> Parameter & { return params_.at(n); };
    auto zero = [&](const std::string &n) { std::memset(a(n), 0, acts_.at(n).size * sizeof(float)); };
    zero("dlogits");
    zero("dh");
    cross_entropy_backward(a("dlogits"), a("probs"), targets_, mask_, N, V_);
    const float *last = ffn_ ? a("h3") : a("h2");
    linear_backward(a("dh"), p("output.weight").grad_or_null(), nullptr, a("dlogits"), last, p("output.weight").value,
                    N, C, V_);
    if (ffn_) { // h3 = h2 + W_F h2: dh2 = dh3 + W_F^T dh3
        std::memcpy(a("dh2"), a("dh"), NC * sizeof(float));
        linear_backward(a("dh2"), p("layers.1.ff.weight").grad_or_null(), nullptr, a("dh"), a("h2"),
                        p("layers.1.ff.weight").value, N, C, C);
        std::memcpy(a("dh"), a("dh2"), NC * sizeof(float));
    }
    for (int l = 1; l >= 0; --l) {
        // dh holds d(loss)/d(h_{l+1}); h_{l+1} = h_l + o_l, so d h_l starts as a copy (kept in dh2)
        std::string s = std::to_string(l), pre = "layers." + s + ".attention.";
        std::memcpy(a("dh2"), a("dh"), NC * sizeof(float));
        zero("dz");
        zero("dk");
        zero("dv");
        linear_backward(a("dz"), p(pre + "wo.weight").grad_or_null(), nullptr, a("dh"), a("z" + s),
                        p(pre + "wo.weight").value, N, C, C);
        attention_backward(a("dh2"), a("dk"), a("dv"), a("datt"), a("dpre"), a("dz"), a("h" + s), a("k" + s),
                           a("v" + s), a("att" + s), B_, T_, C, 1, scale_);
        linear_backward(a("dh2"), p(pre + "wk.weight").grad_or_null(), nullptr, a("dk"), a("h" + s),
                        p(pre + "wk.weight").value, N, C, C);
        linear_backward(a("dh2"), p(pre + "wv.weight").grad_or_null(), nullptr, a("dv"), a("h" + s),
                        p(pre + "wv.weight").value, N, C, C);
        std::memcpy(a("dh"), a("dh2"), NC * sizeof(float));
    }
    embedding_backward(p("tok_embeddings.weight").grad_or_null(), p("pos_embeddings").grad_or_null(), a("dh"), tokens_,
                       B_, T_, C);
}

} // namespace tdlab::nn::testing
