#include "dmft/batched_map.h"

#include "dmft/batched_math.h"
#include "dmft/batched_token_fields.h"
#include "dmft/cycle_watch.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <optional>

namespace tdlab::dmft {

SimdPath best_simd_path() {
#ifdef TDLAB_SLEEF_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdPath::Avx2;
    if (__builtin_cpu_supports("avx")) return SimdPath::Avx;
    return SimdPath::Sse2;
#else
    return SimdPath::Scalar;
#endif
}

const char *simd_path_name(SimdPath p) {
    switch (p) {
    case SimdPath::Scalar: return "scalar";
    case SimdPath::Sse2: return "sse2";
    case SimdPath::Avx: return "avx";
    case SimdPath::Avx2: return "avx2";
    default: return "avx512";
    }
}

SimdPath simd_path_from_name(const std::string &name) {
    if (name == "auto") return best_simd_path();
    if (name == "scalar") return SimdPath::Scalar;
#ifdef TDLAB_SLEEF_X86
    __builtin_cpu_init();
    if (name == "sse2") return SimdPath::Sse2;
    if (name == "avx" && __builtin_cpu_supports("avx")) return SimdPath::Avx;
    if (name == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdPath::Avx2;
    if (name == "avx512" && __builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
    if (name == "avx" || name == "avx2" || name == "avx512")
        throw UsageError("SIMD path '" + name + "' is not supported by this CPU");
#else
    if (name == "sse2" || name == "avx" || name == "avx2" || name == "avx512")
        throw UsageError("SIMD path '" + name + "' needs SLEEF on x86-64 (this build has only 'scalar')");
#endif
    throw UsageError("unknown SIMD path '" + name + "' (auto, scalar, sse2, avx, avx2, avx512)");
}

namespace {

using batched::ScalarMath;
#ifdef TDLAB_SLEEF_X86
using batched::Avx2Math;
using batched::Avx512Math;
using batched::AvxMath;
using batched::Sse2Math;
#endif

#define TDLAB_INLINE inline __attribute__((always_inline))
#define LANES _Pragma("omp simd") for (int l = 0; l < W; ++l) // W: the block width (template parameter)

// Structure-of-arrays state of one block of W lanes: every quantity x[...] is stored as x[...][W].
template <int W> struct Block {
    int M, L, P;
    std::vector<double> beta, se, pw, ac;                       // [lane]: beta, 1-eps, eps, gamma/sqrt(M)
    std::vector<double> att, mq, mv, mk;                        // [M][l], [M][l], [L][M][l], [L][M][l]
    std::vector<double> arg, th, mse, z, e, zmax, norm;         // scratch
    std::vector<double> datt, dmv, dmk, dmq, ds, dth, dz, lsum; // tangent
    std::vector<double> mo, max_abs;                            // [M][l] m^o of the step, [l] window max
    std::vector<double> tk;                                     // token-model scratch (non-binary tokens)
    std::vector<const double *> sig, coef[kNumAlpha];           // model constants (shared by all lanes)
    Block(int M_, int L_, int P_)
        : M(M_), L(L_), P(P_), beta(W), se(W), pw(W), ac(W), att(size_t(M) * W), mq(size_t(M) * W),
          mv(size_t(L) * M * W), mk(size_t(L) * M * W), arg(size_t(P) * W), th(size_t(P) * W), mse(W), z(size_t(L) * W),
          e(size_t(L) * W), zmax(W), norm(W), datt(size_t(M) * W), dmv(size_t(L) * M * W), dmk(size_t(L) * M * W),
          dmq(size_t(M) * W), ds(size_t(P) * W), dth(size_t(P) * W), dz(size_t(L) * W), lsum(W, 0.0), mo(size_t(M) * W),
          max_abs(W, 0.0) {}
};

// One step t-1 -> t of every lane, split into the named steps of mean_field_map.h and run in exactly
// the operation order of MeanFieldMap::step; with `tangent`, each step also carries the lane's tangent
// vector (v <- J v, the formulas of tangent_map.h). Every helper is always_inline and works on whole
// lane rows (x[...][W]), so the split changes no instruction order that matters for the bits.
// CM, CL, CP: compile-time M, L, P (0 = read from the block) so that the paper's M = 3, L = 4, P = 4
// loops unroll completely; the arithmetic and its order are the same either way.

// Step 1, fields: th_j = tanh(beta sigma_j . A) for j < P; tangent: dth_j = beta (1 - th_j^2) sigma_j . dA.
template <class Math, int W, int CM, int CP>
TDLAB_INLINE void fields_step(Block<W> &B, const FieldExpansion &f, bool tangent) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    double s[W];
    for (int j = 0; j < P; ++j) {
        const double *sig = &f.sigma[size_t(j) * M];
        LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double sg = sig[b];
            const double *a = &B.att[size_t(b) * W];
            LANES s[l] += sg * a[l];
        }
        double *arg = &B.arg[size_t(j) * W];
        LANES arg[l] = B.beta[l] * s[l];
        if (tangent) {
            double *ds = &B.ds[size_t(j) * W];
            LANES ds[l] = 0.0;
            for (int b = 0; b < M; ++b) {
                const double sg = sig[b];
                const double *da = &B.datt[size_t(b) * W];
                LANES ds[l] += sg * da[l];
            }
        }
    }
    if (f.nl.kind != FieldKind::Tanh) { // non-binary tokens: the per-unit softmax mean and its tangent
        batched::token_fields_lanes<Math, W>(f.nl, P, B.beta.data(), B.arg.data(), B.ds.data(), B.th.data(),
                                             B.dth.data(), B.tk.data(), tangent);
        return;
    }
    Math::tanh(B.arg.data(), B.th.data(), P * W);
    if (tangent) {
        for (int j = 0; j < P; ++j) {
            const double *th = &B.th[size_t(j) * W], *ds = &B.ds[size_t(j) * W];
            double *dth = &B.dth[size_t(j) * W];
            LANES dth[l] = B.beta[l] * (1.0 - th[l] * th[l]) * ds[l];
        }
    }
}

// Step 2, one semantic overlap: B.mse = mSE^alpha_a = sum_j coef^alpha[j][a] th_j (j in order).
template <int W, int CM, int CP> TDLAB_INLINE void semantic_overlap(Block<W> &B, const double *coef, int a) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    double *mse = B.mse.data();
    LANES mse[l] = 0.0;
    for (int j = 0; j < P; ++j) {
        const double c = coef[size_t(j) * M + a];
        const double *th = &B.th[size_t(j) * W];
        LANES mse[l] += c * th[l];
    }
}

// Step 4 for alpha = o: the recorded output mo_se = mSE^o of the window, lanes innermost (scattered to
// the per-lane records by the caller), and its running max |m^o| as std::max(max, |v|) lane by lane.
template <int W> TDLAB_INLINE void record_output(Block<W> &B, int a) {
    const double *mse = B.mse.data();
    double *mo = &B.mo[size_t(a) * W];
    LANES {
        const double v = mse[l], av = std::fabs(v);
        mo[l] = v;
        B.max_abs[l] = B.max_abs[l] < av ? av : B.max_abs[l];
    }
}

// Steps 3-4 for alpha = v, q, k: m = (1-eps) mSE + eps PE(t mod L), written to its slot (`dst`).
template <int W> TDLAB_INLINE void mix_and_store(Block<W> &B, double pe, double *dst) {
    const double *mse = B.mse.data();
    LANES dst[l] = B.se[l] * mse[l] + B.pw[l] * pe;
}

// Tangent of steps 2-4: dm = (1-eps) sum_j coef^alpha[j][a] dth_j (the PE term is constant).
template <int W, int CM, int CP>
TDLAB_INLINE void mix_and_store_tangent(Block<W> &B, const double *coef, int a, double *ddst) {
    const int M = CM ? CM : B.M, P = CP ? CP : B.P;
    LANES ddst[l] = 0.0;
    for (int j = 0; j < P; ++j) {
        const double c = coef[size_t(j) * M + a];
        const double *dth = &B.dth[size_t(j) * W];
        LANES ddst[l] += c * dth[l];
    }
    LANES ddst[l] = B.se[l] * ddst[l];
}

// Steps 2-4 for every alpha and feature, in the scalar map's order (alpha outer, feature inner).
template <int W, int CM, int CP>
TDLAB_INLINE void semantic_mix_store(Block<W> &B, const DmftModel &model, int phase, bool tangent, bool saved) {
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
template <int W, int CM, int CL> TDLAB_INLINE void attention_logits(Block<W> &B) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double s[W];
    LANES B.zmax[l] = -INFINITY;
    for (int tau = 0; tau < L; ++tau) {
        LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double *q = &B.mq[size_t(b) * W], *k = &B.mk[(size_t(tau) * M + b) * W];
            LANES s[l] += q[l] * k[l];
        }
        double *z = &B.z[size_t(tau) * W];
        LANES {
            z[l] = B.ac[l] * s[l];
            B.zmax[l] = B.zmax[l] < z[l] ? z[l] : B.zmax[l];
        }
    }
}

