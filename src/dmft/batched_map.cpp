#include "dmft/batched_map.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#if defined(TDLAB_HAVE_SLEEF) && defined(__x86_64__)
#define TDLAB_SLEEF_X86 1
#include <immintrin.h>
// Declared here rather than through sleef.h, which hides the AVX prototypes unless the whole file is
// compiled with -mavx; these functions are only called from code compiled for their target.
extern "C" {
__m128d Sleef_tanhd2_u35sse2(__m128d);
__m128d Sleef_expd2_u10sse2(__m128d);
__attribute__((target("avx"))) __m256d Sleef_tanhd4_u35avx(__m256d);
__attribute__((target("avx"))) __m256d Sleef_expd4_u10avx(__m256d);
__attribute__((target("avx512f"))) __m512d Sleef_tanhd8_u35avx512fnofma(__m512d);
__attribute__((target("avx512f"))) __m512d Sleef_expd8_u10avx512fnofma(__m512d);
}
#endif

namespace tdlab::dmft {

SimdPath best_simd_path() {
#ifdef TDLAB_SLEEF_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
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
    if (name == "avx512" && __builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
    if (name == "avx" || name == "avx512") throw UsageError("SIMD path '" + name + "' is not supported by this CPU");
#else
    if (name == "sse2" || name == "avx" || name == "avx512")
        throw UsageError("SIMD path '" + name + "' needs SLEEF on x86-64 (this build has only 'scalar')");
#endif
    throw UsageError("unknown SIMD path '" + name + "' (auto, scalar, sse2, avx, avx512)");
}

namespace {

#define TDLAB_INLINE inline __attribute__((always_inline))
#define LANES _Pragma("omp simd") for (int l = 0; l < kLanes; ++l)

// kExactDivide: the scalar reference divides by the softmax norm as MeanFieldMap does; the SLEEF paths
// multiply by one reciprocal (3 + L divisions -> 1 per step; they already differ in the last bit).
struct ScalarMath {
    static constexpr bool kExactDivide = true;
    static TDLAB_INLINE void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
    }
    static TDLAB_INLINE void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; ++i) out[i] = std::exp(in[i]);
    }
};

#ifdef TDLAB_SLEEF_X86
struct Sse2Math {
    static constexpr bool kExactDivide = false;
    static TDLAB_INLINE void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 2) _mm_storeu_pd(out + i, Sleef_tanhd2_u35sse2(_mm_loadu_pd(in + i)));
    }
    static TDLAB_INLINE void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 2) _mm_storeu_pd(out + i, Sleef_expd2_u10sse2(_mm_loadu_pd(in + i)));
    }
};
struct AvxMath {
    static constexpr bool kExactDivide = false;
    __attribute__((target("avx"), noinline)) static void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_tanhd4_u35avx(_mm256_loadu_pd(in + i)));
    }
    __attribute__((target("avx"), noinline)) static void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, Sleef_expd4_u10avx(_mm256_loadu_pd(in + i)));
    }
};
struct Avx512Math {
    static constexpr bool kExactDivide = false;
    __attribute__((target("avx512f"), noinline)) static void tanh(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 8) _mm512_storeu_pd(out + i, Sleef_tanhd8_u35avx512fnofma(_mm512_loadu_pd(in + i)));
    }
    __attribute__((target("avx512f"), noinline)) static void exp(const double *in, double *out, int n) {
        for (int i = 0; i < n; i += 8) _mm512_storeu_pd(out + i, Sleef_expd8_u10avx512fnofma(_mm512_loadu_pd(in + i)));
    }
};
#endif

