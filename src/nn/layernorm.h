// LayerNorm over the last axis (torch.nn.LayerNorm(C, eps=1e-5), affine), forward and backward.
// Shapes: N = rows (B*T), C = channels.
#pragma once

namespace tdlab::nn {

constexpr float kLayerNormEps = 1e-5f;

// out (N,C) = (inp - mean) * rstd * weight + bias; mean, rstd (N) are saved for the backward.
// The variance is the biased one (divide by C), as torch computes it. weight/bias (C) may be null (identity).
void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight, const float *bias,
                       int N, int C, float eps = kLayerNormEps);

// Accumulates (+=) into dinp (N,C), dweight (C), dbias (C); dweight/dbias may be null (frozen or absent).
// dweight/dbias are reduced over rows serially so that the bytes do not depend on the thread count.
void layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                        const float *weight, const float *mean, const float *rstd, int N, int C);

} // namespace tdlab::nn
