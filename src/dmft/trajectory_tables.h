// The .npy tables of recorded DMFT windows, as `tdlab dmft run` and `tdlab dmft spin` write them (layout
// in README "dmft: the mean-field map" and docs/dmft_finite_n.md).
#pragma once

#include "dmft/trajectory.h"

#include <filesystem>
#include <vector>

namespace tdlab::dmft {

// mo_se.npy, mo.npy, mv.npy, mq.npy, mk.npy, att.npy [saved, M] and t.npy [saved] in `dir`.
void write_trajectory_tables(const std::filesystem::path &dir, const Trajectory &traj);

// The same arrays stacked over runs, [runs, saved, M], and t.npy [saved] of run 0 (all runs share it).
void write_stacked_tables(const std::filesystem::path &dir, const std::vector<Trajectory> &runs);

} // namespace tdlab::dmft