// Structure-of-arrays state of one block: every quantity x[...] is stored as x[...][kLanes].
struct Block {
    int M, L, P;
    std::vector<double> beta, se, pw, ac;                       // [lane]: beta, 1-eps, eps, gamma/sqrt(M)
    std::vector<double> att, mq, mv, mk;                        // [M][l], [M][l], [L][M][l], [L][M][l]
    std::vector<double> arg, th, mse, z, e, zmax, norm;         // scratch
    std::vector<double> datt, dmv, dmk, dmq, ds, dth, dz, lsum; // tangent
    std::vector<const double *> sig, coef[kNumAlpha];           // model constants (shared by all lanes)
    Block(int M_, int L_, int P_)
        : M(M_), L(L_), P(P_), beta(kLanes), se(kLanes), pw(kLanes), ac(kLanes), att(size_t(M) * kLanes),
          mq(size_t(M) * kLanes), mv(size_t(L) * M * kLanes), mk(size_t(L) * M * kLanes), arg(size_t(P) * kLanes),
          th(size_t(P) * kLanes), mse(kLanes), z(size_t(L) * kLanes), e(size_t(L) * kLanes), zmax(kLanes), norm(kLanes),
          datt(size_t(M) * kLanes), dmv(size_t(L) * M * kLanes), dmk(size_t(L) * M * kLanes), dmq(size_t(M) * kLanes),
          ds(size_t(P) * kLanes), dth(size_t(P) * kLanes), dz(size_t(L) * kLanes), lsum(kLanes, 0.0) {}
};

