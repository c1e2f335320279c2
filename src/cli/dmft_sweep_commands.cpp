// `tdlab dmft sweep|phase` (parameter sweeps and 2-D phase diagrams of the mean-field map) and
// `tdlab gather` (merge shards). The `reproduce dmft` figures live in dmft_reproduce.cpp.
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/parallel.h"
#include "dmft/sweep_runner.h"

#include <cstdio>
#include <fmt/format.h>

namespace tdlab::cli {
namespace {

struct GridOptions {
    RunOptions run;
    std::string shard = "1/1";
};

void grid_command(const GridOptions &o, dmft::GridKind kind) {
    Config cfg;
    if (!resolve_config(o.run, dmft::grid_schema(), cfg)) return;
    if (o.run.out.empty()) throw UsageError(std::string(dmft::grid_command(kind)) + ": --out DIR is required");
    const Shard shard = parse_shard(o.shard);
    auto info = dmft::run_grid(cfg, kind, o.run.out, shard);
    std::fprintf(stderr, "%s: shard %s, %.2f s (%s kernel, %lld chunks computed, %lld resumed) -> %s\n",
                 dmft::grid_command(kind), o.shard.c_str(), info.seconds, info.simd.c_str(),
                 (long long)info.computed_chunks, (long long)info.resumed_chunks, o.run.out.c_str());
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
    auto *gather = app.add_subcommand("gather", "merge the shard run directories of a sweep or phase diagram");
    gather->add_option("dirs", dirs, "shard run directories")->required();
    gather->add_option("--out,-o", out, "merged run directory")->required();
    gather->callback([] {
        std::vector<std::filesystem::path> paths(dirs.begin(), dirs.end());
        dmft::gather_runs(paths, out);
        std::fprintf(stderr, "gather: %zu shards -> %s\n", paths.size(), out.c_str());
    });
}

GroupRegistrar registrar(11, "dmft-sweep", register_sweep);

} // namespace
} // namespace tdlab::cli
