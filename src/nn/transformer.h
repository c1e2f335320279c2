// The generic causal transformer of Bietti et al.'s ihead_full_model.py (Bietti et al. 2023, arXiv 2306.00802;
// docs/birth.md "The full transformer"). Two block layouts:
//   pre-norm (default), the code's PARALLEL block:
//     x_{l+1} = x_l + Attn_l(LN_a(x_l)) + FFN_l(LN_f(x_l))      (FFN reads LN_f of the block input)
//     logits  = LN_final(x_L) W_U^T
//   post-norm, sequential, no final norm:
//     h = LN_a(x_l + Attn_l(x_l));  x_{l+1} = LN_f(h + FFN_l(h))  (x_{l+1} = h without an FFN)
//     logits  = x_L W_U^T
// Attn: q = x W_Q^T, k = x W_K^T, v = x W_V^T (no bias), NH heads, scores / sqrt(C/NH), causal softmax,
// out = z W_O^T; no_wv / no_wo make W_V / W_O the identity (no parameter). FFN per layer: W2 relu(W1 x)
// (hidden 4C), a linear C x C map W_F x, or none; no bias. LayerNorm eps 1e-5, affine.
// Embeddings: E (V,C) and learned positions P (max_seq,C), both N(0,1) at init, or the fixed sin/cos table
// (no P parameter: x = E[z] + pe[t], no sqrt(C) factor, as the code adds it); linears U(+-1/sqrt(fan_in)).
// tie_output: W_U is E (one parameter, gradients of both uses summed), unless freeze_output, which wins as
// in the code. freeze_*: the parameter exists with requires_grad false (torch's requires_grad_(False)).
//
// Parameter names (torch named_parameters of the oracle in tests/golden/make_golden.py):
//   tok_embeddings.weight (V,C)  pos_embeddings.weight (max_seq,C)
//   layers.{l}.attention.{wq,wk,wv,wo}.weight (C,C)
//   layers.{l}.attention_norm.{weight,bias} (C)  layers.{l}.ff_norm.{weight,bias} (C)
//   layers.{l}.ff.w1.weight (H,C)  layers.{l}.ff.w2.weight (C,H)  (linear FFN: layers.{l}.ff.weight (C,C))
//   norm.{weight,bias} (C, pre-norm only)  output.weight (V,C, absent when tied)
// Hooks (see capture.h): hook_embed, hook_pos_embed, blocks.{l}.hook_resid_pre, ln1.hook_normalized,
// ln2.hook_normalized, attn.hook_q/k/v/z, attn.hook_attn_scores, attn.hook_pattern, hook_attn_out,
// hook_mlp_out, hook_resid_post, ln_final.hook_normalized, logits. (No hook_resid_mid in pre-norm: the block
// is parallel, as in TransformerLens with parallel_attn_mlp; post-norm records it as x + Attn(x), and
// ln1.hook_normalized as h.)
#pragma once

#include "nn/arena.h"
#include "nn/capture.h"
#include "nn/params.h"

#include <cstdint>
#include <vector>

namespace tdlab::nn {

enum class FfnKind { Relu, Linear, None };
// Head ablation at evaluation: one head's output z (before W_O) replaced by zeros, or by its mean over
// the batch's positions (mean ablation), in every following forward.
enum class Ablation { None, Zero, Mean };

struct TransformerConfig {
    int vocab = 65;     // V
    int max_seq = 256;  // rows of the positional table
    int dim = 128;      // C
    int n_layers = 2;   // L
    int n_heads = 4;    // NH (C % NH == 0)
    int ffn_hidden = 0; // H; 0 means 4*C
    bool ffn = true;    // false: no FFN branch (attention-only)
    bool freeze_embeddings = false;
    bool pre_norm = true;              // false: the sequential post-norm block, no final norm
    bool sin_cos = false;              // fixed sinusoidal positions instead of learned P
    std::vector<FfnKind> layer_ffn;    // per layer; empty: Relu for every layer if `ffn`, else None
    bool no_wv = false, no_wo = false; // identity W_V / W_O
    bool freeze_wv = false, freeze_wo = false, freeze_output = false;
    bool tie_output = false; // W_U shares E (ignored with freeze_output, as in the code)
};

class Transformer {
  public:
    // Plans parameters and activations for batches of (B, T) tokens, T <= max_seq, and allocates them.
    // UsageError naming the field for an impossible config.
    Transformer(const TransformerConfig &config, int B, int T);

    // PyTorch-default initialisation from a counter-based stream (deterministic for any thread count).
    void init(uint64_t seed);

    // tokens, targets (B,T); mask (B,T) selects loss positions (null = all). Returns the mean CE loss over
    // the selected positions (targets may be null: logits only, returns 0). Records hooks into `capture`.
    float forward(const int32_t *tokens, const int32_t *targets, const uint8_t *mask,
                  ActivationCapture *capture = nullptr);
    // Ablates head `head` of layer `layer` in the following forwards (Ablation::None restores the model);
    // hook_z records the ablated z. Evaluation only: backward() refuses while an ablation is set.
    void ablate_head(int layer, int head, Ablation mode);
    // Accumulates d(loss)/d(param) into params().grad for parameters with requires_grad (call
    // params().zero_grad() first). Uses the tokens/targets/mask of the last forward.
    void backward();

    ParameterSet &params() { return params_; }
    const ParameterSet &params() const { return params_; }
    const float *logits() const;           // (B,T,V) of the last forward
    const float *pattern(int layer) const; // (B,NH,T,T) attention of the last forward
    const TransformerConfig &config() const { return cfg_; }
    FfnKind ffn_kind(int layer) const { return ffn_[size_t(layer)]; }
    // The positional table added to the embeddings: P's value, or the sin/cos table.
    const float *positions() const;
    int batch() const { return B_; }
    int seq() const { return T_; }

  private:
    TransformerConfig cfg_;
    int B_, T_, H_;
    std::vector<FfnKind> ffn_;
    std::vector<float> pe_; // the sin/cos table (max_seq, C) when sin_cos
    bool tied_ = false;
    Ablation ablation_ = Ablation::None;
    int ablated_layer_ = -1, ablated_head_ = -1;
    ParameterSet params_;
    Arena acts_, grads_; // activations of the forward; activation gradients (scratch) of the backward
    std::vector<size_t> pslot_, aslot_, gslot_; // parameter / activation / scratch slot indices
    size_t gact_ = 0;                           // activation slot of the first global activation
    const int32_t *tokens_ = nullptr, *targets_ = nullptr;
    const uint8_t *mask_ = nullptr;
};

} // namespace tdlab::nn
