#include "scansnap/model.h"

#include "scansnap/vexp.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>

namespace tdlab::scansnap {

void YZParams::init_uniform(CounterRng &rng) {
    const double bound = 1.0 / std::sqrt(double(M));
    for (int k = 0; k < M; ++k)
        for (int l = 0; l < M; ++l) Y[size_t(l) * M + k] = (2.0 * rng.uniform() - 1.0) * bound;
    for (size_t i = 0; i < Z.size(); ++i) Z[i] = (2.0 * rng.uniform() - 1.0) * bound;
}

namespace {

// Groups sample indices by class: order[offsets[n] .. offsets[n+1]) are the samples of class n.
void group_by_class(const Batch &batch, int K, YZWorkspace &ws) {
    ws.offsets.assign(size_t(K) + 1, 0);
    for (int n : batch.cls) ws.offsets[size_t(n) + 1] += 1;
    for (int n = 0; n < K; ++n) ws.offsets[size_t(n) + 1] += ws.offsets[size_t(n)];
    ws.order.resize(size_t(batch.B));
    std::vector<int> pos(ws.offsets.begin(), ws.offsets.end() - 1);
    for (int i = 0; i < batch.B; ++i) ws.order[size_t(pos[size_t(batch.cls[size_t(i)])]++)] = i;
}

// e_s = exp(Z[m, support_s] - max): shared by every sample of the class.
void attention_weights(const SeqClass &c, const YZParams &p, std::vector<double> &e) {
    const int S = int(c.support.size());
    const double *z = &p.Z[size_t(c.query) * p.M];
    double zmax = -INFINITY;
    for (int s = 0; s < S; ++s) zmax = std::max(zmax, z[c.support[size_t(s)]]);
    e.resize(size_t(S));
    for (int s = 0; s < S; ++s) e[size_t(s)] = std::exp(z[c.support[size_t(s)]] - zmax);
}

// Per sample of the class: V (Bn x S) = X^T b on the support, norm = ||V row||, F = V/norm.
void attend(const Batch &batch, const YZWorkspace &ws_in, int begin, int Bn, int S, bool normalize,
            std::vector<double> &V, std::vector<double> &F, std::vector<double> &norm) {
    V.resize(size_t(Bn) * S);
    F.resize(size_t(Bn) * S);
    norm.resize(size_t(Bn));
    for (int r = 0; r < Bn; ++r) {
        const int i = ws_in.order[size_t(begin + r)];
        const int32_t *cnt = &batch.counts[size_t(i) * S];
        double *v = &V[size_t(r) * S];
        double sum = 0;
        for (int s = 0; s < S; ++s) {
            v[s] = double(cnt[s]) * ws_in.e[size_t(s)];
            sum += v[s];
        }
        double sq = 0;
        for (int s = 0; s < S; ++s) {
            v[s] /= sum;
            sq += v[s] * v[s];
        }
        const double nv = normalize ? std::sqrt(sq) : 1.0;
        norm[size_t(r)] = nv;
        for (int s = 0; s < S; ++s) F[size_t(r) * S + s] = v[s] / nv;
    }
}

// Softmax cross-entropy on a row of logits; returns the loss and writes g = (a - e_label) * scale.
double softmax_xent(const double *logits, int M, int label, double scale, double *g) {
    double mx = -INFINITY;
    for (int k = 0; k < M; ++k) mx = std::max(mx, logits[k]);
    for (int k = 0; k < M; ++k) g[k] = logits[k] - mx;
    exp_inplace(g, M);
    double sum = 0;
    for (int k = 0; k < M; ++k) sum += g[k];
    const double loss = std::log(sum) - (logits[label] - mx);
    const double inv = 1.0 / sum;
    for (int k = 0; k < M; ++k) g[k] = g[k] * inv * scale;
    g[label] -= scale;
    return loss;
}

} // namespace

ForwardStats forward_backward(const SeqClasses &data, const Batch &batch, const YZParams &p, bool normalize,
                              YZParams &grad, YZWorkspace &ws, bool gamma_proxy) {
    const int M = p.M, K = data.K(), S = batch.S, B = batch.B;
    group_by_class(batch, K, ws);
    ForwardStats st;
    const double scale = 1.0 / double(B);
    for (int n = 0; n < K; ++n) {
        const int begin = ws.offsets[size_t(n)], Bn = ws.offsets[size_t(n) + 1] - begin;
        if (Bn == 0) continue;
        const SeqClass &c = data.cls(n);
        attention_weights(c, p, ws.e);
        attend(batch, ws, begin, Bn, S, normalize, ws.V, ws.F, ws.norm);
        // Ys (S x M): the decoder rows of the support tokens.
        ws.Ys.resize(size_t(S) * M);
        for (int s = 0; s < S; ++s) std::copy_n(&p.Y[size_t(c.support[size_t(s)]) * M], M, &ws.Ys[size_t(s) * M]);
        // logits (Bn x M) = F (Bn x S) Ys (S x M)
        ws.logits.resize(size_t(Bn) * M);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Bn, M, S, 1.0, ws.F.data(), S, ws.Ys.data(), M, 0.0,
                    ws.logits.data(), M);
        ws.G.resize(size_t(Bn) * M);
        for (int r = 0; r < Bn; ++r)
            st.loss += softmax_xent(&ws.logits[size_t(r) * M], M, c.label, scale, &ws.G[size_t(r) * M]);
        if (gamma_proxy) {
            // ||Y g|| with g = e - a: all M rows of Y (random init fills every row). gY (Bn x M) = G Y^T.
            ws.gY.resize(size_t(Bn) * M);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Bn, M, M, 1.0, ws.G.data(), M, p.Y.data(), M, 0.0,
                        ws.gY.data(), M);
            for (int r = 0; r < Bn; ++r) {
                double sq = 0;
                for (int k = 0; k < M; ++k) sq += ws.gY[size_t(r) * M + k] * ws.gY[size_t(r) * M + k];
                st.gamma_proxy += std::sqrt(sq) / scale; // G carries the 1/B factor
            }
        }
        // dYs (S x M) = F^T (S x Bn) G (Bn x M), scattered into the support rows of dY.
        ws.dYs.resize(size_t(S) * M);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, S, M, Bn, 1.0, ws.F.data(), S, ws.G.data(), M, 0.0,
                    ws.dYs.data(), M);
        for (int s = 0; s < S; ++s) {
            double *dst = &grad.Y[size_t(c.support[size_t(s)]) * M];
            const double *src = &ws.dYs[size_t(s) * M];
            for (int k = 0; k < M; ++k) dst[k] += src[k];
        }
        // dF (Bn x S) = G (Bn x M) Ys^T (M x S)
        ws.dF.resize(size_t(Bn) * S);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Bn, S, M, 1.0, ws.G.data(), M, ws.Ys.data(), M, 0.0,
                    ws.dF.data(), S);
        double *dz = &grad.Z[size_t(c.query) * M];
        for (int r = 0; r < Bn; ++r) {
            const double *f = &ws.F[size_t(r) * S], *v = &ws.V[size_t(r) * S];
            double *df = &ws.dF[size_t(r) * S];
            double fdf = 0;
            if (normalize) {
                for (int s = 0; s < S; ++s) fdf += f[s] * df[s];
            }
            const double inv = 1.0 / ws.norm[size_t(r)];
            double vdv = 0;
            for (int s = 0; s < S; ++s) {
                df[s] = (df[s] - fdf * f[s]) * inv; // now dv
                vdv += v[s] * df[s];
            }
            for (int s = 0; s < S; ++s) dz[c.support[size_t(s)]] += v[s] * (df[s] - vdv);
        }
    }
    st.loss *= scale;
    st.gamma_proxy *= scale;
    return st;
}

double forward_loss(const SeqClasses &data, const Batch &batch, const YZParams &p, bool normalize) {
    YZParams grad(p.M); // zero
    YZWorkspace ws;
    return forward_backward(data, batch, p, normalize, grad, ws).loss;
}

} // namespace tdlab::scansnap
