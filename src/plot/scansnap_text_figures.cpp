#include "plot/scansnap_text_figures.h"

#include "plot/gnuplot.h"
#include "plot/scansnap_figures.h"
#include "scansnap/text_metrics.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::plot {

namespace fs = std::filesystem;
using scansnap::TextCheckpoint;

namespace {
// Index of the checkpoint whose iteration is closest to `iter`.
size_t nearest(const std::vector<TextCheckpoint> &cks, int iter) {
    size_t best = 0;
    for (size_t k = 1; k < cks.size(); ++k)
        if (std::abs(cks[k].iter - iter) < std::abs(cks[best].iter - iter)) best = k;
    return best;
}

std::string map_panel(const std::string &dat, const std::string &title, int T) {
    return fmt::format("set title '{}'\nset xrange [-0.5:{}-0.5]\nset yrange [{}-0.5:-0.5]\nset xlabel 'key'\n"
                       "set ylabel 'query'\nset cbrange [0:1]\nset palette rgbformulae 7,5,15\nunset key\n"
                       "plot '{}' matrix with image notitle\n",
                       title, T, T, dat);
}

std::vector<double> lowest_map(const TextCheckpoint &c, int T) {
    return std::vector<double>(c.maps.begin(), c.maps.begin() + long(T) * T);
}

// Per-checkpoint freezing measures of the lowest layer.
std::vector<scansnap::FreezeStats> lowest_freeze(const std::vector<TextCheckpoint> &cks, int T) {
    std::vector<std::vector<float>> maps;
    for (const auto &c : cks) maps.emplace_back(c.maps.begin(), c.maps.begin() + long(T) * T);
    return scansnap::freeze_stats(maps, T);
}

void write_curves(const fs::path &path, const std::vector<TextCheckpoint> &cks, int T) {
    std::vector<double> it, tl, vl, h0, tv, fr, rm;
    const auto f = lowest_freeze(cks, T);
    for (size_t k = 0; k < cks.size(); ++k) {
        it.push_back(cks[k].iter);
        tl.push_back(cks[k].train_loss);
        vl.push_back(cks[k].valid_loss);
        h0.push_back(cks[k].entropy.front());
        tv.push_back(k ? f[k].tv_change : NAN);
        // (not argmax_frozen, which is 1 at the last checkpoint by its definition and so reads as frozen)
        fr.push_back(k ? f[k].argmax_same : NAN);
        rm.push_back(f[k].row_max);
    }
    write_columns(path, {{"iter", &it},
                         {"train_loss", &tl},
                         {"valid_loss", &vl},
                         {"entropy_layer0", &h0},
                         {"tv_change", &tv},
                         {"argmax_same", &fr},
                         {"row_max", &rm}});
}
} // namespace

void draw_text_run(const fs::path &dir, const scansnap::TextRunParams &p, const std::vector<TextCheckpoint> &cks) {
    if (cks.empty()) return;
    const int T = p.bptt;
    write_curves(dir / "text_curves.dat", cks, T);
    render_figure(
        dir, "text_curves",
        "set multiplot layout 1,3\nset grid\nset xlabel 'iteration'\nset key below center horizontal samplen 2\n"
        "set title 'loss'\nplot 'text_curves.dat' u 1:2 w lp t 'train', '' u 1:3 w lp t 'validation'\n"
        "set title 'validation attention entropy, layer 0 (nats)'\nplot 'text_curves.dat' u 1:4 w lp "
        "notitle\nset title 'layer-0 map on the fixed chunk'\nset yrange [0:1]\n"
        "plot 'text_curves.dat' u 1:5 w lp t 'mean row TV change', '' u 1:6 w lp t 'same argmax as before', '' u "
        "1:7 w lp t 'mean row max'\nunset multiplot\n",
        {1500, 450});
    // up to four distinct checkpoints spread over the run (a run with three has three panels, not a repeat)
    const int last = cks.back().iter;
    std::vector<size_t> panels;
    for (int j = 0; j < 4; ++j) {
        const size_t k = nearest(cks, last * j / 3);
        if (std::find(panels.begin(), panels.end(), k) == panels.end()) panels.push_back(k);
    }
    std::string body = fmt::format("set multiplot layout 1,{}\n", panels.size());
    for (size_t j = 0; j < panels.size(); ++j) {
        const std::string dat = fmt::format("text_attention_{}.dat", j);
        write_matrix_dat(dir / dat, lowest_map(cks[panels[j]], T), size_t(T), size_t(T));
        body += map_panel(dat, fmt::format("iteration {}", cks[panels[j]].iter), T);
    }
    render_figure(dir, "text_attention", body + "unset multiplot\n", {1600, 420});
}

void draw_fig7(const fs::path &dir, const std::vector<Fig7Row> &rows, const std::vector<int> &iters) {
    const int cols = int(iters.size()) + 1;
    std::string body = fmt::format("set multiplot layout {},{}\n", rows.size(), cols);
    for (size_t r = 0; r < rows.size(); ++r) {
        const auto &cks = *rows[r].cks;
        const int T = rows[r].bptt;
        for (size_t j = 0; j < iters.size(); ++j) {
            const size_t k = nearest(cks, iters[j]);
            const std::string dat = fmt::format("fig7_r{}_{}.dat", r, j);
            write_matrix_dat(dir / dat, lowest_map(cks[k], T), size_t(T), size_t(T));
            body += map_panel(dat, fmt::format("{}, iteration {}", rows[r].label, cks[k].iter), T);
        }
        const std::string dat = fmt::format("fig7_r{}_freeze.dat", r);
        write_curves(dir / dat, cks, T);
        body +=
            fmt::format("unset xrange\nunset yrange\nset autoscale\nset title '{}: freezing'\nset grid\n"
                        "set xlabel 'iteration'\nset ylabel ''\nset key below center vertical samplen 2\nset y2tics\n"
                        "set yrange [0:1]\nplot '{}' u 1:5 w lp t 'map change (row TV)', '' u 1:6 w lp t "
                        "'same argmax as before', '' u 1:2 axes x1y2 w l t 'train loss'\nunset y2tics\nunset grid\n",
                        rows[r].label, dat);
    }
    render_figure(dir, "fig7", body + "unset multiplot\n", {380 * cols, 360 * int(rows.size())});
}

void draw_fig10(const fs::path &dir, const std::vector<double> &lr, const std::vector<double> &mean,
                const std::vector<double> &sd, int seeds) {
    write_columns(dir / "fig10.dat", {{"lr", &lr}, {"entropy_mean", &mean}, {"entropy_std", &sd}});
    render_figure(dir, "fig10",
                  fmt::format("set grid\nset xlabel 'learning rate'\nset ylabel 'validation attention entropy "
                              "(nats)'\nset title 'final attention entropy, layer 0 ({} seeds, mean +- std)'\n"
                              "set xrange [0.5:{}]\nplot 'fig10.dat' u 1:2:3 w yerrorlines lw 2 pt 7 notitle\n",
                              seeds, lr.empty() ? 6.0 : lr.back() + 0.5),
                  {800, 550});
}

} // namespace tdlab::plot
