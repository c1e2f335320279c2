// Figures of parameter sweeps: the Fig 3 raster of Poc-Lopez & Aguilera 2024 (arXiv 2406.07247; sampled
// points coloured by class, as described in docs/dmft.md "Our figures") with a Lyapunov-exponent panel
// under it, and 2-D phase-diagram heatmaps.
#pragma once

#include "dmft/sweep_runner.h"
#include "dmft/sweep_store.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

// Colours of the paper (inferno_r at 0.09 / 1.0 / 0.375 / 0.625).
inline constexpr const char *kBackgroundColour = "#f6d746";
inline constexpr const char *kPeriodicColour = "#000004";
inline constexpr const char *kQuasiColour = "#e55c30";
inline constexpr const char *kChaoticColour = "#892269";

// NAME.{png,svg,gp} + NAME_raster.bin + NAME_lyapunov.dat in dir. x = the swept value of each point
// (`values`), y = m^o_1 on [-max_y, max_y]. Columns coloured by the paper's label (periodic: every bin
// of the window; quasi-periodic / chaotic: the Poincare set), background = the unique bins of each
// point's whole window at R_im = 7001 (PointResult::raster_bins; the kept samples if absent). With
// `lyapunov_panel`, a second panel shows lambda_1 per point coloured by the combined label.
void draw_bifurcation(const std::filesystem::path &dir, const std::string &name, const dmft::SweepResults &r,
                      const std::vector<double> &values, const std::string &xlabel, const std::string &title,
                      double max_y, bool lyapunov_panel);

// Two heatmaps on the (x, y) grid: lambda_1 and the combined class. Row-major [ny][nx] arrays.
void draw_phase_diagram(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &xs,
                        const std::vector<double> &ys, const std::vector<double> &lyapunov,
                        const std::vector<double> &label, const std::string &xlabel, const std::string &ylabel,
                        const std::string &title);

// The figures of a `dmft sweep` / `dmft phase` / `gather` run directory: the bifurcation diagram of a
// sweep (with the Lyapunov panel if sweep.lyapunov) or the heatmaps of a whole phase diagram. Passed to
// dmft::run_grid / gather_runs as their GridFigures callback.
void draw_grid_figures(const std::filesystem::path &dir, const dmft::GridSpec &spec, const dmft::SweepResults &r);

} // namespace tdlab::plot