// One step t-1 -> t of every lane, in exactly the operation order of MeanFieldMap::step; with
// `tangent`, also v <- J v for the lane's tangent vector (the formulas of tangent_map.h).
// CM, CL, CP: compile-time M, L, P (0 = read from the block) so that the paper's M = 3, L = 4, P = 4
// loops unroll completely; the arithmetic and its order are the same either way.
template <class Math, int CM, int CL, int CP>
TDLAB_INLINE void block_step(Block &B, const DmftModel &model, int64_t t, bool tangent, double *rec_mo_se) {
    const int M = CM ? CM : B.M, L = CL ? CL : B.L, P = CP ? CP : B.P;
    const auto &f = model.fields;
    const int phase = int(t % L);
    double s[kLanes];
    // 1. fields th_j = tanh(beta sigma_j . A)
    for (int j = 0; j < P; ++j) {
        const double *sig = &f.sigma[size_t(j) * M];
        LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double sg = sig[b];
            const double *a = &B.att[size_t(b) * kLanes];
            LANES s[l] += sg * a[l];
        }
        double *arg = &B.arg[size_t(j) * kLanes];
        LANES arg[l] = B.beta[l] * s[l];
        if (tangent) {
            double *ds = &B.ds[size_t(j) * kLanes];
            LANES ds[l] = 0.0;
            for (int b = 0; b < M; ++b) {
                const double sg = sig[b];
                const double *da = &B.datt[size_t(b) * kLanes];
                LANES ds[l] += sg * da[l];
            }
        }
    }
    Math::tanh(B.arg.data(), B.th.data(), P * kLanes);
    if (tangent) {
        for (int j = 0; j < P; ++j) {
            const double *th = &B.th[size_t(j) * kLanes], *ds = &B.ds[size_t(j) * kLanes];
            double *dth = &B.dth[size_t(j) * kLanes];
            LANES dth[l] = B.beta[l] * (1.0 - th[l] * th[l]) * ds[l];
        }
    }
    // 2-4. semantic overlaps, eps mixing with PE(t), store m^v, m^k in slot `phase`, m^q
    const size_t slot = size_t(phase) * M * kLanes;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        const double *coef = f.coef[alpha].data();
        for (int a = 0; a < M; ++a) {
            double *mse = B.mse.data();
            LANES mse[l] = 0.0;
            for (int j = 0; j < P; ++j) {
                const double c = coef[size_t(j) * M + a];
                const double *th = &B.th[size_t(j) * kLanes];
                LANES mse[l] += c * th[l];
            }
            const double pe = model.pe_at(alpha, phase, a);
            double *dst = alpha == kV   ? &B.mv[slot + size_t(a) * kLanes]
                          : alpha == kK ? &B.mk[slot + size_t(a) * kLanes]
                          : alpha == kQ ? &B.mq[size_t(a) * kLanes]
                                        : nullptr;
            if (alpha == kO) {
                if (rec_mo_se) {
                    for (int l = 0; l < kLanes; ++l) rec_mo_se[size_t(l) * M + a] = mse[l];
                }
                continue;
            }
            LANES dst[l] = B.se[l] * mse[l] + B.pw[l] * pe;
            if (tangent) {
                double *ddst = alpha == kV   ? &B.dmv[slot + size_t(a) * kLanes]
                               : alpha == kK ? &B.dmk[slot + size_t(a) * kLanes]
                                             : &B.dmq[size_t(a) * kLanes];
                LANES ddst[l] = 0.0;
                for (int j = 0; j < P; ++j) {
                    const double c = coef[size_t(j) * M + a];
                    const double *dth = &B.dth[size_t(j) * kLanes];
                    LANES ddst[l] += c * dth[l];
                }
                LANES ddst[l] = B.se[l] * ddst[l];
            }
        }
    }
    // 5. attention over all L slots, max-subtracted softmax
    LANES B.zmax[l] = -INFINITY;
    for (int tau = 0; tau < L; ++tau) {
        LANES s[l] = 0.0;
        for (int b = 0; b < M; ++b) {
            const double *q = &B.mq[size_t(b) * kLanes], *k = &B.mk[(size_t(tau) * M + b) * kLanes];
            LANES s[l] += q[l] * k[l];
        }
        double *z = &B.z[size_t(tau) * kLanes];
        LANES {
            z[l] = B.ac[l] * s[l];
            B.zmax[l] = B.zmax[l] < z[l] ? z[l] : B.zmax[l];
        }
    }
    for (int tau = 0; tau < L; ++tau) {
        double *z = &B.z[size_t(tau) * kLanes];
        LANES z[l] = z[l] - B.zmax[l];
    }
    Math::exp(B.z.data(), B.e.data(), L * kLanes);
    LANES B.norm[l] = 0.0;
    for (int tau = 0; tau < L; ++tau) {
        const double *e = &B.e[size_t(tau) * kLanes];
        LANES B.norm[l] += e[l];
    }
    double inv[kLanes];
    LANES inv[l] = 1.0 / B.norm[l];
    if (tangent) {
        // dz_tau = ac (dq . k_tau + q . dk_tau); dbar = sum_tau w_tau dz_tau
        double dbar[kLanes];
        LANES dbar[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            double *dz = &B.dz[size_t(tau) * kLanes];
            LANES dz[l] = 0.0;
            for (int b = 0; b < M; ++b) {
                const size_t kb = (size_t(tau) * M + b) * kLanes;
                const double *q = &B.mq[size_t(b) * kLanes], *dq = &B.dmq[size_t(b) * kLanes];
                const double *k = &B.mk[kb], *dk = &B.dmk[kb];
                LANES dz[l] += dq[l] * k[l] + q[l] * dk[l];
            }
            const double *e = &B.e[size_t(tau) * kLanes];
            LANES {
                dz[l] = B.ac[l] * dz[l];
                dbar[l] += (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * dz[l];
            }
        }
        for (int a = 0; a < M; ++a) {
            double acc[kLanes];
            LANES acc[l] = 0.0;
            for (int tau = 0; tau < L; ++tau) {
                const size_t va = (size_t(tau) * M + a) * kLanes;
                const double *e = &B.e[size_t(tau) * kLanes], *dz = &B.dz[size_t(tau) * kLanes];
                const double *v = &B.mv[va], *dv = &B.dmv[va];
                LANES acc[l] +=
                    (Math::kExactDivide ? e[l] / B.norm[l] : e[l] * inv[l]) * ((dz[l] - dbar[l]) * v[l] + dv[l]);
            }
            double *da = &B.datt[size_t(a) * kLanes];
            LANES da[l] = acc[l];
        }
    }
    for (int a = 0; a < M; ++a) {
        LANES s[l] = 0.0;
        for (int tau = 0; tau < L; ++tau) {
            const double *e = &B.e[size_t(tau) * kLanes], *v = &B.mv[(size_t(tau) * M + a) * kLanes];
            LANES s[l] += e[l] * v[l];
        }
        double *att = &B.att[size_t(a) * kLanes];
        if (Math::kExactDivide) {
            LANES att[l] = s[l] / B.norm[l];
        } else {
            LANES att[l] = s[l] * inv[l];
        }
    }
}