// Step 5b, max-subtracted softmax: e_tau = exp(z_tau - zmax), norm = sum_tau e_tau, inv = 1 / norm.
// The arg-max slot's exp(0) = 1 is computed with the others: packing the L - 1 other slots per lane to
// skip it cost more in selects than the exp saved (measured: avx512 kernel 1.26x slower, avx 1.4x).
template <class Math, int W, int CL> TDLAB_INLINE void softmax_weights(Block<W> &B, double *inv) {
    const int L = CL ? CL : B.L;
    for (int tau = 0; tau < L; ++tau) {
        double *z = &B.z[size_t(tau) * W];
        LANES z[l] = z[l] - B.zmax[l];
    }
    Math::exp(B.z.data(), B.e.data(), L * W);
    LANES B.norm[l] = 0.0;
    for (int tau = 0; tau < L; ++tau) {
        const double *e = &B.e[size_t(tau) * W];
        LANES B.norm[l] += e[l];
    }
    LANES inv[l] = 1.0 / B.norm[l];
}

// Tangent of step 5: dz_tau = ac (dq . k_tau + q . dk_tau), dbar = sum_tau w_tau dz_tau,
// dA_a = sum_tau w_tau ((dz_tau - dbar) v_tau,a + dv_tau,a), with w = e / norm (exact) or e * inv.
template <class Math, int W, int CM, int CL> TDLAB_INLINE void attention_tangent(Block<W> &B, const double *inv) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double dbar[W];
    LANES dbar[l] = 0.0;
    for (int tau = 0; tau < L; ++tau) {
        double *dz = &B.dz[size_t(tau) * W];
        LANES dz[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const size_t kb = (size_t(tau) * M + b) * W;
            const double *q = &B.mq[size_t(b) * W], *dq = &B.dmq[size_t(b) * W];
            const double *k = &B.mk[kb], *dk = &B.dmk[kb];
            LANES dz[l] += dq[l] * k[l] + q[l] * dk[l];
        }
        const double *e = &B.e[size_t(tau) * W];
        LANES {
            dz[l] = B.ac[l] * dz[l];
            dbar[l] += (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * dz[l];
        }
    }
    for (int a = 0; a < M; ++a) {
        double acc[W];
        LANES acc[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            const size_t va = (size_t(tau) * M + a) * W;
            const double *e = &B.e[size_t(tau) * W], *dz = &B.dz[size_t(tau) * W];
            const double *v = &B.mv[va], *dv = &B.dmv[va];
            LANES acc[l] +=
                (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * ((dz[l] - dbar[l]) * v[l] + dv[l]);
        }
        double *da = &B.datt[size_t(a) * W];
        LANES da[l] = acc[l];
    }
}

// Step 5c, A-hat(t) = sum_tau e_tau m^v[tau] / norm (exact division on the scalar path, * inv otherwise).
template <class Math, int W, int CM, int CL> TDLAB_INLINE void attention_average(Block<W> &B, const double *inv) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L;
    double s[W];
    for (int a = 0; a < M; ++a) {
        LANES s[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            const double *e = &B.e[size_t(tau) * W], *v = &B.mv[(size_t(tau) * M + a) * W];
            LANES s[l] += e[l] * v[l];
        }
        double *att = &B.att[size_t(a) * W];
        if (Math::kExactDivide) {
            LANES att[l] = s[l] / B.norm[l];
        } else {
            LANES att[l] = s[l] * inv[l];
        }
    }
}

