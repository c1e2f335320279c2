#include "plot/birth_figures.h"

#include "core/atomic_file.h"
#include "plot/gnuplot.h"
#include "plot/style.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace tdlab::plot {

void write_birth_columns(const std::filesystem::path &path, const std::vector<nlohmann::json> &records,
                         const std::vector<std::string> &keys) {
    std::vector<std::vector<double>> cols(keys.size() + 1);
    for (const auto &r : records) {
        cols[0].push_back(r.value("iter", 0.0));
        for (size_t k = 0; k < keys.size(); ++k) {
            double v = std::numeric_limits<double>::quiet_NaN();
            if (r.contains(keys[k]) && r[keys[k]].is_number()) v = r[keys[k]].get<double>();
            if (v == -1.0) v = std::numeric_limits<double>::quiet_NaN(); // "absent" in the code's convention
            cols[k + 1].push_back(v);
        }
    }
    std::vector<std::pair<std::string, const std::vector<double> *>> c{{"iter", &cols[0]}};
    for (size_t k = 0; k < keys.size(); ++k) c.push_back({keys[k], &cols[k + 1]});
    write_columns(path, c);
}

namespace {
const std::vector<std::string> kKeys{"acc_end", "acc_end_test", "loss",       "loss_bigram", "loss_head", "wo1_acc",
                                     "wk1_acc", "wk0_acc",      "wk0_64_acc", "ff1_loss",    "score_acc", "score2_acc"};
// column index (1-based, iter = 1) of a key in kKeys files
int col(const std::string &key) {
    for (size_t i = 0; i < kKeys.size(); ++i)
        if (kKeys[i] == key) return int(i) + 2;
    return 0;
}
const char *kProbeStyle = "set style line 1 lc rgb '#d62728' lw 2\nset style line 2 lc rgb '#1f77b4' lw 2\n"
                          "set style line 3 lc rgb '#2ca02c' lw 2\nset style line 4 lc rgb '#2ca02c' lw 2 dt 2\n"
                          "set style line 5 lc rgb '#9467bd' lw 2\nset style line 6 lc rgb '#ff7f0e' lw 2\n";
// About four major x tics over the run (gnuplot's automatic tics crowd the narrow Fig 3 panels).
std::string xtics(const std::vector<nlohmann::json> &records) {
    const double last = records.empty() ? 1.0 : records.back().value("iter", 1.0);
    return fmt::format("set xtics {}\n", nice_tic_step(last, 4));
}
// The seed band file of a curve (BirthCurve::lo / hi): columns iter, then lo and hi of each of kKeys.
std::string band_file(const BirthCurve &v) {
    const std::string &f = v.file;
    return (f.size() > 4 && f.ends_with(".dat") ? f.substr(0, f.size() - 4) : f) + "_band.dat";
}
void write_band(const std::filesystem::path &dir, const BirthCurve &v) {
    if (v.lo.empty()) return;
    std::vector<nlohmann::json> rows(v.lo.size());
    std::vector<std::string> keys;
    for (const auto &k : kKeys) keys.push_back(k + "_lo"), keys.push_back(k + "_hi");
    for (size_t i = 0; i < rows.size(); ++i) {
        rows[i]["iter"] = v.lo[i].value("iter", 0.0);
        for (const auto &k : kKeys) {
            rows[i][k + "_lo"] = v.lo[i].contains(k) ? v.lo[i][k] : nlohmann::json();
            rows[i][k + "_hi"] = v.hi[i].contains(k) ? v.hi[i][k] : nlohmann::json();
        }
    }
    write_birth_columns(dir / band_file(v), rows, keys);
}
// "plot" items shading KEY's seed band in COLOR under its line ("" for a one-run curve).
std::string band(const BirthCurve &v, const std::string &key, const char *color, const char *axes = "") {
    if (v.lo.empty()) return "";
    const int c = col(key) - 2; // index in kKeys
    return fmt::format("'{}' u 1:{}:{} {}w filledcurves fs transparent solid 0.2 noborder lc rgb '{}' notitle, ",
                       band_file(v), 2 + 2 * c, 3 + 2 * c, axes, color);
}
const char *kProbeColors[] = {"#d62728", "#1f77b4", "#2ca02c", "#2ca02c"}; // ls 1-4 of kProbeStyle
// The four recall probes of one curve; a probe that is null (or negative) in every record of v (wk1_acc with
// K = 1: an argmax over one key) is left out rather than listed in the legend with no line.
std::string probe_plot(const BirthCurve &v) {
    const char *keys[] = {"wo1_acc", "wk1_acc", "wk0_acc", "wk0_64_acc"};
    const char *titles[] = {"W_O^2 (wo1\\_acc)", "W_K^2 (wk1\\_acc)", "W_K^1 (wk0\\_acc)",
                            "W_K^1, t<64 (wk0\\_64\\_acc)"};
    std::string bands, lines;
    for (int i = 0; i < 4; ++i) {
        const bool defined = v.records.empty() || std::any_of(v.records.begin(), v.records.end(), [&](const auto &r) {
                                 return r.contains(keys[i]) && r[keys[i]].is_number() && r[keys[i]] >= 0;
                             });
        if (!defined) continue;
        bands += band(v, keys[i], kProbeColors[i]);
        lines += fmt::format("{}'{}' u 1:{} w l ls {} t '{}'", lines.empty() ? "" : ", ", lines.empty() ? v.file : "",
                             col(keys[i]), i + 1, titles[i]);
    }
    return "plot " + bands + lines + "\n";
}
// Dashed chance levels of the recall probes (R(W_O^2) ~ 1/N, R(W_K^2) ~ 1/K with fixed triggers), each labelled
// with its probe: W_K^1's chance (1/t at position t) is not drawn, and an unnamed 1/65 read as everyone's.
std::string probe_chance(const BirthChance &c, bool labelled) {
    std::string out;
    if (c.token > 0) out += chance_level(1, c.token, labelled ? fmt::format("W_O^2 chance 1/{:.0f}", 1 / c.token) : "");
    if (c.trigger > 0)
        out += chance_level(2, c.trigger, labelled ? fmt::format("W_K^2 chance 1/K = {:g}", c.trigger) : "");
    return out;
}
std::string event(const BirthCurve &v) {
    return v.event_iter >= 0 ? event_marker(3, v.event_iter, v.event_label) : "";
}
} // namespace

