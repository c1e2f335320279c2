// Invariant statistics used to compare finite-N runs with the mean field (docs/dmft_finite_n.md,
// "Validation"): distances between empirical distributions and power spectra, the paper's point-count label, and a
// start placed on a periodic orbit of the map.
#pragma once

#include "dmft/mean_field_map.h"

#include <string>
#include <vector>

namespace tdlab::dmft {

// Wasserstein-1 distance (area between the empirical CDFs) of two samples.
double wasserstein1(std::vector<double> a, std::vector<double> b);

// Power spectrum P_k = |rfft(x)_k|^2 / T (Poc-Lopez & Aguilera 2024, Fig 5 middle, as the authors' code computes
// it; no mean removal, no window), averaged into `bins` equal frequency bins over f in [0, 1/2]. KissFFT.
std::vector<double> binned_spectrum(const std::vector<double> &x, int bins);
// Mean |log10 P - log10 Q| over the bins: the spectral distance.
double log_spectrum_distance(const std::vector<double> &p, const std::vector<double> &q);

// The paper's classification by counting points (docs/dmft_map.md section 8.1): u = unique bins of x at R = 5001 with
// the diagram-wide max_y; u < 80 periodic, < 2500 quasi-periodic, else chaotic.
int unique_bins(const std::vector<double> &x, double max_y, int R = 5001);
std::string point_count_label(int unique);

// Iterates the mean-field map from `c` until A-hat repeats with `period` (|A(t) - A(t - period)| < tol for 2 periods)
// or `max_steps` pass; returns true if it did. Used to start network and mean field on the same orbit.
bool settle_on_orbit(MeanFieldMap &map, Context &c, int period, int64_t max_steps, double tol = 1e-12);

} // namespace tdlab::dmft
