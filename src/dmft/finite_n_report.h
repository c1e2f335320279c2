// The computations behind the finite-N study of the DMFT network (docs/dmft_finite_n.md): the network
// against its mean field in periodic regimes (distance to the orbit) and in a chaotic one (pooled
// series, spectra, histograms). The study itself (which betas, which N, tables, figure, report
// fragment) is orchestrated in repro/finite_n.cpp.
#pragma once

#include "dmft/network_run.h"

#include <string>
#include <vector>

namespace tdlab::dmft {

struct OrbitDeviation {
    double rms = 0.0; // RMS over runs, steps and features of mo_se(network) - mo_se(mean field)
    double max = 0.0; // the largest such deviation
};

// `runs` network runs of `steps` steps from `on_orbit` (a context on a periodic orbit of the map) against the
// mean-field trajectory from the same context.
OrbitDeviation orbit_deviation(const FiniteNetwork &net, const DynamicsParams &dyn, const Context &on_orbit,
                               int64_t steps, int runs, uint64_t seed);

// A context on the attractor of `period` reached from `start` ("cold", "fig3a", "zoom" or a file), trying
// perturbed starts (1e-6, seeds 1, 2, ...) when the unperturbed one lands elsewhere (beta = 1.27 is
// multistable). RuntimeError if none of `tries` settles.
Context periodic_start(MeanFieldMap &map, const std::string &start, int period, int tries = 20);

// The window of the chaotic-regime comparison: `runs` runs, `transient` steps dropped, `saved` kept.
struct ChaoticWindow {
    int64_t transient = 5000, saved = 20000;
    int runs = 4;
};
// m^o_1 of `runs` trajectories from `start`: the network's, or (mean_field) the mean field's from starts
// perturbed by 1e-8 (stream r of `seed`).
std::vector<std::vector<double>> chaotic_series(const FiniteNetwork &net, const DynamicsParams &dyn,
                                                const Context &start, const ChaoticWindow &w, bool mean_field,
                                                uint64_t seed);
// The series concatenated.
std::vector<double> pooled(const std::vector<std::vector<double>> &v);
// The mean over series of binned_spectrum (dmft/network_stats.h) with `bins` bins.
std::vector<double> mean_spectrum(const std::vector<std::vector<double>> &v, int bins);
// A probability density on `bins` equal bins of [lo, hi) (values outside are dropped but still count
// in the normalisation).
std::vector<double> density_histogram(const std::vector<double> &x, double lo, double hi, int bins);

} // namespace tdlab::dmft
