#include "plot/scansnap_figures.h"

#include "core/atomic_file.h"
#include "plot/gnuplot.h"
#include "plot/style.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::plot {

namespace fs = std::filesystem;
using namespace tdlab::scansnap;

void write_matrix_dat(const fs::path &path, const std::vector<double> &m, size_t rows, size_t cols) {
    std::string out;
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < cols; ++c) out += fmt::format("{}{:.6g}", c ? " " : "", m[r * cols + c]);
        out += "\n";
    }
    write_file_atomic(path, out);
}

std::vector<double> attention_rows(const std::vector<double> &c, int K, int M, int n, const std::vector<int> &iters,
                                   int ntok) {
    std::vector<double> out;
    for (int t : iters)
        for (int l = 0; l < ntok; ++l) out.push_back(c[(size_t(t) * K + n) * size_t(M) + size_t(l)]);
    return out;
}

double max_value(const std::vector<double> &m) {
    double v = 0;
    for (double x : m) v = std::max(v, x);
    return v;
}

std::string heatmap_panel(const std::string &dat, const std::string &title, const std::vector<std::string> &ylabels,
                          int ntok, const std::vector<int> &seps, double cmax) {
    std::string yt;
    for (size_t i = 0; i < ylabels.size(); ++i) yt += fmt::format("{}'{}' {}", i ? ", " : "", ylabels[i], i);
    std::string arrows;
    for (int s : seps)
        arrows += fmt::format("set arrow from {0}+0.5,-0.5 to {0}+0.5,{1}-0.5 nohead dt 2 lw 2 lc rgb 'white' front\n",
                              s, ylabels.size());
    // One colour range for every panel of the figure (cmax from the caller), so that panels compare.
    return fmt::format("set title '{}'\nset xrange [-0.5:{}-0.5]\nset yrange [{}-0.5:-0.5]\nset ytics ({})\n"
                       "set xtics 0,5\nset xlabel 'token'\nset ylabel 'iteration'\n"
                       "set palette rgbformulae 7,5,15\n{}unset arrow\n{}plot '{}' matrix with image notitle\n",
                       title, ntok, ylabels.size(), yt, shared_color_range(0, cmax, "c_n"), arrows, dat);
}

