#include "dmft/sweep_runner.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/memory_budget.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/warnings.h"
#include "dmft/context.h"
#include "dmft/trajectory.h"
#include "dmft/window.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace tdlab::dmft {

namespace fs = std::filesystem;

const char *grid_command(GridKind k) {
    return k == GridKind::Sweep ? "dmft sweep" : "dmft phase";
}

ConfigSchema grid_schema() {
    ConfigSchema s = dmft_model_schema();
    s.merge(dmft_window_schema(/*with_save_every=*/false));
    s.add_string("sweep.param", "beta", {"beta", "gamma", "epsilon"}, "swept parameter")
        .add_double("sweep.min", 0.0, -1e9, 1e9, "first value of the grid")
        .add_double("sweep.max", 3.0, -1e9, 1e9, "last value of the grid (linspace, both ends included)")
        .add_int("sweep.count", 4001, 1, 100000000, "number of grid values")
        .add_string("sweep.seed_from", "checkpoint", {"checkpoint", "neighbour"},
                    "checkpoint: every value from the start context; neighbour: from the previous value's final "
                    "context (sequential)")
        .add_string("sweep.direction", "up", {"up", "down"}, "neighbour protocol direction")
        .add_string("sweep.lyapunov", "true", {"true", "false", "spectrum"},
                    "largest Lyapunov exponent from the tangent map; spectrum: also the full spectrum (QR) and the "
                    "Kaplan-Yorke dimension of every value")
        .add_int("sweep.lyap_align", 2000, 0, int64_t(1) << 40, "tangent steps before the window (alignment)")
        .add_bool("sweep.chaos01", true, "0-1 test for chaos on m^o_1 sampled every L steps")
        .add_int("sweep.census", 0, 0, 100000, "attractor census: perturbed starts per value (0: none)")
        .add_double("sweep.census_perturb", 1e-14, 0.0, 1.0, "A-hat perturbation amplitude of census starts")
        .add_int("sweep.keep", 2000, 0, 100000000, "last m^o_1 samples per value kept in points.npy")
        .add_int("sweep.raster_rows", 7001, 0, 32767,
                 "R_im of the Fig 3 background: unique bins of m^o_1 over the whole window (0: none)")
        .add_double("sweep.max_y", 0.0, 0.0, 1e6,
                    "scale of the paper's quantised count (0: the value's own max |m^o|; paper: diagram-wide max)")
        .add_double("sweep.period_tol", 1e-8, 0.0, 1.0, "return tolerance of the exact period test")
        .add_int("sweep.max_period", 2000, 1, 1000000, "largest period tried")
        .add_string("sweep.simd", "auto", {"auto", "scalar", "sse2", "avx", "avx2", "avx512"}, "map kernel")
        .add_int("sweep.chunk", 64, 1, 1000000, "values per resumable chunk file")
        .add_string("phase.y", "gamma", {"gamma", "epsilon"}, "phase diagram: y parameter (x is beta)")
        .add_double("phase.x_min", 1.0, 0.0, 1e6, "phase diagram: first beta")
        .add_double("phase.x_max", 2.0, 0.0, 1e6, "phase diagram: last beta")
        .add_int("phase.x_count", 100, 1, 100000, "phase diagram: beta values")
        .add_double("phase.y_min", 100.0, 0.0, 1e9, "phase diagram: first y value")
        .add_double("phase.y_max", 300.0, 0.0, 1e9, "phase diagram: last y value")
        .add_int("phase.y_count", 100, 1, 100000, "phase diagram: y values");
    return s;
}

namespace {
std::vector<double> linspace(double a, double b, int64_t n) {
    // As numpy.linspace: k * step + start with step = (stop - start) / (n - 1), the last value exactly stop.
    std::vector<double> v(static_cast<size_t>(n), a);
    const double step = n > 1 ? (b - a) / double(n - 1) : 0.0;
    for (int64_t k = 1; k < n; ++k) v[size_t(k)] = double(k) * step + a;
    if (n > 1) v.back() = b;
    return v;
}
void set_param(DynamicsParams &d, const std::string &p, double v) {
    if (p == "beta")
        d.beta = v;
    else if (p == "gamma")
        d.gamma = v;
    else
        d.epsilon = v;
}
} // namespace

