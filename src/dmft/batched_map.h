// The mean-field map run for kLanes independent lanes at once (betas, gammas, epsilons, or perturbed
// starts of the attractor census), with the lanes innermost so that every arithmetic loop vectorises,
// and tanh / exp from SLEEF's vector functions. Optionally carries the tangent vector of each lane
// (forward-mode Jacobian of the map, tangent_map.h) for the largest Lyapunov exponent.
//
// Blocks are 8, 16 or 32 lanes wide (the lane count rounded up): one step of one 8-lane vector is a
// single dependency chain (tanh -> overlaps -> softmax exp -> A-hat -> tanh) and leaves the core
// idle on latency; 32 lanes run four independent chains (about 1.4x per lane on AVX-512).
//
// Determinism: a lane's arithmetic never depends on the other lanes, on the thread that runs it, on
// its position in the block or on the block width (short blocks are padded), so results do not depend
// on the thread count or the sharding. Elementwise +,-,*,/ are correctly rounded whatever the vector
// width and the build has no FMA contraction, so the only difference between paths is tanh/exp:
//   scalar  std::tanh / std::exp: bit-identical to MeanFieldMap::step (the reference path)
//   sse2    SLEEF SSE2, tanh u35 (3.5 ulp) and exp u10 (2 lanes per call)
//   avx     the same functions for AVX without FMA (4 lanes per call)
//   avx2    SLEEF's AVX2 builds, which use FMA inside tanh / exp (4 lanes per call; faster than avx)
//   avx512  SLEEF's AVX-512F builds: avx2's FMA algorithm at 8 lanes per call (u10 tanh is 6x slower)
// sse2 and avx run the same algorithm without FMA and agree bit for bit (tested), and so do avx2 and
// avx512 with FMA (tested): every AVX2 or AVX-512 host gives the same bytes, and sse2 / avx give another
// set, the same on any x86-64 machine. "auto" picks avx512, else avx2 (AVX2 + FMA hosts), else avx, else
// sse2; force a path with sweep.simd / basins.simd (e.g. sweep.simd=sse2 for the bytes of an AVX host).
#pragma once

#include "dmft/mean_field_map.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::dmft {

// Most lanes per run_batch call. 32 lanes are four AVX-512 vectors per operation: four independent
// dependency chains, so a step is no longer bound by the latency of tanh -> softmax -> tanh.
inline constexpr int kLanes = 32;

enum class SimdPath { Scalar, Sse2, Avx, Avx2, Avx512 };
// "auto" | "scalar" | "sse2" | "avx" | "avx2" | "avx512"; UsageError for unknown names or a path without
// SLEEF / CPU support.
SimdPath simd_path_from_name(const std::string &name);
const char *simd_path_name(SimdPath p);
SimdPath best_simd_path();
// Which kernels write the same bytes, by recorded name: "FMA" (avx2, avx512), "non-FMA" (sse2, avx), "scalar";
// "" for a name this build does not know. Paths of one class agree bit for bit (see the list above).
std::string simd_bytes_class(const std::string &name);

struct BatchOptions {
    int64_t steps = 120000;     // time indices run up to steps - 1
    int64_t transient = 100000; // steps t >= transient are recorded (and accumulate the exponent)
    bool record = true;         // keep mo_se of the window, [saved][M] per lane
    bool lyapunov = false;      // carry a tangent vector; largest exponent over the window
    int64_t lyap_align = 2000;  // the tangent vector starts this many steps before the window
    int renorm_every = 8;       // tangent renormalisation period (steps)
    SimdPath path = SimdPath::Scalar;
    // Fast-forward through the transient once every lane of a block is on an exact cycle (below).
    bool skip_cycles = true;
    // The paper's shape (M = 3, L = 4, P = 4, binary tokens) on a SLEEF path runs its step in vector
    // registers, a few registers of lanes at a time (batched_register_step.h); false forces the row form
    // that every other shape runs. Both give the same bytes (tested); the register form is ~1.4x faster.
    bool register_step = true;
};

// Exact-cycle fast-forward. The map at step t depends on the state (A-hat, m^q, m^v[L], m^k[L]) and on
// t mod L only, so if a lane's state after step s + p is bit for bit its state after step s, with p a
// multiple of L, the lane repeats with period p forever, and its state after any later step T is its state
// after step s + (T - s) mod p. A stable periodic orbit of a map iterated in floating point usually ends on
// such an exact cycle (the contraction drives the rounding onto a closed loop of representable states).
// During the transient, windows of kCycleMaxLag steps every kCycleCheckEvery steps keep each lane's
// states and compare them with the window's first; once every lane of a block has returned, the block
// jumps to the last step before the tangent vector starts (or the recorded window, without Lyapunov) and
// runs normally from there. Nothing recorded or accumulated is skipped, so every output is the same bits
// as without the jump (tested); what it saves is the transient of blocks whose lanes are all periodic
// (Fig 3a of Poc-Lopez & Aguilera 2024: two thirds of the betas are periodic with periods 4 to ~100).
inline constexpr int kCycleMaxLag = 128;      // longest exact cycle detected (steps)
inline constexpr int kCycleCheckEvery = 1024; // a detection window starts every this many steps
// Largest history a thread keeps for it, in doubles ((kCycleMaxLag + 1) block states; 16 MiB): models whose
// state is larger (2 M + 2 L M > ~500 at 32 lanes) run every step.
inline constexpr size_t kCycleMaxHistory = size_t(1) << 21;

struct LaneSpec {
    DynamicsParams dyn;
    Context start; // all lanes of one batch must share start.t and have filled == L
};

struct LaneOutput {
    std::vector<double> mo_se; // [saved][M]
    Context final;
    double lyapunov = 0.0;     // per step, natural log; NaN unless BatchOptions::lyapunov
    double max_abs = 0.0;      // max |mo_se| over the window and all features
    int64_t skipped_steps = 0; // steps of the transient not computed (exact-cycle fast-forward), 0 if none
    int cycle_period = 0;      // the exact cycle's period when skipped_steps > 0
};

// Runs up to kLanes lanes (in blocks of 8, 16 or 32: the lane count rounded up). RuntimeError (naming
// the lane's beta) if a state becomes non-finite.
std::vector<LaneOutput> run_batch(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt);
// The same into `out` (resized to lanes.size()), reusing its buffers: a sweep calls it once per block
// with one `out` per thread, so the [saved][M] windows are neither reallocated nor cleared.
void run_batch(const DmftModel &model, const std::vector<LaneSpec> &lanes, const BatchOptions &opt,
               std::vector<LaneOutput> &out);

// What one lane-step of the batched kernel cannot go below on `path`, measured on this machine for the
// benchmarks' "SLEEF floor": nanoseconds per element of the path's tanh and exp on rows of kLanes lanes,
// and per double flop (a multiply or an add) of independent vectorised chains compiled for the path's
// target without FMA contraction, as the kernel is. Best of `repeats` timings of each, in thread CPU time.
struct KernelFloor {
    double tanh_ns = 0, exp_ns = 0, flop_ns = 0;
};
KernelFloor measure_kernel_floor(SimdPath path, int repeats = 5);

} // namespace tdlab::dmft
