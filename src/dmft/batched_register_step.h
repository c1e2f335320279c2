// One step t-1 -> t of a batched block (batched_map.h) for a shape compiled in (M, L, P constants: the
// paper's M = 3, L = 4, P = 4) on a SLEEF path, computed a few vector registers of lanes at a time from
// the start of the step to its end. Internal to batched_map.cpp.
//
// Why a second form of the step: the row form (batched_row_step.h) runs each named sub-step over all W
// lanes before the next, so every intermediate (the fields, tanh, the overlaps, the logits, exp, the
// softmax sums) goes to memory and comes back, and every partial sum is stored and reloaded once per
// term: on a core with four vector pipes the step ran at ~4.5x its arithmetic (bench_dmft_sweep: the
// kernel 1.9x its SLEEF floor on a Zen 5). Here a group of G registers (G x the path's width lanes)
// keeps those intermediates in registers through the whole step; only the state (A-hat, m^q, the
// m^v / m^k ring, the tangent vector) and the recorded m^o live in the block's rows.
//
// Bits: per lane, every operation is the row form's (and so MeanFieldMap::step's, up to tanh / exp and
// the one reciprocal of the SLEEF paths), in the same order: each partial sum starts from +0.0 and adds
// its terms in the same order, products keep their operands, no FMA contraction (-ffp-contract=off).
// Vector +, -, *, / are correctly rounded per lane, so the results are the row form's bytes (tested:
// tests/dmft/test_batched_map.cpp runs both forms).
#pragma once

#include "dmft/batched_block.h"
#include "dmft/mean_field_map.h"

#include <cmath>
#include <cstring>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi" // vectors by value only in always_inline code: no ABI crossing

