// Bietti et al.'s simplified two-layer attention model (ihead_basic_model.py; Bietti et al. 2023, arXiv 2306.00802,
// Sec. 4.2; docs/birth.md "The simplified two-layer model"), built from the tdlab::nn ops. One head per layer, head dim
// = d, W_Q = identity, no LayerNorm, no biases, column-vector convention of torch.nn.Linear (y = W x, W out x in):
//   h0_t = E[z_t] + P[t]
//   layer l = 1,2 (input h):  k = W_K h,  v = W_V h,  beta = causal softmax_s(h_t . k_s / sqrt(d)),
//                             h'_t = h_t + W_O sum_s beta_ts v_s
//   optional final linear FFN (W_F): h3 = h2 + W_F h2
//   logits_t = W_U h_t  (no bias, no final norm)
// Frozen always: W_V^1, W_O^1, W_V^2 and P (trainable = false). E and W_U follow freeze_embeddings
// and freeze_output. Parameter names follow the authors' code (used by freeze_until):
//   tok_embeddings.weight (N,d)  pos_embeddings (max_length,d)  layers.{0,1}.attention.{wk,wv,wo}.weight (d,d)
//   layers.1.ff.weight (d,d)  output.weight (N,d)
// Initialisation (PyTorch defaults as in the code): E, P ~ N(0,1) (N(0,1/d) with sqrtd_embeddings),
// every linear ~ U(-1/sqrt(d), 1/sqrt(d)).
#pragma once

#include "birth/trigger_data.h"
#include "nn/arena.h"
#include "nn/capture.h"
#include "nn/params.h"
#include "nn/transformer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::birth {

struct ModelOptions {
    int vocab = 65;
    int dim = 256;
    int max_length = 256;   // rows of P
    bool final_ffn = false; // W_F (linear) after layer 2
    bool no_sqrtd = false;  // drop the 1/sqrt(d) attention scaling
    bool sqrtd_embeddings = false;
    bool freeze_embeddings = true;
    bool freeze_output = true;
    // Which model `birth train` builds: this simplified one, or the generic transformer (birth/full_model.h),
    // which reads dim, max_length, freeze_embeddings, freeze_output and the fields below.
    std::string kind = "simplified"; // simplified | full
    int n_layers = 2, n_heads = 4;
    bool sin_cos = false, pre_norm = true;
    std::vector<nn::FfnKind> ffn; // per layer; empty: ReLU everywhere
    bool no_wv = false, no_wo = false, freeze_wv = false, freeze_wo = false, tie_output = false;
};

// Activations of one (B,T) batch shape, planned once and reused every iteration.
struct ModelActivations {
    int B = 0, T = 0;
    nn::Arena acts, grads;
    // forward: h0 k1 v1 z1 h1 k2 ov2 oz2 h2 (h3) (B,T,d); preatt/att (B,1,T,T) per layer; logits, probs (B,T,N).
    // Layer 1's W_V^1 and W_O^1 are both frozen, so it runs on their product: wov1 = W_O^1 W_V^1 (d,d), made by
    // each forward; v1 = h0 wov1^T (rows are positions) and z1 = att1 v1 is the layer's output (h1 = h0 + z1).
    float *h0, *k1, *v1, *z1, *h1, *k2, *ov2, *oz2, *h2, *h3 = nullptr, *wov1 = nullptr;
    // Layer 2 runs on wov2 = W_O^2 W_V^2 (d,d), made by each forward: ov2 = h1 wov2^T (W_O^2 applied to the
    // values) and oz2 = att2 ov2 is the layer's output (h2 = h1 + oz2).
    float *wov2 = nullptr;
    // h0 = E[x] + P[t] and layer 1's maps are linear, so k1 and v1 are gathered from the tables projected once
    // per forward (SimplifiedModel::forward): ek1 = E W_K^1^T, ev1 = E wov1^T (N,d); pk1, pv1 the same of P (T,d).
    float *ek1 = nullptr, *pk1 = nullptr, *ev1 = nullptr, *pv1 = nullptr;
    float *preatt1, *att1, *preatt2, *att2, *logits, *probs, *losses;
    // backward scratch
    float *dlogits, *dh3 = nullptr, *dh2, *dk2, *dov2, *dh1, *dk1, *dv1, *dh0, *datt, *dpreatt;
    float *dwov2 = nullptr;                       // dov2^T h1 (d,d), the gradient of wov2
    float *dk1_tok = nullptr, *dk1_pos = nullptr; // dk1 summed per token (N,d) and per position (T,d)
    std::vector<uint8_t> mask;
    const int32_t *tokens = nullptr, *targets = nullptr;
};

class SimplifiedModel {
  public:
    explicit SimplifiedModel(const ModelOptions &opt);
    void init(uint64_t seed);

    // Plans and allocates activations for (B,T), T <= max_length.
    ModelActivations make_activations(int B, int T) const;
    // Forward on x (B,T); the loss is the mean CE over mask (B,T) positions (null = all), with y targets
    // (null = no loss). Fills a.logits/probs/att1/att2. Returns the loss.
    float forward(ModelActivations &a, const int32_t *x, const int32_t *y, const uint8_t *mask,
                  nn::ActivationCapture *capture = nullptr) const;
    // Accumulates gradients into params().grad (for params with requires_grad) for the last forward.
    void backward(ModelActivations &a);

    nn::ParameterSet &params() { return params_; }
    const nn::ParameterSet &params() const { return params_; }
    const ModelOptions &options() const { return opt_; }
    float attn_scale() const;

    // Parameter accessors (d x d and table shapes as in the header comment).
    nn::Parameter &E() { return params_[iE_]; }
    nn::Parameter &P() { return params_[iP_]; }
    nn::Parameter &WK(int l) { return params_[l == 0 ? iK1_ : iK2_]; }
    nn::Parameter &WV(int l) { return params_[l == 0 ? iV1_ : iV2_]; }
    nn::Parameter &WO(int l) { return params_[l == 0 ? iO1_ : iO2_]; }
    nn::Parameter *WF() { return opt_.final_ffn ? &params_[iF_] : nullptr; }
    nn::Parameter &WU() { return params_[iU_]; }
    const nn::Parameter &E() const { return params_[iE_]; }
    const nn::Parameter &P() const { return params_[iP_]; }
    const nn::Parameter &WK(int l) const { return params_[l == 0 ? iK1_ : iK2_]; }
    const nn::Parameter &WV(int l) const { return params_[l == 0 ? iV1_ : iV2_]; }
    const nn::Parameter &WO(int l) const { return params_[l == 0 ? iO1_ : iO2_]; }
    const nn::Parameter *WF() const { return opt_.final_ffn ? &params_[iF_] : nullptr; }
    const nn::Parameter &WU() const { return params_[iU_]; }

  private:
    // e_out (N,d) = E w^T, p_out (T,d) = P[0,T) w^T: a d x d map of layer 1 applied to the tables h0 is made of.
    void project_tables(float *e_out, float *p_out, const float *w, int T) const;

    ModelOptions opt_;
    nn::ParameterSet params_;
    size_t iE_, iP_, iK1_, iV1_, iO1_, iK2_, iV2_, iO2_, iF_ = 0, iU_;
};

// Forward FLOPs of one batch (matrix products only), for the benchmark's GFLOP/s.
double forward_flops(const ModelOptions &opt, int B, int T);

} // namespace tdlab::birth
