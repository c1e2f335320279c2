// `tdlab dmft ...`: the mean-field map of the 1-bit attention network (Poc-Lopez & Aguilera 2024,
// arXiv 2406.07247; the equations in docs/dmft_map.md).
//   dmft run    one trajectory: the saved window of mo_se, mo, mv, mq, mk, att as .npy plus figures
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"
#include "dmft/tangent_map.h"
#include "dmft/trajectory.h"
#include "dmft/trajectory_tables.h"
#include "dmft/window.h"
#include "plot/dmft_figures.h"

#include <fmt/format.h>
#include <memory>

namespace tdlab::cli {
namespace {

ConfigSchema run_schema() {
    return dmft::dmft_model_schema().merge(dmft::dmft_window_schema()).merge(dmft::spectrum_schema());
}

RunBody prepare_dmft_run(const Config &cfg) {
    const dmft::TrajectoryOptions topt = dmft::Window::from(cfg).trajectory();
    const auto params = dmft::model_params_from(cfg);
    const auto dyn = dmft::dynamics_params_from(cfg);
    auto model = std::make_shared<dmft::DmftModel>(dmft::DmftModel::build(params));
    auto map = std::make_shared<dmft::MeanFieldMap>(*model, dyn);
    auto ctx = std::make_shared<dmft::Context>(dmft::start_context(cfg.get_string("dmft.start"), *map));
    dmft::perturb_context(*ctx, cfg.get_double("dmft.perturb"), uint64_t(cfg.get_int("dmft.seed")), 0);
    const bool spectrum = cfg.get_bool("spectrum.enabled");
    const dmft::MapSpectrumOptions sopt = dmft::spectrum_options_from(cfg);
    if (spectrum && sopt.k > dmft::state_dim(*ctx))
        throw UsageError(
            fmt::format("config key 'spectrum.k' = {} exceeds the state dimension {}", sopt.k, dmft::state_dim(*ctx)));
    return [=](RunDir &run) {
        if (spectrum) {
            // The same window from the same start: lambda_1 here is the sweeps' lambda_1 (map_spectrum.h).
            const auto s = dmft::map_spectrum(*map, *ctx, sopt);
            write_npy(run.path("lyapunov_spectrum.npy"), s.exponents, {1, s.exponents.size()});
            run.manifest()["kaplan_yorke"] = s.kaplan_yorke;
            run.manifest()["lyapunov_spectrum"] = s.exponents;
        }
        Progress progress(fmt::format("dmft run beta={}", dyn.beta),
                          uint64_t(std::max<int64_t>(0, topt.steps - 1 - ctx->t)), "steps");
        dmft::Trajectory traj = dmft::run_trajectory(*map, *ctx, topt, &progress);
        progress.finish();
        dmft::write_trajectory_tables(run.path(""), traj);
        dmft::save_context(run.path("final_context.yaml"), *ctx,
                           fmt::format("final context of a run at beta = {}", dyn.beta));
        dmft::save_weights(run.path("weights.npy"), model->weights);
        if (traj.size() > 0) plot::draw_dmft_trajectory(run.path(""), traj, fmt::format("β = {}", dyn.beta));
        run.manifest()["saved_steps"] = traj.size();
        run.manifest()["final_t"] = ctx->t;
        return fmt::format("dmft run: {} saved steps (t = {}..{}) -> {}", traj.size(), traj.size() ? traj.t.front() : 0,
                           traj.size() ? traj.t.back() : 0, run.out().string());
    };
}

void register_dmft(CLI::App &app) {
    auto *group =
        app.add_subcommand("dmft", "dynamical mean-field theory of 1-bit self-attention (Poc-Lopez & Aguilera)");
    group->require_subcommand(1);
    static RunOptions run_opt;
    auto *run = group->add_subcommand("run", "iterate the mean-field map at one beta; write the saved window as .npy");
    add_run_options(run, run_opt);
    run->callback([] { run_command(run_opt, "dmft run", run_schema(), prepare_dmft_run); });
}

GroupRegistrar registrar(10, "dmft", register_dmft);

} // namespace
} // namespace tdlab::cli
