#include "plot/scansnap_figures.h"

#include "core/atomic_file.h"
#include "plot/gnuplot.h"

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

std::string heatmap_panel(const std::string &dat, const std::string &title, const std::vector<std::string> &ylabels,
                          int ntok, const std::vector<int> &seps) {
    std::string yt;
    for (size_t i = 0; i < ylabels.size(); ++i) yt += fmt::format("{}'{}' {}", i ? ", " : "", ylabels[i], i);
    std::string arrows;
    for (int s : seps)
        arrows += fmt::format("set arrow from {0}+0.5,-0.5 to {0}+0.5,{1}-0.5 nohead dt 2 lw 2 lc rgb 'white' front\n",
                              s, ylabels.size());
    return fmt::format("set title '{}'\nset xrange [-0.5:{}-0.5]\nset yrange [{}-0.5:-0.5]\nset ytics ({})\n"
                       "set xtics 0,5\nset xlabel 'token'\nset ylabel 'iteration'\nset cblabel 'c_n'\n"
                       "set palette rgbformulae 7,5,15\nunset arrow\n{}plot '{}' matrix with image notitle\n",
                       title, ntok, ylabels.size(), yt, arrows, dat);
}

void draw_train_figures(const fs::path &dir, const SeqClasses &data, const TrainResult &r, const std::vector<double> &c,
                        const std::vector<std::vector<double>> &entropy) {
    const int K = data.K(), M = data.M(), T = r.niter;
    std::vector<double> it(static_cast<size_t>(T)), loss = r.loss, gp = r.gamma_proxy;
    for (int t = 0; t < T; ++t) it[size_t(t)] = t;
    if (gp.empty()) gp.assign(size_t(T), NAN);
    write_columns(dir / "loss.dat", {{"iter", &it}, {"loss", &loss}, {"gamma_proxy", &gp}});
    render_figure(dir, "loss",
                  "set multiplot layout 1,2\nset grid\nset xlabel 'iteration'\nset logscale y\n"
                  "set title 'training loss'\nplot 'loss.dat' u 1:2 w l lw 2 notitle\n"
                  "unset logscale y\nset title 'γ proxy: mean ||Y(e_n - α)||'\nplot 'loss.dat' u 1:3 w l lw 2 notitle\n"
                  "unset multiplot\n",
                  {1200, 450});
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
    for (int n = 0; n < K; ++n) {
        const auto rows = attention_rows(c, K, M, n, iters, ntok);
        const std::string dat = fmt::format("attention_class{}.dat", n);
        write_matrix_dat(dir / dat, rows, iters.size(), size_t(ntok));
        std::vector<int> seps{data.params().num_common - 1};
        body +=
            heatmap_panel(dat, fmt::format("c_n of class {} (query {})", n + 1, data.cls(n).query), labels, ntok, seps);
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
                dat += fmt::format("{} {:.6f} {:.6f}\n", c.ratio, c.mean, c.std);
            }
            dat += "\n\n";
        }
    write_file_atomic(dir / "fig6.dat", dat);
    const int cols = int(std::min<size_t>(nL, 4)), rows = int((nL + 3) / 4);
    std::string body =
        fmt::format("set multiplot layout {},{}\nset grid\nset logscale x\nset xlabel 'η_Y / η_Z'\n"
                    "set ylabel 'entropy of c_n on distinct tokens'\nset key below horizontal font ',9'\n"
                    "set arrow 1 from 1,graph 0 to 1,graph 1 nohead dt 2\nset xrange [0.8:12]\n",
                    rows, cols);
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
        std::string b =
            fmt::format("set multiplot layout {},{}\nset grid\nset key top right font ',9'\nset yrange [0:1.05]\n"
                        "set xlabel 'threshold'\nset ylabel 'recall'\nset xtics font ',7' rotate by 45 right\nset "
                        "xtics autofreq\nset format x '%.4f'\n",
                        nL, nOuter);
        for (size_t il = 0; il < nL; ++il)
            for (size_t o = 0; o < nOuter; ++o) {
                b += fmt::format("set title '{}/{}, {}' font ',10'\nplot ", grid.num_last[il], 2 * grid.num_last[il],
                                 fig == 11 ? fmt::format("η_Z={}", grid.lr_z[o])
                                           : fmt::format("η_Y/η_Z={}", grid.ratio[o]));
                for (size_t i = 0; i < nInner; ++i) {
                    const size_t iz = fig == 11 ? o : i, ir = fig == 11 ? i : o;
                    b += fmt::format(
                        "{}'recall.dat' index {} u 1:2 w l lw 2 t '{}'", i ? ", " : "", (il * nZ + iz) * nR + ir,
                        fig == 11 ? fmt::format("ratio {}", grid.ratio[ir]) : fmt::format("η_Z {}", grid.lr_z[iz]));
                }
                b += "\n";
            }
        b += "unset multiplot\n";
        render_figure(dir, fmt::format("fig{}", fig), b, {int(330 * nOuter), int(280 * nL)});
    }
}

} // namespace tdlab::plot
