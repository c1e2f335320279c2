// `tdlab dmft spin`: independent runs of the finite-N stochastic attention network (src/dmft/network.h).
// Same config keys as `dmft run`, where dmft.N is the NETWORK's semantic size, plus:
//   dmft.template_N  semantic units of the weight template (paper: 99) replicated N / template_N times
//   dmft.runs        independent runs (leading axis of every array)
//   dmft.sampler     explicit (every unit drawn) | types (binomial counts per site type, N up to 1e9)
// Writes mo_se, mo, mv, mq, mk, att as [runs, saved steps, M] .npy, t.npy [saved steps], the mean-field
// trajectory from the same start (mf_mo_se.npy [saved steps, M]), final_context.yaml (run 0),
// final_att.npy [runs, M], the template weights, and the figures of run 0 against the mean field.
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "dmft/context.h"
#include "dmft/network_run.h"
#include "dmft/trajectory_tables.h"
#include "dmft/window.h"
#include "plot/dmft_convergence.h"
#include "plot/dmft_figures.h"

#include <fmt/format.h>
#include <memory>

namespace tdlab::cli {
namespace {

ConfigSchema spin_schema() {
    ConfigSchema s;
    // dmft.N is declared first so that it takes precedence over the template meaning in dmft_model_schema.
    s.add_int("dmft.N", 990, 1, 2147483647,
              "semantic units N of the network (segments/file weights: a multiple of dmft.template_N; "
              "authors' finite-N runs: 990)");
    s.merge(dmft::dmft_model_schema());
    s.add_int("dmft.template_N", 99, 1, 100000000, "semantic units of the weight template replicated to N (paper: 99)")
        .add_int("dmft.runs", 8, 1, 1 << 20, "independent runs of the network (leading axis of every array)")
        .add_string("dmft.sampler", "explicit", {"explicit", "types"},
                    "explicit (every unit drawn) or types (binomial counts per site type; N up to 1e9)");
    s.merge(dmft::dmft_window_schema());
    return s;
}

RunBody prepare_dmft_spin(const Config &cfg) {
    dmft::SpinOptions sopt;
    sopt.window = dmft::Window::from(cfg).trajectory();
    sopt.runs = int(cfg.get_int("dmft.runs"));
    sopt.seed = uint64_t(cfg.get_int("dmft.seed"));
    sopt.perturb = cfg.get_double("dmft.perturb");
    const int64_t N = cfg.get_int("dmft.N");
    const auto sampler = dmft::parse_sampler(cfg.get_string("dmft.sampler"));
    // The model keys describe the template: dmft.N there is the template size.
    Config tcfg = cfg;
    tcfg.set("dmft.N", std::to_string(cfg.get_int("dmft.template_N")), "dmft.template_N");
    auto params = dmft::model_params_from(tcfg);
    const auto dyn = dmft::dynamics_params_from(cfg);
    auto netp = std::make_shared<dmft::FiniteNetwork>(dmft::FiniteNetwork::build(params, N, sampler));
    const auto &net = *netp;
    auto mapp = std::make_shared<dmft::MeanFieldMap>(net.mean_field, dyn);
    const dmft::Context start = dmft::start_context(cfg.get_string("dmft.start"), *mapp);
    const int64_t saved = dmft::saved_points(sopt.window, start.t);
    dmft::check_recorded_memory(sopt.runs, saved, params.M);
    return [=](RunDir &run) {
        const auto &net = *netp;
        auto &map = *mapp;
        Progress progress(fmt::format("dmft spin N={} beta={}", N, dyn.beta),
                          uint64_t(sopt.runs) * uint64_t(std::max<int64_t>(0, sopt.window.steps - 1 - start.t)),
                          "steps");
        std::vector<dmft::Context> finals;
        auto runs = dmft::run_network(net, dyn, start, sopt, &progress, &finals);
        progress.finish();
        // The mean field from the same (unperturbed) start, for comparison.
        dmft::Context mf_ctx = start;
        dmft::Trajectory mf = dmft::run_trajectory(map, mf_ctx, sopt.window);
        dmft::write_spin_tables(run.path(""), runs, mf, finals);
        dmft::save_context(run.path("final_context.yaml"), finals[0],
                           fmt::format("final context of network run 0 (N = {}) at beta = {}", N, dyn.beta));
        dmft::save_weights(run.path("weights.npy"), net.mean_field.weights);
        if (runs[0].size() > 0) {
            plot::draw_dmft_trajectory(run.path(""), runs[0],
                                       fmt::format("network N = {}, run 0, β = {}", N, dyn.beta));
            plot::draw_spin_vs_mean_field(run.path(""), runs, mf, fmt::format("N = {}, β = {}", N, dyn.beta));
        }
        auto &m = run.manifest();
        m["saved_steps"] = runs[0].size();
        m["runs"] = sopt.runs;
        m["N"] = N;
        m["template_N"] = net.mean_field.weights.N;
        m["replicas"] = net.replicas;
        m["site_types"] = net.S;
        m["sampler"] = dmft::sampler_name(sampler);
        return fmt::format("dmft spin: {} runs x {} saved steps, N = {} ({} sampler) -> {}", sopt.runs, runs[0].size(),
                           N, dmft::sampler_name(sampler), run.out().string());
    };
}

void register_spin(CLI::App &app) {
    auto *group = app.get_subcommand("dmft");
    static RunOptions spin_opt;
    auto *spin = group->add_subcommand(
        "spin", "run the finite-N stochastic network (runs x saved steps x M arrays) beside its mean field");
    add_run_options(spin, spin_opt);
    spin->callback([] { run_command(spin_opt, "dmft spin", spin_schema(), prepare_dmft_spin); });
}

GroupRegistrar registrar(12, "dmft-spin", register_spin);

} // namespace
} // namespace tdlab::cli
