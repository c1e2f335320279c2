// `tdlab dmft ...`: the mean-field map of the 1-bit attention network (specs/dmft.md).
//   dmft run    one trajectory: the saved window of mo_se, mo, mv, mq, mk, att as .npy plus figures
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "dmft/context.h"
#include "dmft/trajectory.h"
#include "plot/dmft_figures.h"

#include <fmt/format.h>

namespace tdlab::cli {
namespace {

ConfigSchema run_schema() {
    return dmft::dmft_model_schema().merge(dmft::dmft_window_schema());
}

void write_trajectory(RunDir &run, const dmft::Trajectory &traj) {
    const std::vector<size_t> shape{traj.size(), size_t(traj.M)};
    write_npy(run.path("mo_se.npy"), traj.mo_se, shape);
    write_npy(run.path("mo.npy"), traj.mo, shape);
    write_npy(run.path("mv.npy"), traj.mv, shape);
    write_npy(run.path("mq.npy"), traj.mq, shape);
    write_npy(run.path("mk.npy"), traj.mk, shape);
    write_npy(run.path("att.npy"), traj.att, shape);
    write_npy(run.path("t.npy"), traj.t, {traj.size()});
}

void dmft_run(const RunOptions &opt) {
    Config cfg;
    if (!resolve_config(opt, run_schema(), cfg)) return;
    if (opt.out.empty()) throw UsageError("dmft run: --out DIR is required");
    check_output_dir(opt.out);
    dmft::TrajectoryOptions topt;
    topt.steps = cfg.get_int("dmft.steps");
    topt.transient = cfg.get_int("dmft.transient");
    topt.save_every = cfg.get_int("dmft.save_every");
    if (topt.transient >= topt.steps) {
        throw UsageError(fmt::format("config key 'dmft.transient' = {} must be smaller than 'dmft.steps' = {}",
                                     topt.transient, topt.steps));
    }
    const auto params = dmft::model_params_from(cfg);
    const auto dyn = dmft::dynamics_params_from(cfg);
    const auto model = dmft::DmftModel::build(params);
    dmft::MeanFieldMap map(model, dyn);
    dmft::Context ctx = dmft::start_context(cfg.get_string("dmft.start"), map);
    dmft::perturb_context(ctx, cfg.get_double("dmft.perturb"), uint64_t(cfg.get_int("dmft.seed")), 0);

    RunDir run(opt.out, "dmft run", cfg);
    Progress progress(fmt::format("dmft run beta={}", dyn.beta), uint64_t(std::max<int64_t>(0, topt.steps - 1 - ctx.t)),
                      "steps");
    dmft::Trajectory traj = dmft::run_trajectory(map, ctx, topt, &progress);
    progress.finish();
    write_trajectory(run, traj);
    dmft::save_context(run.path("final_context.yaml"), ctx,
                       fmt::format("final context of a run at beta = {}", dyn.beta));
    dmft::save_weights(run.path("weights.npy"), model.weights);
    if (traj.size() > 0) plot::draw_dmft_trajectory(run.path(""), traj, fmt::format("β = {}", dyn.beta));
    run.manifest()["saved_steps"] = traj.size();
    run.manifest()["final_t"] = ctx.t;
    run.commit();
    std::fprintf(stderr, "dmft run: %zu saved steps (t = %lld..%lld) -> %s\n", traj.size(),
                 traj.size() ? (long long)traj.t.front() : 0LL, traj.size() ? (long long)traj.t.back() : 0LL,
                 opt.out.c_str());
}

void register_dmft(CLI::App &app) {
    auto *group =
        app.add_subcommand("dmft", "dynamical mean-field theory of 1-bit self-attention (Poc-Lopez & Aguilera)");
    group->require_subcommand(1);
    static RunOptions run_opt;
    auto *run = group->add_subcommand("run", "iterate the mean-field map at one beta; write the saved window as .npy");
    add_run_options(run, run_opt);
    run->callback([] { dmft_run(run_opt); });
}

GroupRegistrar registrar(10, "dmft", register_dmft);

} // namespace
} // namespace tdlab::cli
