// The Fig 6 grid of Tian et al. 2023 (arXiv 2305.16380, Fig 6 and Figs 11/12; docs/scansnap.md): num_last x lr_z x
// ratio x seeds runs of the Y/Z model, in parallel over OpenMP (one run per thread at a time; each run's randomness
// comes from its own seed's counter-based streams, so the result is the same for any thread count). Per run it keeps
// the final query rows of Z; it reports the Fig 6 metric (distinct-token entropy of c_n, renormalised, mean over
// classes) as mean and sample std (ddof 1, as pandas) over seeds, and the recall curves of Figs 11/12 (softmax(z_m)
// over all M tokens against thresholds near 1/M).
#pragma once

#include "core/config.h"
#include "core/progress.h"
#include "scansnap/trainer.h"

#include <vector>

namespace tdlab::scansnap {

struct SweepGrid {
    std::vector<int> num_last{1, 3, 5, 10};
    std::vector<double> lr_z{0.5, 1, 2, 3};
    std::vector<double> ratio{1, 2, 5, 10};
    int seeds = 10; // seeds 1..seeds, as the official `seed=1..10`
    int num_thresholds = 21;
};

struct SweepCell {
    int num_last = 0;
    double lr_z = 0, ratio = 0;
    std::vector<double> entropy;      // per seed: the Fig 6 metric
    std::vector<double> full_entropy; // per seed: entropy over the whole c_n (for comparison)
    double mean = 0, std = 0;
    std::vector<double> thetas, recall; // Figs 11/12, mean over seeds
};

struct SweepResult {
    std::vector<SweepCell> cells; // ordered num_last, lr_z, ratio (grid order)
    // Per num_last: final Z query rows, shape (lr_z, ratio, seed, num_last, M), and M.
    std::vector<std::vector<double>> z_final;
    std::vector<int> M;
    double wall_s = 0;
};

// Config keys of `scansnap sweep`: the train keys plus sweep.num_last, sweep.lr_z, sweep.ratio (lists),
// sweep.seeds, sweep.thresholds; and the grid they describe (UsageError naming the key if a list is empty
// or num_last < 1).
ConfigSchema sweep_schema();
SweepGrid sweep_grid_from(const Config &cfg);

// Thresholds of Figs 11/12: the paper's axis ranges for M = 33, 79, 125, 240, else [0.92/M, 1.25/M].
std::vector<double> recall_thresholds(int M, int count);

// `base` supplies data (num_last is overridden by the grid), model and optimiser settings.
SweepResult run_sweep(const TrainParams &base, const SweepGrid &grid, Progress *progress = nullptr);

} // namespace tdlab::scansnap
