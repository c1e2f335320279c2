// gnuplot figures of the Scan and Snap runs (Tian et al. 2023, arXiv 2305.16380; docs/scansnap.md). Each
// writes its .dat files and renders NAME.png/.svg with NAME.gp beside it (plot/gnuplot.h). They draw the
// results they are given; the tables and the theory values come from scansnap/outputs.h.
#pragma once

#include "scansnap/outputs.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

// A heatmap data file for `plot FILE matrix with image`: rows x cols, row-major.
void write_matrix_dat(const std::filesystem::path &path, const std::vector<double> &m, size_t rows, size_t cols);

// c_n rows at the given iterations (plus the final state) for class n over tokens [0, ntok): rows x ntok.
std::vector<double> attention_rows(const std::vector<double> &c, int K, int M, int n, const std::vector<int> &iters,
                                   int ntok);

// The largest entry of m (0 for an empty m): the top of a colour range shared by several panels.
double max_value(const std::vector<double> &m);

// A heatmap panel body (for multiplot): y tics label the iterations, dashed separators after `seps`,
// colour range [0, cmax] (pass the maximum over every panel of the figure, so that they compare).
std::string heatmap_panel(const std::string &dat, const std::string &title, const std::vector<std::string> &ylabels,
                          int ntok, const std::vector<int> &seps, double cmax);

// float32 training losses can underflow to exactly 0; log-scale loss panels draw such values at this
// floor and say so in their title.
inline constexpr double kLossFloor = 1e-7;

// train: loss.png (loss and the gamma proxy), attention.png (c_n of every class at iterations 0..10, final),
// entropy.png (distinct-token entropy per class over iterations, `entropy` [K][niter + 1] from
// scansnap::c_entropy_history).
void draw_train_figures(const std::filesystem::path &dir, const scansnap::SeqClasses &data,
                        const scansnap::TrainResult &r, const std::vector<double> &c,
                        const std::vector<std::vector<double>> &entropy);
// theory: theory.png (h, gamma, B against t with t'_0 and t_0 marked).
void draw_theory_figures(const std::filesystem::path &dir, const scansnap::TheoryCurveParams &p,
                         const scansnap::Transitions &tr);
// sweep: fig6.png (entropy vs ratio, one line per lr_z, error bars, one panel per num_last),
// fig11.png (recall vs threshold, one line per ratio, at each lr_z), fig12.png (one line per lr_z, at each ratio).
void draw_sweep_figures(const std::filesystem::path &dir, const scansnap::SweepGrid &grid,
                        const scansnap::SweepResult &r);

} // namespace tdlab::plot
