// The word-level transformer language model of the PyTorch "word language model" tutorial, which Scan
// and Snap's real-data runs train (Tian et al. 2023, arXiv 2305.16380, Section 7 and Appendix G;
// docs/scansnap.md "Real text"):
//   x_0    = drop(E[tokens] * sqrt(C) + PE)          (sinusoidal_positions.h; E uniform(-0.1, 0.1))
//   x_l+1  = post-LN encoder layer l (x_l)           (post_ln_block.h; causal, NH heads, ReLU FFN)
//   logits = x_L D^T + d                             (untied decoder, D uniform(-0.1, 0.1), d = 0)
//   loss   = mean cross-entropy over every position.
// Parameter names are torch's named_parameters() of that model:
//   encoder.weight (V,C)   decoder.weight (V,C)   decoder.bias (V)
//   transformer_encoder.layers.{l}.self_attn.in_proj_weight (3C,C) / in_proj_bias (3C)
//   transformer_encoder.layers.{l}.self_attn.out_proj.weight (C,C) / .bias (C)
//   transformer_encoder.layers.{l}.linear1.weight (H,C) / .bias (H), linear2.weight (C,H) / .bias (C)
//   transformer_encoder.layers.{l}.norm1.weight / .bias (C), norm2.weight / .bias (C)
// Parameters live in the model; activations in a WordLmWorkspace per batch shape, so one model trains
// on (20, 35) batches and is evaluated on (10, 35) ones.
#pragma once

#include "nn/params.h"
#include "nn/post_ln_block.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace tdlab::nn {

struct WordLmConfig {
    int vocab = 0;
    int dim = 200;        // C (even: sinusoidal positions)
    int ffn_hidden = 200; // H
    int n_layers = 1;
    int n_heads = 1;
    int max_len = 5000; // rows of the positional table
    float dropout = 0.2f;
};

class WordLm;

class WordLmWorkspace {
  public:
    WordLmWorkspace(const WordLm &model, int B, int T);
    int B, T;

  private:
    friend class WordLm;
    std::vector<float> emb, pos_mask, logits, probs, losses, dlogits, dbias, demb, dtmp;
    std::vector<std::vector<float>> x, dx; // n_layers + 1 layer inputs / their gradients
    std::vector<PostLnBuffers> layers;
    const int32_t *tokens = nullptr, *targets = nullptr;
    bool dropout = false;
    bool grad_ready = false; // the last forward trained and wrote dlogits instead of probs
};

class WordLm {
  public:
    explicit WordLm(const WordLmConfig &config); // UsageError naming the bad field
    // The tutorial's initialisation (see the file comment and word_lm.cpp), from CounterRng(seed, "wordlm");
    // every encoder layer starts as a copy of layer 0, as nn.TransformerEncoder clones its layer.
    void init(uint64_t seed);

    // tokens, targets (B,T) batch-major. train: dropout on, masks from stream (dropout_seed, step), and the
    // loss's gradient written for backward() in the same pass (the bits of the evaluation form followed by
    // backward()); else off. targets null: logits only (returns 0). Returns the mean cross-entropy.
    float forward(WordLmWorkspace &ws, const int32_t *tokens, const int32_t *targets, bool train,
                  uint64_t dropout_seed = 0, uint64_t step = 0) const;
    // Accumulates gradients into params().grad (zero them first). Uses the last forward of ws.
    void backward(WordLmWorkspace &ws);

    ParameterSet &params() { return params_; }
    const ParameterSet &params() const { return params_; }
    const WordLmConfig &config() const { return cfg_; }
    const float *logits(const WordLmWorkspace &ws) const { return ws.logits.data(); }
    // (B,NH,T,T) attention probabilities of layer l (before dropout) of ws's last forward.
    const float *pattern(const WordLmWorkspace &ws, int layer) const { return ws.layers[size_t(layer)].att.data(); }
    const std::vector<float> &positions() const { return pe_; }

  private:
    PostLnWeights layer_weights(int l) const;
    PostLnGrads layer_grads(int l);
    WordLmConfig cfg_;
    ParameterSet params_;
    std::vector<float> pe_;
    size_t enc_, dec_w_, dec_b_;
    std::vector<size_t> layer_slots_; // 12 per layer, in PostLnWeights order
};

} // namespace tdlab::nn
