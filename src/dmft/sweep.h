// Parameter sweeps of the mean-field map (bifurcation diagrams, Fig 3; 2-D phase diagrams): a list of
// parameter points (beta, gamma, epsilon), each run from a start context and analysed on its saved
// window by every indicator of src/dynamics.
//
// Protocols (docs/dmft_map.md section 5):
//   checkpoint  every point starts from the same context (a published checkpoint, or the final
//               context of a cold-start run at the largest value: the authors' "load_from_last_chpt").
//               Points are independent: batched up to kLanes (32) at a time, OpenMP over blocks.
//   neighbour   each point starts from the final context of the previous one, upward or downward
//               (continuation; shows hysteresis). Sequential by nature.
// Results never depend on the thread count: a point's lane arithmetic is independent of its block.
#pragma once

#include "dmft/batched_map.h"
#include "dynamics/classify.h"
#include "dynamics/period.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tdlab::dmft {

struct SweepOptions {
    BatchOptions batch; // steps, transient, lyapunov, SIMD path
    // sweep.lyapunov = spectrum: also the full Lyapunov spectrum of each point (map_spectrum.h) on the
    // same window from the same start, with its Kaplan-Yorke dimension (batch.lyapunov stays on).
    bool spectrum = false;
    std::string seed_from = "checkpoint"; // checkpoint | neighbour
    bool downward = false;                // neighbour protocol direction
    bool chaos01 = true;                  // run the 0-1 test on m^o_1 sampled every L steps
    int64_t chaos01_points = 2500;        // last points of that subsampled series used
    int64_t keep = 2000;                  // last m^o_1 samples kept per point (points.npy)
    int raster_resolution = 7001;         // R_im of the Fig 3 background: unique bins of the whole window
    double max_y = 0.0;                   // quantisation scale of the paper's count (0: per-point max |m^o|)
    dynamics::PaperClassifier paper;
    dynamics::PeriodOptions period; // multiple_of is set to L
    dynamics::CombineOptions combine;
    dynamics::MinimumWindow minimum; // least window per indicator; shorter -> set aside, flag "short"
    int64_t census = 0;              // perturbed starts per point (0: no census)
    double census_perturb = 1e-14;   // amplitude of the A-hat perturbation of each census start
    uint64_t census_seed = 0;
};

// Flags of the combined label as bits (stored in .npy files).
enum FlagBits : int { kFlagLyapunov = 1, kFlagChaos01 = 2, kFlagPaper = 4, kFlagUnconverged = 8, kFlagShort = 16 };
int flags_to_bits(const std::string &flags);
std::string bits_to_flags(int bits);

// Everything a sweep keeps about one run (one point, or one census start).
struct PointResult {
    double beta = 0, gamma = 0, epsilon = 0;
    double max_abs = 0;        // max |mo_se| over the window, all features
    int64_t unique_points = 0; // the paper's u: unique bins of m^o_1 at R (scale max_y)
    int paper_label = 3;       // dynamics::Label from u; unknown (3) when the window is below chaotic_from
    int64_t period = 0;        // exact period of mo_se (0: none)
    double lyapunov = 0;       // NaN if not computed
    double chaos01 = 0;        // NaN if not computed
    int label = 3;             // combined label
    int flags = 0;             // FlagBits
    double m1_min = 0, m1_max = 0, m1_mean = 0;
    std::vector<float> points; // last `keep` samples of m^o_1
    // The Fig 3 background (docs/dmft_map.md section 8.2): the sorted unique bins q(v; R_im, raster_scale)
    // of m^o_1 over the WHOLE window (not only the kept samples), R_im = 7001. raster_scale is sweep.max_y
    // (the diagram-wide max: then these are exactly the paper's rows) or, when that is 0, this point's own
    // max |m^o| (then the figure re-bins them to the diagram's max: at most one row off).
    std::vector<int16_t> raster_bins;
    double raster_scale = 0;
    // m^o_1 at the samples with |m^o_2| <= tol (the paper's section), distinct values in order of first
    // visit; with an exact period, one per phase of it (dynamics::periodic_poincare).
    std::vector<double> poincare;
    std::vector<double> orbit; // one period of mo_se [period][M] when periodic (census matching)
    // SweepOptions::spectrum only: the L*M finite exponents (per step, decreasing) and Kaplan-Yorke.
    std::vector<double> spectrum;
    double kaplan_yorke = std::nan("");
    int64_t skipped_steps = 0; // transient steps the exact-cycle fast-forward did not compute (batched_map.h)
};

// Analyses one lane's window (mo_se [saved][M]).
PointResult analyse_lane(const LaneOutput &lane, const DynamicsParams &dyn, int M, int L, const SweepOptions &opt);

// Runs points [begin, end) of `points` from `start` with the checkpoint protocol, calling
// `done(k, result)` for each finished point (any order; from several threads, serialised by the
// caller's lock). `progress_steps` is called with finished map steps.
void run_points_checkpoint(const DmftModel &model, const std::vector<DynamicsParams> &points, const Context &start,
                           size_t begin, size_t end, const SweepOptions &opt,
                           const std::function<void(size_t, PointResult &&)> &done,
                           const std::function<void(uint64_t)> &progress_steps = {});

// The neighbour protocol over all points (upward or downward in index order).
void run_points_neighbour(const DmftModel &model, const std::vector<DynamicsParams> &points, const Context &start,
                          const SweepOptions &opt, const std::function<void(size_t, PointResult &&)> &done,
                          const std::function<void(uint64_t)> &progress_steps = {});

// Census: the distinct attractors reached from `opt.census` perturbed copies of `start` at one point.
struct Attractor {
    PointResult representative; // the first start that reached it
    int64_t starts = 0;         // how many starts reached it
    double lyapunov_mean = 0;
};
std::vector<Attractor> attractor_census(const DmftModel &model, const DynamicsParams &dyn, const Context &start,
                                        const SweepOptions &opt, uint64_t stream_base);
// Two runs are on the same attractor: equal periods and orbits that overlap within `tol` (periodic),
// or equal labels with m^o_1 ranges within 1e-2 (otherwise).
bool same_attractor(const PointResult &a, const PointResult &b, int M, double tol = 1e-6);

} // namespace tdlab::dmft
