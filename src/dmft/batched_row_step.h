// One step t-1 -> t of a batched block (batched_map.h) in the row form: each named sub-step of
// mean_field_map.h runs over all W lanes of the block (x[...][W], lanes innermost) before the next. Any
// shape, any token model, every path (the scalar reference included); the paper's shape on a SLEEF path
// runs the same arithmetic in registers instead (batched_register_step.h, the same bytes). Internal to
// batched_map.cpp.
#pragma once

#include "dmft/batched_block.h"
#include "dmft/batched_token_fields.h"
#include "dmft/mean_field_map.h"

#include <cmath>

namespace tdlab::dmft::batched {

#define TDLAB_ROW_INLINE inline __attribute__((always_inline))
#define TDLAB_ROW_LANES _Pragma("omp simd") for (int l = 0; l < W; ++l) // W: the block width

// One step t-1 -> t of every lane, split into the named steps of mean_field_map.h and run in exactly
// the operation order of MeanFieldMap::step; with `tangent`, each step also carries the lane's tangent
// vector (v <- J v, the formulas of tangent_map.h). Every helper is always_inline and works on whole
// lane rows (x[...][W]), so the split changes no instruction order that matters for the bits.
// CM, CL, CP: compile-time M, L, P (0 = read from the block) so that the paper's M = 3, L = 4, P = 4
// loops unroll completely; the arithmetic and its order are the same either way.

// Step 1, fields: th_j = tanh(beta sigma_j . A) for j < P; tangent: dth_j = beta (1 - th_j^2) sigma_j . dA.
template <class Math, int W, int CM, int CP>
TDLAB_ROW_INLINE void fields_step(Block<W> &B, const FieldExpansion &f, bool tangent) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    double s[W];
    for (int j = 0; j < P; ++j) {
        const double *sig = &f.sigma[size_t(j) * M];
        TDLAB_ROW_LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double sg = sig[b];
            const double *a = &B.att[size_t(b) * W];
            TDLAB_ROW_LANES s[l] += sg * a[l];
        }
        double *arg = &B.arg[size_t(j) * W];
        TDLAB_ROW_LANES arg[l] = B.beta[l] * s[l];
        if (tangent) {
            double *ds = &B.ds[size_t(j) * W];
            TDLAB_ROW_LANES ds[l] = 0.0;
            for (int b = 0; b < M; ++b) {
                const double sg = sig[b];
                const double *da = &B.datt[size_t(b) * W];
                TDLAB_ROW_LANES ds[l] += sg * da[l];
            }
        }
    }
    if (f.nl.kind != FieldKind::Tanh) { // non-binary tokens: the per-unit softmax mean and its tangent
        token_fields_lanes<Math, W>(f.nl, P, B.beta.data(), B.arg.data(), B.ds.data(), B.th.data(), B.dth.data(),
                                    B.tk.data(), tangent);
        return;
    }
    Math::tanh(B.arg.data(), B.th.data(), P * W);
    if (tangent) {
        for (int j = 0; j < P; ++j) {
            const double *th = &B.th[size_t(j) * W], *ds = &B.ds[size_t(j) * W];
            double *dth = &B.dth[size_t(j) * W];
            TDLAB_ROW_LANES dth[l] = B.beta[l] * (1.0 - th[l] * th[l]) * ds[l];
        }
    }
}

// Step 2, one semantic overlap: B.mse = mSE^alpha_a = sum_j coef^alpha[j][a] th_j (j in order).
template <int W, int CM, int CP> TDLAB_ROW_INLINE void semantic_overlap(Block<W> &B, const double *coef, int a) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    double *mse = B.mse.data();
    TDLAB_ROW_LANES mse[l] = 0.0;
    for (int j = 0; j < P; ++j) {
        const double c = coef[size_t(j) * M + a];
        const double *th = &B.th[size_t(j) * W];
        TDLAB_ROW_LANES mse[l] += c * th[l];
    }
}

