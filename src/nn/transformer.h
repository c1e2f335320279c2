// The generic causal transformer of Bietti et al.'s ihead_full_model.py (Bietti et al. 2023, arXiv 2306.00802;
// docs/birth.md "The simplified two-layer model"), pre-norm, with the code's PARALLEL block:
//   x_{l+1} = x_l + Attn_l(LN_a(x_l)) + FFN_l(LN_f(x_l))        (FFN reads LN_f of the block input)
//   logits  = LN_final(x_L) W_U^T
// Attn: q = x W_Q^T, k = x W_K^T, v = x W_V^T (no bias), NH heads, scores / sqrt(C/NH), causal softmax,
// out = z W_O^T. FFN: W2 relu(W1 x), hidden 4C, no bias. LayerNorm eps 1e-5, affine.
// Embeddings: E (V,C) and learned positions P (max_seq,C), both N(0,1) at init; linears U(+-1/sqrt(fan_in)).
//
// Parameter names (torch named_parameters of the oracle in tests/golden/make_golden.py):
//   tok_embeddings.weight (V,C)  pos_embeddings.weight (max_seq,C)
//   layers.{l}.attention.{wq,wk,wv,wo}.weight (C,C)
//   layers.{l}.attention_norm.{weight,bias} (C)  layers.{l}.ff_norm.{weight,bias} (C)
//   layers.{l}.ff.w1.weight (H,C)  layers.{l}.ff.w2.weight (C,H)
//   norm.{weight,bias} (C)  output.weight (V,C)
// Hooks (see capture.h): hook_embed, hook_pos_embed, blocks.{l}.hook_resid_pre, ln1.hook_normalized,
// ln2.hook_normalized, attn.hook_q/k/v/z, attn.hook_attn_scores, attn.hook_pattern, hook_attn_out,
// hook_mlp_out, hook_resid_post, ln_final.hook_normalized, logits. (No hook_resid_mid: the block is
// parallel, as in TransformerLens with parallel_attn_mlp.)
#pragma once

#include "nn/arena.h"
#include "nn/capture.h"
#include "nn/params.h"

#include <cstdint>

namespace tdlab::nn {

struct TransformerConfig {
    int vocab = 65;     // V
    int max_seq = 256;  // rows of the positional table
    int dim = 128;      // C
    int n_layers = 2;   // L
    int n_heads = 4;    // NH (C % NH == 0)
    int ffn_hidden = 0; // H; 0 means 4*C
    bool ffn = true;    // false: no FFN branch (attention-only)
    bool freeze_embeddings = false;
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
    // Accumulates d(loss)/d(param) into params().grad for parameters with requires_grad (call
    // params().zero_grad() first). Uses the tokens/targets/mask of the last forward.
    void backward();

    ParameterSet &params() { return params_; }
    const ParameterSet &params() const { return params_; }
    const float *logits() const;           // (B,T,V) of the last forward
    const float *pattern(int layer) const; // (B,NH,T,T) attention of the last forward
    const TransformerConfig &config() const { return cfg_; }
    int batch() const { return B_; }
    int seq() const { return T_; }

  private:
    TransformerConfig cfg_;
    int B_, T_, H_;
    ParameterSet params_;
    Arena acts_, grads_; // activations of the forward; activation gradients (scratch) of the backward
    std::vector<size_t> pslot_, aslot_, gslot_; // parameter / activation / scratch slot indices
    const int32_t *tokens_ = nullptr, *targets_ = nullptr;
    const uint8_t *mask_ = nullptr;
};

} // namespace tdlab::nn
