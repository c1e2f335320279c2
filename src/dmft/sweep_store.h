// Storage of sweep results: per-chunk files for resuming an interrupted sweep, the shard/run file
// results.npz that `tdlab gather` merges, and the user-facing summary.csv / points.npy / poincare.npy.
//
// Every file is a pure function of the points it holds, so a sweep run in one go, resumed after a
// kill, or run as shards and gathered writes the same bytes.
#pragma once

#include "core/dir_lock.h"
#include "core/error.h"
#include "core/npy.h"
#include "dmft/sweep.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tdlab::dmft {

struct CensusRow {
    int64_t index = 0;     // point index in the sweep grid
    int64_t attractor = 0; // 0, 1, ... in order of discovery
    int64_t starts = 0;    // starts that reached it (of `census` per point)
    int64_t period = 0;
    int label = 3;
    double lyapunov = 0, chaos01 = 0, m1_min = 0, m1_max = 0;
    int64_t unique_points = 0;
};

// A contiguous range [begin, begin + points.size()) of the sweep grid.
struct SweepResults {
    int64_t begin = 0;
    int raster_resolution = 7001; // R_im of every point's raster_bins
    std::vector<PointResult> points;
    std::vector<CensusRow> census;
};

NpzMap results_to_npz(const SweepResults &r);
// The spectrum length of every point (0: computed for none; RuntimeError if the points disagree).
size_t spectrum_width(const SweepResults &r);
SweepResults results_from_npz(const NpzMap &m, const std::string &what);
// Concatenates ranges that tile [0, total) in order; UsageError naming the gap or overlap otherwise.
SweepResults merge_results(std::vector<SweepResults> parts, int64_t total);

// The tables and arrays of the files below, for a front end that keeps them in memory.
std::string sweep_summary_csv(const SweepResults &r, const std::string &param);
std::string sweep_census_csv(const SweepResults &r);
struct SweepArrays {
    size_t n = 0, keep = 0, spectrum_k = 0;
    std::vector<float> points;    // [n][keep], NaN-padded
    std::vector<double> poincare; // [rows][2]: (point index, m^o_1)
    std::vector<double> spectrum; // [n][spectrum_k]
};
SweepArrays sweep_arrays(const SweepResults &r);

// Writes summary.csv, points.npy, poincare.npy, results.npz (and census.csv if any; with spectra, a
// kaplan_yorke column and lyapunov_spectrum.npy [values, L*M]) into dir.
// `param` names the swept column written first ("beta", "gamma", "epsilon").
void write_sweep_tables(const std::filesystem::path &dir, const SweepResults &r, const std::string &param);

// A resume chunk that cannot be read back (truncated, CRC mismatch, inconsistent arrays: a crash or a
// bad disk). It is a UsageError (exit 2 if nobody handles it), but the sweep runner should report it,
// delete the chunk and compute it again:  catch (const CorruptChunk &e) { warn(e.what()); recompute }
class CorruptChunk : public UsageError {
  public:
    CorruptChunk(const std::string &what, std::filesystem::path file) : UsageError(what), file_(std::move(file)) {}
    const std::filesystem::path &file() const { return file_; }

  private:
    std::filesystem::path file_;
};

// Resume store: DIR.chunks/ beside the output, holding config.yaml and chunk-<begin>.npz files. The
// store is locked (DIR.chunks.lock) while open, so two sweeps never write the same chunks; MPI workers
// (rank > 0) share the lock their rank 0 holds.
class ChunkStore {
  public:
    // Opens (creating if needed) the store for `out`; if it exists with another config, or another
    // process has it open, UsageError.
    ChunkStore(const std::filesystem::path &out, const std::string &config_text);
    bool has(int64_t begin) const;
    // Throws CorruptChunk (naming the file and the array) if the chunk does not read back intact.
    SweepResults load(int64_t begin) const;
    void save(const SweepResults &chunk) const; // atomic, not fsync'ed (Durability::Cache, core/atomic_file.h)
    void remove_all() const;
    const std::filesystem::path &dir() const { return dir_; }
    std::filesystem::path chunk_path(int64_t begin) const;

  private:
    std::filesystem::path dir_;
    std::shared_ptr<DirLock> lock_;
};

} // namespace tdlab::dmft
