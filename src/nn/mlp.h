// ReLU MLP y = W2 relu(W1 x + b1) + b2 (biases optional; Bietti et al.'s full model has none), and the ReLU
// on its own. Shapes: N = rows (B*T), C = channels, H = hidden width (4C in the papers).
#pragma once

#include <cstddef>

namespace tdlab::nn {

// out = max(inp, 0); dinp += dout * (inp > 0). N floats.
void relu_forward(float *out, const float *inp, size_t N);
void relu_backward(float *dinp, const float *dout, const float *inp, size_t N);

// out (N,C); hidden_pre (N,H) = inp W1^T + b1 and hidden (N,H) = relu(hidden_pre) are saved for the backward.
// w1 (H,C), b1 (H) or null; w2 (C,H), b2 (C) or null.
void mlp_forward(float *out, float *hidden_pre, float *hidden, const float *inp, const float *w1, const float *b1,
                 const float *w2, const float *b2, int N, int C, int H);

// Accumulates (+=) into dinp (N,C) and the parameter gradients (any may be null). dhidden (N,H) is scratch.
void mlp_backward(float *dinp, float *dw1, float *db1, float *dw2, float *db2, float *dhidden, const float *dout,
                  const float *inp, const float *hidden_pre, const float *hidden, const float *w1, const float *w2,
                  int N, int C, int H);

} // namespace tdlab::nn