BirthChance birth_chance(int vocab, const birth::DataOptions &data) {
    return {1.0 / vocab, data.fixed_triggers && data.k > 1 ? 1.0 / data.k : 0.0};
}

void draw_birth_run(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records,
                    const std::string &title, const BirthChance &chance) {
    write_birth_columns(dir / "metrics.dat", records, kKeys);
    const std::string acc_chance =
        chance.token > 0 ? chance_level(1, chance.token, fmt::format("chance 1/{:.0f}", 1 / chance.token)) : "";
    render_figure(dir, "curves",
                  fmt::format("set multiplot layout 1,2 title '{0}'\nset grid\nset xlabel 'iteration'\n{5}"
                              "set yrange [0:1.05]\nset ylabel 'accuracy'\n{6}"
                              "plot 'metrics.dat' u 1:{1} w l lw 2 t 'acc\\_end (train, in-context)', '' u 1:{2} w l "
                              "lw 2 dt 2 t 'acc\\_end\\_test'\n{7}"
                              "set yrange [0:*]\nset ylabel 'loss (nats)'\n"
                              "plot 'metrics.dat' u 1:{3} w l lw 2 dt 2 t 'loss\\_bigram (global)', '' u 1:{4} w l "
                              "lw 2 t 'loss\\_head (in-context)'\nunset multiplot\n",
                              title, col("acc_end"), col("acc_end_test"), col("loss_bigram"), col("loss_head"),
                              legend_below(), acc_chance, clear_references()),
                  {1200, 500});
    // A 1-layer model defines no probe (all null): no figure rather than an empty axis with a legend.
    const bool any_probe = std::any_of(records.begin(), records.end(), [](const nlohmann::json &r) {
        for (const char *k : {"wo1_acc", "wk1_acc", "wk0_acc", "wk0_64_acc"})
            if (r.contains(k) && r[k].is_number() && r[k].get<double>() >= 0) return true;
        return false;
    });
    if (!any_probe) return;
    BirthCurve run;
    run.label = title, run.file = "metrics.dat"; // the probes read metrics.dat's columns
    run.records = records;                       // which probes are defined
    render_figure(dir, "probes",
                  fmt::format("{0}set title '{1}: memory recall probes'\nset grid\nset xlabel 'iteration'\n"
                              "set ylabel 'recall'\nset yrange [0:1.05]\n{3}{4}{2}",
                              kProbeStyle, title, probe_plot(run), legend_right(), probe_chance(chance, true)),
                  {1000, 500});
}