// Step 4 for alpha = o: the recorded output mo_se = mSE^o of the window, lanes innermost (scattered to
// the per-lane records by the caller), and its running max |m^o| as std::max(max, |v|) lane by lane.
template <int W> TDLAB_ROW_INLINE void record_output(Block<W> &B, int a) {
    const double *mse = B.mse.data();
    double *mo = &B.mo[size_t(a) * W];
    TDLAB_ROW_LANES {
        const double v = mse[l], av = std::fabs(v);
        mo[l] = v;
        B.max_abs[l] = B.max_abs[l] < av ? av : B.max_abs[l];
    }
}

// Steps 3-4 for alpha = v, q, k: m = (1-eps) mSE + eps PE(t mod L), written to its slot (`dst`).
template <int W> TDLAB_ROW_INLINE void mix_and_store(Block<W> &B, double pe, double *dst) {
    const double *mse = B.mse.data();
    TDLAB_ROW_LANES dst[l] = B.se[l] * mse[l] + B.pw[l] * pe;
}

// Tangent of steps 2-4: dm = (1-eps) sum_j coef^alpha[j][a] dth_j (the PE term is constant).
template <int W, int CM, int CP>
TDLAB_ROW_INLINE void mix_and_store_tangent(Block<W> &B, const double *coef, int a, double *ddst) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    TDLAB_ROW_LANES ddst[l] = 0.0;
    for (int j = 0; j < P; ++j) {
        const double c = coef[size_t(j) * M + a];
        const double *dth = &B.dth[size_t(j) * W];
        TDLAB_ROW_LANES ddst[l] += c * dth[l];
    }
    TDLAB_ROW_LANES ddst[l] = B.se[l] * ddst[l];
}

// Steps 2-4 for every alpha and feature, in the scalar map's order (alpha outer, feature inner).
template <int W, int CM, int CP>
TDLAB_ROW_INLINE void semantic_mix_store(Block<W> &B, const DmftModel &model, int phase, bool tangent, bool saved) {
    const int M = CM ? CM : B.M;
    const size_t slot = size_t(phase) * M * W;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        const double *coef = model.fields.coef[alpha].data();
        for (int a = 0; a < M; ++a) {
            semantic_overlap<W, CM, CP>(B, coef, a);
            if (alpha == kO) {
                if (saved) record_output(B, a);
                continue; // m^o never feeds back
            }
            const size_t off = alpha == kQ ? size_t(a) * W : slot + size_t(a) * W;
            double *dst = alpha == kV ? &B.mv[off] : alpha == kK ? &B.mk[off] : &B.mq[off];
            mix_and_store(B, model.pe_at(alpha, phase, a), dst);
            if (tangent) {
                double *ddst = alpha == kV ? &B.dmv[off] : alpha == kK ? &B.dmk[off] : &B.dmq[off];
                mix_and_store_tangent<W, CM, CP>(B, coef, a, ddst);
            }
        }
    }
}

// Step 5a, logits: z_tau = gamma/sqrt(M) m^q . m^k[tau] over all L slots, and their max.
template <int W, int CM, int CL> TDLAB_ROW_INLINE void attention_logits(Block<W> &B) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double s[W];
    TDLAB_ROW_LANES B.zmax[l] = -INFINITY;
    for (int tau = 0; tau < L; ++tau) {
        TDLAB_ROW_LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double *q = &B.mq[size_t(b) * W], *k = &B.mk[(size_t(tau) * M + b) * W];
            TDLAB_ROW_LANES s[l] += q[l] * k[l];
        }
        double *z = &B.z[size_t(tau) * W];
        TDLAB_ROW_LANES {
            z[l] = B.ac[l] * s[l];
            B.zmax[l] = B.zmax[l] < z[l] ? z[l] : B.zmax[l];
        }
    }
}

