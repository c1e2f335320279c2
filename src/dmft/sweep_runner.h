// The driver behind `tdlab dmft sweep`, `tdlab dmft phase` and `tdlab gather`: a grid of parameter
// points from a config, run in resumable chunks (DIR.chunks/), optionally one shard of n, and written
// as a run directory (summary.csv, points.npy, poincare.npy, results.npz, census.csv, figures).
#pragma once

#include "core/config.h"
#include "core/parallel.h"
#include "dmft/sweep_store.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::dmft {

enum class GridKind { Sweep, Phase };
const char *grid_command(GridKind k); // "dmft sweep" | "dmft phase"

// Config keys of both commands: the `dmft run` keys plus sweep.* and phase.*.
ConfigSchema grid_schema();

struct Grid {
    std::vector<DynamicsParams> points;
    std::string param = "beta";   // swept key (sweep), or y key (phase: x is always beta)
    std::vector<double> values;   // sweep: the swept values; phase: x values
    std::vector<double> y_values; // phase only
};
Grid make_grid(const Config &cfg, GridKind kind);
SweepOptions sweep_options_from(const Config &cfg, int L);

struct GridRunInfo {
    double seconds = 0;
    std::string simd;
    int64_t resumed_chunks = 0, computed_chunks = 0;
};

// Runs (part of) the grid and writes the run directory `out`.
GridRunInfo run_grid(const Config &cfg, GridKind kind, const std::filesystem::path &out, const Shard &shard,
                     bool figures = true);

// Merges shard run directories into `out` (same files as the unsharded run).
void gather_runs(const std::vector<std::filesystem::path> &dirs, const std::filesystem::path &out);

// Writes every output of a complete (or shard) result into `dir` (tables, arrays, figures).
void write_grid_outputs(const std::filesystem::path &dir, const Config &cfg, GridKind kind, const Grid &grid,
                        const SweepResults &r, bool figures);

} // namespace tdlab::dmft
