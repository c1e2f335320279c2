// Figures of the non-binary-token DMFT (docs/dmft_multistate.md): the weak-field scaling check and the
// finite-N convergence of several token models. The bifurcation diagrams and planes reuse
// dmft_sweep_figures.h and dmft_paper_figures.h.
#pragma once

#include "plot/dmft_convergence.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

// (a) max |m^o_a| of the ternary orbit at beta and of the binary orbit at beta * Var(S), against beta;
// (b) their relative difference (log scale), per feature.
void draw_weak_field(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                     const std::vector<Series> &amplitudes, const std::vector<Series> &rel_diff, double var_s);

// RMS |m^o_N - m^o_MF| against N (log-log), one series per token model, with an N^-1/2 guide.
void draw_token_convergence(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &N,
                            const std::vector<Series> &rms, const std::string &title);

} // namespace tdlab::plot
