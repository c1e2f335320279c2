// Figures of single DMFT trajectories: m^o_1(t) and the (m^o_1, m^o_2) plane (the paper's Fig 4 panel).
#pragma once

#include "dmft/trajectory.h"

#include <filesystem>
#include <string>

namespace tdlab::plot {

// Writes trajectory.dat and renders mo1_time.{png,svg} (the last `window` saved steps) and
// plane.{png,svg} (all saved points) into `dir`. `title` goes on both figures (e.g. "β = 1.27").
void draw_dmft_trajectory(const std::filesystem::path &dir, const dmft::Trajectory &traj, const std::string &title,
                          size_t window = 400);

} // namespace tdlab::plot