// Step 5b, max-subtracted softmax: e_tau = exp(z_tau - zmax), norm = sum_tau e_tau, inv = 1 / norm.
// The arg-max slot's exp(0) = 1 is computed with the others: packing the L - 1 other slots per lane to
// skip it cost more in selects than the exp saved (measured: avx512 kernel 1.26x slower, avx 1.4x).
template <class Math, int W, int CL> TDLAB_ROW_INLINE void softmax_weights(Block<W> &B, double *inv) {
    const int L = CL ? CL : B.L;
    for (int tau = 0; tau < L; ++tau) {
        double *z = &B.z[size_t(tau) * W];
        TDLAB_ROW_LANES z[l] = z[l] - B.zmax[l];
    }
    Math::exp(B.z.data(), B.e.data(), L * W);
    TDLAB_ROW_LANES B.norm[l] = 0.0;
    for (int tau = 0; tau < L; ++tau) {
        const double *e = &B.e[size_t(tau) * W];
        TDLAB_ROW_LANES B.norm[l] += e[l];
    }
    TDLAB_ROW_LANES inv[l] = 1.0 / B.norm[l];
}

// Tangent of step 5: dz_tau = ac (dq . k_tau + q . dk_tau), dbar = sum_tau w_tau dz_tau,
// dA_a = sum_tau w_tau ((dz_tau - dbar) v_tau,a + dv_tau,a), with w = e / norm (exact) or e * inv.
template <class Math, int W, int CM, int CL> TDLAB_ROW_INLINE void attention_tangent(Block<W> &B, const double *inv) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double dbar[W];
    TDLAB_ROW_LANES dbar[l] = 0.0;
    for (int tau = 0; tau < L; ++tau) {
        double *dz = &B.dz[size_t(tau) * W];
        TDLAB_ROW_LANES dz[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const size_t kb = (size_t(tau) * M + b) * W;
            const double *q = &B.mq[size_t(b) * W], *dq = &B.dmq[size_t(b) * W];
            const double *k = &B.mk[kb], *dk = &B.dmk[kb];
            TDLAB_ROW_LANES dz[l] += dq[l] * k[l] + q[l] * dk[l];
        }
        const double *e = &B.e[size_t(tau) * W];
        TDLAB_ROW_LANES {
            dz[l] = B.ac[l] * dz[l];
            dbar[l] += (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * dz[l];
        }
    }
    for (int a = 0; a < M; ++a) {
        double acc[W];
        TDLAB_ROW_LANES acc[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            const size_t va = (size_t(tau) * M + a) * W;
            const double *e = &B.e[size_t(tau) * W], *dz = &B.dz[size_t(tau) * W];
            const double *v = &B.mv[va], *dv = &B.dmv[va];
            TDLAB_ROW_LANES acc[l] +=
                (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * ((dz[l] - dbar[l]) * v[l] + dv[l]);
        }
        double *da = &B.datt[size_t(a) * W];
        TDLAB_ROW_LANES da[l] = acc[l];
    }
}

// Step 5c, A-hat(t) = sum_tau e_tau m^v[tau] / norm (exact division on the scalar path, * inv otherwise).
template <class Math, int W, int CM, int CL> TDLAB_ROW_INLINE void attention_average(Block<W> &B, const double *inv) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double s[W];
    for (int a = 0; a < M; ++a) {
        TDLAB_ROW_LANES s[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            const double *e = &B.e[size_t(tau) * W], *v = &B.mv[(size_t(tau) * M + a) * W];
            TDLAB_ROW_LANES s[l] += e[l] * v[l];
        }
        double *att = &B.att[size_t(a) * W];
        if (Math::kExactDivide) {
            TDLAB_ROW_LANES att[l] = s[l] / B.norm[l];
        } else {
            TDLAB_ROW_LANES att[l] = s[l] * inv[l];
        }
    }
}

template <class Math, int W, int CM, int CL, int CP>
TDLAB_ROW_INLINE void row_step(Block<W> &B, const DmftModel &model, int64_t t, bool tangent, bool saved) {
    const int phase = int(t % (CL ? CL : B.L));
    fields_step<Math, W, CM, CP>(B, model.fields, tangent);         // 1
    semantic_mix_store<W, CM, CP>(B, model, phase, tangent, saved); // 2-4
    attention_logits<W, CM, CL>(B);                                 // 5
    double inv[W];
    softmax_weights<Math, W, CL>(B, inv);
    if (tangent) attention_tangent<Math, W, CM, CL>(B, inv);
    attention_average<Math, W, CM, CL>(B, inv);
}

#undef TDLAB_ROW_LANES
#undef TDLAB_ROW_INLINE

} // namespace tdlab::dmft::batched
