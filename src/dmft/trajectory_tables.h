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

// `dmft spin`: the stacked tables, mf_mo_se.npy [saved, M] of the mean field (both only when the window
// saved steps), and final_att.npy [runs, M], the attention of every run's final context.
void write_spin_tables(const std::filesystem::path &dir, const std::vector<Trajectory> &runs, const Trajectory &mf,
                       const std::vector<Context> &finals);

// UsageError naming dmft.runs / dmft.steps / dmft.save_every when `runs` recorded windows of `saved`
// steps (six observables of M doubles each) would need more than half of the physical memory.
void check_recorded_memory(int runs, int64_t saved, int M);

} // namespace tdlab::dmft
