// Figures of the finite-N network against its mean field: one run directory's comparison (`dmft spin`)
// and the convergence figure of `tdlab reproduce dmft` (N = 10^2 ... 10^6, or 10^9 at paper scale).
#pragma once

#include "dmft/trajectory.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tdlab::plot {

using Series = std::pair<std::string, std::vector<double>>; // legend label, values

// Columns x, s0, s1, ... (one per series) as DIR/FILE; returns the gnuplot `plot` clauses, one per series
// with `style`.
std::string series_file(const std::filesystem::path &dir, const std::string &file, const std::string &xname,
                        const std::vector<double> &x, const std::vector<Series> &series, const std::string &style);

// m^o_1(t) of up to three network runs and of the mean field from the same start, last 200 saved steps
// (spin_vs_mf.png), and the plane (m^o_1, m^o_2) of run 0 over the mean field's (spin_plane.png).
void draw_spin_vs_mean_field(const std::filesystem::path &dir, const std::vector<dmft::Trajectory> &runs,
                             const dmft::Trajectory &mf, const std::string &title);

struct FiniteNConvergence {
    std::vector<double> N;               // network sizes (x axis of panels a and c)
    std::vector<Series> periodic_rms;    // per beta: RMS |m^o_N - m^o_MF| on the orbit, per N (NaN = not run)
    std::string chaotic_label;           // e.g. "β = 1.4"
    std::vector<double> hist_x;          // bin centres of m^o_1
    std::vector<Series> hist;            // densities: network at some N, then the mean field
    std::vector<double> w1, spec;        // per N: Wasserstein-1 of m^o_1 and log-spectrum distance to the MF
    double w1_floor = 0, spec_floor = 0; // the same distances between two mean-field ensembles
    std::vector<double> freq;            // bin centres of the spectra
    std::vector<Series> spectra;         // binned power spectra: network at some N, then the mean field
};

// finite_n_convergence.png/.svg/.gp (2 x 2 panels) in `dir`, data in finite_n_*.dat.
void draw_finite_n_convergence(const std::filesystem::path &dir, const FiniteNConvergence &c);

} // namespace tdlab::plot