template <class Math, int W, int CM, int CL, int CP>
TDLAB_INLINE void block_step(Block<W> &B, const DmftModel &model, int64_t t, bool tangent, bool saved) {
    const int phase = int(t % (CL ? CL : B.L));
    fields_step<Math, W, CM, CP>(B, model.fields, tangent);         // 1
    semantic_mix_store<W, CM, CP>(B, model, phase, tangent, saved); // 2-4
    attention_logits<W, CM, CL>(B);                                 // 5
    double inv[W];
    softmax_weights<Math, W, CL>(B, inv);
    if (tangent) attention_tangent<Math, W, CM, CL>(B, inv);
    attention_average<Math, W, CM, CL>(B, inv);
}

// Renormalises every lane's tangent vector; adds ln|v| to the running sum if `accumulate`. Lanes
// innermost so that it vectorises; per lane the sum runs over the same terms in the same order as a
// lane-by-lane loop (datt first, then dmv^2 + dmk^2 pairs), and sqrt and / are correctly rounded.
template <int W> void renormalise(Block<W> &B, bool accumulate) {
    double n2[W], inv[W];
    LANES n2[l] = 0.0;
    for (size_t k = 0; k < B.datt.size(); k += W) {
        const double *d = &B.datt[k];
        LANES n2[l] += d[l] * d[l];
    }
    for (size_t k = 0; k < B.dmv.size(); k += W) {
        const double *v = &B.dmv[k], *w = &B.dmk[k];
        LANES n2[l] += v[l] * v[l] + w[l] * w[l];
    }
    LANES {
        const double n = std::sqrt(n2[l]);
        n2[l] = n;
        inv[l] = n > 0 ? 1.0 / n : 0.0;
    }
    if (accumulate) {
        for (int l = 0; l < W; ++l) B.lsum[size_t(l)] += std::log(n2[l]);
    }
    for (size_t k = 0; k < B.datt.size(); k += W) {
        double *d = &B.datt[k];
        LANES d[l] *= inv[l];
    }
    for (size_t k = 0; k < B.dmv.size(); k += W) {
        double *v = &B.dmv[k], *w = &B.dmk[k];
        LANES {
            v[l] *= inv[l];
            w[l] *= inv[l];
        }
    }
}

