// The finite-N validation of `tdlab reproduce dmft` (specs/dmft.md section 7): the network against its
// mean field for N = 10^2 ... 10^6 (quick) or ... 10^9 (paper scale, types sampler), in periodic regimes
// (distance to the orbit) and in a chaotic one (histogram, power spectrum, point-count label).
#pragma once

#include "dmft/network_run.h"

#include <filesystem>
#include <string>

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

// Writes finite_n_convergence.{png,svg,gp} with its .dat files, finite_n_periodic.csv,
// finite_n_chaotic.csv, finite_n_labels.csv and finite_n.md (a markdown fragment for the report) into
// out_dir. scale: "quick" (N up to ~1e6, seconds) or "paper" (N up to ~1e9, longer windows).
void reproduce_finite_n(const std::string &scale, const std::filesystem::path &out_dir);

} // namespace tdlab::dmft
