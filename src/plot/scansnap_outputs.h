// Files written by `tdlab scansnap train|theory|sweep` (layout documented in docs/scansnap.md).
// Shared by the commands and by `tdlab reproduce scansnap`, so that both write the same layout.
#pragma once

#include "scansnap/population.h"
#include "scansnap/sweep.h"
#include "scansnap/trainer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

// train: loss.npy (niter), gamma_proxy.npy, z_rows.npy (niter+1, Q, M), c.npy (niter+1, K, M),
// entropy.npy (niter+1, K, 2) [distinct, full], Y_final.npy / Z_final.npy (M, M), curves.csv,
// metrics.jsonl, and the figures loss.png and attention.png.
void write_train_outputs(const std::filesystem::path &dir, const scansnap::TrainParams &p,
                         const scansnap::TrainResult &r, bool figures);

// The c_n matrix (iterations x K x M) computed from a run's recorded z rows and the true P.
std::vector<double> attention_history(const scansnap::SeqClasses &data, const std::vector<double> &z_rows,
                                      size_t records);

struct TheoryCurveParams {
    int M = 1000, K = 10;
    double eta_y = 1.0, eta_z = 0.5, C0 = 1.0, t_max = 700;
    int points = 701;
};
// theory: curves.npy/.csv (points x 7: t, h(t/K), gamma, Gamma, B, chi_upper, h(t)), h_star.npy/.csv
// (s, h*(s), h(s)), transitions.csv (omega1, t0_prime, t0, B_t0).
void write_theory_outputs(const std::filesystem::path &dir, const TheoryCurveParams &p, bool figures);
// population: population_t.npy, population_z.npy (records, Q, M), population_err.npy.
void write_population_outputs(const std::filesystem::path &dir, const scansnap::PopulationResult &r);

// sweep: entropy.csv (num_last,lr_z,ratio,mean,std,seeds), entropy_runs.csv, recall.csv,
// z_final_nl<N>.npy (lr_z, ratio, seed, num_last, M), and fig6.png, fig11.png, fig12.png.
void write_sweep_outputs(const std::filesystem::path &dir, const scansnap::SweepGrid &grid,
                         const scansnap::SweepResult &r, bool figures);

} // namespace tdlab::plot
