#include "nn/attention.h"

#include "nn/blas_threads.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <limits>
#include <vector>

namespace tdlab::nn {

namespace {

// Causal skipping: the T x T products run in blocks of kCausalRows query rows; block [i0, i0+m) needs key
// columns [0, i0+m) only (10/16 of the full product at T = 256). Every element keeps its own K reduction
// in the same order: the skipped terms were exact zeros (masked probabilities or gradients) that sat at
// the end (att v, dP k) or the start (att^T dO, dP^T q) of the sum, so the results are the same bits.
// A function of T only, never of the thread count.
constexpr int kCausalRows = 64;

// Per-thread T x T scratch for a (b, h) slice that no caller needs afterwards (the scores without a
// hook, the gradients of the backward): one slice stays in cache instead of a (B,NH,T,T) round trip.
// thread_local, so that the buffers outlive the call (a fresh 256 KB vector per call is an mmap and page
// faults every time); `which` picks one of the thread's buffers.
float *slice_scratch(int which, size_t n) {
    thread_local std::vector<float> buf[2];
    if (buf[which].size() < n) buf[which].resize(n);
    return buf[which].data();
}

// P rows [0, T) = scale * Q K^T on the causal part (columns beyond each row block's diagonal untouched)
void causal_scores(float *P, const float *q, const float *k, int T, int C, int HS, float scale) {
    for (int i0 = 0; i0 < T; i0 += kCausalRows) {
        const int m = std::min(kCausalRows, T - i0), cols = i0 + m;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, cols, HS, scale, q + size_t(i0) * C, C, k, C, 0.0f,
                    P + size_t(i0) * T, T);
    }
}

// Rows handled together by the causal softmax and its backward. A row's max, sum and dot are serial chains in key
// order (their bits), and a chain of t dependent double adds waits on the adder's latency at every step; the
// chains of kSoftmaxRows rows are independent and run interleaved, each still in its own order: the same bits
// as one row at a time (checked against causal_softmax_backward_row and the golden tests).
constexpr int kSoftmaxRows = 8;

// Rows t0 .. t0+G-1 of the causal softmax: a[s] = exp(p[s] - max) / sum for s <= t (sum in double), 0 above up
// to T; P and A are T x T slices. Each row's chains run over keys [0, t0] interleaved with the group's other
// rows, then over its own tail (t0, t].
template <int G> void causal_softmax_rows(float *A, const float *P, int t0, int T) {
    float mx[G];
    double sum[G] = {};
    for (int j = 0; j < G; ++j) mx[j] = P[size_t(t0 + j) * T];
    for (int s = 1; s <= t0; ++s)
        for (int j = 0; j < G; ++j) {
            const float x = P[size_t(t0 + j) * T + s];
            mx[j] = x > mx[j] ? x : mx[j];
        }
    for (int j = 1; j < G; ++j)
        for (int s = t0 + 1; s <= t0 + j; ++s) {
            const float x = P[size_t(t0 + j) * T + s];
            mx[j] = x > mx[j] ? x : mx[j];
        }
    for (int j = 0; j < G; ++j) {
        const float *p = P + size_t(t0 + j) * T;
        float *a = A + size_t(t0 + j) * T;
        for (int s = 0; s <= t0 + j; ++s) a[s] = std::exp(p[s] - mx[j]);
    }
    for (int s = 0; s <= t0; ++s)
        for (int j = 0; j < G; ++j) sum[j] += A[size_t(t0 + j) * T + s];
    for (int j = 1; j < G; ++j)
        for (int s = t0 + 1; s <= t0 + j; ++s) sum[j] += A[size_t(t0 + j) * T + s];
    for (int j = 0; j < G; ++j) {
        float *a = A + size_t(t0 + j) * T;
        const float inv = float(1.0 / sum[j]);
        for (int s = 0; s <= t0 + j; ++s) a[s] *= inv;
        for (int s = t0 + j + 1; s < T; ++s) a[s] = 0.0f;
    }
}

// dp[s] = a[s] (da[s] - sum_{r<=t} a[r] da[r]) for rows t0 .. t0+G-1 (the dot in double), 0 from t+1 to width.
template <int G>
void causal_softmax_backward_rows(float *dP, const float *A, const float *dA, int t0, int T, int width) {
    double dot[G] = {};
    for (int s = 0; s <= t0; ++s)
        for (int j = 0; j < G; ++j) {
            const size_t i = size_t(t0 + j) * T + s;
            dot[j] += double(A[i]) * dA[i];
        }
    for (int j = 1; j < G; ++j)
        for (int s = t0 + 1; s <= t0 + j; ++s) {
            const size_t i = size_t(t0 + j) * T + s;
            dot[j] += double(A[i]) * dA[i];
        }
    for (int j = 0; j < G; ++j) {
        const size_t r = size_t(t0 + j) * T;
        const float d = float(dot[j]);
        for (int s = 0; s <= t0 + j; ++s) dP[r + s] = A[r + s] * (dA[r + s] - d);
        for (int s = t0 + j + 1; s < width; ++s) dP[r + s] = 0.0f;
    }
}

} // namespace

