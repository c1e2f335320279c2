#include "dmft/sweep_runner.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/warnings.h"
#include "dmft/context.h"
#include "dmft/trajectory.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace tdlab::dmft {

namespace fs = std::filesystem;

namespace {

Context sweep_start(const GridSpec &spec, const DmftModel &model) {
    const Grid &grid = spec.grid;
    const std::string &start = spec.start;
    const int64_t steps = spec.sweep.batch.steps;
    DynamicsParams d = grid.points.front();
    for (const auto &p : grid.points) {
        if (p.beta + p.gamma + p.epsilon > d.beta + d.gamma + d.epsilon) d = p; // the largest value of the grid
    }
    MeanFieldMap map(model, d);
    Context c = start_context(start, map);
    if (start == "cold") {
        // The authors' protocol: the largest value from the cold start for the full run; its final context
        // is the checkpoint of every value.
        while (c.t + 1 < steps) map.step(c);
    }
    perturb_context(c, spec.perturb, spec.seed, 0x5eed);
    return c;
}

void add_census(const DmftModel &model, const Grid &grid, const Context &start, const SweepOptions &opt,
                SweepResults &chunk) {
    if (opt.census <= 0) return;
    const size_t n = chunk.points.size();
    std::vector<std::vector<CensusRow>> rows(n);
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t k = 0; k < int64_t(n); ++k) {
        try {
            const int64_t index = chunk.begin + k;
            auto found = attractor_census(model, grid.points[size_t(index)], start, opt, uint64_t(index) * 1000003u);
            for (size_t a = 0; a < found.size(); ++a) {
                const auto &r = found[a].representative;
                rows[size_t(k)].push_back(CensusRow{index, int64_t(a), found[a].starts, r.period, r.label,
                                                    found[a].lyapunov_mean, r.chaos01, r.m1_min, r.m1_max,
                                                    r.unique_points});
            }
        } catch (...) {
#pragma omp critical(tdlab_census_error)
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
    for (auto &r : rows) chunk.census.insert(chunk.census.end(), r.begin(), r.end());
}

} // namespace

PhaseMaps phase_maps(const SweepResults &r) {
    PhaseMaps m;
    const size_t n = r.points.size();
    m.lyapunov.resize(n), m.label.resize(n), m.cls.resize(n), m.period.resize(n);
    for (size_t k = 0; k < n; ++k) {
        m.lyapunov[k] = r.points[k].lyapunov;
        m.label[k] = double(r.points[k].label);
        m.cls[k] = r.points[k].label;
        m.period[k] = r.points[k].period;
    }
    return m;
}

double bifurcation_max_y(const SweepResults &r, double configured) {
    double max_y = configured;
    if (!(max_y > 0)) {
        for (const auto &p : r.points) max_y = std::max(max_y, p.max_abs);
    }
    return max_y;
}

void write_grid_outputs(const fs::path &dir, const GridSpec &spec, const SweepResults &r) {
    const Grid &grid = spec.grid;
    write_sweep_tables(dir, r, spec.kind == GridKind::Sweep ? grid.param : "beta");
    const bool whole = r.begin == 0 && r.points.size() == grid.points.size();
    if (spec.kind == GridKind::Phase && whole) {
        const size_t nx = grid.values.size(), ny = grid.y_values.size();
        const PhaseMaps m = phase_maps(r);
        write_npy(dir / "lyapunov.npy", m.lyapunov, {ny, nx});
        write_npy(dir / "label.npy", m.cls, {ny, nx});
        write_npy(dir / "period.npy", m.period, {ny, nx});
        write_npy(dir / "x_beta.npy", grid.values, {nx});
        write_npy(dir / ("y_" + grid.param + ".npy"), grid.y_values, {ny});
    }
}

// The tables (Fig 3a: 76 MB of npz and npy, about a second) and the figures (gnuplot renders 4,001
// columns in about a second) only read the results and write files of their own: they run side by side.
static void write_tables_and_figures(const fs::path &dir, const GridSpec &spec, const SweepResults &r,
                                     const GridFigures &figures) {
    auto tables = std::async(std::launch::async, [&] { write_grid_outputs(dir, spec, r); });
    if (figures) figures(dir, spec, r);
    tables.get();
}

GridJob::GridJob(GridSpec spec, const fs::path &out, const Shard &shard, bool open_store)
    : spec_(std::move(spec)), out_(out), shard_(shard), t0_(std::chrono::steady_clock::now()) {
    check_output_dir(out, spec_.output.overwrite);
    model_ = std::make_unique<DmftModel>(DmftModel::build(spec_.model));
    start_ = sweep_start(spec_, *model_);
    const size_t total = spec_.grid.points.size();
    begin_ = shard.begin(total), end_ = shard.end(total);
    chunk_ = spec_.chunk;
    info_.simd = simd_path_name(spec_.sweep.batch.path);
    all_.begin = int64_t(begin_);
    all_.raster_resolution = spec_.sweep.raster_resolution;
    all_.points.resize(end_ - begin_);
    have_.assign(chunk_count(), false);
    steps_per_point_ = uint64_t(spec_.sweep.batch.steps - 1 - start_.t % spec_.model.L);
    if (open_store) this->open_store();
}

GridJob::~GridJob() = default;

void GridJob::open_store() {
    if (store_) return;
    if (spec_.sweep.seed_from == "neighbour") throw UsageError("internal: the neighbour protocol has no chunk store");
    // The key names the shard, so shards never share a store; a plain run and an MPI run of the whole grid
    // share it (either resumes the other).
    const std::string key = spec_.record.to_yaml() + fmt::format("# shard {}/{}\n", shard_.index + 1, shard_.count);
    store_ = std::make_unique<ChunkStore>(out_, key);
}

std::vector<size_t> GridJob::scan() {
    open_store();
    std::vector<size_t> missing;
    for (size_t c0 = begin_; c0 < end_; c0 += chunk_) {
        if (!store_->has(int64_t(c0))) {
            missing.push_back(c0);
            continue;
        }
        try {
            load_chunk(c0);
            ++info_.resumed_chunks;
        } catch (const CorruptChunk &e) {
            // A chunk that does not read back intact (a power loss: chunks are not fsync'ed; a bad disk, a
            // flipped byte) is reported and computed again; the store is tdlab's own, so its bad file may go.
            // e.what() names the file (or the store and the chunk's first index).
            warn(fmt::format("{}: a resume chunk is corrupt and is computed again: {}", grid_command(spec_.kind),
                             e.what()));
            std::error_code ec;
            fs::remove(e.file(), ec);
            missing.push_back(c0);
        }
    }
    if (info_.resumed_chunks > 0)
        std::fprintf(stderr, "%s: resuming, %lld of %lld chunks already done (%s)\n", grid_command(spec_.kind),
                     (long long)info_.resumed_chunks, (long long)(info_.resumed_chunks + int64_t(missing.size())),
                     store_->dir().c_str());
    return missing;
}

void GridJob::load_chunk(size_t c0) {
    SweepResults part = store_->load(int64_t(c0));
    if (part.points.size() != std::min(chunk_, end_ - c0))
        throw CorruptChunk(fmt::format("resume store '{}': chunk at {} holds {} values, expected {}",
                                       store_->dir().string(), c0, part.points.size(), std::min(chunk_, end_ - c0)),
                           store_->chunk_path(int64_t(c0)));
    for (size_t k = 0; k < part.points.size(); ++k) all_.points[c0 - begin_ + k] = std::move(part.points[k]);
    all_.census.insert(all_.census.end(), part.census.begin(), part.census.end());
    have_[(c0 - begin_) / chunk_] = true;
}

void GridJob::compute_chunk(size_t c0, const std::function<void(uint64_t)> &progress_steps) {
    compute_chunks({c0}, progress_steps);
}

void GridJob::compute_chunks(const std::vector<size_t> &c0s, const std::function<void(uint64_t)> &progress_steps) {
    if (c0s.empty()) return;
    open_store();
    for (size_t i = 1; i < c0s.size(); ++i)
        if (c0s[i] != c0s[i - 1] + chunk_) throw RuntimeError("internal: compute_chunks takes consecutive chunks");
    // One OpenMP region over the points of all the chunks: their blocks are shared out dynamically and in
    // order, with one barrier at the end. A chunk is saved by the thread that finishes its last point,
    // while the other threads go on computing (a chunk save used to be a serial step between groups of
    // chunks, each ending on a barrier that waited for its slowest block). Saves are serialised, so the
    // store holds whole chunks only and the test hook below stops after exactly k of them. A point's
    // result does not depend on its block, and the chunk files are the same whatever the order.
    const size_t a = c0s.front(), b = std::min(end_, c0s.back() + chunk_);
    std::vector<PointResult> points(b - a);
    std::vector<size_t> left(c0s.size());
    for (size_t i = 0; i < c0s.size(); ++i) left[i] = std::min(end_, c0s[i] + chunk_) - c0s[i];
    std::vector<SweepResults> parts(c0s.size());
    std::mutex mu, save_mu;
    auto save = [&](size_t i) {
        const size_t c0 = c0s[i], c1 = std::min(end_, c0 + chunk_);
        SweepResults &part = parts[i];
        part.begin = int64_t(c0);
        part.raster_resolution = spec_.sweep.raster_resolution;
        part.points.assign(std::make_move_iterator(points.begin() + long(c0 - a)),
                           std::make_move_iterator(points.begin() + long(c1 - a)));
        add_census(*model_, spec_.grid, start_, spec_.sweep, part);
        std::lock_guard<std::mutex> lock(save_mu);
        store_->save(part);
        // Test hook: TDLAB_SWEEP_DIE_AFTER_CHUNKS=k ends the process like `kill -9` (no cleanup, no
        // destructors) after k new chunks, so the resume test is deterministic.
        if (const char *die = std::getenv("TDLAB_SWEEP_DIE_AFTER_CHUNKS");
            die && info_.computed_chunks + 1 >= std::atoll(die))
            std::_Exit(137);
        ++info_.computed_chunks;
    };
    run_points_checkpoint(
        *model_, spec_.grid.points, start_, a, b, spec_.sweep,
        [&](size_t k, PointResult &&r) {
            const size_t i = (k - a) / chunk_;
            bool complete;
            {
                std::lock_guard<std::mutex> lock(mu);
                points[k - a] = std::move(r);
                complete = --left[i] == 0;
            }
            if (complete) save(i); // every point of chunk i is written, and nothing else touches them
        },
        progress_steps);
    for (size_t i = 0; i < c0s.size(); ++i) {
        const size_t c0 = c0s[i];
        SweepResults &part = parts[i];
        for (size_t k = 0; k < part.points.size(); ++k) all_.points[c0 - begin_ + k] = std::move(part.points[k]);
        all_.census.insert(all_.census.end(), part.census.begin(), part.census.end());
        have_[(c0 - begin_) / chunk_] = true;
    }
}

GridRunInfo GridJob::finish(const GridFigures &figures) {
    open_store();
    // Chunks computed by other processes (MPI workers) are read back from the store.
    for (size_t i = 0; i < have_.size(); ++i) {
        if (!have_[i]) {
            const size_t c0 = begin_ + i * chunk_;
            if (!store_->has(int64_t(c0)))
                throw RuntimeError(fmt::format("{}: chunk at {} is missing from '{}'", grid_command(spec_.kind), c0,
                                               store_->dir().string()));
            load_chunk(c0);
        }
    }
    std::stable_sort(all_.census.begin(), all_.census.end(),
                     [](const CensusRow &x, const CensusRow &y) { return x.index < y.index; });
    GridRunInfo info = write(figures, {{"shard", fmt::format("{}/{}", shard_.index + 1, shard_.count)},
                                       {"points_total", spec_.grid.points.size()},
                                       {"points_begin", begin_},
                                       {"points_end", end_},
                                       {"simd", info_.simd},
                                       {"resumed_chunks", info_.resumed_chunks}});
    store_->remove_all();
    return info;
}

// The run directory of a finished job: tables, the caller's figures, manifest, commit.
GridRunInfo GridJob::write(const GridFigures &figures, nlohmann::json manifest) {
    RunDir run(out_, grid_command(spec_.kind), spec_.record, spec_.output);
    write_tables_and_figures(run.path(""), spec_, all_, figures);
    info_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    auto &m = run.manifest();
    for (const auto &[k, v] : manifest.items()) m[k] = v;
    m["grid_kind"] = grid_command(spec_.kind);
    for (const auto &[k, v] : manifest_extra_.items()) m[k] = v;
    run.commit();
    GridRunInfo info = info_;
    info.results = std::move(all_);
    return info;
}

GridRunInfo run_grid(const GridSpec &spec, const fs::path &out, const Shard &shard, const GridFigures &figures) {
    const bool neighbour = spec.sweep.seed_from == "neighbour";
    if (neighbour) {
        if (!shard.whole()) throw UsageError("--shard: the neighbour protocol is sequential and cannot be sharded");
        if (spec.kind == GridKind::Phase) throw UsageError("dmft phase: only the checkpoint protocol is supported");
    }
    const GridKind kind = spec.kind;
    GridJob job(spec, out, shard, !neighbour);
    if (neighbour) return job.run_neighbour(figures);
    const auto missing = job.scan();
    uint64_t points = 0;
    for (size_t c0 : missing) points += job.chunk_points(c0);
    Progress progress(grid_command(kind), job.steps_per_point() * points, "steps");
    // Each run of consecutive missing chunks in one call: its blocks are shared out dynamically over
    // all of them, and each chunk is saved as soon as it is complete (compute_chunks).
    for (size_t i = 0; i < missing.size();) {
        std::vector<size_t> run{missing[i++]};
        while (i < missing.size() && missing[i] == run.back() + job.chunk_size()) run.push_back(missing[i++]);
        job.compute_chunks(run, [&](uint64_t s) { progress.add(s); });
    }
    progress.finish();
    return job.finish(figures);
}

SweepResults compute_grid(const GridSpec &spec) {
    const bool neighbour = spec.sweep.seed_from == "neighbour";
    if (neighbour && spec.kind == GridKind::Phase)
        throw UsageError("dmft phase: only the checkpoint protocol is supported");
    const DmftModel model = DmftModel::build(spec.model);
    const Context start = sweep_start(spec, model);
    const size_t n = spec.grid.points.size();
    SweepResults r;
    r.raster_resolution = spec.sweep.raster_resolution;
    r.points.resize(n);
    const uint64_t per = uint64_t(spec.sweep.batch.steps - 1 - start.t % spec.model.L);
    Progress progress(grid_command(spec.kind), per * n, "steps");
    std::mutex mu;
    const auto done = [&](size_t k, PointResult &&p) {
        std::lock_guard<std::mutex> lock(mu);
        r.points[k] = std::move(p);
    };
    const auto add = [&](uint64_t s) { progress.add(s); };
    // Chunks only group points for resuming: one call over the whole grid gives the same points.
    if (neighbour)
        run_points_neighbour(model, spec.grid.points, start, spec.sweep, done, add);
    else
        run_points_checkpoint(model, spec.grid.points, start, 0, n, spec.sweep, done, add);
    progress.finish();
    add_census(model, spec.grid, start, spec.sweep, r);
    return r;
}

GridRunInfo GridJob::run_neighbour(const GridFigures &figures) {
    const size_t total = spec_.grid.points.size();
    Progress progress(fmt::format("{} (neighbour)", grid_command(spec_.kind)), steps_per_point_ * total, "steps");
    run_points_neighbour(
        *model_, spec_.grid.points, start_, spec_.sweep,
        [&](size_t k, PointResult &&r) { all_.points[k] = std::move(r); }, [&](uint64_t s) { progress.add(s); });
    progress.finish();
    add_census(*model_, spec_.grid, start_, spec_.sweep, all_);
    info_.computed_chunks = 1;
    return write(
        figures,
        {{"shard", "1/1"}, {"points_total", total}, {"points_begin", 0}, {"points_end", total}, {"simd", info_.simd}});
}

namespace {

// The shards' shared facts, checked: every directory is a sweep or phase run of the same config. The kernels
// they ran (manifest "simd", tdlab's "vector_isa"), each value once in the order met: shards of one config can
// still differ there when `auto` picked on different hosts.
struct ShardSet {
    std::string kind_name;
    int64_t total = -1;
    std::vector<std::string> simd, vector_isa;
};

void add_once(std::vector<std::string> &values, const std::string &v) {
    if (!v.empty() && std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
}
ShardSet check_shards(const std::vector<fs::path> &dirs) {
    if (dirs.empty()) throw UsageError("gather: give the shard run directories to merge");
    std::string config_text;
    ShardSet set;
    for (const auto &d : dirs) {
        const std::string cfg_text = read_file(d / "config.yaml");
        auto manifest = nlohmann::json::parse(read_file(d / "manifest.json"), nullptr, false);
        if (manifest.is_discarded() || !manifest.contains("points_total") || !manifest.contains("grid_kind"))
            throw UsageError(fmt::format("gather: '{}' is not a tdlab sweep or phase run", d.string()));
        if (config_text.empty()) {
            config_text = cfg_text;
            set.kind_name = manifest["grid_kind"].get<std::string>();
            set.total = manifest["points_total"].get<int64_t>();
        } else if (cfg_text != config_text || manifest["grid_kind"].get<std::string>() != set.kind_name) {
            throw UsageError(
                fmt::format("gather: '{}' was run with another config than '{}'", d.string(), dirs.front().string()));
        }
        add_once(set.simd, manifest.value("simd", std::string()));
        add_once(set.vector_isa, manifest.value("vector_isa", std::string()));
    }
    return set;
}

} // namespace

Config gathered_config(const std::vector<fs::path> &dirs) {
    check_shards(dirs);
    return Config::load(grid_schema(), dirs.front() / "config.yaml", {});
}

void gather_runs(const std::vector<fs::path> &dirs, const fs::path &out, const GridFigures &figures,
                 RunDirPolicy policy) {
    if (dirs.empty()) throw UsageError("gather: give the shard run directories to merge");
    for (const auto &d : dirs)
        if (fs::weakly_canonical(d) == fs::weakly_canonical(out))
            throw UsageError("gather: --out '" + out.string() +
                             "' is one of the shards to merge; choose another folder");
    check_output_dir(out, policy.overwrite);
    const ShardSet set = check_shards(dirs);
    std::vector<SweepResults> parts;
    for (const auto &d : dirs)
        parts.push_back(results_from_npz(read_npz(d / "results.npz"), (d / "results.npz").string()));
    const GridKind kind = set.kind_name == "dmft phase" ? GridKind::Phase : GridKind::Sweep;
    const GridSpec spec = grid_spec_from(gathered_config(dirs), kind);
    SweepResults all = merge_results(std::move(parts), set.total);
    RunDir run(out, "gather", spec.record, policy);
    write_tables_and_figures(run.path(""), spec, all, figures);
    auto &m = run.manifest();
    m["shard"] = "1/1";
    m["points_total"] = set.total;
    m["points_begin"] = 0;
    m["points_end"] = set.total;
    m["grid_kind"] = set.kind_name;
    m["gathered_from"] = dirs.size();
    // The kernels of the shards, not of this process (which only merged their tables).
    m["simd"] = fmt::format("{}", fmt::join(set.simd, ", "));
    m["shards_vector_isa"] = set.vector_isa;
    std::vector<std::string> classes;
    for (const auto &k : set.simd) add_once(classes, simd_bytes_class(k));
    if (classes.size() > 1)
        warn(fmt::format("gather: the shards ran DMFT kernels that write different last bits ({}): their chaotic "
                         "columns differ from those of a single run (docs/dmft.md, Determinism); for one set of "
                         "bytes give every shard the same --set sweep.simd (sse2 runs on any x86-64 host)",
                         fmt::join(set.simd, ", ")));
    run.commit();
}

} // namespace tdlab::dmft