template <class Math, int W, int CM, int CL, int CP>
TDLAB_INLINE void run_block_fixed(Block<W> &B, const DmftModel &model, int64_t t_start, const BatchOptions &opt,
                                  std::vector<LaneOutput> &out) {
    const int M = CM ? CM : B.M;
    const int64_t t_tan = std::max(t_start + 1, opt.transient - opt.lyap_align);
    const int every = std::max(1, opt.renorm_every);
    // First step that must be computed whatever the cycles: the tangent's start, or the recorded window's.
    const int64_t t_run = opt.lyapunov ? t_tan : opt.transient;
    const size_t state_doubles = B.att.size() + B.mq.size() + B.mv.size() + B.mk.size();
    const bool watch_cycles = opt.skip_cycles && t_run - t_start > 2 * kCycleCheckEvery &&
                              state_doubles * size_t(kCycleMaxLag + 1) <= kCycleMaxHistory;
    std::optional<CycleWatch<Block<W>, W>> watch;
    if (watch_cycles) watch.emplace(B);
    for (int64_t t = t_start + 1; t < opt.steps; ++t) {
        const bool tangent = opt.lyapunov && t >= t_tan;
        const bool saved = t >= opt.transient;
        block_step<Math, W, CM, CL, CP>(B, model, t, tangent, saved);
        if (saved && opt.record) {
            const size_t row = size_t(t - opt.transient) * M;
            for (size_t l = 0; l < out.size(); ++l) { // active lanes only (padding is not recorded)
                double *dst = out[l].mo_se.data() + row;
                for (int a = 0; a < M; ++a) dst[a] = B.mo[size_t(a) * W + l];
            }
        }
        // Renormalise on a fixed grid, and right before the window so that only window steps count.
        if (tangent && ((t - t_tan + 1) % every == 0 || t == opt.transient - 1 || t == opt.steps - 1))
            renormalise(B, t >= opt.transient);
        if ((t & 4095) == 0 || t == opt.steps - 1) {
            for (int l = 0; l < W; ++l) {
                double check = 0.0;
                for (int a = 0; a < M; ++a) check += B.att[size_t(a) * W + l];
                if (!std::isfinite(check))
                    throw RuntimeError(fmt::format("non-finite state (NaN or inf) in A-hat at step t = {} (beta = {})",
                                                   t, B.beta[size_t(l)]));
            }
        }
        if (watch && t < t_run && watch->observe(B, t, t_start, t_run, CL ? CL : B.L)) {
            watch->jump(B, t_run - 1);
            for (size_t l = 0; l < out.size(); ++l) {
                out[l].skipped_steps = t_run - 1 - t;
                out[l].cycle_period = watch->period[l];
            }
            watch.reset();
            t = t_run - 1;
        }
    }
}

