#include "dmft/batched_map.h"

#include "dmft/batched_block.h"
#include "dmft/batched_math.h"
#include "dmft/batched_register_step.h"
#include "dmft/batched_row_step.h"
#include "dmft/cycle_watch.h"

#include "core/error.h"
#include "core/isa.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <type_traits>

// The register step passes vectors by value between always_inline functions instantiated in this file;
// GCC reports the ABI of AVX vectors at the end of the file, after a header's push / pop has ended.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tdlab::dmft {

SimdPath best_simd_path() {
#ifdef TDLAB_SLEEF_X86
    __builtin_cpu_init();
    if (cpu_has_avx512f()) return SimdPath::Avx512;
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

std::string simd_bytes_class(const std::string &name) {
    if (name == "avx2" || name == "avx512") return "FMA";
    if (name == "sse2" || name == "avx") return "non-FMA";
    if (name == "scalar") return "scalar";
    return "";
}

SimdPath simd_path_from_name(const std::string &name) {
    if (name == "auto") return best_simd_path();
    if (name == "scalar") return SimdPath::Scalar;
#ifdef TDLAB_SLEEF_X86
    __builtin_cpu_init();
    if (name == "sse2") return SimdPath::Sse2;
    if (name == "avx" && __builtin_cpu_supports("avx")) return SimdPath::Avx;
    if (name == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdPath::Avx2;
    if (name == "avx512" && cpu_has_avx512f()) return SimdPath::Avx512;
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

// Registers of lanes the register step keeps in flight at once: up to four independent chains (with
// AVX-512, the whole 32-lane block), where one chain leaves the core waiting on latency (measured on a
// Zen 5, ns per lane-step: 1 register 14.7, 2 registers 13.3, 4 registers 12.7; the row form 15.7-19.3).
template <class Math, int W> constexpr int register_group() {
    constexpr int lanes = int(sizeof(typename Math::V) / sizeof(double));
    return std::min(4, W / lanes);
}

// The recorded m^o of a block reaches the lanes' windows kRecordTile steps at a time: one step scatters
// M doubles to each of W windows (W write streams of M doubles, 12% of the kernel's time in a Fig 3a
// sweep), a tile writes kRecordTile x M consecutive doubles to each.
constexpr int kRecordTile = 16;

template <int W>
void flush_record_tile(const Block<W> &B, const std::vector<double> &tile, int rows, size_t first_row,
                       std::vector<LaneOutput> &out) {
    const size_t M = size_t(B.M), step = B.mo.size();
    for (size_t l = 0; l < out.size(); ++l) { // active lanes only (padding is not recorded)
        double *dst = out[l].mo_se.data() + first_row * M;
        for (int k = 0; k < rows; ++k)
            for (size_t a = 0; a < M; ++a) *dst++ = tile[size_t(k) * step + a * W + l];
    }
}

// Regs: the step of batched_register_step.h (a compiled shape, a SLEEF path, tanh fields); else the row form.
template <class Math, int W, int CM, int CL, int CP, bool Regs = false>
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
    std::vector<double> tile(opt.record ? size_t(kRecordTile) * B.mo.size() : 0); // recorded m^o, [row][M][W]
    int tile_rows = 0;
    for (int64_t t = t_start + 1; t < opt.steps; ++t) {
        const bool tangent = opt.lyapunov && t >= t_tan;
        const bool saved = t >= opt.transient;
        if constexpr (Regs) {
            if (tangent)
                batched::register_step<Math, W, CM, CL, CP, register_group<Math, W>(), true>(B, model, int(t % CL),
                                                                                             saved);
            else
                batched::register_step<Math, W, CM, CL, CP, register_group<Math, W>(), false>(B, model, int(t % CL),
                                                                                              saved);
        } else
            batched::row_step<Math, W, CM, CL, CP>(B, model, t, tangent, saved);
        if (saved && opt.record) {
            std::copy(B.mo.begin(), B.mo.end(), tile.begin() + ptrdiff_t(size_t(tile_rows) * B.mo.size()));
            if (++tile_rows == kRecordTile || t == opt.steps - 1) {
                flush_record_tile(B, tile, tile_rows, size_t(t + 1 - tile_rows - opt.transient), out);
                tile_rows = 0;
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
        if constexpr (!std::is_same_v<Math, ScalarMath>) {
            if (opt.register_step && model.fields.nl.kind == FieldKind::Tanh)
                return run_block_fixed<Math, W, 3, 4, 4, true>(B, model, t_start, opt, out);
        }
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
