// Token (and optional positional) embedding lookup, forward and backward.
// Shapes: B = batch, T = sequence length, C = channels (d), V = vocabulary size.
#pragma once

#include <cstdint>

namespace tdlab::nn {

// out[b,t,:] = wte[tokens[b,t],:] + (wpe ? wpe[t,:] : 0)
// out (B,T,C); tokens (B,T) in [0,V) (RuntimeError naming the bad id otherwise); wte (V,C); wpe (>=T,C) or null.
void embedding_forward(float *out, const int32_t *tokens, const float *wte, const float *wpe, int B, int T, int C,
                       int V);

// Accumulates (+=) into dwte (V,C) and dwpe (>=T,C); either may be null (frozen). dout (B,T,C).
// Serial over (b,t) so that the scatter-add order, hence the bytes, never depend on the thread count.
void embedding_backward(float *dwte, float *dwpe, const float *dout, const int32_t *tokens, int B, int T, int C);

} // namespace tdlab::nn