void draw_birth_fig3(const std::filesystem::path &dir, const std::vector<BirthCurve> &variants, int freeze_iter,
                     const BirthChance &chance) {
    // One legend for the whole figure, in the page margin under the bottom row.
    std::string body =
        fmt::format("{}set multiplot layout 2,{} margins 0.06,0.99,0.17,0.9 spacing 0.035,0.1 title 'Fig. 3: "
                    "induction head alone; frozen matrices thaw at iteration {} (dotted line)'\nset grid\n"
                    "set yrange [0:1.05]\n{}",
                    kProbeStyle, variants.size(), freeze_iter,
                    xtics(variants.empty() ? std::vector<nlohmann::json>{} : variants[0].records));
    for (const auto &v : variants) write_birth_columns(dir / v.file, v.records, kKeys), write_band(dir, v);
    for (size_t i = 0; i < variants.size(); ++i) {
        body += clear_references() + event(variants[i]);
        if (chance.token > 0) body += chance_level(1, chance.token, i == 0 ? "chance" : "");
        body += fmt::format("set title '{0}'\nset xlabel ''\nset ylabel '{1}'\nset key off\n"
                            "plot {4}'{2}' u 1:{3} w l lw 2 lc rgb 'black' t 'acc\\_end'\n",
                            variants[i].label, i == 0 ? "in-context accuracy" : "", variants[i].file, col("acc_end"),
                            band(variants[i], "acc_end", "black"));
    }
    for (size_t i = 0; i < variants.size(); ++i) {
        body += clear_references() + event(variants[i]) + probe_chance(chance, i == 0);
        body +=
            fmt::format("set title ''\nset xlabel 'iteration'\nset ylabel '{0}'\n{1}{2}", i == 0 ? "memory recall" : "",
                        // "vertical maxrows 1": one row of four entries; a horizontal key takes its column
                        // count from the narrow panel and stacked them, cutting the fourth off the page.
                        i + 1 == variants.size() ? "set key at screen 0.5,0.03 center center vertical maxrows 1\n"
                                                 : "set key off\n",
                        probe_plot(variants[i]));
    }
    body += "unset multiplot\n";
    render_figure(dir, "fig3", body, {int(360 * variants.size()), 720});
}

void draw_birth_fig4(const std::filesystem::path &dir, const std::vector<BirthCurve> &data_variants,
                     const std::vector<BirthCurve> &output_variants, const BirthCurve &probe_run,
                     const BirthChance &chance) {
    const char *colors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
    std::string body = "set multiplot layout 1,3 title 'Fig. 4: simplified model with W_F, loss on all tokens'\n"
                       "set grid\nset xlabel 'iteration'\n" +
                       xtics(probe_run.records) + legend_below();
    body += "set title 'global (dashed) vs in-context (solid) loss'\nset ylabel 'loss (nats)'\nset yrange [0:*]\n"
            "plot ";
    for (size_t i = 0; i < data_variants.size(); ++i) {
        const auto &v = data_variants[i];
        write_birth_columns(dir / v.file, v.records, kKeys), write_band(dir, v);
        body += fmt::format("{0}{6}{7}'{1}' u 1:{2} w l lw 2 dt 2 lc rgb '{3}' notitle, '{1}' u 1:{4} w l lw 2 lc "
                            "rgb '{3}' t '{5}'",
                            i ? ", " : "", v.file, col("loss_bigram"), colors[i % 6], col("loss_head"), v.label,
                            band(v, "loss_bigram", colors[i % 6]), band(v, "loss_head", colors[i % 6]));
    }
    body += "\nset title 'in-context accuracy on the test batch'\nset ylabel 'acc\\_end\\_test'\n"
            "set yrange [0:1.05]\n";
    if (chance.token > 0) body += chance_level(1, chance.token, "chance");
    body += "plot ";
    for (size_t i = 0; i < output_variants.size(); ++i) {
        const auto &v = output_variants[i];
        write_birth_columns(dir / v.file, v.records, kKeys), write_band(dir, v);
        body += fmt::format("{0}{5}'{1}' u 1:{2} w l lw 2 lc rgb '{3}' t '{4}'", i ? ", " : "", v.file,
                            col("acc_end_test"), colors[i % 6], v.label, band(v, "acc_end_test", colors[i % 6]));
    }
    write_birth_columns(dir / probe_run.file, probe_run.records, kKeys), write_band(dir, probe_run);
    body += fmt::format("\n{7}set title 'memories: {0}'\nset ylabel 'recall'\nset y2label 'KL of W_F (nats)'\n"
                        "set y2tics\nset ytics nomirror\nset y2range [0:*]\n{1}"
                        "plot {8}'{2}' u 1:{3} w l ls 1 t 'W_O^2', '' u 1:{4} w l ls 2 t 'W_K^2', '' u 1:{5} w l ls 3 "
                        "t 'W_K^1', '' u 1:{6} w l ls 5 axes x1y2 t 'W_F: ff1\\_loss'\nunset multiplot\n",
                        probe_run.label, kProbeStyle, probe_run.file, col("wo1_acc"), col("wk1_acc"), col("wk0_acc"),
                        col("ff1_loss"), clear_references() + probe_chance(chance, true),
                        band(probe_run, "wo1_acc", kProbeColors[0]) + band(probe_run, "wk1_acc", kProbeColors[1]) +
                            band(probe_run, "wk0_acc", kProbeColors[2]) +
                            band(probe_run, "ff1_loss", "#9467bd", "axes x1y2 "));
    render_figure(dir, "fig4", body, {1800, 620});
}

