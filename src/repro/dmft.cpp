// `tdlab reproduce dmft`: Poc-Lopez & Aguilera 2024, "Dynamical Mean-Field Theory of Self-Attention
// Neural Networks" (arXiv 2406.07247). Fig 3a and 3b (bifurcation diagrams, + Lyapunov panels), the
// attractor census at beta = 1.27, Figs 4 and 5 (planes, time series, spectra, autocorrelations) and the
// finite-N study (finite_n.cpp), into one run directory with report.html. docs/dmft.md describes each.
#include "core/config.h"
#include "core/npy.h"
#include "core/paths.h"
#include "core/run_dir.h"
#include "dmft/basins_config.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"
#include "dmft/sweep_runner.h"
#include "dynamics/spectrum.h"
#include "plot/chaos_figures.h"
#include "plot/dmft_paper_figures.h"
#include "plot/dmft_sweep_figures.h"
#include "plot/report.h"
#include "repro/paper_claims.h"
#include "repro/reproduce.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>

namespace tdlab::repro {

namespace fs = std::filesystem;

namespace {

std::string summary_counts(const dmft::SweepResults &r) {
    int64_t c[4] = {0, 0, 0, 0}, p[4] = {0, 0, 0, 0}, flagged = 0;
    for (const auto &x : r.points) {
        c[x.label] += 1;
        p[x.paper_label] += 1;
        flagged += x.flags != 0;
    }
    return fmt::format("<p>{} values. Combined label: {} periodic, {} quasi-periodic, {} chaotic. The paper's point "
                       "count: {} periodic, {} quasi-periodic, {} chaotic. Values where an indicator disagrees with "
                       "the combined label: {} (see the flags column of summary.csv).</p>",
                       r.points.size(), c[0], c[1], c[2], p[0], p[1], p[2], flagged);
}

Config load_grid_config(const std::string &file, const std::vector<std::string> &sets) {
    return Config::load(dmft::grid_schema(), resolve_config_path(file), sets);
}

// Figs 3a and 3b: the two bifurcation sweeps.
void bifurcation_sections(const fs::path &root, bool paper, std::vector<ReportSection> &sections, DmftMeasured &m) {
    for (const char *fig : {"fig3a", "fig3b"}) {
        const auto spec = dmft::grid_spec_from(
            load_grid_config(fmt::format("configs/dmft/{}{}.yaml", fig, paper ? "" : "_quick"), {}),
            dmft::GridKind::Sweep);
        const auto info = dmft::run_grid(spec, root / fig, Shard{}, plot::draw_grid_figures);
        auto &cols = std::string(fig) == "fig3a" ? m.fig3a : m.fig3b;
        for (const auto &x : info.results.points) cols.push_back({x.beta, x.label, x.period, x.lyapunov, x.max_abs});
        sections.push_back({fmt::format("Fig {}: bifurcation diagram ({:.1f} s, {} kernel)", std::string(fig).substr(3),
                                        info.seconds, info.simd),
                            summary_counts(info.results) +
                                "<p>Top: m<sup>o</sup><sub>1</sub> per beta; light yellow: every sampled point; black: "
                                "periodic columns (paper's count u &lt; 80); orange / purple: the Poincar&eacute; set "
                                "|m<sup>o</sup><sub>2</sub>| &le; 1e-3 of quasi-periodic / chaotic columns. Bottom "
                                "(not in the paper): the largest Lyapunov exponent from the tangent map, coloured by "
                                "the combined label. Data: " +
                                std::string(fig) + "/summary.csv, points.npy.</p>",
                            {std::string(fig) + "/bifurcation.png"}});
    }
}

// The attractor census at beta = 1.27 (not in the paper).
void census_section(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    const auto spec = dmft::grid_spec_from(
        load_grid_config("configs/dmft/census_127.yaml", {fmt::format("sweep.census={}", paper ? 64 : 16)}),
        dmft::GridKind::Sweep);
    const auto info = dmft::run_grid(spec, root / "census_127", Shard{});
    std::string table = "<table><tr><th>attractor</th><th>starts</th><th>label</th><th>period</th>"
                        "<th>&lambda;<sub>1</sub></th><th>0-1 K</th><th>m<sup>o</sup><sub>1</sub> range</th></tr>";
    for (const auto &row : info.results.census) {
        table += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.3f}</td>"
                             "<td>[{:.4f}, {:.4f}]</td></tr>",
                             row.attractor, row.starts, dynamics::label_name(dynamics::Label(row.label)), row.period,
                             row.lyapunov, row.chaos01, row.m1_min, row.m1_max);
    }
    sections.push_back({"Attractor census at β = 1.27 (not in the paper)",
                        "<p>Perturbed starts (A-hat &plusmn; 1e-14) from the zoom checkpoint; distinct attractors "
                        "with the number of starts reaching each (census_127/census.csv).</p>" +
                            table + "</table>",
                        {}});
}