template <class Math, int W>
TDLAB_INLINE void run_block(Block<W> &B, const DmftModel &model, int64_t t_start, const BatchOptions &opt,
                            std::vector<LaneOutput> &out) {
    if (B.M == 3 && B.L == 4 && B.P == 4) {
        run_block_fixed<Math, W, 3, 4, 4>(B, model, t_start, opt, out);
    } else if (B.M == 3 && B.L == 4 && B.P == 3) { // the paper's three site types (non-binary scalar tokens)
        run_block_fixed<Math, W, 3, 4, 3>(B, model, t_start, opt, out);
    } else {
        run_block_fixed<Math, W, 0, 0, 0>(B, model, t_start, opt, out);
    }
}

template <int W>
void run_scalar(Block<W> &B, const DmftModel &m, int64_t t0, const BatchOptions &o, std::vector<LaneOutput> &out) {
    run_block<ScalarMath, W>(B, m, t0, o, out);
}
#ifdef TDLAB_SLEEF_X86
template <int W>
void run_sse2(Block<W> &B, const DmftModel &m, int64_t t0, const BatchOptions &o, std::vector<LaneOutput> &out) {
    run_block<Sse2Math, W>(B, m, t0, o, out);
}
template <int W>
__attribute__((target("avx"))) void run_avx(Block<W> &B, const DmftModel &m, int64_t t0, const BatchOptions &o,
                                            std::vector<LaneOutput> &out) {
    run_block<AvxMath, W>(B, m, t0, o, out);
}
template <int W>
__attribute__((target("avx2,fma"))) void run_avx2(Block<W> &B, const DmftModel &m, int64_t t0, const BatchOptions &o,
                                                  std::vector<LaneOutput> &out) {
    run_block<Avx2Math, W>(B, m, t0, o, out);
}
template <int W>
__attribute__((target("avx512f"))) void run_avx512(Block<W> &B, const DmftModel &m, int64_t t0, const BatchOptions &o,
                                                   std::vector<LaneOutput> &out) {
    run_block<Avx512Math, W>(B, m, t0, o, out);
}
#endif

} // namespace

