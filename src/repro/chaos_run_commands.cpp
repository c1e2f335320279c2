// The bodies of `tdlab dmft basins`, `tdlab dmft continuation` and `tdlab analyze` (beyond the paper:
// basins of attraction, attractor continuation and the model-independent toolbox; docs/dmft.md). Shared by
// the CLI and any other front end, like the other run commands (repro/run_commands.h).
#include "core/error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "dmft/basins_config.h"
#include "dmft/context.h"
#include "dmft/params.h"
#include "dmft/window.h"
#include "dynamics/series_analysis.h"
#include "plot/chaos_figures.h"
#include "repro/run_commands.h"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace tdlab::repro {
namespace {

std::vector<plot::FractionBar> fraction_bars(const dmft::BasinsResult &r) {
    std::vector<plot::FractionBar> bars;
    for (const auto &f : r.fractions) {
        const auto &a = r.attractors[size_t(f.id)];
        bars.push_back({a.period ? fmt::format("#{} period {}", a.id, a.period)
                                 : fmt::format("#{} {}", a.id, dynamics::label_name(a.label)),
                        f.fraction, f.ci.lo, f.ci.hi});
    }
    return bars;
}

} // namespace

ConfigSchema basins_command_schema() {
    return dmft::dmft_model_schema().merge(dmft::dmft_window_schema()).merge(dmft::basins_schema());
}
ConfigSchema continuation_command_schema() {
    return basins_command_schema().merge(dmft::continuation_schema());
}

RunBody prepare_basins(const Config &cfg) {
    dmft::Window::from(cfg); // the one transient < steps check
    auto model = std::make_shared<dmft::DmftModel>(dmft::DmftModel::build(dmft::model_params_from(cfg)));
    const auto dyn = dmft::dynamics_params_from(cfg);
    dmft::MeanFieldMap map(*model, dyn);
    const auto region = dmft::region_from(cfg, map);
    const auto opt = dmft::basins_options_from(cfg);
    return [=](RunDir &run) {
        const auto r = dmft::basins(*model, dyn, region, opt);
        dmft::write_basins(run.path(""), r);
        plot::draw_basin_fractions(run.path(""), "fractions",
                                   fmt::format("basins at β = {}: {}", dyn.beta, region.describe()), fraction_bars(r));
        run.manifest()["region"] = region.describe();
        run.manifest()["attractors"] = r.attractors.size();
        return fmt::format("dmft basins: {} starts, {} attractors ({}) -> {}", r.ids.size(), r.attractors.size(),
                           region.describe(), run.out().string());
    };
}

RunBody prepare_continuation(const Config &cfg) {
    dmft::Window::from(cfg);
    auto model = std::make_shared<dmft::DmftModel>(dmft::DmftModel::build(dmft::model_params_from(cfg)));
    const auto base = dmft::dynamics_params_from(cfg);
    dmft::MeanFieldMap map(*model, base);
    const auto region = dmft::region_from(cfg, map);
    dmft::ContinuationOptions opt;
    opt.basins = dmft::basins_options_from(cfg);
    opt.match_distance = cfg.get_double("continuation.match_distance");
    opt.gap = size_t(cfg.get_int("continuation.gap"));
    const std::string param = cfg.get_string("continuation.param");
    const double lo = cfg.get_double("continuation.min"), hi = cfg.get_double("continuation.max");
    const int64_t count = cfg.get_int("continuation.count");
    if (hi < lo)
        throw UsageError(
            fmt::format("config keys 'continuation.min' = {} and 'continuation.max' = {}: need min <= max", lo, hi));
    std::vector<double> values;
    for (int64_t k = 0; k < count; ++k)
        values.push_back(count > 1 ? lo + (hi - lo) * double(k) / double(count - 1) : lo);
    return [=](RunDir &run) {
        Progress progress("dmft continuation", uint64_t(values.size()), "values");
        const auto r = dmft::continuation(*model, base, param, values, region, opt, [&](size_t) { progress.add(1); });
        progress.finish();
        dmft::write_continuation(run.path(""), r, param);
        std::vector<plot::MultistablePoint> pts;
        for (size_t k = 0; k < r.values.size(); ++k) {
            const auto n = double(std::max<size_t>(1, r.per_value[k].ids.size()));
            for (const auto &a : r.per_value[k].attractors) {
                plot::MultistablePoint p{
                    r.values[k], r.track_of[k][size_t(a.id)], int(a.label), double(a.count) / n, {}};
                if (a.period > 0)
                    for (size_t i = 0; i < a.period; ++i) p.m1.push_back(a.signature.orbit[i * 3]);
                else
                    p.m1 = {a.m1_min, a.m1_max};
                pts.push_back(std::move(p));
            }
        }
        plot::draw_multistability(run.path(""), "multistability",
                                  fmt::format("attractors, their number and basin fractions ({})", region.describe()),
                                  param == "beta" ? "β" : param, pts);
        run.manifest()["tracks"] = r.tracks.size();
        run.manifest()["values"] = r.values.size();
        return fmt::format("dmft continuation: {} values x {} starts, {} tracks -> {}", r.values.size(),
                           opt.basins.samples, r.tracks.size(), run.out().string());
    };
}

