// Fully connected layer y = x W^T (+ b), torch.nn.Linear convention (weight is out x in), through BLAS.
// Shapes: N = number of rows (B*T), C = input channels, OC = output channels.
#pragma once

namespace tdlab::nn {

// out (N,OC) = inp (N,C) @ weight(OC,C)^T + bias(OC). bias may be null (no bias). Overwrites out.
void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N, int C, int OC);

// Backward of linear_forward. Every gradient is ACCUMULATED (+=), llm.c style, so that residual branches
// and shared inputs sum naturally; any of dinp (N,C), dweight (OC,C), dbias (OC) may be null (not needed:
// input is a leaf, or the parameter is frozen) and is then not computed at all.
void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, int N, int C, int OC);

} // namespace tdlab::nn
