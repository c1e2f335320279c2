// The data tables (.npy/.csv/.jsonl) of `tdlab scansnap train|theory|sweep` (layout documented in
// docs/scansnap.md), shared by the commands and by `tdlab reproduce scansnap` so that both write the
// same layout. No figures here: plot/scansnap_figures.h draws them from the same results.
#pragma once

#include "core/config.h"
#include "scansnap/population.h"
#include "scansnap/sweep.h"
#include "scansnap/trainer.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tdlab::scansnap {

// train: loss.npy (niter), gamma_proxy.npy, z_rows.npy (niter+1, Q, M), c.npy (niter+1, K, M),
// entropy.npy (niter+1, K, 2) [distinct, full], Y_final.npy / Z_final.npy (M, M), curves.csv,
// metrics.jsonl. Returns the c_n history written to c.npy (empty if the run kept no z rows), which the
// train figures draw.
std::vector<double> write_train_outputs(const std::filesystem::path &dir, const TrainParams &p, const TrainResult &r);

// The c_n matrix (iterations x K x M) computed from a run's recorded z rows and the true P.
std::vector<double> attention_history(const SeqClasses &data, const std::vector<double> &z_rows, size_t records);

// Per class n, over the `records` rows of c (iterations x K x M): the entropy of c_n restricted to the
// class's distinct tokens and renormalised (the Fig 6 metric along a run), [K][records].
std::vector<std::vector<double>> c_entropy_history(const SeqClasses &data, const std::vector<double> &c,
                                                   size_t records);

struct TheoryCurveParams {
    int M = 1000, K = 10;
    double eta_y = 1.0, eta_z = 0.5, C0 = 1.0, t_max = 700;
    int points = 701;
};
// Config keys of `scansnap theory` (data.* for the population run, theory.*, population.*) and readers.
ConfigSchema theory_schema();
TheoryCurveParams theory_curve_params_from(const Config &cfg);
// population.enable: the population run's parameters; nullopt when disabled.
std::optional<PopulationParams> population_params_from(const Config &cfg);

// The transition times of the theory (transitions.csv).
struct Transitions {
    double omega1 = 0, t0_prime = 0, t0 = 0, B_t0 = 0;
};
// theory: curves.npy/.csv (points x 7: t, h(t/K), gamma, Gamma, B, chi_upper, h(t)), h_star.npy/.csv
// (s, h*(s), h(s)), transitions.csv (omega1, t0_prime, t0, B_t0), whose values it returns.
Transitions write_theory_outputs(const std::filesystem::path &dir, const TheoryCurveParams &p);
// population: population_t.npy, population_z.npy (records, Q, M), population_err.npy.
void write_population_outputs(const std::filesystem::path &dir, const PopulationResult &r);

// sweep: entropy.csv (num_last,lr_z,ratio,mean,std,seeds), entropy_runs.csv, recall.csv,
// z_final_nl<N>.npy (lr_z, ratio, seed, num_last, M).
void write_sweep_outputs(const std::filesystem::path &dir, const SweepGrid &grid, const SweepResult &r);

} // namespace tdlab::scansnap