Grid make_grid(const Config &cfg, GridKind kind) {
    Grid g;
    const DynamicsParams base = dynamics_params_from(cfg);
    if (kind == GridKind::Sweep) {
        g.param = cfg.get_string("sweep.param");
        if (cfg.get_double("sweep.min") > cfg.get_double("sweep.max"))
            throw UsageError(
                fmt::format("config keys 'sweep.min' = {} > 'sweep.max' = {}: the grid runs from min up to max "
                            "(for a downward neighbour chain set sweep.direction = down)",
                            cfg.get_double("sweep.min"), cfg.get_double("sweep.max")));
        g.values = linspace(cfg.get_double("sweep.min"), cfg.get_double("sweep.max"), cfg.get_int("sweep.count"));
        for (double v : g.values) {
            DynamicsParams d = base;
            set_param(d, g.param, v);
            g.points.push_back(d);
        }
    } else {
        g.param = cfg.get_string("phase.y");
        g.values = linspace(cfg.get_double("phase.x_min"), cfg.get_double("phase.x_max"), cfg.get_int("phase.x_count"));
        g.y_values =
            linspace(cfg.get_double("phase.y_min"), cfg.get_double("phase.y_max"), cfg.get_int("phase.y_count"));
        for (double y : g.y_values) {
            for (double x : g.values) {
                DynamicsParams d = base;
                d.beta = x;
                set_param(d, g.param, y);
                g.points.push_back(d);
            }
        }
    }
    for (const auto &d : g.points) {
        if (!(d.beta >= 0) || !(d.gamma >= 0) || !(d.epsilon >= 0 && d.epsilon <= 1))
            throw UsageError(fmt::format("sweep grid: invalid point beta = {}, gamma = {}, epsilon = {} (need beta, "
                                         "gamma >= 0 and 0 <= epsilon <= 1)",
                                         d.beta, d.gamma, d.epsilon));
    }
    return g;
}

SweepOptions sweep_options_from(const Config &cfg, int L) {
    SweepOptions o;
    const Window w = Window::from(cfg);
    o.batch.steps = w.steps;
    o.batch.transient = w.transient;
    if (o.batch.transient <= L)
        throw UsageError(fmt::format("config key 'dmft.transient' must exceed L = {} (the start context's step)", L));
    o.spectrum = cfg.get_string("sweep.lyapunov") == "spectrum";
    o.batch.lyapunov = cfg.get_string("sweep.lyapunov") != "false";
    o.batch.lyap_align = cfg.get_int("sweep.lyap_align");
    o.batch.path = simd_path_from_name(cfg.get_string("sweep.simd"));
    o.seed_from = cfg.get_string("sweep.seed_from");
    o.downward = cfg.get_string("sweep.direction") == "down";
    o.chaos01 = cfg.get_bool("sweep.chaos01");
    o.keep = cfg.get_int("sweep.keep");
    o.raster_resolution = int(cfg.get_int("sweep.raster_rows"));
    o.max_y = cfg.get_double("sweep.max_y");
    o.period.tol = cfg.get_double("sweep.period_tol");
    o.period.max_period = size_t(cfg.get_int("sweep.max_period"));
    o.census = cfg.get_int("sweep.census");
    o.census_perturb = cfg.get_double("sweep.census_perturb");
    o.census_seed = uint64_t(cfg.get_int("dmft.seed"));
    return o;
}

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

