// `tdlab reproduce dmft-multistate`: the DMFT of the 1-bit self-attention network (Poc-Lopez & Aguilera
// 2024, arXiv 2406.07247) with non-binary tokens, the extension the paper's discussion proposes (tanh ->
// softmax; docs/dmft_multistate.md). A separate reproduction rather than a section of `reproduce dmft`:
// the paper has no such figure, and keeping it apart leaves the binary run directory (and `make demo`)
// exactly as before. Contents: the ternary analogues of Fig 3a and 3b (bifurcation diagrams with the
// lambda_1 panel), planes (Fig 4 style) at chosen betas, the weak-field scaling check, and the finite-N
// convergence of ternary and Potts q = 3 networks.
#include "core/config.h"
#include "core/paths.h"
#include "core/run_dir.h"
#include "dmft/context.h"
#include "dmft/network.h"
#include "dmft/sweep_runner.h"
#include "plot/dmft_multistate_figures.h"
#include "plot/dmft_paper_figures.h"
#include "plot/dmft_sweep_figures.h"
#include "plot/report.h"
#include "repro/reproduce.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>

namespace tdlab::repro {

namespace fs = std::filesystem;

namespace {

// Maximal runs of equal (combined label, period) along the grid: the transitions, to the grid's step.
std::string segments_table(const dmft::SweepResults &r) {
    std::string t = "<table><tr><th>&beta; from</th><th>&beta; to</th><th>points</th><th>label</th>"
                    "<th>period</th><th>max &lambda;<sub>1</sub></th></tr>";
    size_t k = 0;
    int rows = 0;
    while (k < r.points.size() && rows < 400) {
        size_t e = k;
        double lmax = r.points[k].lyapunov;
        while (e + 1 < r.points.size() && r.points[e + 1].label == r.points[k].label &&
               r.points[e + 1].period == r.points[k].period) {
            ++e;
            lmax = std::max(lmax, r.points[e].lyapunov);
        }
        t += fmt::format("<tr><td>{:.5g}</td><td>{:.5g}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td></tr>",
                         r.points[k].beta, r.points[e].beta, e - k + 1,
                         dynamics::label_name(dynamics::Label(r.points[k].label)), r.points[k].period, lmax);
        k = e + 1;
        ++rows;
    }
    return t + "</table>";
}

void bifurcation_sections(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    for (const char *fig : {"fig3a_ternary", "fig3b_ternary"}) {
        const Config cfg =
            Config::load(dmft::grid_schema(),
                         resolve_config_path(fmt::format("configs/dmft/{}{}.yaml", fig, paper ? "" : "_quick")), {});
        const auto spec = dmft::grid_spec_from(cfg, dmft::GridKind::Sweep);
        const auto info = dmft::run_grid(spec, root / fig, Shard{}, plot::draw_grid_figures);
        sections.push_back(
            {fmt::format("Ternary {}: bifurcation diagram ({} betas, {:.1f} s, {} kernel)", fig,
                         info.results.points.size(), info.seconds, info.simd),
             "<p>Tokens {-1, 0, +1}; every beta from the ternary model's own checkpoint (a cold start run at the "
             "largest beta). Top: m<sup>o</sup><sub>1</sub>; bottom: &lambda;<sub>1</sub> from the tangent map. "
             "Runs of equal (label, period) along the grid:</p>" +
                 segments_table(info.results),
             {std::string(fig) + "/bifurcation.png"}});
    }
}

// One lane per beta of `model`, each from `start(map)`.
template <class Start>
std::vector<dmft::LaneSpec> lanes_for(const dmft::DmftModel &model, const std::vector<double> &betas, Start start) {
    std::vector<dmft::LaneSpec> lanes;
    for (double b : betas) {
        dmft::DynamicsParams d;
        d.beta = b;
        dmft::MeanFieldMap map(model, d);
        lanes.push_back({d, start(map)});
    }
    return lanes;
}

// Fig 4-style planes of the ternary model at chosen betas, each from a cold start.
void planes_section(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    const std::vector<double> betas{1.5, 1.9, 1.95, 2.2, 2.6, 3.5};
    dmft::ModelParams p;
    p.tokens = "ternary";
    const auto model = dmft::DmftModel::build(p);
    const auto lanes = lanes_for(model, betas, [&](dmft::MeanFieldMap &map) {
        dmft::Context c = map.cold_start(); // run until the ring buffer is full (run_batch needs it)
        for (int k = 0; k < 2 * p.L; ++k) map.step(c);
        return c;
    });
    dmft::BatchOptions opt;
    opt.steps = paper ? 120000 : 40000;
    opt.transient = opt.steps - 20000;
    opt.lyapunov = true;
    opt.path = dmft::SimdPath::Scalar;
    const auto res = dmft::run_batch(model, lanes, opt);
    const fs::path dir = root / "planes";
    fs::create_directories(dir);
    std::vector<std::vector<double>> windows;
    std::string table = "<table><tr><th>&beta;</th><th>&lambda;<sub>1</sub></th><th>max |m<sup>o</sup>|</th></tr>";
    for (size_t k = 0; k < betas.size(); ++k) {
        windows.push_back(res[k].mo_se);
        table += fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{:.4f}</td></tr>", betas[k], res[k].lyapunov,
                             res[k].max_abs);
    }
    plot::draw_planes(dir, "planes", betas, windows, p.M);
    sections.push_back({"Ternary planes (m<sup>o</sup><sub>1</sub>, m<sup>o</sup><sub>2</sub>) (Fig 4 style)",
                        fmt::format("<p>Each beta from a cold start, t up to {}, last 20 000 steps, scalar reference "
                                    "kernel.</p>",
                                    opt.steps - 1) +
                            table + "</table>",
                        {"planes/planes.png"}});
}

// Max |m^o_a| over the last 400 steps of a run from the Fig 3a checkpoint (scalar reference kernel).
std::vector<std::array<double, 3>> amplitudes(const dmft::ModelParams &p, const std::vector<double> &betas,
                                              int64_t steps) {
    const auto model = dmft::DmftModel::build(p);
    const auto lanes =
        lanes_for(model, betas, [](dmft::MeanFieldMap &map) { return dmft::start_context("fig3a", map); });
    dmft::BatchOptions opt;
    opt.steps = lanes[0].start.t + steps;
    opt.transient = opt.steps - 400;
    opt.path = dmft::SimdPath::Scalar;
    std::vector<std::array<double, 3>> out;
    for (size_t k0 = 0; k0 < lanes.size(); k0 += dmft::kLanes) {
        const std::vector<dmft::LaneSpec> part(lanes.begin() + long(k0),
                                               lanes.begin() + long(std::min(lanes.size(), k0 + dmft::kLanes)));
        for (const auto &r : dmft::run_batch(model, part, opt)) {
            std::array<double, 3> a{};
            for (size_t i = 0; i < r.mo_se.size(); ++i) a[i % 3] = std::max(a[i % 3], std::fabs(r.mo_se[i]));
            out.push_back(a);
        }
    }
    return out;
}

void weak_field_section(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    const double var_s = 2.0 / 3.0; // Var of the uniform distribution on {-1, 0, 1}
    std::vector<double> bt, bb;
    for (double b = 0.1; b <= 3.0 + 1e-9; b += paper ? 0.02 : 0.1) {
        bt.push_back(b);
        bb.push_back(b * var_s);
    }
    dmft::ModelParams ter;
    ter.tokens = "ternary";
    const auto at = amplitudes(ter, bt, paper ? 40000 : 20000);
    const auto ab = amplitudes(dmft::ModelParams{}, bb, paper ? 40000 : 20000);
    std::vector<plot::Series> amp, rel;
    for (int a = 0; a < 3; ++a) {
        plot::Series st{fmt::format("ternary, m^o_{}", a + 1), {}},
            sb{fmt::format("binary at β Var(S), m^o_{}", a + 1), {}}, sr{fmt::format("m^o_{}", a + 1), {}};
        for (size_t k = 0; k < bt.size(); ++k) {
            st.second.push_back(at[k][size_t(a)]);
            sb.second.push_back(ab[k][size_t(a)]);
            sr.second.push_back(std::max(1e-17, std::fabs(at[k][size_t(a)] / ab[k][size_t(a)] - 1.0)));
        }
        amp.push_back(st);
        amp.push_back(sb);
        rel.push_back(sr);
    }
    const fs::path dir = root / "weak_field";
    fs::create_directories(dir);
    plot::draw_weak_field(dir, "weak_field", bt, amp, rel, var_s);
    std::string table = "<table><tr><th>ternary &beta;</th><th>binary &beta;</th><th>max rel. diff.</th></tr>";
    for (size_t k = 0; k < bt.size(); k += paper ? 5 : 1) {
        double d = 0;
        for (int a = 0; a < 3; ++a) d = std::max(d, rel[size_t(a)].second[k]);
        table += fmt::format("<tr><td>{:.3g}</td><td>{:.4g}</td><td>{:.3g}</td></tr>", bt[k], bb[k], d);
    }
    sections.push_back({"Weak-field scaling check",
                        "<p>F<sub>S</sub>(h) = Var(S) h + O(h<sup>3</sup>) for a symmetric value set, so the "
                        "ternary map at &beta; is the binary map at &beta; Var(S) = 2&beta;/3 to linear order. Both "
                        "from the Fig 3a checkpoint; amplitudes max |m<sup>o</sup><sub>a</sub>| over the last 400 "
                        "steps (weak_field/*.dat).</p>" +
                            table + "</table>",
                        {"weak_field/weak_field.png"}});
}

void convergence_section(const fs::path &root, bool paper, std::vector<ReportSection> &sections) {
    std::vector<double> Ns;
    for (double n = 990; n <= (paper ? 1e9 : 1e6); n *= std::sqrt(10.0)) Ns.push_back(99.0 * std::round(n / 99.0));
    struct Model {
        std::string label;
        dmft::ModelParams p;
    };
    std::vector<Model> models(3);
    models[0].label = "binary";
    models[1].label = "ternary";
    models[1].p.tokens = "ternary";
    models[2].label = "Potts q = 3 (segments)";
    models[2].p.tokens = "potts";
    models[2].p.q = 3;
    models[2].p.potts_weights = "segments";
    const double beta = 1.0;
    const int replicas = paper ? 64 : 32, steps = 400;
    std::vector<plot::Series> rms;
    std::string table = "<table><tr><th>model</th><th>slope of log RMS vs log N</th><th>RMS &radic;N (first .. "
                        "last N)</th></tr>";
    for (const auto &m : models) {
        const dmft::DynamicsParams d{beta, 220.0, 0.02};
        const auto base = dmft::FiniteNetwork::build(m.p, 99, dmft::Sampler::Types);
        dmft::MeanFieldMap map(base.mean_field, d);
        dmft::Context start = dmft::start_context("fig3a", map);
        for (int t = 0; t < 4000; ++t) map.step(start);
        plot::Series s{m.label, {}};
        for (double N : Ns) {
            const auto net = dmft::FiniteNetwork::build(m.p, int64_t(N), dmft::Sampler::Types);
            std::vector<double> sq(static_cast<size_t>(replicas), 0.0);
#pragma omp parallel for schedule(dynamic, 1)
            for (int r = 0; r < replicas; ++r) {
                dmft::NetworkSampler ns(net, d, 11, uint64_t(r));
                dmft::MeanFieldMap mf(base.mean_field, d);
                dmft::Context cn = start, cm = start;
                for (int t = 0; t < steps; ++t) {
                    const auto rn = ns.step(cn);
                    const auto rm = mf.step(cm);
                    for (int a = 0; a < 3; ++a)
                        sq[size_t(r)] += (rn.mo_se[a] - rm.mo_se[a]) * (rn.mo_se[a] - rm.mo_se[a]);
                }
            }
            double total = 0;
            for (double v : sq) total += v;
            s.second.push_back(std::sqrt(total / (double(replicas) * steps * 3)));
        }
        double mx = 0, my = 0, sxy = 0, sxx = 0;
        const double n = double(Ns.size());
        for (size_t k = 0; k < Ns.size(); ++k) mx += std::log(Ns[k]) / n, my += std::log(s.second[k]) / n;
        for (size_t k = 0; k < Ns.size(); ++k) {
            sxy += (std::log(Ns[k]) - mx) * (std::log(s.second[k]) - my);
            sxx += (std::log(Ns[k]) - mx) * (std::log(Ns[k]) - mx);
        }
        table += fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{:.4f} .. {:.4f}</td></tr>", m.label, sxy / sxx,
                             s.second.front() * std::sqrt(Ns.front()), s.second.back() * std::sqrt(Ns.back()));
        rms.push_back(s);
    }
    const fs::path dir = root / "finite_n";
    fs::create_directories(dir);
    plot::draw_token_convergence(dir, "convergence", Ns, rms,
                                 "finite-N network vs mean field on the period-4 orbit, β = 1.0 (types sampler)");
    sections.push_back({"Finite-N convergence: binary, ternary, Potts q = 3",
                        fmt::format("<p>{} replicas, {} steps from the mean-field attractor (Fig 3a checkpoint + 4000 "
                                    "steps), RMS over time, replicas and features of m<sup>o</sup>(N) - "
                                    "m<sup>o</sup>(MF); multinomial site-type sampler.</p>",
                                    replicas, steps) +
                            table + "</table>",
                        {"finite_n/convergence.png"}});
}

} // namespace

