#include "nn/attention_dropout.h"

#include "nn/attention.h"
#include "nn/blas_threads.h"

#include <cblas.h>
#include <cstddef>

namespace tdlab::nn {

void attention_dropout_forward(float *out, float *preatt, float *att, float *att_d, const float *mask, const float *q,
                               const float *k, const float *v, int B, int T, int C, int NH, float scale) {
    attention_forward(out, preatt, att, q, k, v, B, T, C, NH, scale);
    const size_t TT = size_t(T) * T, n = size_t(B) * NH * TT;
    for (size_t i = 0; i < n; ++i) att_d[i] = mask ? att[i] * mask[i] : att[i];
    if (!mask) return; // out already is att v
    const int HS = C / NH;
    ensure_blas_single_thread();
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
        const size_t off = size_t(bh / NH) * T * C + size_t(bh % NH) * HS;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, HS, T, 1.0f, att_d + size_t(bh) * TT, T, v + off, C,
                    0.0f, out + off, C);
    }
}

void attention_dropout_backward(float *dq, float *dk, float *dv, float *datt, float *dpreatt, const float *dout,
                                const float *q, const float *k, const float *v, const float *att, const float *att_d,
                                const float *mask, int B, int T, int C, int NH, float scale) {
    if (!mask) {
        attention_backward(dq, dk, dv, datt, dpreatt, dout, q, k, v, att, B, T, C, NH, scale);
        return;
    }
    const int HS = C / NH;
    const size_t TT = size_t(T) * T;
    ensure_blas_single_thread();
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
        const size_t off = size_t(bh / NH) * T * C + size_t(bh % NH) * HS;
        const float *A = att + size_t(bh) * TT, *Ad = att_d + size_t(bh) * TT, *M = mask + size_t(bh) * TT;
        float *dA = datt + size_t(bh) * TT, *dP = dpreatt + size_t(bh) * TT;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, HS, 1.0f, dout + off, C, v + off, C, 0.0f, dA, T);
        if (dv)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, HS, T, 1.0f, Ad, T, dout + off, C, 1.0f, dv + off,
                        C);
        // d(dropped pattern) -> d(pattern): the mask (0 or 1/(1-p)) scales it; then the plain softmax backward
        for (int t = 0; t < T; ++t) {
            const size_t r = size_t(t) * T;
            for (int s = 0; s <= t; ++s) dA[r + s] *= M[r + s];
        }
        causal_softmax_backward(dP, A, dA, 0, T, T, T);
        if (dq)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, HS, T, scale, dP, T, k + off, C, 1.0f, dq + off,
                        C);
        if (dk)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, HS, T, scale, dP, T, q + off, C, 1.0f, dk + off, C);
    }
}

} // namespace tdlab::nn
