// `tdlab dmft sweep|phase` (parameter sweeps and 2-D phase diagrams of the mean-field map) and
// `tdlab gather` (merge shards). The `reproduce dmft` figures live in dmft_reproduce.cpp.
#include "cli/cli_common.h"
#include "cli/dmft_sweep_mpi.h"
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
    dmft::GridRunInfo info;
    // Under mpirun (built with -DTDLAB_MPI=ON) rank 0 hands chunks out to the other ranks.
    const MpiOutcome mpi = run_grid_mpi(cfg, kind, o.run.out, shard, info);
    if (mpi == MpiOutcome::Worker) return;
    if (mpi == MpiOutcome::NotMpi) info = dmft::run_grid(cfg, kind, o.run.out, shard);
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

// ---------------------------------------------------------------------------------------------
// `tdlab reproduce dmft`: Fig 3a, 3b (+ Lyapunov panels), the beta = 1.27 census, Figs 4 and 5, report.html.
#include "core/paths.h"
#include "core/run_dir.h"
#include "dmft/context.h"
#include "dmft/finite_n_report.h"
#include "plot/dmft_paper_figures.h"
#include "plot/report.h"

#include <chrono>

namespace tdlab::cli {
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

void reproduce_dmft(const std::string &scale, const std::string &out_s, int threads) {
    namespace fs = std::filesystem;
    const fs::path out = out_s;
    fs::create_directories(out);
    const bool paper = scale == "paper";
    std::vector<ReportSection> sections;
    auto t0 = std::chrono::steady_clock::now();
    auto load = [](const std::string &file, std::vector<std::string> sets) {
        return Config::load(dmft::grid_schema(), resolve_config_path(file), sets);
    };
    for (const char *fig : {"fig3a", "fig3b"}) {
        Config cfg = load(fmt::format("configs/dmft/{}{}.yaml", fig, paper ? "" : "_quick"), {});
        auto info = dmft::run_grid(cfg, dmft::GridKind::Sweep, out / fig, Shard{});
        auto r = dmft::results_from_npz(read_npz(out / fig / "results.npz"), fig);
        sections.push_back({fmt::format("Fig {}: bifurcation diagram ({:.1f} s, {} kernel)", std::string(fig).substr(3),
                                        info.seconds, info.simd),
                            summary_counts(r) +
                                "<p>Top: m<sup>o</sup><sub>1</sub> per beta; light yellow: every sampled point; black: "
                                "periodic columns (paper's count u &lt; 80); orange / purple: the Poincar&eacute; set "
                                "|m<sup>o</sup><sub>2</sub>| &le; 1e-3 of quasi-periodic / chaotic columns. Bottom "
                                "(not in the paper): the largest Lyapunov exponent from the tangent map, coloured by "
                                "the combined label. Data: " +
                                std::string(fig) + "/summary.csv, points.npy.</p>",
                            {std::string(fig) + "/bifurcation.png"}});
    }
    {
        Config cfg = load("configs/dmft/census_127.yaml", {fmt::format("sweep.census={}", paper ? 64 : 16)});
        dmft::run_grid(cfg, dmft::GridKind::Sweep, out / "census_127", Shard{}, false);
        std::string table = "<table><tr><th>attractor</th><th>starts</th><th>label</th><th>period</th>"
                            "<th>&lambda;<sub>1</sub></th><th>0-1 K</th><th>m<sup>o</sup><sub>1</sub> range</th></tr>";
        auto r = dmft::results_from_npz(read_npz(out / "census_127" / "results.npz"), "census");
        for (const auto &row : r.census) {
            table += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.3f}</td>"
                                 "<td>[{:.4f}, {:.4f}]</td></tr>",
                                 row.attractor, row.starts, dynamics::label_name(dynamics::Label(row.label)),
                                 row.period, row.lyapunov, row.chaos01, row.m1_min, row.m1_max);
        }
        sections.push_back({"Attractor census at β = 1.27 (not in the paper)",
                            "<p>Perturbed starts (A-hat &plusmn; 1e-14) from the zoom checkpoint; distinct attractors "
                            "with the number of starts reaching each (census_127/census.csv).</p>" +
                                table + "</table>",
                            {}});
    }
    {
        const std::vector<double> betas{1.255, 1.26405, 1.266, 1.27, 1.28, 1.4};
        Config cfg = load("configs/dmft/fig3b.yaml", {});
        const auto model = dmft::DmftModel::build(dmft::model_params_from(cfg));
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
        check_output_dir(out / "trajectories");
        RunDir run(out / "trajectories", "reproduce dmft (Figs 4, 5)", cfg);
        std::vector<std::vector<double>> windows;
        std::string table = "<table><tr><th>&beta;</th><th>label</th><th>paper's count u</th><th>period</th>"
                            "<th>&lambda;<sub>1</sub></th><th>0-1 K</th><th>flags</th></tr>";
        std::vector<std::string> images{"trajectories/fig4_planes.png"};
        for (size_t k = 0; k < betas.size(); ++k) {
            auto r = dmft::analyse_lane(res[k], lanes[k].dyn, model.params.M, model.params.L, sopt);
            table += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.3f}</td>"
                                 "<td>{}</td></tr>",
                                 betas[k], dynamics::label_name(dynamics::Label(r.label)), r.unique_points, r.period,
                                 r.lyapunov, r.chaos01, dmft::bits_to_flags(r.flags));
            write_npy(run.path(fmt::format("mo_se_beta_{}.npy", betas[k])), res[k].mo_se, {res[k].mo_se.size() / 3, 3});
            const std::string name = fmt::format("fig5_beta_{}", betas[k]);
            plot::draw_time_spectrum_acf(run.path(""), name, betas[k], res[k].mo_se, model.params.M, 12800,
                                         betas[k] == 1.27 ? 250 : 350);
            images.push_back("trajectories/" + name + ".png");
            windows.push_back(res[k].mo_se);
        }
        plot::draw_planes(run.path(""), "fig4_planes", betas, windows, model.params.M);
        run.commit();
        sections.push_back({"Figs 4 and 5: planes, time series, spectra, autocorrelations",
                            "<p>Each beta from the zoom checkpoint (t = 4 .. 119 999, last 20 000 steps), the scalar "
                            "reference kernel. Paper: 1.27 periodic (28 points), 1.255 and 1.26405 quasi-periodic, "
                            "1.266, 1.28, 1.4 chaotic. Spectra: |rfft|<sup>2</sup>/N of m<sup>o</sup><sub>1</sub>, "
                            "dashed line f = 1/L = 0.25.</p>" +
                                table + "</table>",
                            images});
    }
    {
        // Issue 5: the finite-N network against its mean field (written by dmft/finite_n_report).
        dmft::reproduce_finite_n(scale, out / "finite_n");
        sections.push_back({"The finite-N network against the mean field (not in the paper)",
                            "<p>The stochastic network itself (types sampler, same law as the explicit one) for N = "
                            "10<sup>2</sup> &hellip; " +
                                std::string(paper ? "10<sup>9</sup>" : "10<sup>6</sup>") +
                                ": (a) RMS distance to the mean-field periodic orbit times &radic;N; (b) histograms "
                                "of m<sup>o</sup><sub>1</sub> at a chaotic beta; (c) their Wasserstein and "
                                "log-spectrum distances to the mean field; (d) spectra. Tables: <a "
                                "href='finite_n/finite_n.md'>finite_n/finite_n.md</a>, finite_n/*.csv. See "
                                "docs/dmft_finite_n.md.</p>",
                            {"finite_n/finite_n_convergence.png"}});
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sections.insert(sections.begin(),
                    {"About",
                     fmt::format("<p>tdlab reproduce dmft --scale {} ({} threads), {:.1f} s. Poc-L&oacute;pez "
                                 "&amp; Aguilera, Dynamical Mean-Field Theory of Self-Attention Neural "
                                 "Networks (arXiv 2406.07247). See docs/dmft.md.</p>",
                                 scale, configure_threads(threads), secs),
                     {}});
    write_report(out / "report.html", "tdlab: DMFT of self-attention", sections);
    std::fprintf(stderr, "reproduce dmft: %.1f s -> %s/report.html\n", secs, out_s.c_str());
}

ReproducerRegistrar reproducer(10, "dmft", "Figs 3a, 3b, 4, 5 of the DMFT paper + Lyapunov panels + census",
                               reproduce_dmft);

} // namespace
} // namespace tdlab::cli
