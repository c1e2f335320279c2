// `tdlab dmft sweep|phase` (parameter sweeps and 2-D phase diagrams of the mean-field map) and
// `tdlab gather` (merge shards). The driver is dmft/sweep_runner.h, the figures plot/dmft_sweep_figures.h;
// `tdlab reproduce dmft` is repro/dmft.cpp.
#include "cli/cli_common.h"
#include "cli/dmft_sweep_mpi.h"
#include "core/error.h"
#include "core/parallel.h"
#include "dmft/sweep_runner.h"
#include "plot/dmft_sweep_figures.h"

#include <cstdio>
#include <fmt/format.h>

namespace tdlab::cli {
namespace {

struct GridOptions {
    RunOptions run;
    std::string shard = "1/1";
};

void grid_command(const GridOptions &o, dmft::GridKind kind) {
    auto setup = begin_run(o.run, dmft::grid_command(kind), dmft::grid_schema());
    if (!setup) return;
    const Shard shard = parse_shard(o.shard);
    dmft::GridSpec spec = dmft::grid_spec_from(setup->cfg, kind);
    spec.output.overwrite = setup->force;
    dmft::GridRunInfo info;
    // Under mpirun (built with -DTDLAB_MPI=ON) rank 0 hands chunks out to the other ranks.
    const MpiOutcome mpi = run_grid_mpi(spec, setup->out, shard, info);
    if (mpi == MpiOutcome::Worker) return;
    if (mpi == MpiOutcome::NotMpi) info = dmft::run_grid(spec, setup->out, shard, plot::draw_grid_figures);
    std::fprintf(stderr, "%s: shard %s, %.2f s (%s kernel, %lld chunks computed, %lld resumed) -> %s\n",
                 dmft::grid_command(kind), o.shard.c_str(), info.seconds, info.simd.c_str(),
                 (long long)info.computed_chunks, (long long)info.resumed_chunks, setup->out.c_str());
}

void register_sweep(CLI::App &app) {
    auto *group = app.get_subcommand("dmft");
    static GridOptions sweep_opt, phase_opt;
    auto *sweep = group->add_subcommand(
        "sweep", "bifurcation sweep over beta, gamma or epsilon: summary.csv, points.npy, figures (resumable)");
    add_run_options(sweep, sweep_opt.run);
    sweep->add_option("--shard", sweep_opt.shard, "run part i of n (1-based, e.g. $SLURM_ARRAY_TASK_ID/n)");
    sweep->callback([] { grid_command(sweep_opt, dmft::GridKind::Sweep); });

    auto *phase = group->add_subcommand(
        "phase", "two-parameter phase diagram (beta x gamma or beta x epsilon): Lyapunov exponent and class heatmaps");
    add_run_options(phase, phase_opt.run);
    phase->add_option("--shard", phase_opt.shard, "run part i of n (1-based)");
    phase->callback([] { grid_command(phase_opt, dmft::GridKind::Phase); });

    static std::vector<std::string> dirs;
    static std::string out;
    static bool force = false, show_config = false, help_config = false;
    auto *gather = app.add_subcommand("gather", "merge the shard run directories of a sweep or phase diagram");
    gather->add_option("dirs", dirs, "shard run directories");
    gather->add_option("--out,-o", out, "merged run directory");
    gather->add_flag("--force", force, "replace an existing run directory given as --out");
    gather->add_flag("--show-config", show_config, "print the config the merged run records (the shards') and exit");
    gather->add_flag("--help-config", help_config, "list every config key with its default and range, and exit");
    gather->callback([] {
        if (help_config) {
            std::fputs(dmft::grid_schema().describe().c_str(), stdout);
            return;
        }
        if (dirs.empty()) throw UsageError("gather: give the shard run directories to merge");
        std::vector<std::filesystem::path> paths;
        for (const auto &d : dirs) paths.push_back(absolute_path(d));
        if (show_config) {
            std::fputs(dmft::gathered_config(paths).to_yaml().c_str(), stdout);
            return;
        }
        if (out.empty()) throw UsageError("gather: --out DIR is required");
        dmft::gather_runs(paths, absolute_path(out), plot::draw_grid_figures, RunDirPolicy{force});
        std::fprintf(stderr, "gather: %zu shards -> %s\n", paths.size(), absolute_path(out).c_str());
    });
}

GroupRegistrar dmft_sweep_registrar(11, "dmft-sweep", register_sweep);

} // namespace
} // namespace tdlab::cli