void draw_train_figures(const fs::path &dir, const SeqClasses &data, const TrainResult &r, const std::vector<double> &c,
                        const std::vector<std::vector<double>> &entropy) {
    const int K = data.K(), M = data.M(), T = r.niter;
    std::vector<double> it(static_cast<size_t>(T)), loss = r.loss, gp = r.gamma_proxy;
    for (int t = 0; t < T; ++t) it[size_t(t)] = t;
    const bool with_gamma = !gp.empty(); // log.gamma_proxy: without it the panel would have no data
    if (!with_gamma) gp.assign(size_t(T), NAN);
    write_columns(dir / "loss.dat", {{"iter", &it}, {"loss", &loss}, {"gamma_proxy", &gp}});
    // float32 losses can reach exactly 0 (eta_Y / eta_Z = 10); a log axis would drop those points, so
    // they are drawn at the floor kLossFloor and the panel says so.
    render_figure(dir, "loss",
                  fmt::format("{0}set grid\nset xlabel 'iteration'\n{1}set key off\n"
                              "set title 'training loss (values < {2:g} drawn at {2:g})'\n"
                              "plot 'loss.dat' u 1:($2 > {2:g} ? $2 : {2:g}) w l lw 2 notitle\n{3}",
                              with_gamma ? "set multiplot layout 1,2\n" : "", log_axis("y"), kLossFloor,
                              with_gamma
                                  ? linear_axis("y") + "set title 'γ proxy: mean ||Y(e_n - α)||'\n"
                                                       "plot 'loss.dat' u 1:3 w l lw 2 notitle\nunset multiplot\n"
                                  : std::string()),
                  {with_gamma ? 1200 : 700, 450});
    std::vector<int> iters;
    std::vector<std::string> labels;
    for (int t = 0; t <= std::min(10, T - 1); t += 2) {
        iters.push_back(t);
        labels.push_back(std::to_string(t));
    }
    iters.push_back(T);
    labels.push_back("Final");
    const int ntok = data.num_context();
    std::string body = fmt::format("set multiplot layout {},1\n", K);
    std::vector<std::vector<double>> rows(static_cast<size_t>(K));
    double cmax = 0;
    for (int n = 0; n < K; ++n) {
        rows[size_t(n)] = attention_rows(c, K, M, n, iters, ntok);
        cmax = std::max(cmax, max_value(rows[size_t(n)]));
    }
    for (int n = 0; n < K; ++n) {
        const std::string dat = fmt::format("attention_class{}.dat", n);
        write_matrix_dat(dir / dat, rows[size_t(n)], iters.size(), size_t(ntok));
        std::vector<int> seps{data.params().num_common - 1};
        body += heatmap_panel(dat, fmt::format("c_n of class {} (query {})", n + 1, data.cls(n).query), labels, ntok,
                              seps, cmax);
    }
    body += "unset multiplot\n";
    render_figure(dir, "attention", body, {std::max(700, 25 * ntok), 260 * K});
    // Entropy over iterations (distinct tokens, renormalised), per class: scansnap::c_entropy_history.
    std::vector<std::vector<double>> cols(size_t(K) + 1);
    for (int t = 0; t <= T; ++t) cols[0].push_back(t);
    std::string plot = "plot ";
    for (int n = 0; n < K; ++n) {
        cols[size_t(n) + 1] = entropy[size_t(n)];
        plot += fmt::format("{}'entropy.dat' u 1:{} w l lw 2 t 'class {}'", n ? ", " : "", n + 2, n + 1);
    }
    std::vector<std::pair<std::string, const std::vector<double> *>> named{{"iter", &cols[0]}};
    std::vector<std::string> names(static_cast<size_t>(K));
    for (int n = 0; n < K; ++n) {
        names[size_t(n)] = fmt::format("H_class{}", n + 1);
        named.push_back({names[size_t(n)], &cols[size_t(n) + 1]});
    }
    write_columns(dir / "entropy.dat", named);
    render_figure(dir, "entropy",
                  "set grid\nset xlabel 'iteration'\nset ylabel 'entropy of c_n on distinct tokens (nats)'\n" + plot +
                      "\n",
                  {900, 550});
}

void draw_theory_figures(const fs::path &dir, const TheoryCurveParams &p, const Transitions &tr) {
    const double t0p = tr.t0_prime, t0 = tr.t0;
    render_figure(
        dir, "theory",
        fmt::format("set datafile separator ','\nset key autotitle columnhead\nset multiplot layout 1,3 title "
                    "'M={}, K={}, η_Y={}, η_Z={}'\nset grid\nset xlabel 't (batch-size-1 steps)'\n"
                    "set arrow 1 from {},graph 0 to {},graph 1 nohead dt 3\n"
                    "set arrow 2 from {},graph 0 to {},graph 1 nohead dt 2\n"
                    "set title 'h(t/K)'\nplot 'curves.csv' u 1:2 w l lw 2 notitle\n"
                    "set title 'γ(t) (t_0^\\prime dotted, t_0 dashed)'\nplot 'curves.csv' u 1:3 w l lw 2 notitle\n"
                    "set title 'B_n(t)'\nplot 'curves.csv' u 1:5 w l lw 2 notitle\nunset multiplot\n",
                    p.M, p.K, p.eta_y, p.eta_z, t0p, t0p, t0, t0),
        {1500, 450});
}