GridSpec grid_spec_from(const Config &cfg, GridKind kind) {
    GridSpec s;
    s.kind = kind;
    s.model = model_params_from(cfg);
    s.sweep = sweep_options_from(cfg, s.model.L);
    // Checked before the grid exists: what the whole grid holds until it is written is, per value, the
    // kept samples (float64), the raster's distinct bins (int16, at most one per recorded step), the
    // Poincare values and the point's record.
    const double values = kind == GridKind::Sweep
                              ? double(cfg.get_int("sweep.count"))
                              : double(cfg.get_int("phase.x_count")) * double(cfg.get_int("phase.y_count"));
    const double window = double(s.sweep.batch.steps - s.sweep.batch.transient);
    const double per_value =
        8.0 * double(s.sweep.keep) + 2.0 * std::min(window, double(s.sweep.raster_resolution)) + 8.0 * 64 + 256;
    check_memory_budget(values * per_value, "'sweep.count' (or 'phase.x_count' x 'phase.y_count') and 'sweep.keep'",
                        fmt::format("the results of {:.0f} grid values", values),
                        "lower sweep.keep or split the grid with --shard i/n");
    s.grid = make_grid(cfg, kind);
    s.start = cfg.get_string("dmft.start");
    s.perturb = cfg.get_double("dmft.perturb");
    s.seed = uint64_t(cfg.get_int("dmft.seed"));
    s.chunk = size_t(cfg.get_int("sweep.chunk"));
    s.record = cfg;
    return s;
}

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
            // A chunk that does not read back intact (a crash mid-write, a bad disk, a flipped byte) is
            // reported and computed again; the store is tdlab's own, so its bad file may go.
            warn(fmt::format("{}: resume chunk '{}' is corrupt and is computed again ({})", grid_command(spec_.kind),
                             e.file().string(), e.what()));
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
    // One OpenMP region over the points of all the chunks: their blocks are shared out dynamically, with
    // one barrier at the end instead of one per chunk. A point's result does not depend on its block.
    const size_t a = c0s.front(), b = std::min(end_, c0s.back() + chunk_);
    std::vector<PointResult> points(b - a);
    std::mutex mu;
    run_points_checkpoint(
        *model_, spec_.grid.points, start_, a, b, spec_.sweep,
        [&](size_t k, PointResult &&r) {
            std::lock_guard<std::mutex> lock(mu);
            points[k - a] = std::move(r);
        },
        progress_steps);
    for (size_t c0 : c0s) {
        const size_t c1 = std::min(end_, c0 + chunk_);
        SweepResults part;
        part.begin = int64_t(c0);
        part.raster_resolution = spec_.sweep.raster_resolution;
        part.points.assign(std::make_move_iterator(points.begin() + long(c0 - a)),
                           std::make_move_iterator(points.begin() + long(c1 - a)));
        add_census(*model_, spec_.grid, start_, spec_.sweep, part);
        store_->save(part);
        // Test hook: TDLAB_SWEEP_DIE_AFTER_CHUNKS=k ends the process like `kill -9` (no cleanup, no
        // destructors) after k new chunks, so the resume test is deterministic.
        if (const char *die = std::getenv("TDLAB_SWEEP_DIE_AFTER_CHUNKS");
            die && info_.computed_chunks + 1 >= std::atoll(die))
            std::_Exit(137);
        for (size_t k = 0; k < part.points.size(); ++k) all_.points[c0 - begin_ + k] = std::move(part.points[k]);
        all_.census.insert(all_.census.end(), part.census.begin(), part.census.end());
        have_[(c0 - begin_) / chunk_] = true;
        ++info_.computed_chunks;
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
    write_grid_outputs(run.path(""), spec_, all_);
    if (figures) figures(run.path(""), spec_, all_);
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
    Progress progress(grid_command(kind), job.steps_per_point() * uint64_t(missing.size() * job.chunk_size()), "steps");
    // Consecutive missing chunks in groups of about four 32-lane blocks per thread: the threads share a
    // group's blocks dynamically, so the end of each chunk (64 values by default: one block per thread on
    // 2 cores) no longer waits for the slowest block. The chunk files are the same.
#ifdef _OPENMP
    const size_t threads = size_t(std::max(1, omp_get_max_threads()));
#else
    const size_t threads = 1;
#endif
    const size_t group = std::max<size_t>(1, (4 * threads * size_t(kLanes) + job.chunk_size() - 1) / job.chunk_size());
    for (size_t i = 0; i < missing.size();) {
        std::vector<size_t> run{missing[i++]};
        while (i < missing.size() && run.size() < group && missing[i] == run.back() + job.chunk_size())
            run.push_back(missing[i++]);
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

// The shards' shared facts, checked: every directory is a sweep or phase run of the same config.
struct ShardSet {
    std::string kind_name;
    int64_t total = -1;
};
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
    write_grid_outputs(run.path(""), spec, all);
    if (figures) figures(run.path(""), spec, all);
    auto &m = run.manifest();
    m["shard"] = "1/1";
    m["points_total"] = set.total;
    m["points_begin"] = 0;
    m["points_end"] = set.total;
    m["grid_kind"] = set.kind_name;
    m["gathered_from"] = dirs.size();
    run.commit();
}

} // namespace tdlab::dmft
