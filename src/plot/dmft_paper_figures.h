// Figs 4 and 5 of Poc-Lopez & Aguilera 2024 (arXiv 2406.07247) from saved windows (the last 20 000 steps):
//   Fig 4  the (m^o_1, m^o_2) plane per beta (a 2 x 3 grid of panels), from mo_se [saved][M]
//   Fig 5  per beta: m^o_1(t) over a window starting 12 800 steps into the saved segment, the power
//          spectrum of the whole series and the autocorrelation R_l, both computed by the caller
//          (repro/dmft.cpp, with dynamics/spectrum.h; docs/dmft.md "Our figures").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

void draw_planes(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                 const std::vector<std::vector<double>> &mo_se, int M);

// Writes NAME.dat files and NAME.{png,svg,gp}: `window` steps of the series x = m^o_1(t) from `offset`,
// the power spectrum `power` (bin k at f = k / x.size()) on a log scale and the autocorrelation `acf`.
void draw_time_spectrum_acf(const std::filesystem::path &dir, const std::string &name, double beta,
                            const std::vector<double> &x, const std::vector<double> &power,
                            const std::vector<double> &acf, size_t offset = 12800, size_t window = 250);

} // namespace tdlab::plot
