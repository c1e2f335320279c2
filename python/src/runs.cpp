// The run commands from Python: any shared command body (repro/run_commands.h) into a run directory, the
// DMFT grid runs (sweep, phase) into a run directory, and `dmft run` in memory with the arrays handed
// to NumPy without a copy. Every long call releases the GIL and stops on Ctrl-C (InterruptScope).
#include "common.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/run_dir.h"
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
                        const std::vector<std::string> &sets, const std::string &out, int threads,
                        py::object progress) {
    const auto &cmd = repro::run_command_named(command);
    const ConfigSchema schema = cmd.schema();
    const Config cfg = load_config(schema, file, command_sets(cmd, schema, sets), cmd.default_config);
    const fs::path dir = absolute_out(out);
    check_output_dir(dir);
    set_python_command_line(command);
    std::optional<InterruptScope> interrupt;
    if (cmd.interruptible) interrupt.emplace(progress);
    py::gil_scoped_release nogil;
    repro::apply_thread_policy(threads);
    const repro::RunBody body = cmd.prepare(cfg);
    return repro::run_into_dir(dir, command, cfg, body);
}

// `dmft sweep` / `dmft phase` into `out` (the CLI's grid_command without shards or MPI). On an
// interrupt the resume store this call created is removed too, so nothing is left behind.
py::dict run_grid(const std::string &command, const std::optional<std::string> &file,
                  const std::vector<std::string> &sets, const std::string &out, int threads, bool figures,
                  py::object progress) {
    const dmft::GridKind kind = command == "dmft phase" ? dmft::GridKind::Phase : dmft::GridKind::Sweep;
    const Config cfg = load_config(dmft::grid_schema(), file, sets);
    const fs::path dir = absolute_out(out);
    check_output_dir(dir);
    const dmft::GridSpec spec = dmft::grid_spec_from(cfg, kind);
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

// `dmft run` in memory: the recorded window as NumPy arrays owning the C++ vectors.
py::dict dmft_run_arrays(const std::optional<std::string> &file, const std::vector<std::string> &sets, int threads,
                         py::object progress) {
    const Config cfg = load_config(repro::dmft_run_schema(), file, sets);
    dmft::Trajectory traj;
    std::optional<repro::DmftRunJob> job;
    {
        InterruptScope interrupt(progress);
        py::gil_scoped_release nogil;
        repro::apply_thread_policy(threads);
        job = repro::DmftRunJob::prepare(cfg);
        Progress bar(fmt::format("dmft run beta={}", job->dyn.beta), job->remaining_steps(), "steps");
        traj = job->run(&bar);
        bar.finish();
    }
    const py::ssize_t n = py::ssize_t(traj.size()), M = traj.M;
    py::dict arrays;
    arrays["mo_se"] = to_numpy(std::move(traj.mo_se), {n, M});
    arrays["mo"] = to_numpy(std::move(traj.mo), {n, M});
    arrays["mv"] = to_numpy(std::move(traj.mv), {n, M});
    arrays["mq"] = to_numpy(std::move(traj.mq), {n, M});
    arrays["mk"] = to_numpy(std::move(traj.mk), {n, M});
    arrays["att"] = to_numpy(std::move(traj.att), {n, M});
    arrays["t"] = to_numpy(std::move(traj.t), {n});
    py::dict d;
    d["arrays"] = arrays;
    d["config"] = cfg.to_yaml();
    d["saved_steps"] = n;
    d["final_t"] = job->ctx->t;
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
          py::arg("threads") = 0, py::arg("progress") = py::none(),
          "Runs a command body into the run directory `out`; returns its summary line.");
    m.def("run_grid", &run_grid, py::arg("command"), py::arg("config"), py::arg("sets"), py::arg("out"),
          py::arg("threads") = 0, py::arg("figures") = true, py::arg("progress") = py::none(),
          "`dmft sweep` or `dmft phase` into the run directory `out`.");
    m.def("dmft_run_arrays", &dmft_run_arrays, py::arg("config"), py::arg("sets"), py::arg("threads") = 0,
          py::arg("progress") = py::none(),
          "`dmft run` in memory: {'arrays': {...}, 'config': yaml, 'saved_steps', 'final_t'}.");
}

} // namespace tdlab::python