// Beyond the paper's single columns (docs/dmft.md, "Basins, continuation, ..."): the multistability
// map of the Fig 3b window (attractor continuation, seeded, from a ball of radius 0.1 around the zoom
// checkpoint) and the full Lyapunov spectrum with the Kaplan-Yorke dimension against beta.
void multistability_section(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto model = dmft::DmftModel::build(dmft::ModelParams{});
    dmft::DynamicsParams base;
    dmft::MeanFieldMap map(model, base);
    const dmft::Context zoom = dmft::start_context("zoom", map);
    dmft::StartRegion ball;
    ball.kind = dmft::StartRegion::Kind::Ball;
    ball.center = zoom;
    ball.radius = 0.1;
    dmft::ContinuationOptions opt;
    opt.basins.samples = paper ? 1000 : 48;
    opt.basins.steps = 12000;
    opt.basins.transient = 10000;
    opt.basins.max_period = 1000;
    opt.basins.path = dmft::best_simd_path();
    const int64_t count = paper ? 401 : 81;
    std::vector<double> values;
    // The grid formula of `tdlab dmft continuation` (min + (max - min) k / (count - 1)), so that the CLI
    // with configs/dmft/continuation_fig3b.yaml gives these bytes: (1.28 - 1.24) is not 0.04 exactly.
    const double lo = 1.24, hi = 1.28;
    for (int64_t k = 0; k < count; ++k) values.push_back(lo + (hi - lo) * double(k) / double(count - 1));
    const auto r = dmft::continuation(model, base, "beta", values, ball, opt);
    const fs::path dir = root / "multistability";
    fs::create_directories(dir);
    dmft::write_continuation(dir, r, "beta");
    std::vector<plot::MultistablePoint> pts;
    size_t most = 0;
    for (size_t k = 0; k < r.values.size(); ++k) {
        const auto n = double(std::max<size_t>(1, r.per_value[k].ids.size()));
        most = std::max(most, r.per_value[k].attractors.size());
        for (const auto &a : r.per_value[k].attractors) {
            plot::MultistablePoint p{r.values[k], r.track_of[k][size_t(a.id)], int(a.label), double(a.count) / n, {}};
            if (a.period > 0)
                for (size_t i = 0; i < a.period; ++i) p.m1.push_back(a.signature.orbit[i * size_t(model.params.M)]);
            else
                p.m1 = {a.m1_min, a.m1_max};
            pts.push_back(std::move(p));
        }
    }
    plot::draw_multistability(dir, "multistability", "Fig 3b window: every attractor, their number, basin fractions",
                              "β", pts);
    // The spectrum: the scalar reference map from the zoom checkpoint at each beta.
    const int64_t nspec = paper ? 81 : 21;
    std::vector<double> betas(static_cast<size_t>(nspec)), ky(static_cast<size_t>(nspec));
    std::vector<std::vector<double>> spec(static_cast<size_t>(nspec));
    dmft::Context z = zoom;
    z.t %= z.L;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t k = 0; k < nspec; ++k) {
        dmft::DynamicsParams d;
        d.beta = 1.24 + 0.04 * double(k) / double(nspec - 1);
        dmft::MeanFieldMap m(model, d);
        dmft::MapSpectrumOptions so;
        so.steps = paper ? 22000 : 7000;
        so.transient = 2000;
        const auto s = dmft::map_spectrum(m, z, so);
        betas[size_t(k)] = d.beta;
        spec[size_t(k)] = s.exponents;
        ky[size_t(k)] = s.kaplan_yorke;
    }
    plot::draw_lyapunov_spectrum(dir, "spectrum", "Lyapunov spectrum (12 finite exponents) and Kaplan-Yorke dimension",
                                 "β", betas, spec, ky);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sections.push_back(
        {fmt::format("Multistability map and Lyapunov spectrum of the Fig 3b window (not in the paper, {:.1f} s)",
                     secs),
         fmt::format(
             "<p>Attractor continuation over {} values of β with {} fresh starts each (ball of radius 0.1 "
             "around the zoom checkpoint) plus one seed per attractor of the previous value: {} tracks, at most "
             "{} coexisting attractors at one value (multistability/tracks.csv, attractors.csv). The spectrum "
             "panel: QR on the tangent map from the zoom checkpoint; only L M = 12 exponents are finite, and at "
             "γ = 220 the trailing ones are floored by rounding (docs/dmft.md).</p>",
             count, opt.basins.samples, r.tracks.size(), most),
         {"multistability/multistability.png", "multistability/spectrum.png"}});
}

