// Step 1 of the batched map (batched_map.cpp) for non-binary tokens: the token model's per-unit softmax
// mean (dmft/token_model.h) on W lanes at once, lanes innermost, exp from the path's Math (std::exp or
// SLEEF). The arithmetic is FieldNonlinearity::apply's, in the same order, so the scalar path stays
// bit-identical to MeanFieldMap::step for every token model. Internal to batched_map.cpp.
#pragma once

#include "dmft/token_model.h"

#include <cmath>
#include <vector>

namespace tdlab::dmft::batched {

#define TDLAB_TOKEN_LANES _Pragma("omp simd") for (int l = 0; l < W; ++l)

// arg, ds: [P][W] fields beta sigma_j . A and tangent inputs sigma_j . dA; th, dth: [P][W] outputs;
// beta: [W]; scratch: at least 2 * max(q, 1) * W doubles.
template <class Math, int W>
inline void token_fields_lanes(const FieldNonlinearity &nl, int P, const double *beta, const double *arg,
                               const double *ds, double *th, double *dth, double *scratch, bool tangent) {
    switch (nl.kind) {
    case FieldKind::Tanh: break; // handled inline by the caller (the paper's path)
    case FieldKind::Ternary:
        for (int j = 0; j < P; ++j) {
            const double *h = arg + size_t(j) * W;
            double *out = th + size_t(j) * W, *e = scratch, *neg = scratch + W;
            TDLAB_TOKEN_LANES neg[l] = -std::fabs(h[l]);
            Math::exp(neg, e, W);
            TDLAB_TOKEN_LANES {
                const double r = (1.0 - e[l] * e[l]) / (1.0 + e[l] + e[l] * e[l]);
                out[l] = h[l] < 0 ? -r : r;
            }
            if (tangent) {
                const double *d = ds + size_t(j) * W;
                double *dout = dth + size_t(j) * W;
                TDLAB_TOKEN_LANES {
                    const double sec = (1.0 + e[l] * e[l]) / (1.0 + e[l] + e[l] * e[l]);
                    dout[l] = (sec - out[l] * out[l]) * (beta[l] * d[l]);
                }
            }
        }
        break;
    case FieldKind::ValueSoftmax: {
        const int q = int(nl.values.size());
        for (int j = 0; j < P; ++j) {
            const double *h = arg + size_t(j) * W;
            double *out = th + size_t(j) * W, *z = scratch, *e = scratch + size_t(q) * W;
            double zmax[W], num[W], den[W], sq[W];
            TDLAB_TOKEN_LANES zmax[l] = -INFINITY;
            for (int k = 0; k < q; ++k) {
                const double s = nl.values[size_t(k)];
                double *zk = z + size_t(k) * W;
                TDLAB_TOKEN_LANES {
                    zk[l] = s * h[l];
                    zmax[l] = zmax[l] < zk[l] ? zk[l] : zmax[l];
                }
            }
            for (int k = 0; k < q; ++k) {
                double *zk = z + size_t(k) * W;
                TDLAB_TOKEN_LANES zk[l] = zk[l] - zmax[l];
            }
            Math::exp(z, e, q * W);
            TDLAB_TOKEN_LANES num[l] = den[l] = sq[l] = 0.0;
            for (int k = 0; k < q; ++k) {
                const double s = nl.values[size_t(k)];
                const double *ek = e + size_t(k) * W;
                TDLAB_TOKEN_LANES {
                    den[l] += ek[l];
                    num[l] += s * ek[l];
                    sq[l] += s * s * ek[l];
                }
            }
            TDLAB_TOKEN_LANES out[l] = num[l] / den[l];
            if (tangent) {
                const double *d = ds + size_t(j) * W;
                double *dout = dth + size_t(j) * W;
                TDLAB_TOKEN_LANES dout[l] = (sq[l] / den[l] - out[l] * out[l]) * (beta[l] * d[l]);
            }
        }
        break;
    }
    case FieldKind::GroupSoftmax: {
        const int q = nl.group;
        for (int g = 0; g < P; g += q) {
            const double *h = arg + size_t(g) * W;
            double *out = th + size_t(g) * W, *z = scratch;
            double zmax[W], norm[W];
            TDLAB_TOKEN_LANES zmax[l] = -INFINITY;
            for (int k = 0; k < q; ++k) {
                const double *hk = h + size_t(k) * W;
                TDLAB_TOKEN_LANES zmax[l] = zmax[l] < hk[l] ? hk[l] : zmax[l];
            }
            for (int k = 0; k < q; ++k) {
                const double *hk = h + size_t(k) * W;
                double *zk = z + size_t(k) * W;
                TDLAB_TOKEN_LANES zk[l] = hk[l] - zmax[l];
            }
            Math::exp(z, out, q * W);
            TDLAB_TOKEN_LANES norm[l] = 0.0;
            for (int k = 0; k < q; ++k) {
                const double *ok = out + size_t(k) * W;
                TDLAB_TOKEN_LANES norm[l] += ok[l];
            }
            for (int k = 0; k < q; ++k) {
                double *ok = out + size_t(k) * W;
                TDLAB_TOKEN_LANES ok[l] = ok[l] / norm[l];
            }
            if (tangent) { // d pi_k = pi_k (dh_k - sum_k' pi_k' dh_k'), dh = beta ds
                double bar[W];
                TDLAB_TOKEN_LANES bar[l] = 0.0;
                for (int k = 0; k < q; ++k) {
                    const double *ok = out + size_t(k) * W, *dk = ds + size_t(g + k) * W;
                    TDLAB_TOKEN_LANES bar[l] += ok[l] * (beta[l] * dk[l]);
                }
                for (int k = 0; k < q; ++k) {
                    const double *ok = out + size_t(k) * W, *dk = ds + size_t(g + k) * W;
                    double *dout = dth + size_t(g + k) * W;
                    TDLAB_TOKEN_LANES dout[l] = ok[l] * (beta[l] * dk[l] - bar[l]);
                }
            }
        }
        break;
    }
    }
}

#undef TDLAB_TOKEN_LANES

} // namespace tdlab::dmft::batched
