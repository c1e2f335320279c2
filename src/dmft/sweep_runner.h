// The driver behind `tdlab dmft sweep`, `tdlab dmft phase` and `tdlab gather`: a grid of parameter
// points (a GridSpec, parsed once from the config), run in resumable chunks (DIR.chunks/), optionally
// one shard of n, and written as a run directory (summary.csv, points.npy, poincare.npy, results.npz,
// census.csv). Figures are not drawn here: the caller passes a GridFigures callback (plot/ draws them
// into the staging directory before the commit), so this library never includes plot/.
#pragma once

#include "core/config.h"
#include "core/parallel.h"
#include "core/run_dir.h"
#include "dmft/sweep_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tdlab::dmft {

enum class GridKind { Sweep, Phase };
const char *grid_command(GridKind k); // "dmft sweep" | "dmft phase"

// Config keys of both commands: the model keys, the window keys (dmft/params.h, without save_every),
// sweep.* and phase.*.
ConfigSchema grid_schema();

struct Grid {
    std::vector<DynamicsParams> points;
    std::string param = "beta";   // swept key (sweep), or y key (phase: x is always beta)
    std::vector<double> values;   // sweep: the swept values; phase: x values
    std::vector<double> y_values; // phase only
};
Grid make_grid(const Config &cfg, GridKind kind);
// The sweep options; the window check lives in dmft::Window, the sweep adds transient > L.
SweepOptions sweep_options_from(const Config &cfg, int L);

// Everything a grid run needs, read from the config once at the edge.
struct GridSpec {
    GridKind kind = GridKind::Sweep;
    ModelParams model;
    Grid grid;
    SweepOptions sweep;
    std::string start = "zoom"; // dmft.start: cold, fig3a, zoom or a context file
    double perturb = 0.0;       // dmft.perturb
    uint64_t seed = 0;          // dmft.seed
    size_t chunk = 64;          // sweep.chunk
    RunDirPolicy output;        // --force: replace a previous run at the output directory
    // The resolved config, kept only to be recorded (config.yaml) and to key the resume store; the
    // job reads its typed fields above, never this.
    Config record;
};
GridSpec grid_spec_from(const Config &cfg, GridKind kind);

// Phase-diagram arrays [ny][nx] from the points of a whole grid (row-major, x fastest).
struct PhaseMaps {
    std::vector<double> lyapunov, label;
    std::vector<int64_t> cls, period;
};
PhaseMaps phase_maps(const SweepResults &r);
// The y scale of the bifurcation figure: sweep.max_y if set, else the diagram-wide max |m^o|.
double bifurcation_max_y(const SweepResults &r, double configured);

// Draws a grid run's figures into its staging directory `dir` before the commit (set by the caller:
// plot::draw_grid_figures). Empty: no figures.
using GridFigures = std::function<void(const std::filesystem::path &dir, const GridSpec &spec, const SweepResults &r)>;

struct GridRunInfo {
    double seconds = 0;
    std::string simd;
    int64_t resumed_chunks = 0, computed_chunks = 0;
    SweepResults results; // what was written (the caller's report reads this, not the files)
};

// One run of (part of) a grid, split into the steps that the plain driver (run_grid) and the MPI
// driver (src/cli/dmft_sweep_mpi.cpp) share: set up (model, grid, start context: deterministic, so every
// MPI rank builds the same), scan the resume store, compute chunks into it, and write the run directory
// from it. Chunks are the unit of resuming and of MPI work hand-out; a chunk's bytes do not depend on
// which process or how many threads computed it.
class GridJob {
  public:
    // open_store = false defers creating DIR.chunks/ (the MPI driver opens it on rank 0 first).
    GridJob(GridSpec spec, const std::filesystem::path &out, const Shard &shard, bool open_store = true);
    ~GridJob();
    void open_store();
    // Loads the chunks already in the store; returns the begins of the missing ones, in grid order.
    std::vector<size_t> scan();
    // Computes the chunk starting at c0 (OpenMP inside) and saves it to the store (atomic).
    void compute_chunk(size_t c0, const std::function<void(uint64_t)> &progress_steps = {});
    // The same for consecutive chunks (each begin one chunk after the previous) in one OpenMP region,
    // saved one by one in order: the same chunk files, fewer barriers, blocks balanced across chunks.
    void compute_chunks(const std::vector<size_t> &c0s, const std::function<void(uint64_t)> &progress_steps = {});
    // Reads every chunk not computed here from the store, writes the run directory, removes the store.
    GridRunInfo finish(const GridFigures &figures);
    // The sequential neighbour protocol over the whole grid (no store), writing the run directory.
    GridRunInfo run_neighbour(const GridFigures &figures);

    size_t chunk_count() const { return (end_ - begin_ + chunk_ - 1) / chunk_; }
    size_t chunk_size() const { return chunk_; }
    size_t chunk_begin(size_t i) const { return begin_ + i * chunk_; }
    // Points of the chunk starting at c0 (the last chunk of a shard may be short).
    size_t chunk_points(size_t c0) const { return std::min(end_, c0 + chunk_) - c0; }
    uint64_t steps_per_point() const { return steps_per_point_; }
    const SweepOptions &options() const { return spec_.sweep; }
    nlohmann::json &manifest_extra() { return manifest_extra_; } // extra manifest.json keys

  private:
    void load_chunk(size_t c0);
    GridRunInfo write(const GridFigures &figures, nlohmann::json manifest);
    GridSpec spec_;
    std::filesystem::path out_;
    Shard shard_;
    std::chrono::steady_clock::time_point t0_;
    std::unique_ptr<DmftModel> model_;
    Context start_;
    size_t begin_ = 0, end_ = 0, chunk_ = 1;
    uint64_t steps_per_point_ = 0;
    std::unique_ptr<ChunkStore> store_;
    SweepResults all_;
    std::vector<bool> have_;
    GridRunInfo info_;
    nlohmann::json manifest_extra_ = nlohmann::json::object();
};

// The whole grid in memory (no run directory, no resume store): the results run_grid writes, for a
// front end that keeps them (the Python module's out=None). Same values for any thread count.
SweepResults compute_grid(const GridSpec &spec);

// Runs (part of) the grid and writes the run directory `out`.
GridRunInfo run_grid(const GridSpec &spec, const std::filesystem::path &out, const Shard &shard,
                     const GridFigures &figures = {});

// The config of a set of shard run directories (UsageError unless all are sweep or phase runs of one
// config): what the merged run records.
Config gathered_config(const std::vector<std::filesystem::path> &dirs);

// Merges shard run directories into `out` (same files as the unsharded run).
// `policy.overwrite` (--force) lets `out` replace a previous run; it may never be one of `dirs`.
void gather_runs(const std::vector<std::filesystem::path> &dirs, const std::filesystem::path &out,
                 const GridFigures &figures = {}, RunDirPolicy policy = {});

// Writes the tables and arrays of a complete (or shard) result into `dir`.
void write_grid_outputs(const std::filesystem::path &dir, const GridSpec &spec, const SweepResults &r);

} // namespace tdlab::dmft