void draw_birth_attention(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<float> &att, const std::vector<int> &x, const std::vector<int> &y,
                          const std::vector<std::string> &labels, int T, int begin, int end) {
    // matrix data: rows = queries begin..end-1, columns = keys begin..end-1
    std::string mat, boxes, correct;
    for (int t = begin; t < end; ++t) {
        for (int s = begin; s < end; ++s)
            mat += fmt::format("{}{}", s > begin ? " " : "", att[size_t(t) * size_t(T) + size_t(s)]);
        mat += "\n";
        const int target = size_t(t) < y.size() ? y[size_t(t)] : -1;
        for (int s = begin + 1; s <= t; ++s)
            if (s >= 1 && x[size_t(s - 1)] == x[size_t(t)])
                (target >= 0 && x[size_t(s)] == target ? correct : boxes) +=
                    fmt::format("{} {}\n", s - begin, t - begin);
    }
    write_file_atomic(dir / (name + ".mat"), mat);
    write_file_atomic(dir / (name + "_boxes.dat"), boxes.empty() ? "# none\n" : boxes);
    write_file_atomic(dir / (name + "_correct.dat"), correct.empty() ? "# none\n" : correct);
    std::string xt;
    for (int t = begin; t < end; ++t) {
        const std::string &l = labels[size_t(x[size_t(t)])];
        // A quote goes in double quotes: gnuplot 5.4 draws the doubled form '''' of a tic label as empty.
        const std::string quoted = l == "'" ? "\"'\"" : "'" + l + "'";
        xt += fmt::format("{}{} {}", t > begin ? ", " : "", quoted, t - begin);
    }
    // An empty set is left out: gnuplot warns on a file without points, and its legend entry would promise
    // marks that are not there.
    std::string sets;
    if (!boxes.empty())
        sets += fmt::format(", '{}_boxes.dat' u 1:2 w p pt 4 ps 2.2 lw 1.5 lc rgb '#d62728' t 'key after an earlier "
                            "occurrence of the query token'",
                            name);
    if (!correct.empty())
        sets += fmt::format(", '{}_correct.dat' u 1:2 w p pt 4 ps 2.2 lw 2 lc rgb '#e69f00' t '... and that key is "
                            "the correct next token'",
                            name);
    render_figure(dir, name,
                  fmt::format("set title '{0}'\nset xlabel 'key'\nset ylabel 'query'\nset size ratio -1\n{4}"
                              "set xtics ({1}) font ',10' noenhanced\nset ytics ({1}) font ',10' noenhanced\n"
                              "set yrange [{2}:-0.5]\nset xrange [-0.5:{2}]\nset cbrange [0:1]\n"
                              "set palette defined (0 'white', 1 '#08306b')\n"
                              "plot '{3}.mat' matrix w image notitle{5}\n",
                              title, xt, end - begin - 0.5, name, legend_below(), sets),
                  {900, 960});
}

} // namespace tdlab::plot