void reproduce_dmft_multistate(const ReproduceRequest &req) {
    const bool paper = req.scale == "paper";
    const Config record = Config::load(reproduce_schema(), std::nullopt, {"scale=" + req.scale});
    RunDir top(req.out, "reproduce dmft-multistate", record, RunDirPolicy{req.force});
    const fs::path root = top.path("");
    std::vector<ReportSection> sections;
    const auto t0 = std::chrono::steady_clock::now();
    bifurcation_sections(root, paper, sections);
    planes_section(root, paper, sections);
    weak_field_section(root, paper, sections);
    convergence_section(root, paper, sections);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sections.insert(sections.begin(),
                    {"About",
                     fmt::format("<p>tdlab reproduce dmft-multistate --scale {} ({} threads), {:.1f} s. The DMFT of "
                                 "Poc-L&oacute;pez &amp; Aguilera (arXiv 2406.07247) with ternary and Potts tokens "
                                 "(the paper's tanh replaced by the per-unit softmax mean). See "
                                 "docs/dmft_multistate.md.</p>",
                                 req.scale, req.threads, secs),
                     {}});
    write_report(root / "report.html", "tdlab: DMFT with non-binary tokens", sections);
    top.manifest()["scale"] = req.scale;
    top.commit();
    std::fprintf(stderr, "reproduce dmft-multistate: %.1f s -> %s/report.html\n", secs, req.out.c_str());
}

} // namespace tdlab::repro