// The window of `width` steps centred on the largest |x| of the series (the first such step): in the
// chaotic regime the excursions between attractor pieces, which a fixed window can miss.
size_t largest_excursion_window(const std::vector<double> &x, size_t width) {
    size_t at = 0;
    for (size_t i = 1; i < x.size(); ++i)
        if (std::fabs(x[i]) > std::fabs(x[at])) at = i;
    return at > width / 2 ? at - width / 2 : 0;
}

// Figs 4 and 5: six betas from the zoom checkpoint on the scalar reference kernel.
void trajectory_section(const fs::path &root, std::vector<ReportSection> &sections, DmftMeasured &m,
                        int64_t fig3b_period_127) {
    const std::vector<double> betas{1.255, 1.26405, 1.266, 1.27, 1.28, 1.4};
    const Config cfg = load_grid_config("configs/dmft/fig3b.yaml", {});
    const auto model = dmft::DmftModel::build(dmft::model_params_from(cfg));
    const int M = model.params.M;
    std::vector<dmft::LaneSpec> lanes;
    for (double b : betas) {
        dmft::DynamicsParams d = dmft::dynamics_params_from(cfg);
        d.beta = b;
        dmft::MeanFieldMap map(model, d);
        lanes.push_back({d, dmft::start_context("zoom", map)});
    }
    auto sopt = dmft::sweep_options_from(cfg, model.params.L);
    sopt.batch.path = dmft::SimdPath::Scalar; // the reference path, bit-identical to `tdlab dmft run`
    auto res = dmft::run_batch(model, lanes, sopt.batch);
    RunDir run(root / "trajectories", "reproduce dmft (Figs 4, 5)", cfg);
    std::vector<std::vector<double>> windows;
    std::string table = "<table><tr><th>&beta;</th><th>label</th><th>paper's count u</th><th>period</th>"
                        "<th>&lambda;<sub>1</sub></th><th>0-1 K</th><th>flags</th></tr>";
    std::vector<plot::Fig5Column> fig5;
    int64_t period_127 = 0;
    for (size_t k = 0; k < betas.size(); ++k) {
        auto r = dmft::analyse_lane(res[k], lanes[k].dyn, M, model.params.L, sopt);
        table += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.3f}</td>"
                             "<td>{}</td></tr>",
                             betas[k], dynamics::label_name(dynamics::Label(r.label)), r.unique_points, r.period,
                             r.lyapunov, r.chaos01, dmft::bits_to_flags(r.flags));
        write_npy(run.path(fmt::format("mo_se_beta_{}.npy", betas[k])), res[k].mo_se, {res[k].mo_se.size() / 3, 3});
        // Fig 5's observables of m^o_1: |rfft|^2 / N (no mean removal, no window) and the raw
        // autocorrelation R_l, l = 0..99 (docs/dmft.md, "Our figures").
        const size_t n = res[k].mo_se.size() / size_t(M);
        std::vector<double> x(n);
        for (size_t i = 0; i < n; ++i) x[i] = res[k].mo_se[i * size_t(M)];
        const auto power = dynamics::power_spectrum(x);
        const auto acf = dynamics::autocorrelation(x, 99);
        // The claims' numbers: the highest peak below f = 1/L and its height over the median level, and the
        // mean |R_l / R_0| beyond the context (l = 5..99).
        DmftMeasured::Trajectory t{betas[k], r.label, r.label == 0 ? r.period : 0, 0, 0, 0};
        size_t peak = 1;
        for (size_t i = 1; i < power.size() && double(i) / double(n) < 0.25; ++i)
            if (power[i] > power[peak]) peak = i;
        std::vector<double> sorted(power.begin() + 1, power.end());
        std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
        t.peak_frequency = double(peak) / double(n);
        t.low_peak_over_median = power[peak] / sorted[sorted.size() / 2];
        for (size_t l = 5; l < acf.size(); ++l) t.acf_beyond_l += std::fabs(acf[l] / acf[0]) / double(acf.size() - 5);
        m.trajectories.push_back(t);
        if (betas[k] == 1.27) period_127 = r.period;
        if (betas[k] == 1.26405 || betas[k] == 1.266) {
            plot::Fig5Column c;
            c.beta = betas[k];
            c.label = betas[k] == 1.266 ? "chaotic" : "quasi-periodic";
            c.x = x, c.power = power, c.acf = acf;
            c.rule_offset = largest_excursion_window(x, c.window);
            c.rule = "centred on the largest |m^o_1|";
            fig5.push_back(std::move(c));
        }
        windows.push_back(res[k].mo_se);
    }
    plot::draw_planes(run.path(""), "fig4_planes", betas, windows, M);
    plot::draw_fig5(run.path(""), "fig5", fig5);
    run.commit();
    sections.push_back(
        {"Figs 4 and 5: planes, time series, spectra, autocorrelations",
         "<p>Each beta from the zoom checkpoint (t = 4 .. 119 999, last 20 000 steps), the scalar reference "
         "kernel. Paper: 1.27 periodic (28 points), 1.255 and 1.26405 quasi-periodic, 1.266, 1.28, 1.4 chaotic. "
         "Fig 5 shows the quasi-periodic β = 1.26405 and the chaotic β = 1.266 side by side: the first row is "
         "the paper's window (350 steps from step 12 800 of the saved segment), the second a window of the "
         "same length centred on the largest |m<sup>o</sup><sub>1</sub>| of the segment (the rule), which at "
         "β = 1.266 catches a switch between attractor pieces that the paper's window misses; then "
         "|rfft|<sup>2</sup>/N on a linear and a log scale (dashed: f = 1/L = 0.25) and R<sub>ℓ</sub>.</p>" +
             fmt::format("<p><b>Which attractor at β = 1.27.</b> The map is multistable there (the census and the "
                         "multistability map above): this figure's run, on the scalar reference kernel, reaches a "
                         "period-{} orbit{}; the Fig 3b column at β = 1.27, on the batched SIMD kernel, reaches a "
                         "period-{} orbit. Both start from the zoom checkpoint: the chaotic transient amplifies the "
                         "kernels' different rounding, and which attractor a run lands on is decided there "
                         "(docs/dmft.md). The paper's Fig 4 shows the 28-point orbit{}.</p>",
                         period_127, period_127 == 28 ? " (the paper's)" : "", fig3b_period_127,
                         period_127 == 28 ? ", the one shown here" : "; the census lists the starts that reach it") +
             table + "</table>",
         {"trajectories/fig4_planes.png", "trajectories/fig5.png"}});
}

} // namespace