// Renormalises every lane's tangent vector; adds ln|v| to the running sum if `accumulate`.
void renormalise(Block &B, bool accumulate) {
    for (int l = 0; l < kLanes; ++l) {
        double n2 = 0.0;
        for (size_t k = 0; k < B.datt.size(); k += kLanes) n2 += B.datt[k + l] * B.datt[k + l];
        for (size_t k = 0; k < B.dmv.size(); k += kLanes)
            n2 += B.dmv[k + l] * B.dmv[k + l] + B.dmk[k + l] * B.dmk[k + l];
        const double n = std::sqrt(n2);
        if (accumulate) B.lsum[size_t(l)] += std::log(n);
        const double inv = n > 0 ? 1.0 / n : 0.0;
        for (size_t k = l; k < B.datt.size(); k += kLanes) B.datt[k] *= inv;
        for (size_t k = l; k < B.dmv.size(); k += kLanes) {
            B.dmv[k] *= inv;
            B.dmk[k] *= inv;
        }
    }
}

template <class Math, int CM, int CL, int CP>
TDLAB_INLINE void run_block_fixed(Block &B, const DmftModel &model, int64_t t_start, const BatchOptions &opt,
                                  std::vector<LaneOutput> &out, std::vector<double> &rec) {
    const int M = CM ? CM : B.M;
    const int64_t t_tan = std::max(t_start + 1, opt.transient - opt.lyap_align);
    const int every = std::max(1, opt.renorm_every);
    for (int64_t t = t_start + 1; t < opt.steps; ++t) {
        const bool tangent = opt.lyapunov && t >= t_tan;
        const bool saved = t >= opt.transient;
        block_step<Math, CM, CL, CP>(B, model, t, tangent, saved ? rec.data() : nullptr);
        if (saved) {
            const size_t row = size_t(t - opt.transient) * M;
            for (int l = 0; l < kLanes; ++l) {
                const double *r = &rec[size_t(l) * M];
                for (int a = 0; a < M; ++a) {
                    out[size_t(l)].max_abs = std::max(out[size_t(l)].max_abs, std::fabs(r[a]));
                    if (opt.record) out[size_t(l)].mo_se[row + a] = r[a];
                }
            }
        }
        // Renormalise on a fixed grid, and right before the window so that only window steps count.
        if (tangent && ((t - t_tan + 1) % every == 0 || t == opt.transient - 1 || t == opt.steps - 1))
            renormalise(B, t >= opt.transient);
        if ((t & 4095) == 0 || t == opt.steps - 1) {
            for (int l = 0; l < kLanes; ++l) {
                double check = 0.0;
                for (int a = 0; a < M; ++a) check += B.att[size_t(a) * kLanes + l];
                if (!std::isfinite(check))
                    throw RuntimeError(fmt::format("non-finite state (NaN or inf) in A-hat at step t = {} (beta = {})",
                                                   t, B.beta[size_t(l)]));
            }
        }
    }
}

template <class Math>
TDLAB_INLINE void run_block(Block &B, const DmftModel &model, int64_t t_start, const BatchOptions &opt,
                            std::vector<LaneOutput> &out, std::vector<double> &rec) {
    if (B.M == 3 && B.L == 4 && B.P == 4) {
        run_block_fixed<Math, 3, 4, 4>(B, model, t_start, opt, out, rec);
    } else {
        run_block_fixed<Math, 0, 0, 0>(B, model, t_start, opt, out, rec);
    }
}

void run_scalar(Block &B, const DmftModel &m, int64_t t0, const BatchOptions &o, std::vector<LaneOutput> &out,
                std::vector<double> &rec) {
    run_block<ScalarMath>(B, m, t0, o, out, rec);
}
#ifdef TDLAB_SLEEF_X86
void run_sse2(Block &B, const DmftModel &m, int64_t t0, const BatchOptions &o, std::vector<LaneOutput> &out,
              std::vector<double> &rec) {
    run_block<Sse2Math>(B, m, t0, o, out, rec);
}
__attribute__((target("avx"))) void run_avx(Block &B, const DmftModel &m, int64_t t0, const BatchOptions &o,
                                            std::vector<LaneOutput> &out, std::vector<double> &rec) {
    run_block<AvxMath>(B, m, t0, o, out, rec);
}
__attribute__((target("avx512f"))) void run_avx512(Block &B, const DmftModel &m, int64_t t0, const BatchOptions &o,
                                                   std::vector<LaneOutput> &out, std::vector<double> &rec) {
    run_block<Avx512Math>(B, m, t0, o, out, rec);
}
#endif

} // namespace

