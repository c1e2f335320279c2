#include "plot/chaos_figures.h"

#include "core/atomic_file.h"
#include "plot/gnuplot.h"
#include "plot/style.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

namespace tdlab::plot {

void draw_basin_fractions(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<FractionBar> &bars) {
    if (bars.empty()) return;
    std::string dat = "# index fraction wilson_lo wilson_hi name\n";
    for (size_t k = 0; k < bars.size(); ++k)
        dat +=
            fmt::format("{} {:.6g} {:.6g} {:.6g} \"{}\"\n", k, bars[k].fraction, bars[k].lo, bars[k].hi, bars[k].name);
    write_file_atomic(dir / (name + ".dat"), dat);
    const std::string body = fmt::format(
        "set title '{}'\nset ylabel 'basin fraction (Wilson 95% interval)'\nset yrange [0:1.05]\n"
        "set xrange [-0.6:{}]\nset style fill solid 0.6 border -1\nset boxwidth 0.6\nset grid ytics\nset key off\n"
        "set xtics noenhanced\n"
        "plot '{}.dat' using 1:2:xtic(5) with boxes lc rgb '#4c72b0', '' using 1:2:3:4 with yerrorbars pt 0 lc rgb "
        "'black' lw 1.5\n",
        title, double(bars.size()) - 0.4, name);
    render_figure(dir, name, body, {900, 600});
}

void draw_multistability(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                         const std::string &xlabel, const std::vector<MultistablePoint> &points) {
    if (points.empty()) return;
    // (a) the attractors' points; (b) counts per value; (c) fractions per track.
    std::string pts = "# value m1 track label\n", frac = "# value fraction track\n", cnt = "# value all share>=1%\n";
    std::map<double, std::pair<int, int>> counts;
    std::set<int> tracks;
    for (const auto &p : points) {
        for (double v : p.m1) pts += fmt::format("{:.10g} {:.6g} {} {}\n", p.value, v, p.track, p.label);
        frac += fmt::format("{:.10g} {:.6g} {}\n", p.value, p.fraction, p.track);
        auto &c = counts[p.value];
        c.first += 1;
        c.second += p.fraction >= 0.01 ? 1 : 0;
        tracks.insert(p.track);
    }
    for (const auto &[v, c] : counts) cnt += fmt::format("{:.10g} {} {}\n", v, c.first, c.second);
    write_file_atomic(dir / (name + "_points.dat"), pts);
    write_file_atomic(dir / (name + "_fractions.dat"), frac);
    write_file_atomic(dir / (name + "_count.dat"), cnt);
    const double x0 = counts.begin()->first, x1 = counts.rbegin()->first + (counts.size() > 1 ? 0.0 : 1e-3);
    // Tracks coloured cyclically (a qualitative palette); the track id is in the data for anyone who
    // wants to single one out.
    const std::string body = fmt::format(
        "set multiplot\nset lmargin at screen 0.1\nset rmargin at screen 0.97\nset xrange [{x0}:{x1}]\n"
        "set palette defined (0 '#1b9e77', 1 '#d95f02', 2 '#7570b3', 3 '#e7298a', 4 '#66a61e', 5 '#e6ab02', "
        "6 '#a6761d', 7 '#666666')\nset cbrange [-0.5:7.5]\nunset colorbox\nset key off\n"
        "set tmargin at screen 0.95\nset bmargin at screen 0.47\nset title '{title}'\nset format x ''\n"
        "set ylabel 'm^o_1 (every attractor, coloured by track)'\n"
        "plot '{name}_points.dat' using 1:2:(int($3)%8) with points pt 7 ps 0.15 lc palette\n"
        "unset title\nset tmargin at screen 0.43\nset bmargin at screen 0.27\n"
        // The legend sits in the gap between the first two panels, outside the data.
        "set ylabel 'attractors'\nset key at screen 0.55,0.45 center center horizontal samplen 2\n"
        "set yrange [0:*]\nset grid ytics\n"
        "plot '{name}_count.dat' using 1:2 with steps lc rgb 'black' title 'coexisting', "
        "'' using 1:3 with steps lc rgb '#d95f02' title 'with a basin share ≥ 1%'\n"
        "set key off\nset tmargin at screen 0.25\nset bmargin at screen 0.07\nset format x '%g'\n"
        "set xlabel '{xl}'\nset ylabel 'basin fraction'\nset yrange [0:1]\n"
        "plot '{name}_fractions.dat' using 1:2:(int($3)%8) with points pt 7 ps 0.3 lc palette\n"
        "unset multiplot\n",
        fmt::arg("x0", x0), fmt::arg("x1", x1), fmt::arg("title", title), fmt::arg("name", name),
        fmt::arg("xl", xlabel));
    render_figure(dir, name, body, {1250, 1300});
}

void draw_lyapunov_spectrum(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                            const std::string &xlabel, const std::vector<double> &values,
                            const std::vector<std::vector<double>> &spectrum, const std::vector<double> &kaplan_yorke) {
    if (values.empty() || spectrum.empty()) return;
    const size_t k = spectrum[0].size();
    std::string dat = "# value kaplan_yorke lambda_1 .. lambda_k\n";
    for (size_t i = 0; i < values.size(); ++i) {
        dat += fmt::format("{:.10g} {:.6g}", values[i], i < kaplan_yorke.size() ? kaplan_yorke[i] : NAN);
        for (size_t j = 0; j < k; ++j) dat += fmt::format(" {:.6g}", j < spectrum[i].size() ? spectrum[i][j] : NAN);
        dat += "\n";
    }
    write_file_atomic(dir / (name + ".dat"), dat);
    std::string plot = "plot ";
    for (size_t j = 0; j < k; ++j)
        plot += fmt::format("{}'{}.dat' using 1:{} with {} lw 1.2 title '{}'", j ? ", " : "", name, j + 3,
                            values.size() > 1 ? "lines" : "points pt 7", j < 3 ? fmt::format("λ_{}", j + 1) : "");
    plot += ", 0 with lines lc rgb 'gray' dt 2 notitle\n";
    const std::string body = fmt::format(
        "set multiplot\nset lmargin at screen 0.12\nset rmargin at screen 0.97\n"
        "set tmargin at screen 0.9\nset bmargin at screen 0.38\nset title '{}' offset 0,1.2\nset format x ''\n"
        "set ylabel 'Lyapunov exponents (per step)'\nset key at screen 0.55,0.925 center horizontal samplen 2\n"
        "set grid ytics\n{}"
        "unset title\nset tmargin at screen 0.35\nset bmargin at screen 0.08\nset format x '%g'\nset xlabel '{}'\n"
        "set ylabel 'Kaplan-Yorke dimension'\nset key off\nplot '{}.dat' using 1:2 with {} lc rgb 'black'\n"
        "unset multiplot\n",
        title, plot, xlabel, name, values.size() > 1 ? "lines" : "points pt 7");
    render_figure(dir, name, body, {1100, 1000});
}

void draw_correlation_sum(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<double> &r, const std::vector<double> &c, double r_lo, double r_hi,
                          double slope) {
    std::vector<double> rr, cc;
    for (size_t k = 0; k < r.size(); ++k)
        if (c[k] > 0) rr.push_back(r[k]), cc.push_back(c[k]);
    if (rr.empty()) return;
    write_columns(dir / (name + ".dat"), {{"r", &rr}, {"C", &cc}});
    // The fitted line through the data at r_lo: C = C(r_lo) (r / r_lo)^slope.
    double c_lo = cc.front();
    for (size_t k = 0; k < rr.size(); ++k)
        if (rr[k] <= r_lo) c_lo = cc[k];
    const bool fitted = std::isfinite(slope) && r_lo > 0 && r_hi > r_lo;
    std::string body = fmt::format("set title '{}'\n{}set xlabel 'r'\nset ylabel 'C(r)'\n{}"
                                   "set grid\nplot '{}.dat' using 1:2 with linespoints pt 7 ps 0.6 "
                                   "lc rgb 'black' title 'correlation sum'",
                                   title, log_axis("xy"), legend_below(), name);
    if (fitted)
        body += fmt::format(", [{lo}:{hi}] {c}*(x/{lo})**{s} with lines lw 2 lc rgb '#d95f02' title 'D_2 = {s:.3f} "
                            "on [{lo:.3g}, {hi:.3g}]'",
                            fmt::arg("lo", r_lo), fmt::arg("hi", r_hi), fmt::arg("c", c_lo), fmt::arg("s", slope));
    body += "\n";
    render_figure(dir, name, body, {900, 700});
}

} // namespace tdlab::plot
