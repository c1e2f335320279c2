// Fixed sinusoidal positional encoding of Vaswani et al. 2017 as the PyTorch word-language-model tutorial
// builds it (the model of Tian et al. 2023's real-data runs), together with its input scaling:
//   pe[pos, 2i]   = sin(pos * w_i),  pe[pos, 2i+1] = cos(pos * w_i),  w_i = exp(2i * (-ln 10000 / C))
//   x[b,t,:]      = emb[b,t,:] * sqrt(C) + pe[t,:]            (pe is a buffer: no gradient)
// w_i and the products are computed in float32, as torch does on a float32 table.
// Shapes: pe (max_len, C), C even; emb, x (B,T,C).
#pragma once

namespace tdlab::nn {

void sinusoidal_table(float *pe, int max_len, int C);

// out = emb * scale + pe[t]; out may alias emb.
void scaled_add_positions(float *out, const float *emb, const float *pe, float scale, int B, int T, int C);

// demb += dout * scale.
void scaled_add_positions_backward(float *demb, const float *dout, float scale, int B, int T, int C);

} // namespace tdlab::nn
