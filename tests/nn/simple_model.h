// Test-side assembly of Bietti et al.'s simplified 2-layer attention model (docs/birth.md, "The simplified two-layer
// model") from the nn op kernels, with the parameter names of tests/golden/make_golden.py (and of the official code):
//   h0 = E[x] + P;  h_l = h_{l-1} + W_O softmax(h (W_K h)^T * scale) W_V h  (W_Q = identity, causal)
//   layer 2 optionally adds W_F: h2 += W_F h2;  logits = W_U h2.
// Frozen for ever: P, W_V^1, W_O^1, W_V^2. The birth helper builds the production model in src/birth;
// this one exists to check the ops against the PyTorch oracle on the exact composition birth uses.
#pragma once

#include "nn/arena.h"
#include "nn/params.h"

#include <cstdint>

namespace tdlab::nn::testing {

class SimpleModel {
  public:
    SimpleModel(int V, int T, int C, int B, bool sqrtd, bool ffn);
    float forward(const int32_t *tokens, const int32_t *targets, const uint8_t *mask);
    void backward(); // accumulates into params().grad (zero first)
    ParameterSet &params() { return params_; }
    const float *logits() const { return acts_.at("logits").data; }
    const float *pattern(int l) const { return acts_.at("att" + std::to_string(l)).data; }

  private:
    int V_, T_, C_, B_;
    float scale_;
    bool ffn_;
    ParameterSet params_;
    Arena acts_;
    const int32_t *tokens_ = nullptr, *targets_ = nullptr;
    const uint8_t *mask_ = nullptr;
};

} // namespace tdlab::nn::testing
