// The bodies of `tdlab dmft run` and `tdlab dmft spin` (Poc-Lopez & Aguilera 2024, arXiv 2406.07247; the
// equations in docs/dmft_map.md, the finite-N network in docs/dmft_finite_n.md).
//   dmft run    one trajectory: the saved window of mo_se, mo, mv, mq, mk, att as .npy plus figures
//   dmft spin   independent runs of the finite-N stochastic network beside its mean field. Same keys as
//               `dmft run`, where dmft.N is the NETWORK's semantic size, plus dmft.template_N (units of
//               the weight template, paper: 99, replicated N / template_N times), dmft.runs (leading
//               axis of every array) and dmft.sampler (explicit | types: binomial counts per site type).
#include "core/error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "dmft/context.h"
#include "dmft/network_run.h"
#include "dmft/trajectory.h"
#include "dmft/trajectory_tables.h"
#include "dmft/window.h"
#include "plot/dmft_convergence.h"
#include "plot/dmft_figures.h"
#include "repro/dmft_run_job.h"
#include "repro/run_commands.h"

#include <algorithm>
#include <fmt/format.h>
#include <memory>

namespace tdlab::repro {

ConfigSchema dmft_run_schema() {
    return dmft::dmft_model_schema()
        .merge(dmft::dmft_window_schema())
        .merge(dmft::spectrum_schema())
        .merge(dmft::dimension_schema());
}

DmftRunJob DmftRunJob::prepare(const Config &cfg) {
    DmftRunJob j;
    j.window = dmft::Window::from(cfg).trajectory();
    const auto params = dmft::model_params_from(cfg);
    j.dyn = dmft::dynamics_params_from(cfg);
    j.model = std::make_shared<dmft::DmftModel>(dmft::DmftModel::build(params));
    j.map = std::make_shared<dmft::MeanFieldMap>(*j.model, j.dyn);
    j.ctx = std::make_shared<dmft::Context>(dmft::start_context(cfg.get_string("dmft.start"), *j.map));
    dmft::Window::from(cfg).check_start(j.ctx->t, cfg.get_string("dmft.start"));
    dmft::check_recorded_memory(1, dmft::saved_points(j.window, j.ctx->t), params.M);
    dmft::perturb_context(*j.ctx, cfg.get_double("dmft.perturb"), uint64_t(cfg.get_int("dmft.seed")), 0);
    j.spectrum = cfg.get_bool("spectrum.enabled");
    j.spectrum_options = dmft::spectrum_options_from(cfg);
    j.dimension = dmft::dimension_options_from(cfg);
    if (j.spectrum && j.spectrum_options.k > dmft::state_dim(*j.ctx))
        throw UsageError(fmt::format("config key 'spectrum.k' = {} exceeds the state dimension {}",
                                     j.spectrum_options.k, dmft::state_dim(*j.ctx)));
    return j;
}

uint64_t DmftRunJob::remaining_steps() const {
    return uint64_t(std::max<int64_t>(0, window.steps - 1 - ctx->t));
}

dmft::Trajectory DmftRunJob::run(Progress *progress) const {
    return dmft::run_trajectory(*map, *ctx, window, progress);
}

RunBody prepare_dmft_run(const Config &cfg) {
    const DmftRunJob job = DmftRunJob::prepare(cfg);
    return [job](RunDir &run) {
        const auto &dyn = job.dyn;
        if (job.spectrum) {
            // The same window from the same start: lambda_1 here is the sweeps' lambda_1 (map_spectrum.h).
            const auto s = dmft::map_spectrum(*job.map, *job.ctx, job.spectrum_options);
            write_npy(run.path("lyapunov_spectrum.npy"), s.exponents, {1, s.exponents.size()});
            run.manifest()["kaplan_yorke"] = s.kaplan_yorke;
            run.manifest()["lyapunov_spectrum"] = s.exponents;
        }
        Progress progress(fmt::format("dmft run beta={}", dyn.beta), job.remaining_steps(), "steps");
        dmft::Trajectory traj = job.run(&progress);
        progress.finish();
        dmft::write_trajectory_tables(run.path(""), traj);
        if (job.dimension.enabled)
            run.manifest()["correlation_dimension"] =
                dmft::dimensions_json(dmft::run_dimensions(traj, job.dimension), job.dimension);
        dmft::save_context(run.path("final_context.yaml"), *job.ctx,
                           fmt::format("final context of a run at beta = {}", dyn.beta));
        dmft::save_weights(run.path("weights.npy"), job.model->weights);
        if (traj.size() > 0) plot::draw_dmft_trajectory(run.path(""), traj, fmt::format("β = {}", dyn.beta));
        run.manifest()["saved_steps"] = traj.size();
        run.manifest()["final_t"] = job.ctx->t;
        return fmt::format("dmft run: {} saved steps (t = {}..{}) -> {}", traj.size(), traj.size() ? traj.t.front() : 0,
                           traj.size() ? traj.t.back() : 0, run.out().string());
    };
}

ConfigSchema dmft_spin_schema() {
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

DmftSpinJob DmftSpinJob::prepare(const Config &cfg) {
    DmftSpinJob j;
    j.options.window = dmft::Window::from(cfg).trajectory();
    j.options.runs = int(cfg.get_int("dmft.runs"));
    j.options.seed = uint64_t(cfg.get_int("dmft.seed"));
    j.options.perturb = cfg.get_double("dmft.perturb");
    j.N = cfg.get_int("dmft.N");
    j.sampler = dmft::parse_sampler(cfg.get_string("dmft.sampler"));
    // The model keys describe the template: dmft.N there is the template size.
    Config tcfg = cfg;
    tcfg.set("dmft.N", std::to_string(cfg.get_int("dmft.template_N")), "dmft.template_N");
    auto params = dmft::model_params_from(tcfg);
    j.dyn = dmft::dynamics_params_from(cfg);
    j.net = std::make_shared<dmft::FiniteNetwork>(dmft::FiniteNetwork::build(params, j.N, j.sampler));
    j.map = std::make_shared<dmft::MeanFieldMap>(j.net->mean_field, j.dyn);
    j.start = dmft::start_context(cfg.get_string("dmft.start"), *j.map);
    dmft::Window::from(cfg).check_start(j.start.t, cfg.get_string("dmft.start"));
    dmft::check_recorded_memory(j.options.runs, dmft::saved_points(j.options.window, j.start.t), params.M);
    return j;
}

uint64_t DmftSpinJob::total_steps() const {
    return uint64_t(options.runs) * uint64_t(std::max<int64_t>(0, options.window.steps - 1 - start.t));
}

nlohmann::json DmftSpinJob::manifest(size_t saved_steps) const {
    return {{"saved_steps", saved_steps},
            {"runs", options.runs},
            {"N", N},
            {"template_N", net->mean_field.weights.N},
            {"replicas", net->replicas},
            {"site_types", net->S},
            {"sampler", dmft::sampler_name(sampler)}};
}

DmftSpinJob::Result DmftSpinJob::run(Progress *progress) const {
    Result r;
    r.runs = dmft::run_network(*net, dyn, start, options, progress, &r.finals);
    dmft::Context mf_ctx = start;
    r.mean_field = dmft::run_trajectory(*map, mf_ctx, options.window);
    return r;
}

RunBody prepare_dmft_spin(const Config &cfg) {
    const DmftSpinJob job = DmftSpinJob::prepare(cfg);
    return [job](RunDir &run) {
        const auto &net = *job.net;
        const auto &dyn = job.dyn;
        const int64_t N = job.N;
        Progress progress(fmt::format("dmft spin N={} beta={}", N, dyn.beta), job.total_steps(), "steps");
        auto res = job.run(&progress);
        progress.finish();
        const auto &runs = res.runs;
        dmft::write_spin_tables(run.path(""), runs, res.mean_field, res.finals);
        dmft::save_context(run.path("final_context.yaml"), res.finals[0],
                           fmt::format("final context of network run 0 (N = {}) at beta = {}", N, dyn.beta));
        dmft::save_weights(run.path("weights.npy"), net.mean_field.weights);
        if (runs[0].size() > 0) {
            plot::draw_dmft_trajectory(run.path(""), runs[0],
                                       fmt::format("network N = {}, run 0, β = {}", N, dyn.beta));
            plot::draw_spin_vs_mean_field(run.path(""), runs, res.mean_field,
                                          fmt::format("N = {}, β = {}", N, dyn.beta));
        }
        const nlohmann::json entries = job.manifest(runs[0].size()); // items() does not keep a temporary alive
        for (const auto &[k, v] : entries.items()) run.manifest()[k] = v;
        return fmt::format("dmft spin: {} runs x {} saved steps, N = {} ({} sampler) -> {}", job.options.runs,
                           runs[0].size(), N, dmft::sampler_name(job.sampler), run.out().string());
    };
}

} // namespace tdlab::repro
