// Causal multi-head scaled dot-product attention core (the part between the projections), forward and
// backward, in llm.c style. The projections (W_Q, W_K, W_V, W_O) are separate linear ops, so
// "W_Q = identity" (Bietti et al.'s simplified model) is simply q = the layer input.
//
// Shapes: B = batch, T = sequence length, C = channels, NH = heads, HS = C / NH (head size).
// q, k, v, out are (B,T,C) with head h occupying channels [h*HS, (h+1)*HS) (the usual split of C).
//   preatt[b,h,t,s] = scale * q[b,t,h,:] . k[b,s,h,:]   for s <= t (causal), -inf above the diagonal
//   att[b,h,t,:]    = softmax_s(preatt[b,h,t,:])          (fp32; entries s > t are exactly 0)
//   out[b,t,h,:]    = sum_s att[b,h,t,s] v[b,s,h,:]
// `att` is TransformerLens' hook_pattern [batch, head, q, k] and `preatt` its hook_attn_scores (the masked
// entries are stored as -inf, as TL does). scale = 1/sqrt(HS) normally, 1 for "no_sqrtd".
//
// Matrix products go through cblas_sgemm, one (b,h) slice at a time, with OpenMP over the B*NH slices; the
// T x T products run in row blocks that stop at the diagonal (the masked triangle is never computed).
// OpenBLAS runs single-threaded (blas_threads.h); each slice is computed by exactly one thread with the
// same code, so results are identical for any thread count.
#pragma once

namespace tdlab::nn {

// Overwrites att (B,NH,T,T), out (B,T,C) and preatt (B,NH,T,T); preatt may be null (the scores then live in a
// per-thread T x T buffer: no hook wants them).
void attention_forward(float *out, float *preatt, float *att, const float *q, const float *k, const float *v, int B,
                       int T, int C, int NH, float scale);

// Accumulates (+=) into dq, dk, dv (B,T,C); any may be null (not needed). datt and dpreatt (B,NH,T,T) are
// scratch space (overwritten; untouched when dq and dk are both null) and best left null: per-thread T x T
// buffers then hold one slice at a time.
// dout (B,T,C); q, k, v, att as in the forward.
void attention_backward(float *dq, float *dk, float *dv, float *datt, float *dpreatt, const float *dout, const float *q,
                        const float *k, const float *v, const float *att, int B, int T, int C, int NH, float scale);

// The share of the T x T entries the row-blocked products compute (the diagonal blocks and below): 1 for
// T <= 64, 0.625 at T = 256. Benchmarks count the FLOPs actually executed with it.
double causal_product_fraction(int T);

// Row t of the causal softmax backward: dp[s] = a[s] (da[s] - sum_{r<=t} a[r] da[r]) for s <= t (the dot in
// double), 0 for s > t. a, da, dp are rows of length T.
void causal_softmax_backward_row(float *dp, const float *a, const float *da, int t, int T);

// Rows [t0, t1) of a T x T slice (row stride T) through causal_softmax_backward_row, zeros from t + 1 up to
// `width` (<= T): the same bits, with kSoftmaxRows rows' dot products interleaved (attention.cpp says why).
void causal_softmax_backward(float *dP, const float *A, const float *dA, int t0, int t1, int T, int width);

} // namespace tdlab::nn