namespace {
template <int W>
void run_batch_w(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt,
                 std::vector<LaneOutput> &out) {
    const int M = model.params.M, L = model.params.L, P = model.fields.P;
    const int64_t t0 = lanes[0].start.t;
    for (const auto &ln : lanes) {
        if (ln.start.t != t0 || ln.start.filled != L || ln.start.M != M || ln.start.L != L)
            throw UsageError("run_batch: lanes must start from full contexts at the same step t");
    }
    if (opt.transient <= t0) throw UsageError("run_batch: the transient must end after the start step");
    Block<W> B(M, L, P);
    const auto &nl = model.fields.nl;
    B.tk.resize(2 * size_t(std::max<size_t>({1, nl.values.size(), size_t(nl.group)})) * W);
    // Pad short blocks with copies of the last lane: every lane's result is independent of the others.
    for (int l = 0; l < W; ++l) {
        const LaneSpec &ln = lanes[std::min(size_t(l), lanes.size() - 1)];
        B.beta[size_t(l)] = ln.dyn.beta;
        B.se[size_t(l)] = 1.0 - ln.dyn.epsilon; // as MeanFieldMap: eps = 1 - (1 - eps)
        B.pw[size_t(l)] = 1.0 - B.se[size_t(l)];
        B.ac[size_t(l)] = ln.dyn.gamma * attention_norm(M);
        for (int a = 0; a < M; ++a) {
            B.att[size_t(a) * W + l] = ln.start.att[size_t(a)];
            B.mq[size_t(a) * W + l] = ln.start.mq[size_t(a)];
        }
        for (int k = 0; k < L * M; ++k) {
            B.mv[size_t(k) * W + l] = ln.start.mv[size_t(k)];
            B.mk[size_t(k) * W + l] = ln.start.mk[size_t(k)];
        }
        // Tangent vector: the normalised all-ones direction over (A-hat, m^v, m^k).
        const double v0 = 1.0 / std::sqrt(double(M + 2 * L * M));
        for (size_t k = l; k < B.datt.size(); k += W) B.datt[k] = v0;
        for (size_t k = l; k < B.dmv.size(); k += W) B.dmv[k] = B.dmk[k] = v0;
    }
    // Outputs of the active lanes; their buffers are reused when `out` comes from an earlier call (every
    // recorded element is written, so no clearing is needed).
    out.resize(lanes.size());
    const int64_t saved = std::max<int64_t>(0, opt.steps - opt.transient);
    for (auto &o : out) {
        o.skipped_steps = 0, o.cycle_period = 0;
        if (opt.record)
            o.mo_se.resize(size_t(saved) * M);
        else
            o.mo_se.clear();
    }
    switch (opt.path) {
    case SimdPath::Scalar: run_scalar(B, model, t0, opt, out); break;
#ifdef TDLAB_SLEEF_X86
    case SimdPath::Sse2: run_sse2(B, model, t0, opt, out); break;
    case SimdPath::Avx: run_avx(B, model, t0, opt, out); break;
    case SimdPath::Avx2: run_avx2(B, model, t0, opt, out); break;
    case SimdPath::Avx512: run_avx512(B, model, t0, opt, out); break;
#endif
    default: throw UsageError("run_batch: SIMD path not available in this build");
    }
    for (size_t l = 0; l < lanes.size(); ++l) {
        Context &c = out[l].final;
        c = lanes[l].start;
        c.t = std::max(t0, opt.steps - 1);
        for (int a = 0; a < M; ++a) {
            c.att[size_t(a)] = B.att[size_t(a) * W + l];
            c.mq[size_t(a)] = B.mq[size_t(a) * W + l];
        }
        for (int k = 0; k < L * M; ++k) {
            c.mv[size_t(k)] = B.mv[size_t(k) * W + l];
            c.mk[size_t(k)] = B.mk[size_t(k) * W + l];
        }
        out[l].max_abs = B.max_abs[l];
        out[l].lyapunov = opt.lyapunov ? B.lsum[l] / double(saved) : std::nan("");
    }
}
} // namespace

void run_batch(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt,
               std::vector<LaneOutput> &out) {
    if (lanes.empty() || lanes.size() > size_t(kLanes)) throw UsageError(fmt::format("run_batch: 1..{} lanes", kLanes));
    // Block width: the smallest of 8, 16, 32 lanes that holds the batch. One 8-lane vector is a single
    // dependency chain per step (latency-bound); 32 lanes give the core four independent chains.
    if (lanes.size() <= 8)
        run_batch_w<8>(model, lanes, opt, out);
    else if (lanes.size() <= 16)
        run_batch_w<16>(model, lanes, opt, out);
    else
        run_batch_w<32>(model, lanes, opt, out);
}

std::vector<LaneOutput> run_batch(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt) {
    std::vector<LaneOutput> out;
    run_batch(model, lanes, opt, out);
    return out;
}

} // namespace tdlab::dmft