namespace tdlab::dmft::batched {

#define TDLAB_REG_INLINE inline __attribute__((always_inline))
#define TDLAB_EACH_G for (int g = 0; g < G; ++g)

template <class V> TDLAB_REG_INLINE V vload(const double *p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class V> TDLAB_REG_INLINE void vstore(double *p, V v) {
    std::memcpy(p, &v, sizeof v);
}
template <class V> TDLAB_REG_INLINE V vzero() {
    return V{};
} // every lane +0.0, as the row form's sums start
template <class V> TDLAB_REG_INLINE V vabs(V x) {
    using I = decltype(x < x);             // the integer vector of V's shape
    return V(I(x) & ~(I{} + (1LL << 63))); // std::fabs per lane: the sign bit cleared
}

// The step for the lanes [c0, c0 + G * width) of B. Mirrors row_step (batched_row_step.h) operation by
// operation; the step numbers are those of mean_field_map.h.
template <class Math, int W, int M, int L, int P, int G, bool tangent>
TDLAB_REG_INLINE void register_step_group(Block<W> &B, const DmftModel &model, int phase, bool saved, int c0) {
    using V = typename Math::V;
    constexpr int VW = int(sizeof(V) / sizeof(double));
    const FieldExpansion &f = model.fields;
    auto row = [&](std::vector<double> &x, int r, int g) { return &x[size_t(r) * W + size_t(c0 + g * VW)]; };
    V beta[G], se[G];
    TDLAB_EACH_G beta[g] = vload<V>(row(B.beta, 0, g)), se[g] = vload<V>(row(B.se, 0, g));

    // 1. th_j = tanh(beta sigma_j . A); tangent: dth_j = beta (1 - th_j^2) sigma_j . dA. The tanh calls run
    // back to back (a call clobbers every vector register, so nothing else is kept across them).
    // out[g] = sigma_j . x over the features, from +0.0 in feature order (x: A-hat or its tangent).
    auto sigma_dot = [&](std::vector<double> & x, int j, V *out) __attribute__((always_inline)) {
        TDLAB_EACH_G out[g] = vzero<V>();
        for (int b = 0; b < M; ++b) {
            const double sg = f.sigma[size_t(j) * M + size_t(b)];
            TDLAB_EACH_G out[g] = out[g] + sg * vload<V>(row(x, b, g));
        }
    };
    V th[P][G], dth[P][G];
    for (int j = 0; j < P; ++j) {
        V s[G];
        sigma_dot(B.att, j, s);
        TDLAB_EACH_G th[j][g] = beta[g] * s[g];
    }
    for (int j = 0; j < P; ++j) TDLAB_EACH_G th[j][g] = Math::tanh_v(th[j][g]);
    if constexpr (tangent) {
        for (int j = 0; j < P; ++j) {
            V ds[G];
            sigma_dot(B.datt, j, ds);
            TDLAB_EACH_G dth[j][g] = beta[g] * (1.0 - th[j][g] * th[j][g]) * ds[g];
        }
    }

    // 2-4. mSE^alpha_a = sum_j coef^alpha[j][a] th_j; m = (1-eps) mSE + eps PE(t mod L) into its slot;
    // alpha = o is recorded (with the window's max |m^o|) and never feeds back.
    const int slot = phase * M;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        const double *coef = f.coef[size_t(alpha)].data();
        if (alpha == kO && !saved) continue; // m^o is only recorded, never fed back
        for (int a = 0; a < M; ++a) {
            V mse[G];
            TDLAB_EACH_G mse[g] = vzero<V>();
            for (int j = 0; j < P; ++j) {
                const double c = coef[size_t(j) * M + size_t(a)];
                TDLAB_EACH_G mse[g] = mse[g] + c * th[j][g];
            }
            if (alpha == kO) {
                TDLAB_EACH_G {
                    vstore(row(B.mo, a, g), mse[g]);
                    const V mx = vload<V>(row(B.max_abs, 0, g)), av = vabs(mse[g]);
                    vstore(row(B.max_abs, 0, g), mx < av ? av : mx);
                }
                continue;
            }
            const int r = alpha == kQ ? a : slot + a;
            std::vector<double> &dst = alpha == kV ? B.mv : alpha == kK ? B.mk : B.mq;
            const double pe = model.pe_at(alpha, phase, a);
            TDLAB_EACH_G vstore(row(dst, r, g), se[g] * mse[g] + vload<V>(row(B.pw, 0, g)) * pe);
            if constexpr (tangent) {
                std::vector<double> &ddst = alpha == kV ? B.dmv : alpha == kK ? B.dmk : B.dmq;
                V d[G];
                TDLAB_EACH_G d[g] = vzero<V>();
                for (int j = 0; j < P; ++j) {
                    const double c = coef[size_t(j) * M + size_t(a)];
                    TDLAB_EACH_G d[g] = d[g] + c * dth[j][g];
                }
                TDLAB_EACH_G vstore(row(ddst, r, g), se[g] * d[g]);
            }
        }
    }

    // 5a. z_tau = gamma/sqrt(M) m^q . m^k[tau], and their max.
    V ac[G], z[L][G], zmax[G];
    TDLAB_EACH_G ac[g] = vload<V>(row(B.ac, 0, g)), zmax[g] = vzero<V>() - INFINITY;
    for (int tau = 0; tau < L; ++tau) {
        V s[G];
        TDLAB_EACH_G s[g] = vzero<V>();
        for (int b = 0; b < M; ++b)
            TDLAB_EACH_G s[g] = s[g] + vload<V>(row(B.mq, b, g)) * vload<V>(row(B.mk, tau * M + b, g));
        TDLAB_EACH_G {
            z[tau][g] = ac[g] * s[g];
            zmax[g] = zmax[g] < z[tau][g] ? z[tau][g] : zmax[g];
        }
    }
    // 5b. e_tau = exp(z_tau - zmax), norm = sum_tau e_tau, inv = 1 / norm.
    V e[L][G], norm[G], inv[G];
    for (int tau = 0; tau < L; ++tau) TDLAB_EACH_G e[tau][g] = Math::exp_v(z[tau][g] - zmax[g]);
    TDLAB_EACH_G norm[g] = vzero<V>();
    for (int tau = 0; tau < L; ++tau) TDLAB_EACH_G norm[g] = norm[g] + e[tau][g];
    TDLAB_EACH_G inv[g] = 1.0 / norm[g];

    // Tangent of 5: dz_tau = ac (dq . k_tau + q . dk_tau), dbar = sum_tau w_tau dz_tau,
    // dA_a = sum_tau w_tau ((dz_tau - dbar) v_tau,a + dv_tau,a), w = e * inv.
    if constexpr (tangent) {
        V dz[L][G], dbar[G];
        TDLAB_EACH_G dbar[g] = vzero<V>();
        for (int tau = 0; tau < L; ++tau) {
            TDLAB_EACH_G dz[tau][g] = vzero<V>();
            for (int b = 0; b < M; ++b) {
                TDLAB_EACH_G {
                    const V q = vload<V>(row(B.mq, b, g)), dq = vload<V>(row(B.dmq, b, g));
                    const V k = vload<V>(row(B.mk, tau * M + b, g)), dk = vload<V>(row(B.dmk, tau * M + b, g));
                    dz[tau][g] = dz[tau][g] + (dq * k + q * dk);
                }
            }
            TDLAB_EACH_G {
                dz[tau][g] = ac[g] * dz[tau][g];
                dbar[g] = dbar[g] + (e[tau][g] * inv[g]) * dz[tau][g];
            }
        }
        for (int a = 0; a < M; ++a) {
            V acc[G];
            TDLAB_EACH_G acc[g] = vzero<V>();
            for (int tau = 0; tau < L; ++tau) {
                TDLAB_EACH_G {
                    const V v = vload<V>(row(B.mv, tau * M + a, g)), dv = vload<V>(row(B.dmv, tau * M + a, g));
                    acc[g] = acc[g] + (e[tau][g] * inv[g]) * ((dz[tau][g] - dbar[g]) * v + dv);
                }
            }
            TDLAB_EACH_G vstore(row(B.datt, a, g), acc[g]);
        }
    }

    // 5c. A-hat(t) = sum_tau e_tau m^v[tau] * inv.
    for (int a = 0; a < M; ++a) {
        V s[G];
        TDLAB_EACH_G s[g] = vzero<V>();
        for (int tau = 0; tau < L; ++tau) TDLAB_EACH_G s[g] = s[g] + e[tau][g] * vload<V>(row(B.mv, tau * M + a, g));
        TDLAB_EACH_G vstore(row(B.att, a, g), s[g] * inv[g]);
    }
}

// The whole block, G registers of lanes at a time (W is a multiple of G x the path's width).
template <class Math, int W, int M, int L, int P, int G, bool tangent>
TDLAB_REG_INLINE void register_step(Block<W> &B, const DmftModel &model, int phase, bool saved) {
    constexpr int VW = int(sizeof(typename Math::V) / sizeof(double));
    static_assert(W % (G * VW) == 0, "the block width must be a multiple of the register group");
    for (int c0 = 0; c0 < W; c0 += G * VW)
        register_step_group<Math, W, M, L, P, G, tangent>(B, model, phase, saved, c0);
}

#undef TDLAB_EACH_G
#undef TDLAB_REG_INLINE

} // namespace tdlab::dmft::batched

#pragma GCC diagnostic pop
