// `tdlab reproduce birth`: Bietti et al. 2023, "Birth of a Transformer: A Memory Viewpoint" (arXiv
// 2306.00802). Fig 3 (freezing variants), Fig 4 (data variants, output laws, probes), the layer-1 /
// layer-2 attention maps, Fig 2 of the generic transformer with the 1-layer baseline and the head ablation
// (repro/birth_fig2.cpp), into one run directory with report.html; each training run is itself a
// `birth train` run directory (config.yaml, manifest.json) inside it. Variants: birth/experiments.h;
// docs/birth.md describes the figures.
#include "birth/char_stats.h"
#include "birth/experiments.h"
#include "birth/theory.h"
#include "birth/trainer.h"
#include "core/npy.h"
#include "core/paths.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "nn/checkpoint_store.h"
#include "plot/birth_figures.h"
#include "plot/birth_theory_figure.h"
#include "plot/report.h"
#include "repro/birth_runs.h"
#include "repro/birth_seeds.h"
#include "repro/paper_claims.h"
#include "repro/reproduce.h"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <map>

namespace tdlab::repro {

namespace fs = std::filesystem;
using namespace tdlab::birth;

using RunOut = BirthRun;

BirthRun run_birth_variant(const fs::path &base_config, const Variant &v, const fs::path &dir) {
    const Config cfg = Config::load(train_schema(), base_config, v.overrides);
    const TrainOptions opt = train_options_from(cfg);
    RunDir run(dir, "birth train (reproduce birth: " + v.name + ")", cfg);
    std::fprintf(stderr, "  run %s (%s)\n", dir.filename().c_str(), v.label.c_str());
    Progress progress(v.name, uint64_t(opt.max_iters));
    // A config with checkpoints (fig2*.yaml) resumes an interrupted variant from DIR.ckpt.
    TrainResult r =
        train(opt, run.path(""), &progress, opt.checkpoint_every > 0 ? nn::checkpoint_store_for(dir) : fs::path());
    progress.finish();
    plot::draw_birth_run(run.path(""), r.records, v.label, plot::birth_chance(shakespeare_stats().N, opt.train_data));
    run.manifest()["seed"] = opt.seed;
    run.manifest()["train_seconds"] = r.seconds;
    run.commit();
    RunOut out{std::move(r.records), dir, {}};
    out.result = std::move(r);
    return out;
}

namespace {

// The window of sequence 0 with the most in-context queries whose FIRST occurrence of the same token in
// the sequence is also inside the window. The trained layer-2 head mostly attends to the token after the
// first occurrence, so a window of late positions shows rows whose attention lies on keys left of the
// window (an all-white map). Earliest window on ties.
int best_window(const std::vector<int64_t> &x, const std::vector<int64_t> &outs, int T, int width) {
    int best = 0, best_count = -1;
    for (int b = 0; b + width <= T; ++b) {
        int c = 0;
        for (int t = b; t < b + width; ++t) {
            if (outs[size_t(t)] < 2) continue;
            int first = 0;
            while (x[size_t(first)] != x[size_t(t)]) ++first;
            c += first >= b && first < t;
        }
        if (c > best_count) best_count = c, best = b;
    }
    return best;
}

// Fraction of queries t in [t0, t1), t >= 1, whose largest attention weight (first maximum) is on the
// previous position t - 1: the previous-token behaviour of a layer-1 head (score_acc of the official code
// restricted to one sequence, and to all queries rather than those after a trigger).
double previous_token_fraction(const std::vector<float> &att, int T, int t0, int t1) {
    int hits = 0, n = 0;
    for (int t = std::max(1, t0); t < t1; ++t) {
        const float *row = att.data() + size_t(t) * size_t(T);
        hits += int(std::max_element(row, row + t + 1) - row) == t - 1;
        ++n;
    }
    return n ? double(hits) / n : NAN;
}

} // namespace

AttentionMaps draw_birth_maps(const TrainResult &run, const fs::path &fig_dir, const std::string &tag,
                              const std::string &what) {
    const NpyArray &a0 = run.attn_layer0, &a1 = run.attn_layer1;
    const std::vector<int64_t> x64(run.exp_tokens.begin(), run.exp_tokens.end()),
        outs(run.exp_outs.begin(), run.exp_outs.end());
    const int T = int(a0.shape[3]), width = std::min(40, T);
    const std::vector<int> x(x64.begin(), x64.begin() + T);
    // The target of query t is the next token of the sequence (unknown for the last query).
    std::vector<int> y(x.begin() + 1, x.end());
    y.push_back(-1);
    std::vector<std::string> labels;
    for (int k = 0; k < shakespeare_stats().N; ++k) labels.push_back(shakespeare_stats().label(k));
    AttentionMaps maps;
    maps.begin = best_window(std::vector<int64_t>(x64.begin(), x64.begin() + T),
                             std::vector<int64_t>(outs.begin(), outs.begin() + T), T, width);
    maps.end = maps.begin + width;
    for (int l = 0; l < 2; ++l) {
        const auto d = (l == 0 ? a0 : a1).to_double();
        const std::vector<float> att(d.begin(), d.begin() + size_t(T) * size_t(T));
        if (l == 0) {
            maps.prev_all = previous_token_fraction(att, T, 0, T);
            maps.prev_window = previous_token_fraction(att, T, maps.begin, maps.end);
        }
        const std::string name = fmt::format("attn_{}_layer{}", tag, l + 1);
        plot::draw_birth_attention(
            fig_dir, name,
            fmt::format("layer {} attention, {} (positions {}-{})", l + 1, what, maps.begin, maps.end - 1), att, x, y,
            labels, T, maps.begin, maps.end);
        maps.files.push_back(name + ".png");
        if (l == 0) {
            // Nearest to the whole sequence's fraction; the latest such window on ties (the early positions are
            // those the first map already shows).
            double best = INFINITY;
            for (int b = 0; b + width <= T; ++b) {
                const double f = previous_token_fraction(att, T, b, b + width);
                if (std::fabs(f - maps.prev_all) <= best)
                    best = std::fabs(f - maps.prev_all), maps.typical_begin = b, maps.prev_typical = f;
            }
            maps.typical_end = maps.typical_begin + width;
            const std::string typical = name + "_typical";
            plot::draw_birth_attention(fig_dir, typical,
                                       fmt::format("layer 1 attention, {} (positions {}-{}: a typical window)", what,
                                                   maps.typical_begin, maps.typical_end - 1),
                                       att, x, y, labels, T, maps.typical_begin, maps.typical_end);
        }
    }
    maps.files.push_back(fmt::format("attn_{}_layer1_typical.png", tag)); // after the Fig 2 pair
    return maps;
}

std::string previous_token_text(const std::string &what, const AttentionMaps &m) {
    return fmt::format("{}: {:.0f}% of all queries of the sequence, {:.0f}% inside the drawn window (positions "
                       "{}-{}), {:.0f}% in the typical window drawn third (positions {}-{})",
                       what, 100 * m.prev_all, 100 * m.prev_window, m.begin, m.end - 1, 100 * m.prev_typical,
                       m.typical_begin, m.typical_end - 1);
}

double record_value(const nlohmann::json &rec, const std::string &key) {
    if (!rec.contains(key) || !rec[key].is_number()) return NAN;
    const double v = rec[key].get<double>();
    return v == -1.0 ? NAN : v;
}

double final_record_value(const std::vector<nlohmann::json> &rec, const std::string &key) {
    return rec.empty() ? NAN : record_value(rec.back(), key);
}

namespace {

double value_of(const nlohmann::json &rec, const std::string &key) {
    return record_value(rec, key);
}

// The first iteration at which KEY has made half of its change from the first to the last record (a rise,
// or a fall when `falling`); NaN when it changes by less than 0.1 (it never learns).
double half_change(const std::vector<nlohmann::json> &rec, const std::string &key, bool falling = false) {
    if (rec.empty()) return NAN;
    const double a = value_of(rec.front(), key), b = value_of(rec.back(), key);
    const double change = falling ? a - b : b - a;
    if (!(change >= 0.1)) return NAN;
    for (const auto &r : rec) {
        const double v = value_of(r, key);
        if (falling ? v <= a - change / 2 : v >= a + change / 2) return r.value("iter", 0.0);
    }
    return NAN;
}

// The first iteration from which the mean of KEY over five consecutive evaluations reaches LEVEL (NaN if
// never). Accuracies on few in-context positions are noisy: with rare triggers a single evaluation at
// iteration 10 reached 0.5 while the curve stayed below it until iteration 260.
double first_reach(const std::vector<nlohmann::json> &rec, const std::string &key, double level) {
    constexpr size_t kWindow = 5;
    for (size_t i = 0; i + kWindow <= rec.size(); ++i) {
        double mean = 0;
        for (size_t k = i; k < i + kWindow; ++k) mean += value_of(rec[k], key) / double(kWindow);
        if (mean >= level) return rec[i].value("iter", 0.0);
    }
    return NAN;
}

// The onset of a recall probe: the first evaluation from which its hit count (value x n_items) beats chance
// (each item recalled with probability 1/n_keys) at binomial tail < 1e-3, at that evaluation and the next.
// Unlike half_change it does not depend on how many associations the memory holds (65 for W_O^2, K for
// W_K^2 with fixed triggers), only on when each memory starts to form. NaN if never.
double significant_onset(const std::vector<nlohmann::json> &rec, const std::string &key, int n_items, int n_keys) {
    auto significant = [&](const nlohmann::json &r) {
        const double v = value_of(r, key);
        return !std::isnan(v) && binomial_tail(int(std::lround(v * n_items)), n_items, 1.0 / n_keys) < 1e-3;
    };
    for (size_t i = 0; i + 1 < rec.size(); ++i)
        if (significant(rec[i]) && significant(rec[i + 1])) return rec[i].value("iter", 0.0);
    return NAN;
}

// Onsets of W_O^2 (N items over N keys), W_K^2 against all keys (wk1_all_acc: its K or N query tokens over N
// keys) and W_K^1 (n - 1 positions over n - 1 keys, n = min(256, max_length)).
std::array<double, 3> probe_onsets(const std::vector<nlohmann::json> &rec, const TrainOptions &opt, int N) {
    const int k = opt.train_data.fixed_triggers ? opt.train_data.k : N, n = std::min(256, opt.model.max_length) - 1;
    return {significant_onset(rec, "wo1_acc", N, N), significant_onset(rec, "wk1_all_acc", k, N),
            significant_onset(rec, "wk0_acc", n, n)};
}

// The last value of KEY strictly before iteration ITER.
double value_before(const std::vector<nlohmann::json> &rec, const std::string &key, double iter) {
    double v = NAN;
    for (const auto &r : rec)
        if (r.value("iter", 0.0) < iter) v = value_of(r, key);
    return v;
}

double final_value(const std::vector<nlohmann::json> &rec, const std::string &key) {
    return final_record_value(rec, key);
}

// The runs of Figs 3 and 4 and what the claims read from them.
struct Fig34Runs {
    std::vector<SeededRuns> fig3, fig4; // fig3_variants(), fig4_data_variants()
    SeededRuns out_b;                   // fig4_output_variants()[0]
    TrainOptions opt3, opt4;
    int freeze_iter = 0;
};

// The Fig 3 and Fig 4 numbers of the claims, from seed K's runs.
void measure_fig34(BirthMeasured &m, const Fig34Runs &r, size_t k, int N) {
    auto rec = [k](const SeededRuns &s) -> const std::vector<nlohmann::json> & { return s.runs[k].records; };
    const auto &none = rec(r.fig3[0]);
    m.score_acc = final_value(none, "score_acc");
    m.score2_acc = final_value(none, "score2_acc");
    m.rise_wo = half_change(none, "wo1_acc"), m.rise_wk2 = half_change(none, "wk1_acc");
    m.rise_wk1 = half_change(none, "wk0_acc"), m.rise_wk1_64 = half_change(none, "wk0_64_acc");
    m.onset3 = probe_onsets(none, r.opt3, N);
    m.acc_before_thaw_wo_only = value_before(rec(r.fig3[2]), "acc_end", r.freeze_iter);
    m.reach_none = first_reach(none, "acc_end", 0.5);
    m.reach_wo_frozen = first_reach(rec(r.fig3[1]), "acc_end", 0.5);
    m.reach_wk1_frozen = first_reach(rec(r.fig3[3]), "acc_end", 0.5);
    m.reach_wk2_frozen = first_reach(rec(r.fig3[4]), "acc_end", 0.5);
    m.max_iters = double(r.opt3.max_iters);
    const auto &random = rec(r.fig4[0]);
    m.score2_acc_random = final_value(random, "score2_acc");
    m.loss_bigram_final = final_value(random, "loss_bigram");
    for (const auto &x : random)
        if (value_of(x, "loss_bigram") <= m.loss_bigram_final + 0.1) {
            m.bigram_floor_iter = x.value("iter", 0.0);
            break;
        }
    m.head_drop_iter = half_change(random, "loss_head", true);
    m.reach_random = first_reach(random, "acc_end", 0.5);
    m.reach_fixed = first_reach(rec(r.fig4[1]), "acc_end", 0.5);
    m.reach_rare = first_reach(rec(r.fig4[2]), "acc_end", 0.5);
    m.reach_k1 = first_reach(rec(r.fig4[3]), "acc_end", 0.5);
    m.acc_uu = final_value(random, "acc_end_test_unif");
    m.acc_bu = final_value(rec(r.out_b), "acc_end_test_unif");
    m.rise_ff = half_change(random, "ff1_loss", true), m.rise_wo4 = half_change(random, "wo1_acc");
    m.rise_wk2_4 = half_change(random, "wk1_acc"), m.rise_wk1_4 = half_change(random, "wk0_acc");
    m.onset4 = probe_onsets(random, r.opt4, N);
}

// With several seeds: every claim whose measurement depends on the seeded runs, judged on each seed's runs.
ReportSection seeds_section(const BirthMeasured &m0, const Fig34Runs &r, int64_t seed3, int N) {
    const size_t n = r.fig3[0].runs.size();
    std::vector<std::vector<Claim>> per_seed;
    for (size_t k = 0; k < n; ++k) {
        BirthMeasured mk = m0;
        measure_fig34(mk, r, k, N);
        per_seed.push_back(birth_claims(mk));
    }
    std::string h = fmt::format("<p>Figs 3 and 4 were trained with {} seeds (birth.seed = {}..{}); their curves "
                                "are the seeds' mean inside a band from their minimum to their maximum, and the "
                                "tables give mean (min-max). The claims table above reads the first seed. Each "
                                "claim that depends on these runs, judged on every seed:</p><table border=1 "
                                "cellpadding=3><tr><th>claim</th>",
                                n, seed3, seed3 + int64_t(n) - 1);
    for (size_t k = 0; k < n; ++k) h += fmt::format("<th>seed {}</th>", seed3 + int64_t(k));
    h += "<th>holds in</th></tr>";
    for (size_t c = 0; c < per_seed[0].size(); ++c) {
        bool varies = false;
        int holds = 0;
        for (size_t k = 0; k < n; ++k) {
            varies = varies || per_seed[k][c].measured != per_seed[0][c].measured;
            const Verdict v = per_seed[k][c].verdict;
            holds += v == Verdict::Holds || v == Verdict::HoldsAtThisScale;
        }
        const std::string &id = per_seed[0][c].id;
        if (!varies && id.rfind("fig3.", 0) != 0 && id.rfind("fig4.", 0) != 0) continue; // not seeded runs
        h += "<tr><td>" + html_escape(id) + "</td>";
        for (size_t k = 0; k < n; ++k)
            h += "<td title=\"" + html_escape(per_seed[k][c].measured) + "\">" + verdict_name(per_seed[k][c].verdict) +
                 "</td>";
        h += fmt::format("<td>{} of {}</td></tr>", holds, n);
    }
    return {"Seeds: Figs 3 and 4 over several training seeds", h + "</table>", {}};
}

// The top-down gradient steps (docs/birth_theory.md) as a `birth theory` run directory inside the
// reproduction, and its report section: the measured values at step-size multiplier 1 and at the largest
// factor on the memories.
ReportSection theory_section(const fs::path &config, const fs::path &dir, BirthMeasured &m) {
    const Config cfg = Config::load(theory_schema(), config, {});
    const TheorySweep sweep = theory_sweep_from(cfg);
    RunDir run(dir, "birth theory (reproduce birth)", cfg);
    std::fprintf(stderr, "  run %s (three gradient steps from zero)\n", dir.filename().c_str());
    Progress progress("theory", theory_sweep_gradients(sweep), "gradients");
    const auto records = run_theory_sweep(sweep, &progress);
    progress.finish();
    write_theory_outputs(run.path(""), records);
    plot::draw_birth_theory(run.path(""), records, 1.0 / shakespeare_stats().N,
                            sweep.base.data.k > 1 ? 1.0 / sweep.base.data.k : 0.0);
    run.manifest()["seed"] = sweep.base.seed;
    run.commit();
    std::string h = "<p>The simplified model from W_O^2 = W_K^2 = W_K^1 = 0 (" + config.filename().string() +
                    "): one population-gradient step on W_O^2, then on W_K^2, then on W_K^1 (loss on in-context "
                    "tokens, fixed triggers, uniform outputs); the figure sweeps the step sizes. Measured at "
                    "multiplier 1, each probe after its own step:</p><table border=1 cellpadding=3><tr><th>d</th>"
                    "<th>wo1_acc</th><th>wk1_acc</th><th>wk0_acc</th><th>wk0_64_acc</th><th>acc_end</th>"
                    "<th>acc_end, memories x largest factor</th></tr>";
    for (int d : sweep.dims) {
        std::map<std::string, nlohmann::json> at;
        for (const auto &r : records)
            if (r["d"] == d && (r["scale"] == 1.0 || r["step"] == "scaled")) at[r["step"].get<std::string>()] = r;
        auto v = [&](const char *step, const char *key) {
            return at.count(step) && at[step].contains(key) ? fmt::format("{:.3f}", at[step][key].get<double>())
                                                            : std::string("n/a");
        };
        if (at.count("W_K^1") && at.count("scaled")) { // the claim reads the largest d of the sweep
            m.theory_d = d;
            m.theory_wk0 = at["W_K^1"].value("wk0_acc", NAN);
            m.theory_acc_scaled = at["scaled"].value("acc_end", NAN);
        }
        h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", d,
                         v("W_O^2", "wo1_acc"), v("W_K^2", "wk1_acc"), v("W_K^1", "wk0_acc"), v("W_K^1", "wk0_64_acc"),
                         v("W_K^1", "acc_end"), v("scaled", "acc_end"));
    }
    return {"Theory: top-down gradient steps from zero", h + "</table>", {"theory/birth_theory.png"}};
}

} // namespace

