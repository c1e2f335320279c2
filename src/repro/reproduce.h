// `tdlab reproduce <paper>`: the only place where a paper's figures and claims are orchestrated. One
// file per paper (dmft.cpp, birth.cpp, scansnap.cpp) plus the finite-N study of the DMFT network
// (finite_n.cpp). Each takes results from the model libraries' calls (never reading its own outputs back
// from disk), has plot/ draw them, and writes one run directory OUT/<paper> through RunDir: staged beside
// the destination, committed with config.yaml and manifest.json, no half-written report on failure.
#pragma once

#include "core/config.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tdlab::repro {

struct ReproduceRequest {
    std::string scale = "quick"; // quick (minutes on a laptop) or paper (the authors' full setting)
    std::filesystem::path out;   // this paper's run directory (absolute), e.g. OUT/dmft
    int threads = 0;             // OpenMP threads as applied (recorded in the report)
    bool force = false;          // replace an existing run directory
    int seeds = 0;               // Birth: training seeds per Fig 3 / Fig 4 variant (0: 3 quick, 1 paper)
};

// The config of a reproduction: the one key `scale` (quick | paper), recorded as OUT/<paper>/config.yaml
// and shown by `tdlab reproduce --help-config / --show-config`.
ConfigSchema reproduce_schema();

// Poc-Lopez & Aguilera 2024 (arXiv 2406.07247): Figs 3a, 3b (+ Lyapunov panels), the beta = 1.27 census,
// Figs 4 and 5, and the finite-N study; report.html.
void reproduce_dmft(const ReproduceRequest &req);
// The same network with non-binary tokens (ternary, Potts; docs/dmft_multistate.md): ternary Fig 3a/3b
// analogues, planes, the weak-field scaling check, finite-N convergence; report.html.
void reproduce_dmft_multistate(const ReproduceRequest &req);
// Bietti et al. 2023 (arXiv 2306.00802): Fig 3 (freezing variants), Fig 4 (data variants, probes) and
// the attention maps; report.html.
void reproduce_birth(const ReproduceRequest &req);
// Tian et al. 2023 (arXiv 2305.16380): Figs 3, 4, 5, 6, 8, 9, 11, 12, the Theorem 3 overlay, the entropy
// table; report.html.
void reproduce_scansnap(const ReproduceRequest &req);

// The finite-N network against its mean field (part of reproduce_dmft; docs/dmft_finite_n.md): writes
// finite_n_convergence.{png,svg,gp} with its .dat files, finite_n_periodic.csv, finite_n_chaotic.csv,
// finite_n_labels.csv and finite_n.md into `dir`, a folder inside the caller's staging directory.
// scale: "quick" (N up to ~1e6) or "paper" (N up to ~1e9, longer windows).
// Returns the numbers the claims table judges: the fitted slope of log RMS deviation against log N on
// the period-4 orbit at beta = 1, and the Wasserstein-1 distance of m^o_1 to the mean field at the
// chaotic beta for the smallest and the largest N.
struct FiniteNSummary {
    double slope_beta1 = 0;
    double w1_first = 0, w1_last = 0;
};
FiniteNSummary reproduce_finite_n(const std::string &scale, const std::filesystem::path &dir);

// The papers in `tdlab reproduce all` order, with their one-line help.
struct Paper {
    std::string name;
    std::string help;
    std::function<void(const ReproduceRequest &)> run;
    bool claims = true; // writes a claims table (claims.json) that reproduce's index gathers
};
const std::vector<Paper> &papers();

// Runs the chosen papers in order into ROOT/<paper>, then writes ROOT/index.html and ROOT/claims.json from
// every paper folder under ROOT that has a claims table (repro/claims.h).
void reproduce_papers(const std::vector<const Paper *> &chosen, const std::filesystem::path &root,
                      const std::string &scale, int threads, bool force, int seeds = 0);

} // namespace tdlab::repro
