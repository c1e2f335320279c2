#include "nn/mlp.h"

#include "nn/gemm.h"
#include "nn/linear.h"

namespace tdlab::nn {

void relu_forward(float *out, const float *inp, size_t N) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < N; ++i) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void relu_backward(float *dinp, const float *dout, const float *inp, size_t N) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < N; ++i)
        if (inp[i] > 0.0f) dinp[i] += dout[i];
}

void mlp_forward(float *out, float *hidden_pre, float *hidden, const float *inp, const float *w1, const float *b1,
                 const float *w2, const float *b2, int N, int C, int H) {
    linear_forward(hidden_pre, inp, w1, b1, N, C, H);
    relu_forward(hidden, hidden_pre, size_t(N) * H);
    linear_forward(out, hidden, w2, b2, N, H, C);
}

void mlp_backward(float *dinp, float *dw1, float *db1, float *dw2, float *db2, float *dhidden, const float *dout,
                  const float *inp, const float *hidden_pre, const float *hidden, const float *w1, const float *w2,
                  int N, int C, int H) {
    // dhidden (N,H) = dout (N,C) . W2 (C,H), overwritten (beta 0: the bits of accumulating into zeros, without
    // a pass that zeroes N*H floats first); then dW2, db2 as linear_backward computes them
    const size_t NH = size_t(N) * H;
    gemm(CblasNoTrans, CblasNoTrans, N, H, C, 1.0f, dout, C, w2, H, 0.0f, dhidden, H);
    linear_backward(nullptr, dw2, db2, dout, hidden, w2, N, H, C);
    // Through the ReLU in place: dhidden_pre = dhidden * (hidden_pre > 0)
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < NH; ++i) dhidden[i] = hidden_pre[i] > 0.0f ? dhidden[i] : 0.0f; // a select: vectorises
    linear_backward(dinp, dw1, db1, dhidden, inp, w1, N, C, H);
}

} // namespace tdlab::nn
