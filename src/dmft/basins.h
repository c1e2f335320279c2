// Basins of attraction of the mean-field map at one parameter point (Attractors.jl's basins_fractions
// with a featurizing/recurrence-free rule): starts sampled from a stated region of the state space,
// each run to its attractor on the batched kernel, identified, and counted.
//
// State space: x = (A-hat [M], m^v slots [L][M], m^k slots [L][M]) as tangent_map.h packs it, at one
// forcing phase t (the positional code repeats with period L, so the phase is part of the state; every
// start of a region shares it). Regions:
//   box    every coordinate uniform in [lo, hi] (overlaps are bounded by 1: [-1, 1] covers all states);
//   ball   uniform in the Euclidean ball of `radius` around a context (a checkpoint), by the
//          normal-direction / U^(1/D) radius construction;
//   starts the rows of a user array [n][D] (a .npy), used in order (samples = n).
// A start is drawn from CounterRng(seed, index): the sample set is the same for any thread count.
//
// Identification rule (dynamics/attractor_match.h): each start runs `steps` steps; on the last
// steps - transient, the recorded m^o (M values per step) is tested for an exact period (a multiple
// of L, return within period_tol). Periodic runs are the same attractor when their last periods agree
// up to a shift by a multiple of L within orbit_tol; other runs by their features
//   (mean and standard deviation of each m^o_a; lambda_1 / 10)
// within feature_tol (max-norm) of the first run that founded a non-periodic attractor. Runs are
// identified in sample order after all have finished, so ids are deterministic.
// Caveats: a run whose transient is longer than the window is "non-periodic" with its transient's
// features and may found a spurious attractor (raise dmft.steps); orbits with period > max_period or
// with a window shorter than two periods count as non-periodic.
#pragma once

#include "dmft/batched_map.h"
#include "dynamics/attractor_match.h"
#include "dynamics/basins_fractions.h"
#include "dynamics/classify.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::dmft {

struct StartRegion {
    enum class Kind { Box, Ball, Starts } kind = Kind::Box;
    double lo = -1.0, hi = 1.0; // box
    Context center;             // ball (its t gives the phase)
    double radius = 1e-3;       // ball
    std::vector<double> starts; // starts: [n][D]
    int64_t phase = 0;          // t of box and starts samples (0 .. L-1)
    std::string describe() const;
};

// Sample `index` of the region (a filled context at the region's phase). `templ` gives M, L.
Context sample_start(const StartRegion &region, const Context &templ, uint64_t seed, uint64_t index);
// How many samples the region holds: the number of rows for `starts`, else `requested`.
int64_t region_samples(const StartRegion &region, size_t state_dim, int64_t requested);

struct BasinsOptions {
    int64_t samples = 1000;
    uint64_t seed = 1;
    int64_t steps = 20000;     // per start (time index from the start's t)
    int64_t transient = 16000; // the window is the last steps - transient
    bool lyapunov = true;      // lambda_1 of each run (a feature and the label)
    SimdPath path = SimdPath::Scalar;
    size_t max_period = 2000;
    double period_tol = 1e-8;
    double orbit_tol = 1e-6;
    double feature_tol = 5e-2;
};

// One run's analysis: its signature, label, lambda_1 and final state.
struct BasinRun {
    dynamics::AttractorSignature signature;
    dynamics::Label label = dynamics::Label::Unknown;
    double lyapunov = 0;
    double m1_min = 0, m1_max = 0; // range of m^o_1 over the window
    Context final;
};
BasinRun analyse_basin_run(const LaneOutput &lane, int M, int L, const BasinsOptions &opt);

// Runs every start (OpenMP over 32-lane blocks; starts grouped by phase), results in start order.
std::vector<BasinRun> run_starts(const DmftModel &model, const DynamicsParams &dyn, const std::vector<Context> &starts,
                                 const BasinsOptions &opt);

struct BasinAttractor {
    int id = 0;
    dynamics::Label label = dynamics::Label::Unknown;
    size_t period = 0;
    double lyapunov = 0; // mean over the starts that reached it
    int64_t count = 0;
    double m1_min = 0, m1_max = 0; // over all its runs' windows
    Context representative;        // the final state of its first start
    dynamics::AttractorSignature signature;
};

struct BasinsResult {
    std::vector<BasinAttractor> attractors; // by id
    std::vector<int> ids;                   // per start
    std::vector<dynamics::BasinFraction> fractions;
};

dynamics::MatchOptions basin_match_options(int M, int L, const BasinsOptions &opt);
// Identifies runs in order with `registry` (callers may pre-load it) and aggregates.
BasinsResult collect_basins(const std::vector<BasinRun> &runs, int M, dynamics::AttractorRegistry &registry);

BasinsResult basins(const DmftModel &model, const DynamicsParams &dyn, const StartRegion &region,
                    const BasinsOptions &opt);

} // namespace tdlab::dmft
