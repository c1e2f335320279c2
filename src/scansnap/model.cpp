#include "scansnap/model.h"

#include "scansnap/vexp.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>

namespace tdlab::scansnap {

template <class Real> void YZParamsT<Real>::init_uniform(CounterRng &rng) {
    const double bound = 1.0 / std::sqrt(double(M));
    for (int k = 0; k < M; ++k)
        for (int l = 0; l < M; ++l) Y[size_t(l) * M + k] = Real((2.0 * rng.uniform() - 1.0) * bound);
    for (size_t i = 0; i < Z.size(); ++i) Z[i] = Real((2.0 * rng.uniform() - 1.0) * bound);
}

namespace {

// Row-major C (m x n) = op(A) op(B) + beta C through the BLAS of the element type.
void gemm(bool ta, bool tb, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta,
          double *C, int ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, A, lda, B,
                ldb, beta, C, ldc);
}
void gemm(bool ta, bool tb, int m, int n, int k, const float *A, int lda, const float *B, int ldb, float beta, float *C,
          int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, A, lda, B,
                ldb, beta, C, ldc);
}

// Reductions over a row in 16 fixed lanes (lane j takes elements j, j+16, ...; then a fixed tree), so the
// compiler vectorises them at any width and every CPU gets the same bits (a plain loop would be a serial
// chain: reassociating it is what -ffast-math would do, and it would change the bits per target).
constexpr int kLanes = 16;
template <class Real> inline __attribute__((always_inline)) Real lane_sum(const Real *x, int n) {
    Real acc[kLanes] = {};
    int i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j];
    for (int j = 0; i + j < n; ++j) acc[j] += x[i + j];
    for (int w = kLanes / 2; w > 0; w /= 2)
        for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
    return acc[0];
}
template <class Real> inline __attribute__((always_inline)) Real lane_max(const Real *x, int n) {
    Real acc[kLanes];
    for (int j = 0; j < kLanes; ++j) acc[j] = x[0];
    int i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) acc[j] = acc[j] > x[i + j] ? acc[j] : x[i + j];
    for (int j = 0; i + j < n; ++j) acc[j] = acc[j] > x[i + j] ? acc[j] : x[i + j];
    for (int w = kLanes / 2; w > 0; w /= 2)
        for (int j = 0; j < w; ++j) acc[j] = acc[j] > acc[j + w] ? acc[j] : acc[j + w];
    return acc[0];
}

// Softmax cross-entropy of each row of logits (rows x M), in place: row r becomes g_r = (a_r - e_label) *
// scale with a_r = softmax(logits_r). Returns the sum of the rows' losses (in double).
template <class Real>
inline __attribute__((always_inline)) double softmax_xent_rows(Real *x, int rows, int M, int label, Real scale) {
    double loss = 0;
    for (int r = 0; r < rows; ++r) {
        Real *g = x + size_t(r) * M;
        const Real mx = lane_max(g, M), zl = g[label] - mx;
        for (int k = 0; k < M; ++k) g[k] -= mx;
        exp_inplace(g, M);
        const Real sum = lane_sum(g, M);
        loss += std::log(double(sum)) - double(zl);
        const Real f = scale / sum;
        for (int k = 0; k < M; ++k) g[k] *= f;
        g[label] -= scale;
    }
    return loss;
}
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) double
softmax_xent(float *x, int rows, int M, int label, float scale) {
    return softmax_xent_rows(x, rows, M, label, scale);
}
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) double
softmax_xent(double *x, int rows, int M, int label, double scale) {
    return softmax_xent_rows(x, rows, M, label, scale);
}

// Sorts the batch by class: order[offsets[n] .. offsets[n+1]) are the samples of class n.
template <class Real> void group_by_class(const Batch &batch, int K, YZWorkspaceT<Real> &ws) {
    ws.offsets.assign(size_t(K) + 1, 0);
    for (int n : batch.cls) ws.offsets[size_t(n) + 1] += 1;
    for (int n = 0; n < K; ++n) ws.offsets[size_t(n) + 1] += ws.offsets[size_t(n)];
    ws.order.resize(size_t(batch.B));
    ws.pos.assign(ws.offsets.begin(), ws.offsets.end() - 1);
    for (int i = 0; i < batch.B; ++i) ws.order[size_t(ws.pos[size_t(batch.cls[size_t(i)])]++)] = i;
}

// Attention of the samples of class n (sorted rows [begin, begin + Bn)): e_s = exp(Z[m, support_s] - max)
// is shared by the class; per sample v = X^T b on the support (v_s = c_s e_s / sum c e), norm = ||v||,
// F row = v / norm.
template <class Real>
void attend_class(const SeqClass &c, const YZParamsT<Real> &p, const Batch &batch, int begin, int Bn, bool normalize,
                  YZWorkspaceT<Real> &ws) {
    const int S = batch.S;
    const Real *z = &p.Z[size_t(c.query) * p.M];
    Real zmax = -INFINITY;
    for (int s = 0; s < S; ++s) zmax = std::max(zmax, z[c.support[size_t(s)]]);
    Real *e = ws.e.data();
    for (int s = 0; s < S; ++s) e[s] = std::exp(z[c.support[size_t(s)]] - zmax);
    for (int r = begin; r < begin + Bn; ++r) {
        const int32_t *cnt = &batch.counts[size_t(ws.order[size_t(r)]) * S];
        Real *v = &ws.V[size_t(r) * S], *f = &ws.F[size_t(r) * S];
        Real sum = 0;
        for (int s = 0; s < S; ++s) {
            v[s] = Real(cnt[s]) * e[s];
            sum += v[s];
        }
        Real sq = 0;
        for (int s = 0; s < S; ++s) {
            v[s] /= sum;
            sq += v[s] * v[s];
        }
        const Real nv = normalize ? std::sqrt(sq) : Real(1);
        ws.norm[size_t(r)] = nv;
        for (int s = 0; s < S; ++s) f[s] = v[s] / nv;
    }
}

} // namespace