ConfigSchema analyze_schema() {
    ConfigSchema s;
    s.add_int("analyze.max_period", 2000, 1, 1000000, "longest period looked for")
        .add_double("analyze.period_tol", 1e-8, 0.0, 1e9, "return distance of an exact period")
        .add_int("analyze.multiple_of", 1, 1, 1000000, "only periods that are multiples of this (a forcing period)")
        .add_int("analyze.max_lag", 1000, 1, 100000000, "autocorrelation lags")
        .add_int("analyze.embed_dim", 3, 1, 64, "delay-embedding dimension of a scalar series for D2")
        .add_int("analyze.embed_lag", 1, 1, 1000000, "delay-embedding lag")
        .add_int("analyze.theiler", 0, 0, 1000000000, "Theiler window of the correlation sum (steps)")
        .add_int("analyze.max_points", 10000, 100, 1000000, "points of the correlation sum (even subsampling)");
    return s;
}

RunBody prepare_analyze(const std::filesystem::path &series_path, const Config &cfg) {
    if (!std::filesystem::exists(series_path)) throw UsageError("analyze: no such file: " + series_path.string());
    const auto arr = read_npy(series_path);
    if (arr.shape.empty() || arr.shape.size() > 2 || arr.size() == 0)
        throw UsageError(fmt::format("analyze: {} must be a non-empty [n] or [n][dim] array", series_path.string()));
    const size_t dim = arr.shape.size() == 2 ? arr.shape[1] : 1;
    auto x = std::make_shared<std::vector<double>>(arr.to_double());
    for (double v : *x)
        if (!std::isfinite(v)) throw UsageError("analyze: " + series_path.string() + " holds a non-finite value");
    dynamics::SeriesOptions so;
    so.max_period = size_t(cfg.get_int("analyze.max_period"));
    so.period_tol = cfg.get_double("analyze.period_tol");
    so.multiple_of = size_t(cfg.get_int("analyze.multiple_of"));
    so.max_lag = size_t(cfg.get_int("analyze.max_lag"));
    so.embed_dim = size_t(cfg.get_int("analyze.embed_dim"));
    so.embed_lag = size_t(cfg.get_int("analyze.embed_lag"));
    so.correlation.theiler = size_t(cfg.get_int("analyze.theiler"));
    so.correlation.max_points = size_t(cfg.get_int("analyze.max_points"));
    return [=](RunDir &run) {
        const auto a = dynamics::analyze_series(*x, dim, so);
        dynamics::write_series_analysis(run.path(""), a, series_path.string());
        plot::draw_correlation_sum(run.path(""), "correlation_sum", "Grassberger-Procaccia correlation sum", a.d2.sum.r,
                                   a.d2.sum.c, a.d2.r_lo, a.d2.r_hi, a.d2.d2);
        return fmt::format("analyze: {} steps x {}: {} (period {}, K = {:.3f}, D2 = {:.3f} on [{:.3g}, {:.3g}]) -> {}",
                           a.n, a.dim, dynamics::label_name(a.label.label), a.period, a.chaos01, a.d2.d2, a.d2.r_lo,
                           a.d2.r_hi, run.out().string());
    };
}

} // namespace tdlab::repro
