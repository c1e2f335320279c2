#include "nn/attention.h"

#include "nn/blas_threads.h"

#include <cblas.h>
#include <cmath>
#include <limits>

namespace tdlab::nn {

void attention_forward(float *out, float *preatt, float *att, const float *q, const float *k, const float *v, int B,
                       int T, int C, int NH, float scale) {
    const int HS = C / NH;
    const size_t TT = size_t(T) * T;
    ensure_blas_single_thread(); // one BLAS thread per OpenMP thread inside the region below
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
        int b = bh / NH, h = bh % NH;
        size_t off = size_t(b) * T * C + size_t(h) * HS; // (b, t=0, h, 0) in a (B,T,C) tensor
        float *P = preatt + size_t(bh) * TT, *A = att + size_t(bh) * TT;
        // P (T,T) = scale * Q (T,HS) K^T (HS,T); rows strided by C inside the (B,T,C) tensors
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, HS, scale, q + off, C, k + off, C, 0.0f, P, T);
        for (int t = 0; t < T; ++t) {
            float *p = P + size_t(t) * T, *a = A + size_t(t) * T;
            float mx = p[0];
            for (int s = 1; s <= t; ++s) mx = p[s] > mx ? p[s] : mx;
            double sum = 0.0;
            for (int s = 0; s <= t; ++s) {
                a[s] = std::exp(p[s] - mx);
                sum += a[s];
            }
            float inv = float(1.0 / sum);
            for (int s = 0; s <= t; ++s) a[s] *= inv;
            for (int s = t + 1; s < T; ++s) {
                a[s] = 0.0f;
                p[s] = -std::numeric_limits<float>::infinity();
            }
        }
        // O (T,HS) = A (T,T) V (T,HS)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, HS, T, 1.0f, A, T, v + off, C, 0.0f, out + off, C);
    }
}

void attention_backward(float *dq, float *dk, float *dv, float *datt, float *dpreatt, const float *dout, const float *q,
                        const float *k, const float *v, const float *att, int B, int T, int C, int NH, float scale) {
    const int HS = C / NH;
    const size_t TT = size_t(T) * T;
    ensure_blas_single_thread();
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
        int b = bh / NH, h = bh % NH;
        size_t off = size_t(b) * T * C + size_t(h) * HS;
        const float *A = att + size_t(bh) * TT;
        float *dA = datt + size_t(bh) * TT, *dP = dpreatt + size_t(bh) * TT;
        // dA (T,T) = dO (T,HS) V^T
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, HS, 1.0f, dout + off, C, v + off, C, 0.0f, dA, T);
        // dV (T,HS) += A^T (T,T) dO (T,HS)
        if (dv)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, HS, T, 1.0f, A, T, dout + off, C, 1.0f, dv + off,
                        C);
        // softmax backward on the causal part: dP = A * (dA - sum_s A dA); zero above the diagonal
        for (int t = 0; t < T; ++t)
            causal_softmax_backward_row(dP + size_t(t) * T, A + size_t(t) * T, dA + size_t(t) * T, t, T);
        // dQ (T,HS) += scale * dP (T,T) K (T,HS);  dK (T,HS) += scale * dP^T Q
        if (dq)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, HS, T, scale, dP, T, k + off, C, 1.0f, dq + off,
                        C);
        if (dk)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, HS, T, scale, dP, T, q + off, C, 1.0f, dk + off, C);
    }
}

void causal_softmax_backward_row(float *dp, const float *a, const float *da, int t, int T) {
    double dot = 0.0;
    for (int s = 0; s <= t; ++s) dot += double(a[s]) * da[s];
    const float d = float(dot);
    for (int s = 0; s <= t; ++s) dp[s] = a[s] * (da[s] - d);
    for (int s = t + 1; s < T; ++s) dp[s] = 0.0f;
}

} // namespace tdlab::nn