void reproduce_dmft(const ReproduceRequest &req) {
    const bool paper = req.scale == "paper";
    const Config record = Config::load(reproduce_schema(), std::nullopt, {"scale=" + req.scale});
    RunDir top(req.out, "reproduce dmft", record, RunDirPolicy{req.force});
    const fs::path root = top.path("");
    std::vector<ReportSection> sections;
    const auto t0 = std::chrono::steady_clock::now();
    DmftMeasured m;
    m.paper_scale = paper;
    bifurcation_sections(root, paper, sections, m);
    // The Fig 3b column nearest beta = 1.27, to say which attractor it shows (multistability).
    int64_t fig3b_period_127 = 0;
    double nearest = INFINITY;
    for (const auto &c : m.fig3b)
        if (std::fabs(c.beta - 1.27) < nearest) nearest = std::fabs(c.beta - 1.27), fig3b_period_127 = c.period;
    census_section(root, paper, sections);
    multistability_section(root, paper, sections);
    trajectory_section(root, sections, m, fig3b_period_127);
    const FiniteNSummary fin = reproduce_finite_n(req.scale, root / "finite_n");
    m.finite_n_slope = fin.slope_beta1, m.finite_n_w1_first = fin.w1_first, m.finite_n_w1_last = fin.w1_last;
    sections.push_back({"The finite-N network against the mean field (not in the paper)",
                        "<p>The stochastic network itself (types sampler, same law as the explicit one) for N = "
                        "10<sup>2</sup> &hellip; " +
                            std::string(paper ? "10<sup>9</sup>" : "10<sup>6</sup>") +
                            ": (a) RMS distance to the mean-field periodic orbit (the grey dashed line is "
                            "N<sup>-1/2</sup>; fitted slope at β = 1: " +
                            fmt::format("{:.3f}", fin.slope_beta1) +
                            "); (b) histograms of m<sup>o</sup><sub>1</sub> at a chaotic beta; (c) their "
                            "Wasserstein and log-spectrum distances to the mean field; (d) spectra. Tables: <a "
                            "href='finite_n/finite_n.md'>finite_n/finite_n.md</a>, finite_n/*.csv. See "
                            "docs/dmft_finite_n.md.</p>",
                        {"finite_n/finite_n_convergence.png"}});
    const auto claims = dmft_claims(m);
    write_claims(root / "claims.json", "dmft", claims);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sections.insert(sections.begin(),
                    {about_section("dmft", req.scale, req.threads, secs,
                                   "the mean-field map is deterministic; the finite-N network and the census use "
                                   "fixed seeds (finite_n.md, census_127/config.yaml)"),
                     claims_section(claims)});
    write_report(root / "report.html", "tdlab: DMFT of self-attention (Poc-López & Aguilera 2024)", sections);
    top.manifest()["scale"] = req.scale;
    top.manifest()["seconds"] = secs;
    top.commit();
    std::fprintf(stderr, "reproduce dmft: %.1f s -> %s/report.html\n", secs, req.out.c_str());
}

} // namespace tdlab::repro
