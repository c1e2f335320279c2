// Row-wise l2 normalisation, torch.nn.functional.normalize(x, p=2, dim=-1, eps=1e-12):
//   out[i,:] = inp[i,:] / max(||inp[i,:]||_2, eps)
// (Scan and Snap normalises embeddings this way.) Shapes: N = rows, C = channels.
#pragma once

namespace tdlab::nn {

constexpr float kL2NormEps = 1e-12f;

// out (N,C); norm (N) = max(||inp_i||, eps) is saved for the backward.
void l2norm_forward(float *out, float *norm, const float *inp, int N, int C, float eps = kL2NormEps);
// dinp (N,C) += (dout - out (out . dout)) / norm  where ||inp_i|| > eps, dout / eps otherwise.
void l2norm_backward(float *dinp, const float *dout, const float *out, const float *norm, const float *inp, int N,
                     int C, float eps = kL2NormEps);

} // namespace tdlab::nn