template <class Real>
ForwardStats forward_backward(const SeqClasses &data, const Batch &batch, const YZParamsT<Real> &p, bool normalize,
                              YZParamsT<Real> &grad, YZWorkspaceT<Real> &ws, bool gamma_proxy) {
    const int M = p.M, K = data.K(), S = batch.S, B = batch.B;
    group_by_class(batch, K, ws);
    const std::vector<int> &off = ws.offsets;
    ws.e.resize(size_t(S));
    ws.V.resize(size_t(B) * S);
    ws.F.resize(size_t(B) * S);
    ws.dF.resize(size_t(B) * S);
    ws.norm.resize(size_t(B));
    ws.G.assign(size_t(B) * M, Real(0));
    // Forward, attention: F (B x S), rows sorted by class.
    for (int n = 0; n < K; ++n)
        if (off[size_t(n) + 1] > off[size_t(n)])
            attend_class(data.cls(n), p, batch, off[size_t(n)], off[size_t(n) + 1] - off[size_t(n)], normalize, ws);
    // Forward, decoder: logits (B x M) = sum over support blocks of F[rows, cols] (R x len) Y[tokens] (len x M).
    for (const SupportBlock &b : data.blocks()) {
        const int r0 = off[size_t(b.class_begin)], R = off[size_t(b.class_end)] - r0;
        if (R > 0)
            gemm(false, false, R, M, b.len, &ws.F[size_t(r0) * S + b.col], S, &p.Y[size_t(b.token) * M], M, Real(1),
                 &ws.G[size_t(r0) * M], M);
    }
    // Loss, and G (B x M) = (softmax - e_label) / B in place of the logits.
    ForwardStats st;
    const Real scale = Real(1) / Real(B);
    for (int n = 0; n < K; ++n) {
        const int r0 = off[size_t(n)], R = off[size_t(n) + 1] - r0;
        if (R > 0) st.loss += softmax_xent(&ws.G[size_t(r0) * M], R, M, data.cls(n).label, scale);
    }
    if (gamma_proxy) {
        // ||Y g|| with g = e - a: all M rows of Y (random init fills every row). gY (B x M) = G Y^T.
        ws.gY.resize(size_t(B) * M);
        gemm(false, true, B, M, M, ws.G.data(), M, p.Y.data(), M, Real(0), ws.gY.data(), M);
        for (int r = 0; r < B; ++r) {
            double sq = 0;
            for (int k = 0; k < M; ++k) sq += double(ws.gY[size_t(r) * M + k]) * double(ws.gY[size_t(r) * M + k]);
            st.gamma_proxy += std::sqrt(sq) * double(B); // G carries the 1/B factor
        }
    }
    // Backward, decoder, per block: dY[tokens] (len x M) += F[rows, cols]^T G[rows] (each block owns its
    // rows of dY, so the sums never interleave); dF[rows, cols] (R x len) = G[rows] Y[tokens]^T.
    for (const SupportBlock &b : data.blocks()) {
        const int r0 = off[size_t(b.class_begin)], R = off[size_t(b.class_end)] - r0;
        if (R == 0) continue;
        gemm(true, false, b.len, M, R, &ws.F[size_t(r0) * S + b.col], S, &ws.G[size_t(r0) * M], M, Real(1),
             &grad.Y[size_t(b.token) * M], M);
        gemm(false, true, R, b.len, M, &ws.G[size_t(r0) * M], M, &p.Y[size_t(b.token) * M], M, Real(0),
             &ws.dF[size_t(r0) * S + b.col], S);
    }
    // Backward, attention, per sample: dv = (df - (f.df) f) / ||v||; dZ[m, l_s] += v_s (dv_s - v.dv).
    for (int n = 0; n < K; ++n) {
        const SeqClass &c = data.cls(n);
        Real *dz = &grad.Z[size_t(c.query) * M];
        for (int r = off[size_t(n)]; r < off[size_t(n) + 1]; ++r) {
            const Real *f = &ws.F[size_t(r) * S], *v = &ws.V[size_t(r) * S];
            Real *df = &ws.dF[size_t(r) * S];
            Real fdf = 0;
            if (normalize) {
                for (int s = 0; s < S; ++s) fdf += f[s] * df[s];
            }
            const Real inv = Real(1) / ws.norm[size_t(r)];
            Real vdv = 0;
            for (int s = 0; s < S; ++s) {
                df[s] = (df[s] - fdf * f[s]) * inv; // now dv
                vdv += v[s] * df[s];
            }
            for (int s = 0; s < S; ++s) dz[c.support[size_t(s)]] += v[s] * (df[s] - vdv);
        }
    }
    st.loss /= double(B);
    st.gamma_proxy /= double(B);
    return st;
}

template struct YZParamsT<float>;
template struct YZParamsT<double>;
template ForwardStats forward_backward<float>(const SeqClasses &, const Batch &, const YZParamsT<float> &, bool,
                                              YZParamsT<float> &, YZWorkspaceT<float> &, bool);
template ForwardStats forward_backward<double>(const SeqClasses &, const Batch &, const YZParamsT<double> &, bool,
                                               YZParamsT<double> &, YZWorkspaceT<double> &, bool);

double forward_loss(const SeqClasses &data, const Batch &batch, const YZParams &p, bool normalize) {
    YZParams grad(p.M); // zero
    YZWorkspace ws;
    return forward_backward(data, batch, p, normalize, grad, ws).loss;
}

} // namespace tdlab::scansnap