std::vector<LaneOutput> run_batch(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt) {
    if (lanes.empty() || lanes.size() > size_t(kLanes)) throw UsageError("run_batch: 1..8 lanes");
    const int M = model.params.M, L = model.params.L, P = model.fields.P;
    const int64_t t0 = lanes[0].start.t;
    for (const auto &ln : lanes) {
        if (ln.start.t != t0 || ln.start.filled != L || ln.start.M != M || ln.start.L != L)
            throw UsageError("run_batch: lanes must start from full contexts at the same step t");
    }
    if (opt.transient <= t0) throw UsageError("run_batch: the transient must end after the start step");
    Block B(M, L, P);
    // Pad short blocks with copies of the last lane: every lane's result is independent of the others.
    for (int l = 0; l < kLanes; ++l) {
        const LaneSpec &ln = lanes[std::min(size_t(l), lanes.size() - 1)];
        B.beta[size_t(l)] = ln.dyn.beta;
        B.se[size_t(l)] = 1.0 - ln.dyn.epsilon; // as MeanFieldMap: eps = 1 - (1 - eps)
        B.pw[size_t(l)] = 1.0 - B.se[size_t(l)];
        B.ac[size_t(l)] = ln.dyn.gamma * attention_norm(M);
        for (int a = 0; a < M; ++a) {
            B.att[size_t(a) * kLanes + l] = ln.start.att[size_t(a)];
            B.mq[size_t(a) * kLanes + l] = ln.start.mq[size_t(a)];
        }
        for (int k = 0; k < L * M; ++k) {
            B.mv[size_t(k) * kLanes + l] = ln.start.mv[size_t(k)];
            B.mk[size_t(k) * kLanes + l] = ln.start.mk[size_t(k)];
        }
        // Tangent vector: the normalised all-ones direction over (A-hat, m^v, m^k).
        const double v0 = 1.0 / std::sqrt(double(M + 2 * L * M));
        for (size_t k = l; k < B.datt.size(); k += kLanes) B.datt[k] = v0;
        for (size_t k = l; k < B.dmv.size(); k += kLanes) B.dmv[k] = B.dmk[k] = v0;
    }
    std::vector<LaneOutput> out(kLanes);
    const int64_t saved = std::max<int64_t>(0, opt.steps - opt.transient);
    for (auto &o : out) {
        if (opt.record) o.mo_se.assign(size_t(saved) * M, 0.0);
    }
    std::vector<double> rec(size_t(kLanes) * M);
    switch (opt.path) {
    case SimdPath::Scalar: run_scalar(B, model, t0, opt, out, rec); break;
#ifdef TDLAB_SLEEF_X86
    case SimdPath::Sse2: run_sse2(B, model, t0, opt, out, rec); break;
    case SimdPath::Avx: run_avx(B, model, t0, opt, out, rec); break;
    case SimdPath::Avx512: run_avx512(B, model, t0, opt, out, rec); break;
#endif
    default: throw UsageError("run_batch: SIMD path not available in this build");
    }
    out.resize(lanes.size());
    for (size_t l = 0; l < lanes.size(); ++l) {
        Context &c = out[l].final;
        c = lanes[l].start;
        c.t = std::max(t0, opt.steps - 1);
        for (int a = 0; a < M; ++a) {
            c.att[size_t(a)] = B.att[size_t(a) * kLanes + l];
            c.mq[size_t(a)] = B.mq[size_t(a) * kLanes + l];
        }
        for (int k = 0; k < L * M; ++k) {
            c.mv[size_t(k)] = B.mv[size_t(k) * kLanes + l];
            c.mk[size_t(k)] = B.mk[size_t(k) * kLanes + l];
        }
        out[l].lyapunov = opt.lyapunov ? B.lsum[l] / double(saved) : std::nan("");
    }
    return out;
}

} // namespace tdlab::dmft