void attention_forward(float *out, float *preatt, float *att, const float *q, const float *k, const float *v, int B,
                       int T, int C, int NH, float scale) {
    const int HS = C / NH;
    const size_t TT = size_t(T) * T;
    ensure_blas_single_thread(); // one BLAS thread per OpenMP thread inside the region below
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * NH; ++bh) {
        int b = bh / NH, h = bh % NH;
        size_t off = size_t(b) * T * C + size_t(h) * HS; // (b, t=0, h, 0) in a (B,T,C) tensor
        float *P = preatt ? preatt + size_t(bh) * TT : slice_scratch(0, TT), *A = att + size_t(bh) * TT;
        // P (T,T) = scale * Q (T,HS) K^T (HS,T); rows strided by C inside the (B,T,C) tensors
        causal_scores(P, q + off, k + off, T, C, HS, scale);
        int t = 0;
        for (; t + kSoftmaxRows <= T; t += kSoftmaxRows) causal_softmax_rows<kSoftmaxRows>(A, P, t, T);
        for (; t < T; ++t) causal_softmax_rows<1>(A, P, t, T);
        if (preatt)
            for (int r = 0; r < T; ++r)
                for (int s = r + 1; s < T; ++s) P[size_t(r) * T + s] = -std::numeric_limits<float>::infinity();
        // O (T,HS) = A (T,T) V (T,HS): row block [i0, i0+m) reads V rows [0, i0+m)
        for (int i0 = 0; i0 < T; i0 += kCausalRows) {
            const int m = std::min(kCausalRows, T - i0), cols = i0 + m;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, HS, cols, 1.0f, A + size_t(i0) * T, T, v + off, C,
                        0.0f, out + off + size_t(i0) * C, C);
        }
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
        float *dA = datt ? datt + size_t(bh) * TT : slice_scratch(0, TT);
        float *dP = dpreatt ? dpreatt + size_t(bh) * TT : slice_scratch(1, TT);
        // dV += A^T dO (first, as before: dq and dv may be the same buffer)
        if (dv)
            for (int s0 = 0; s0 < T; s0 += kCausalRows) {
                const int m = std::min(kCausalRows, T - s0);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, HS, T - s0, 1.0f,
                            A + size_t(s0) * T + size_t(s0), T, dout + off + size_t(s0) * C, C, 1.0f,
                            dv + off + size_t(s0) * C, C);
            }
        // Row block [i0, i0+m) of every T x T operand is read or written on columns [0, i0+m) only. Only dq and
        // dk need the score gradient: a caller that wants dv alone (a value path that trains while the keys
        // are frozen) skips it.
        for (int i0 = 0; i0 < T && (dq || dk); i0 += kCausalRows) {
            const int m = std::min(kCausalRows, T - i0), cols = i0 + m;
            const size_t r0 = size_t(i0) * T;
            // dA = dO V^T
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, cols, HS, 1.0f, dout + off + size_t(i0) * C, C,
                        v + off, C, 0.0f, dA + r0, T);
            // softmax backward on the causal part: dP = A * (dA - sum_s A dA); zero up to the block's edge
            causal_softmax_backward(dP, A, dA, i0, cols, T, dpreatt ? T : cols);
            // dQ (rows i0..) += scale * dP K over keys [0, i0+m)
            if (dq)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, HS, cols, scale, dP + r0, T, k + off, C, 1.0f,
                            dq + off + size_t(i0) * C, C);
        }
        // key block [s0, s0+m) gets contributions from query rows [s0, T) only
        if (dk)
            for (int s0 = 0; s0 < T; s0 += kCausalRows) {
                const int m = std::min(kCausalRows, T - s0), rows = T - s0;
                const size_t d0 = size_t(s0) * T + size_t(s0);
                // dK += scale * dP^T Q
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, HS, rows, scale, dP + d0, T,
                            q + off + size_t(s0) * C, C, 1.0f, dk + off + size_t(s0) * C, C);
            }
    }
}

double causal_product_fraction(int T) {
    double entries = 0;
    for (int i0 = 0; i0 < T; i0 += kCausalRows) {
        const int m = std::min(kCausalRows, T - i0);
        entries += double(m) * (i0 + m);
    }
    return entries / (double(T) * T);
}

void causal_softmax_backward_row(float *dp, const float *a, const float *da, int t, int T) {
    double dot = 0.0;
    for (int s = 0; s <= t; ++s) dot += double(a[s]) * da[s];
    const float d = float(dot);
    for (int s = 0; s <= t; ++s) dp[s] = a[s] * (da[s] - d);
    for (int s = t + 1; s < T; ++s) dp[s] = 0.0f;
}

void causal_softmax_backward(float *dP, const float *A, const float *dA, int t0, int t1, int T, int width) {
    int t = t0;
    for (; t + kSoftmaxRows <= t1; t += kSoftmaxRows)
        causal_softmax_backward_rows<kSoftmaxRows>(dP, A, dA, t, T, width);
    for (; t < t1; ++t) causal_softmax_backward_rows<1>(dP, A, dA, t, T, width);
}

} // namespace tdlab::nn
