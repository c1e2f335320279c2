// Figs 4 and 5 of Poc-Lopez & Aguilera 2024 (arXiv 2406.07247) from saved windows (the last 20 000 steps):
//   Fig 4  the (m^o_1, m^o_2) plane per beta (a 2 x 3 grid of panels), from mo_se [saved][M]
//   Fig 5  the paper's layout: one column per trajectory (a quasi-periodic and a chaotic one), rows
//          m^o_1(t) in the paper's window and in a window chosen by a stated rule, the power spectrum of
//          the whole series on a linear and on a log scale, and the autocorrelation R_l; spectrum and
//          R_l are computed by the caller (repro/dmft.cpp, with dynamics/spectrum.h; docs/dmft.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

void draw_planes(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                 const std::vector<std::vector<double>> &mo_se, int M);

// One column of Fig 5.
struct Fig5Column {
    double beta = 0;
    std::string label;         // e.g. "quasi-periodic"
    std::vector<double> x;     // m^o_1 over the saved segment
    std::vector<double> power; // |rfft(x)|^2 / n, bin k at f = k / n
    std::vector<double> acf;   // R_l, l = 0..
    size_t paper_offset = 12800, rule_offset = 0, window = 350;
    std::string rule; // how rule_offset was chosen (shown in the row's title)
};
// Writes NAME_<k>_*.dat and NAME.{png,svg,gp}.
void draw_fig5(const std::filesystem::path &dir, const std::string &name, const std::vector<Fig5Column> &columns);

} // namespace tdlab::plot
