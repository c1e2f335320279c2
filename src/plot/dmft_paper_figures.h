// The paper's Figs 4 and 5 from saved windows of mo_se ([saved][M], the last 20 000 steps):
//   Fig 4  the (m^o_1, m^o_2) plane per beta (a 2 x 3 grid of panels)
//   Fig 5  per beta: m^o_1(t) over a window starting 12 800 steps into the saved segment, the power
//          spectrum of the whole series (no mean removal, no window; log scale) and the raw
//          autocorrelation R_l for l = 0..99 (specs/dmft.md section 4).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

void draw_planes(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                 const std::vector<std::vector<double>> &mo_se, int M);

// Writes NAME.dat files and NAME.{png,svg,gp}; `window` steps of the time series from `offset`.
void draw_time_spectrum_acf(const std::filesystem::path &dir, const std::string &name, double beta,
                            const std::vector<double> &mo_se, int M, size_t offset = 12800, size_t window = 250);

} // namespace tdlab::plot
