// The run commands from Python: any shared command body (repro/run_commands.h) into a run directory, the
// DMFT grid runs (sweep, phase) into a run directory, and `dmft run|sweep|phase|spin` in memory with the
// arrays handed to NumPy without a copy (each array owns the C++ vector it was computed in). Every long
// call releases the GIL and stops on Ctrl-C (InterruptScope).
#include "common.h"

#include "core/error.h"
#include "core/npy.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "dmft/map_spectrum.h"
#include "dmft/sweep_runner.h"
#include "plot/dmft_sweep_figures.h"
#include "repro/dmft_run_job.h"
#include "repro/run_commands.h"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <fmt/format.h>

namespace tdlab::python {

namespace fs = std::filesystem;

namespace {

fs::path absolute_out(const std::string &out) {
    if (out.empty()) throw UsageError("out: a run directory path is required");
    fs::path p = fs::absolute(fs::path(out)).lexically_normal();
    if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
    return p;
}

std::vector<std::string> command_sets(const repro::RunCommand &cmd, const ConfigSchema &schema,
                                      const std::vector<std::string> &sets) {
    return cmd.wrap_list_sets ? repro::wrap_list_overrides(sets, schema) : sets;
}

// The resolved config of a command as YAML text (what config.yaml of its run would hold).
std::string resolve_config(const std::string &command, const std::optional<std::string> &file,
                           const std::vector<std::string> &sets) {
    if (command == "dmft sweep" || command == "dmft phase")
        return load_config(dmft::grid_schema(), file, sets).to_yaml();
    const auto &cmd = repro::run_command_named(command);
    const ConfigSchema schema = cmd.schema();
    return load_config(schema, file, command_sets(cmd, schema, sets), cmd.default_config).to_yaml();
}

// Runs a shared command body into `out`, exactly as `tdlab <command> --out out` (same bytes, manifest aside).
std::string run_command(const std::string &command, const std::optional<std::string> &file,
                        const std::vector<std::string> &sets, const std::string &out, int threads, py::object progress,
                        bool force) {
    const auto &cmd = repro::run_command_named(command);
    const ConfigSchema schema = cmd.schema();
    const Config cfg = load_config(schema, file, command_sets(cmd, schema, sets), cmd.default_config);
    const fs::path dir = absolute_out(out);
    check_output_dir(dir, force);
    set_python_command_line(command);
    std::optional<InterruptScope> interrupt;
    if (cmd.interruptible) interrupt.emplace(progress);
    py::gil_scoped_release nogil;
    repro::apply_thread_policy(threads);
    const repro::RunBody body = cmd.prepare(cfg);
    return repro::run_into_dir(dir, command, cfg, body, RunDirPolicy{force});
}

dmft::GridKind grid_kind(const std::string &command) {
    if (command != "dmft sweep" && command != "dmft phase")
        throw UsageError("command: expected 'dmft sweep' or 'dmft phase', got '" + command + "'");
    return command == "dmft phase" ? dmft::GridKind::Phase : dmft::GridKind::Sweep;
}

// `dmft sweep` / `dmft phase` into `out` (the CLI's grid_command without shards or MPI). On an
// interrupt the resume store this call created is removed too, so nothing is left behind.
py::dict run_grid(const std::string &command, const std::optional<std::string> &file,
                  const std::vector<std::string> &sets, const std::string &out, int threads, bool figures,
                  py::object progress, bool force) {
    const dmft::GridKind kind = grid_kind(command);
    const Config cfg = load_config(dmft::grid_schema(), file, sets);
    const fs::path dir = absolute_out(out);
    check_output_dir(dir, force);
    dmft::GridSpec spec = dmft::grid_spec_from(cfg, kind);
    spec.output.overwrite = force;
    const fs::path store = dir.string() + ".chunks";
    const bool had_store = fs::exists(store);
    set_python_command_line(command);
    dmft::GridRunInfo info;
    {
        InterruptScope interrupt(progress);
        py::gil_scoped_release nogil;
        repro::apply_thread_policy(threads);
        try {
            info = dmft::run_grid(spec, dir, Shard{},
                                  figures ? dmft::GridFigures(plot::draw_grid_figures) : dmft::GridFigures());
        } catch (const Interrupted &) {
            std::error_code ec;
            if (!had_store) fs::remove_all(store, ec);
            throw;
        }
    }
    py::dict d;
    d["seconds"] = info.seconds;
    d["simd"] = info.simd;
    d["computed_chunks"] = info.computed_chunks;
    d["resumed_chunks"] = info.resumed_chunks;
    return d;
}

// An .npy array of the files (dtype, shape, bytes) as a NumPy array owning its bytes.
py::array npy_to_numpy(NpyArray &&a) {
    const std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
    const py::ssize_t nbytes = py::ssize_t(a.bytes.size());
    py::array bytes = to_numpy(std::move(a.bytes), {nbytes});
    return bytes.attr("view")(py::dtype(a.dtype)).attr("reshape")(shape);
}

// The six observables [saved][M] and t of a trajectory (moved into NumPy).
void trajectory_arrays(py::dict &arrays, dmft::Trajectory &&traj) {
    const py::ssize_t n = py::ssize_t(traj.size()), M = traj.M;
    arrays["mo_se"] = to_numpy(std::move(traj.mo_se), {n, M});
    arrays["mo"] = to_numpy(std::move(traj.mo), {n, M});
    arrays["mv"] = to_numpy(std::move(traj.mv), {n, M});
    arrays["mq"] = to_numpy(std::move(traj.mq), {n, M});
    arrays["mk"] = to_numpy(std::move(traj.mk), {n, M});
    arrays["att"] = to_numpy(std::move(traj.att), {n, M});
    arrays["t"] = to_numpy(std::move(traj.t), {n});
}

// `dmft run` in memory: the recorded window as NumPy arrays owning the C++ vectors; with spectrum.enabled
// also lyapunov_spectrum [1, k] and the manifest's kaplan_yorke / lyapunov_spectrum, with
// dimension.enabled the manifest's correlation_dimension (what the CLI writes).
py::dict dmft_run_arrays(const std::optional<std::string> &file, const std::vector<std::string> &sets, int threads,
                         py::object progress) {
    const Config cfg = load_config(repro::dmft_run_schema(), file, sets);
    dmft::Trajectory traj;
    std::optional<repro::DmftRunJob> job;
    std::optional<dmft::MapSpectrum> spectrum;
    nlohmann::json manifest = nlohmann::json::object();
    {
        InterruptScope interrupt(progress);
        py::gil_scoped_release nogil;
        repro::apply_thread_policy(threads);
        job = repro::DmftRunJob::prepare(cfg);
        if (job->spectrum) spectrum = dmft::map_spectrum(*job->map, *job->ctx, job->spectrum_options);
        Progress bar(fmt::format("dmft run beta={}", job->dyn.beta), job->remaining_steps(), "steps");
        traj = job->run(&bar);
        bar.finish();
        if (job->dimension.enabled)
            manifest["correlation_dimension"] =
                dmft::dimensions_json(dmft::run_dimensions(traj, job->dimension), job->dimension);
    }
    const py::ssize_t n = py::ssize_t(traj.size());
    py::dict arrays;
    trajectory_arrays(arrays, std::move(traj));
    if (spectrum) {
        manifest["kaplan_yorke"] = spectrum->kaplan_yorke;
        manifest["lyapunov_spectrum"] = spectrum->exponents;
        const py::ssize_t k = py::ssize_t(spectrum->exponents.size());
        arrays["lyapunov_spectrum"] = to_numpy(std::move(spectrum->exponents), {1, k});
    }
    manifest["saved_steps"] = n;
    manifest["final_t"] = job->ctx->t;
    py::dict d;
    d["arrays"] = arrays;
    d["config"] = cfg.to_yaml();
    d["manifest"] = manifest.dump();
    return d;
}

// `dmft spin` in memory: the arrays of its run directory, [runs, saved, M] stacked in C++ and moved.
py::dict dmft_spin_arrays(const std::optional<std::string> &file, const std::vector<std::string> &sets, int threads,
                          py::object progress) {
    const Config cfg = load_config(repro::dmft_spin_schema(), file, sets);
    std::optional<repro::DmftSpinJob> job;
    repro::DmftSpinJob::Result res;
    {
        InterruptScope interrupt(progress);
        py::gil_scoped_release nogil;
        repro::apply_thread_policy(threads);
        job = repro::DmftSpinJob::prepare(cfg);
        Progress bar(fmt::format("dmft spin N={} beta={}", job->N, job->dyn.beta), job->total_steps(), "steps");
        res = job->run(&bar);
        bar.finish();
    }
    const size_t R = res.runs.size(), T = res.runs[0].size(), M = size_t(res.runs[0].M);
    py::dict arrays;
    if (T > 0) {
        const auto shape = std::vector<py::ssize_t>{py::ssize_t(R), py::ssize_t(T), py::ssize_t(M)};
        auto stack = [&](std::vector<double> dmft::Trajectory::*member, const char *name) {
            std::vector<double> flat;
            flat.reserve(R * T * M);
            for (auto &tr : res.runs) {
                flat.insert(flat.end(), (tr.*member).begin(), (tr.*member).end());
                std::vector<double>().swap(tr.*member); // peak memory: one observable at a time
            }
            arrays[name] = to_numpy(std::move(flat), shape);
        };
        stack(&dmft::Trajectory::mo_se, "mo_se");
        stack(&dmft::Trajectory::mo, "mo");
        stack(&dmft::Trajectory::mv, "mv");
        stack(&dmft::Trajectory::mq, "mq");
        stack(&dmft::Trajectory::mk, "mk");
        stack(&dmft::Trajectory::att, "att");
        arrays["t"] = to_numpy(std::move(res.runs[0].t), {py::ssize_t(T)});
        const py::ssize_t mf_n = py::ssize_t(res.mean_field.size());
        arrays["mf_mo_se"] = to_numpy(std::move(res.mean_field.mo_se), {mf_n, py::ssize_t(M)});
    }
    std::vector<double> final_att;
    for (const auto &c : res.finals) final_att.insert(final_att.end(), c.att.begin(), c.att.end());
    arrays["final_att"] = to_numpy(std::move(final_att), {py::ssize_t(res.finals.size()), py::ssize_t(M)});
    py::dict d;
    d["arrays"] = arrays;
    d["config"] = cfg.to_yaml();
    d["manifest"] = job->manifest(T).dump();
    return d;
}

// `dmft sweep` / `dmft phase` in memory: the arrays of its run directory ("points", "poincare",
// "lyapunov_spectrum", the phase maps, and every member of results.npz as "results/<name>") and the
// text of its tables, from one computation with no run directory and no resume store.
py::dict grid_arrays(const std::string &command, const std::optional<std::string> &file,
                     const std::vector<std::string> &sets, int threads, py::object progress) {
    const dmft::GridKind kind = grid_kind(command);
    const Config cfg = load_config(dmft::grid_schema(), file, sets);
    const dmft::GridSpec spec = dmft::grid_spec_from(cfg, kind);
    dmft::SweepResults r;
    {
        InterruptScope interrupt(progress);
        py::gil_scoped_release nogil;
        repro::apply_thread_policy(threads);
        r = dmft::compute_grid(spec);
    }
    const auto &grid = spec.grid;
    py::dict tables;
    tables["summary"] = dmft::sweep_summary_csv(r, kind == dmft::GridKind::Sweep ? grid.param : "beta");
    if (!r.census.empty()) tables["census"] = dmft::sweep_census_csv(r);
    py::dict arrays;
    {
        dmft::SweepArrays a = dmft::sweep_arrays(r);
        const auto n = py::ssize_t(a.n);
        arrays["points"] = to_numpy(std::move(a.points), {n, py::ssize_t(a.keep)});
        const auto rows = py::ssize_t(a.poincare.size() / 2);
        arrays["poincare"] = to_numpy(std::move(a.poincare), {rows, 2});
        if (a.spectrum_k) arrays["lyapunov_spectrum"] = to_numpy(std::move(a.spectrum), {n, py::ssize_t(a.spectrum_k)});
    }
    if (kind == dmft::GridKind::Phase) {
        dmft::PhaseMaps m = dmft::phase_maps(r);
        const auto nx = py::ssize_t(grid.values.size()), ny = py::ssize_t(grid.y_values.size());
        arrays["lyapunov"] = to_numpy(std::move(m.lyapunov), {ny, nx});
        arrays["label"] = to_numpy(std::move(m.cls), {ny, nx});
        arrays["period"] = to_numpy(std::move(m.period), {ny, nx});
        arrays["x_beta"] = to_numpy(std::vector<double>(grid.values), {nx});
        arrays[py::str("y_" + grid.param)] = to_numpy(std::vector<double>(grid.y_values), {ny});
    }
    for (auto &[name, a] : dmft::results_to_npz(r)) arrays[py::str("results/" + name)] = npy_to_numpy(std::move(a));
    py::dict d;
    d["arrays"] = arrays;
    d["tables"] = tables;
    d["config"] = spec.record.to_yaml();
    d["manifest"] = nlohmann::json({{"grid_kind", dmft::grid_command(kind)},
                                    {"points_total", grid.points.size()},
                                    {"simd", dmft::simd_path_name(spec.sweep.batch.path)}})
                        .dump();
    return d;
}

} // namespace

void bind_runs(py::module_ &m) {
    m.def("run_commands", [] {
        std::vector<std::string> names;
        for (const auto &c : repro::run_commands()) names.push_back(c.name);
        return names;
    });
    m.def("resolve_config", &resolve_config, py::arg("command"), py::arg("config"), py::arg("sets"),
          "The resolved config of `command` as YAML text.");
    m.def("run_command", &run_command, py::arg("command"), py::arg("config"), py::arg("sets"), py::arg("out"),
          py::arg("threads") = 0, py::arg("progress") = py::none(), py::arg("force") = false,
          "Runs a command body into the run directory `out` (force: replace a previous run there, as --force); "
          "returns its summary line.");
    m.def("run_grid", &run_grid, py::arg("command"), py::arg("config"), py::arg("sets"), py::arg("out"),
          py::arg("threads") = 0, py::arg("figures") = true, py::arg("progress") = py::none(), py::arg("force") = false,
          "`dmft sweep` or `dmft phase` into the run directory `out`.");
    m.def("grid_arrays", &grid_arrays, py::arg("command"), py::arg("config"), py::arg("sets"), py::arg("threads") = 0,
          py::arg("progress") = py::none(),
          "`dmft sweep` or `dmft phase` in memory: {'arrays', 'tables' (csv text), 'config', 'manifest' (json)}.");
    m.def("dmft_spin_arrays", &dmft_spin_arrays, py::arg("config"), py::arg("sets"), py::arg("threads") = 0,
          py::arg("progress") = py::none(), "`dmft spin` in memory: {'arrays', 'config', 'manifest' (json)}.");
    m.def("dmft_run_arrays", &dmft_run_arrays, py::arg("config"), py::arg("sets"), py::arg("threads") = 0,
          py::arg("progress") = py::none(),
          "`dmft run` in memory: {'arrays': {...}, 'config': yaml, 'manifest': json}.");
}

} // namespace tdlab::python