void draw_sweep_figures(const fs::path &dir, const SweepGrid &grid, const SweepResult &r) {
    const size_t nL = grid.num_last.size(), nZ = grid.lr_z.size(), nR = grid.ratio.size();
    // fig6: one data block per (num_last, lr_z): ratio mean std.
    std::string dat;
    for (size_t il = 0; il < nL; ++il)
        for (size_t iz = 0; iz < nZ; ++iz) {
            dat += fmt::format("# num_last {} lr_z {}\n", grid.num_last[il], grid.lr_z[iz]);
            for (size_t ir = 0; ir < nR; ++ir) {
                const auto &c = r.cells[(il * nZ + iz) * nR + ir];
                // Each eta_Z is nudged sideways on the log axis (+-4% per line) so error bars do not overlap.
                const double nudge = std::pow(1.04, double(iz) - 0.5 * double(nZ - 1));
                dat += fmt::format("{} {:.6f} {:.6f}\n", c.ratio * nudge, c.mean, c.std);
            }
            dat += "\n\n";
        }
    write_file_atomic(dir / "fig6.dat", dat);
    const int cols = int(std::min<size_t>(nL, 4)), rows = int((nL + 3) / 4);
    std::string body = fmt::format("set multiplot layout {},{}\nset grid\nset logscale x\nset xtics (1, 2, 5, 10)\n"
                                   "set xlabel 'η_Y / η_Z (lines nudged ±4% apart)'\n"
                                   "set ylabel 'entropy of c_n on distinct tokens'\n{}"
                                   "set arrow 1 from 1,graph 0 to 1,graph 1 nohead dt 2\nset xrange [0.8:12]\n",
                                   rows, cols, legend_below());
    for (size_t il = 0; il < nL; ++il) {
        body += fmt::format("set title '#last/next tokens = {}/{}'\nplot ", grid.num_last[il], 2 * grid.num_last[il]);
        for (size_t iz = 0; iz < nZ; ++iz)
            body += fmt::format("{}'fig6.dat' index {} u 1:2:3 w yerrorlines lw 2 pt 7 t 'η_Z = {}'", iz ? ", " : "",
                                il * nZ + iz, grid.lr_z[iz]);
        body += "\n";
    }
    body += "unset multiplot\n";
    render_figure(dir, "fig6", body, {400 * cols, 420 * rows});
    // Figs 11/12: recall vs threshold.
    std::string rdat;
    for (size_t il = 0; il < nL; ++il)
        for (size_t iz = 0; iz < nZ; ++iz)
            for (size_t ir = 0; ir < nR; ++ir) {
                const auto &c = r.cells[(il * nZ + iz) * nR + ir];
                rdat += fmt::format("# num_last {} lr_z {} ratio {}\n", c.num_last, c.lr_z, c.ratio);
                for (size_t k = 0; k < c.thetas.size(); ++k)
                    rdat += fmt::format("{:.6g} {:.6g}\n", c.thetas[k], c.recall[k]);
                rdat += "\n\n";
            }
    write_file_atomic(dir / "recall.dat", rdat);
    for (int fig : {11, 12}) {
        const size_t nOuter = fig == 11 ? nZ : nR, nInner = fig == 11 ? nR : nZ;
        // Thresholds sit near 1/M: tick labels in units of 10^-3, three per panel, legend below the panels.
        double tmax = 0;
        for (const auto &c : r.cells)
            for (double t : c.thetas) tmax = std::max(tmax, t);
        std::string b = fmt::format("set multiplot layout {},{}\nset grid\n{}set yrange [0:1.05]\n"
                                    "set xlabel 'threshold (10^{{-3}})'\nset ylabel 'recall'\nset xtics {:g}\n"
                                    "set format x '%g'\n",
                                    nL, nOuter, legend_below(), nice_tic_step(1e3 * tmax, 3));
        for (size_t il = 0; il < nL; ++il)
            for (size_t o = 0; o < nOuter; ++o) {
                // The legend is the same in every panel: drawn once per column, under the bottom row.
                b += il + 1 == nL ? legend_below() : "set key off\n";
                b += fmt::format("set title '{}/{}, {}'\nplot ", grid.num_last[il], 2 * grid.num_last[il],
                                 fig == 11 ? fmt::format("η_Z={}", grid.lr_z[o])
                                           : fmt::format("η_Y/η_Z={}", grid.ratio[o]));
                for (size_t i = 0; i < nInner; ++i) {
                    const size_t iz = fig == 11 ? o : i, ir = fig == 11 ? i : o;
                    b += fmt::format(
                        "{}'recall.dat' index {} u (1e3*$1):2 w l lw 2 t '{}'", i ? ", " : "", (il * nZ + iz) * nR + ir,
                        fig == 11 ? fmt::format("ratio {}", grid.ratio[ir]) : fmt::format("η_Z {}", grid.lr_z[iz]));
                }
                b += "\n";
            }
        b += "unset multiplot\n";
        render_figure(dir, fmt::format("fig{}", fig), b, {int(330 * nOuter), int(280 * nL)});
    }
}

} // namespace tdlab::plot