void reproduce_birth(const ReproduceRequest &req) {
    const std::string &scale = req.scale;
    const bool quick = scale == "quick";
    const fs::path fig3_cfg = resolve_config_path(quick ? "configs/birth/fig3-quick.yaml" : "configs/birth/fig3.yaml");
    const fs::path fig4_cfg = resolve_config_path(quick ? "configs/birth/fig4-quick.yaml" : "configs/birth/fig4.yaml");
    const Config base3 = Config::load(train_schema(), fig3_cfg, {});
    const Config base4 = Config::load(train_schema(), fig4_cfg, {});
    RunDir run(req.out, "reproduce birth --scale " + scale, base3, RunDirPolicy{req.force});
    const fs::path root = run.path("");
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<ReportSection> sections;
    const int N = shakespeare_stats().N;
    BirthMeasured m;
    m.paper_scale = !quick;

    // Figs 3 and 4, each variant with `seeds` training seeds (--seeds; 3 at quick scale, 1 at paper scale).
    const int seeds = req.seeds > 0 ? req.seeds : (quick ? 3 : 1);
    const int64_t seed3 = base3.get_int("birth.seed"), seed4 = base4.get_int("birth.seed");
    Fig34Runs r;
    r.opt3 = train_options_from(base3), r.opt4 = train_options_from(base4);
    r.freeze_iter = int(base3.get_int("birth.optim.max_iters") * 3 / 10);
    const int freeze_iter = r.freeze_iter;

    // Fig 3
    std::vector<plot::BirthCurve> c3;
    for (const auto &v : fig3_variants(freeze_iter)) {
        r.fig3.push_back(run_seeded_variant(fig3_cfg, v, root / "fig3" / v.name, seeds, seed3));
        c3.push_back(seed_curve(v.label, "fig3_" + v.name + ".dat", r.fig3.back()));
        if (v.name != "none") c3.back().event_iter = freeze_iter, c3.back().event_label = "thaw";
    }
    plot::draw_birth_fig3(root, c3, freeze_iter, plot::birth_chance(N, r.opt3.train_data));
    std::vector<std::pair<std::string, const SeededRuns *>> t3;
    for (size_t i = 0; i < r.fig3.size(); ++i) t3.push_back({c3[i].label, &r.fig3[i]});
    sections.push_back(
        {"Fig. 3: induction head alone, freezing variants",
         "<p>Simplified model, fixed triggers (K = 5), loss on in-context tokens (" + fig3_cfg.filename().string() +
             "). Top: in-context accuracy; bottom: recall of W_O^2, W_K^2, W_K^1 (and W_K^1 on t&lt;64); dotted "
             "line: the thaw of the frozen matrices; dashed lines: chance levels (1/65 for the accuracy and "
             "W_O^2, 1/K for W_K^2). The claims table above says which of the paper's readings hold in this "
             "run.</p>" +
             final_table(t3),
         {"fig3.png"}});

    // Fig 4
    std::vector<plot::BirthCurve> c4d, c4o;
    for (const auto &v : fig4_data_variants()) {
        r.fig4.push_back(run_seeded_variant(fig4_cfg, v, root / "fig4" / v.name, seeds, seed4));
        c4d.push_back(seed_curve(v.label, "fig4_" + v.name + ".dat", r.fig4.back()));
    }
    r.out_b = run_seeded_variant(fig4_cfg, fig4_output_variants()[0], root / "fig4" / "out_b", seeds, seed4);
    // The four output-law curves (two runs, each evaluated on both test laws): acc_end_test of each curve
    // is the chosen test law's accuracy, per seed before the seeds' statistics.
    auto law_curve = [](const SeededRuns &runs, const std::string &key) {
        SeededRuns law;
        for (const auto &run : runs.runs) {
            BirthRun x{run.records, run.dir, {}};
            for (auto &rec : x.records) rec["acc_end_test"] = rec.contains(key) ? rec[key] : nlohmann::json();
            law.runs.push_back(std::move(x));
        }
        law.stats = seed_stats(law.records());
        return law;
    };
    const char *names[] = {"out_uu", "out_ub", "out_bu", "out_bb"};
    const char *labels[] = {"train unif, test unif", "train unif, test bigram", "train bigram, test unif",
                            "train bigram, test bigram"};
    const SeededRuns *law_runs[] = {&r.fig4[0], &r.fig4[0], &r.out_b, &r.out_b};
    const char *law_keys[] = {"acc_end_test_unif", "acc_end_test_bigram", "acc_end_test_unif", "acc_end_test_bigram"};
    for (size_t i = 0; i < 4; ++i)
        c4o.push_back(
            seed_curve(labels[i], std::string("fig4_") + names[i] + ".dat", law_curve(*law_runs[i], law_keys[i])));
    plot::draw_birth_fig4(root, c4d, c4o, c4d[0], plot::birth_chance(N, r.opt4.train_data));
    std::vector<std::pair<std::string, const SeededRuns *>> t4;
    for (size_t i = 0; i < r.fig4.size(); ++i) t4.push_back({c4d[i].label, &r.fig4[i]});
    measure_fig34(m, r, 0, N);
    sections.push_back(
        {"Fig. 4: global vs in-context loss, data variants, probes",
         "<p>Simplified model with W_F, loss on all tokens (" + fig4_cfg.filename().string() +
             "). Left: loss_bigram (dashed) and loss_head (solid) per data variant; centre: acc_end_test for the "
             "train/test output laws; right: the probes and the KL of W_F of the random-trigger run. With K = 1 "
             "the W_K^2 probe is an argmax over one key, so it is undefined (n/a) rather than 1.</p>" +
             final_table(t4) + "<p>Output laws (Fig. 4 centre), final values of the two runs:</p>" +
             output_law_table(r.fig4[0], r.out_b),
         {"fig4.png"}});

    sections.push_back(
        theory_section(resolve_config_path(quick ? "configs/birth/theory-quick.yaml" : "configs/birth/theory.yaml"),
                       root / "theory", m));

    sections.push_back(birth_fig2_section(root, quick, m));

    // Attention maps
    const AttentionMaps maps_f = draw_birth_maps(r.fig3[0].runs[0].result, root, "fixed", "fixed triggers");
    const AttentionMaps maps_r = draw_birth_maps(r.fig4[0].runs[0].result, root, "random", "random triggers");
    std::vector<std::string> maps = maps_f.files;
    maps.insert(maps.end(), maps_r.files.begin(), maps_r.files.end());
    sections.push_back(
        {"Attention maps on an experiment sequence",
         "<p>The simplified model of Figs 3 and 4 (first seed). Rows are queries, columns keys; red squares mark "
         "keys right after an earlier occurrence of the query token, orange squares those whose token is also "
         "the query's next token (the correct copy). The first two maps of each run show the window with the "
         "most in-context queries (the view of the paper's Fig. 2, early in the sequence); the third draws layer "
         "1 on a window whose previous-token share is the whole sequence's. Measured: the layer-1 head's "
         "largest weight lies on the previous token for " +
             previous_token_text("fixed triggers", maps_f) + "; " + previous_token_text("random triggers", maps_r) +
             ". Layer 2 is judged by score2_acc in the claims table (fig2.induction_head_fixed, "
             "fig2.induction_head_random), layer 1 by fig2.previous_token_head.</p>",
         maps});
    if (seeds > 1) sections.push_back(seeds_section(m, r, seed3, N));
    const auto claims = birth_claims(m);
    // What the About section says of the seeds, with the flag that gives them again.
    const std::string seeds_text =
        seeds > 1 ? fmt::format("Figs 3 and 4: birth.seed = {}..{} ({} seeds per variant, --seeds {}); Fig 2: "
                                "birth.seed as configured",
                                seed3, seed3 + seeds - 1, seeds, seeds)
                  : fmt::format("birth.seed = {} for every run (one seed per variant, --seeds 1)", seed3);
    write_claims(root / "claims.json", "birth", claims);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sections.insert(sections.begin(),
                    {about_section("birth", scale, req.threads, secs, seeds_text), claims_section(claims)});
    write_report(root / "report.html", "Birth of a Transformer (" + scale + " scale)", sections);
    run.manifest()["scale"] = scale;
    run.manifest()["seeds"] = seeds;
    run.manifest()["threads"] = req.threads;
    run.manifest()["seconds"] = secs;
    run.commit();
}

} // namespace tdlab::repro
