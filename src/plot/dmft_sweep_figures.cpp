#include "plot/dmft_sweep_figures.h"

#include "core/atomic_file.h"
#include "dynamics/quantize.h"
#include "plot/gnuplot.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace tdlab::plot {

void draw_bifurcation(const std::filesystem::path &dir, const std::string &name, const dmft::SweepResults &r,
                      const std::vector<double> &values, const std::string &xlabel, const std::string &title,
                      double max_y, bool lyapunov_panel) {
    const size_t n = r.points.size();
    if (n == 0) return;
    if (!(max_y > 0)) max_y = 1.0;
    const size_t W = std::min<size_t>(n, 1250), H = 700;
    std::string raster(W * H, char(0));
    auto paint = [&](size_t col, double v, char code) {
        int64_t row = dynamics::quantize(v, max_y, int(H) - 1);
        row = std::clamp<int64_t>(row, 0, int64_t(H) - 1);
        char &cell = raster[size_t(row) * W + col];
        cell = std::max(cell, code);
    };
    // The paper's background rows: the unique bins q(v; R_im, max_y) of each point's whole window (R_im =
    // 7001), max-pooled into the H display rows (display row = floor(q H / (R_im + 1)), q in 0..R_im).
    // When a point's bins were taken at another scale (sweep.max_y = 0: its own max |m^o|), they are
    // re-binned through their centre values: at most one R_im row off.
    auto paint_bins = [&](size_t col, const dmft::PointResult &p, char code, int64_t thick) {
        const int R = r.raster_resolution;
        for (int16_t q0 : p.raster_bins) {
            int64_t q = q0;
            if (p.raster_scale != max_y)
                q = dynamics::quantize((double(q0) / R * 2.0 - 1.0) * p.raster_scale, max_y, R);
            const int64_t row = q * int64_t(H) / int64_t(R + 1);
            for (int64_t t = 0; t < thick; ++t) {
                char &cell = raster[size_t(std::clamp<int64_t>(row + t, 0, int64_t(H) - 1)) * W + col];
                cell = std::max(cell, code);
            }
        }
    };
    for (size_t k = 0; k < n; ++k) {
        const auto &p = r.points[k];
        const size_t col = k * W / n;
        // Results without whole-window bins (older files): the kept samples (points.npy) instead.
        const bool whole = !p.raster_bins.empty() && r.raster_resolution > 0;
        if (whole)
            paint_bins(col, p, 1, 1);
        else
            for (float v : p.points) paint(col, v, 1);
        if (p.paper_label == int(dynamics::Label::Periodic)) {
            // Every value of the window (the paper plots all quantised values of a periodic column), two
            // rows thick so that tiny orbits (|m^o_1| < 1e-3 below beta = 1.2) stay visible.
            if (whole) {
                paint_bins(col, p, 2, 2);
            } else {
                for (float v : p.points) {
                    paint(col, v, 2);
                    paint(col, v + float(max_y / double(H)), 2);
                }
            }
        } else {
            const char code = p.paper_label == int(dynamics::Label::QuasiPeriodic) ? 3 : 4;
            for (double v : p.poincare) paint(col, v, code);
        }
    }
    write_file_atomic(dir / (name + "_raster.bin"), raster);
    const double x0 = values.front(), x1 = values.back();
    const double pixel_x = n > 1 ? (x1 - x0) / double(W) : 1.0;
    const double pixel_y = 2.0 * max_y / double(H);
    std::string body =
        fmt::format("set palette defined (0 'white', 1 '{bg}', 2 '{pe}', 3 '{qp}', 4 '{ch}')\nset cbrange [-0.5:4.5]\n"
                    "set palette maxcolors 5\nunset colorbox\n",
                    fmt::arg("bg", kBackgroundColour), fmt::arg("pe", kPeriodicColour), fmt::arg("qp", kQuasiColour),
                    fmt::arg("ch", kChaoticColour));
    if (lyapunov_panel)
        body += "set multiplot\nset lmargin at screen 0.12\nset rmargin at screen 0.97\n"
                "set tmargin at screen 0.93\nset bmargin at screen 0.36\n";
    body += fmt::format("set title '{}'\nset ylabel 'm^o_1'\nset xrange [{}:{}]\nset yrange [{}:{}]\n"
                        "set key inside top left opaque box noreverse Right\n{}",
                        title, x0, x1 + (n > 1 ? 0.0 : 1.0), -max_y, max_y,
                        lyapunov_panel ? "set format x ''\n" : fmt::format("set xlabel '{}'\n", xlabel));
    body += fmt::format("plot '{}_raster.bin' binary array=({},{}) format='%uchar' origin=({},{}) dx={} dy={} "
                        "with image notitle, \\\n"
                        "  NaN with points pt 5 ps 1.5 lc rgb '{}' title 'every value of the window', \\\n"
                        "  NaN with points pt 5 ps 1.5 lc rgb '{}' title 'periodic', \\\n"
                        "  NaN with points pt 5 ps 1.5 lc rgb '{}' title 'quasi-periodic', \\\n"
                        "  NaN with points pt 5 ps 1.5 lc rgb '{}' title 'chaotic'\n",
                        name, W, H, x0, -max_y + 0.5 * pixel_y, pixel_x, pixel_y, kBackgroundColour, kPeriodicColour,
                        kQuasiColour, kChaoticColour);
    if (lyapunov_panel) {
        std::string dat = "# value lyapunov label(0 periodic, 1 quasi-periodic, 2 chaotic)\n";
        for (size_t k = 0; k < n; ++k) {
            dat += fmt::format("{:.10g} {:.6g} {}\n", values[k], r.points[k].lyapunov, r.points[k].label);
        }
        write_file_atomic(dir / (name + "_lyapunov.dat"), dat);
        body += fmt::format(
            "set tmargin at screen 0.33\nset bmargin at screen 0.08\nunset title\nset format x '%g'\n"
            "set xlabel '{}'\nset ylabel 'λ_1 (per step)'\nset autoscale y\nset key off\nset grid ytics\n"
            "plot '{}_lyapunov.dat' using 1:($3==0?$2:NaN) with points pt 7 ps 0.25 lc rgb '{}', \\\n"
            "  '' using 1:($3==1?$2:NaN) with points pt 7 ps 0.25 lc rgb '{}', \\\n"
            "  '' using 1:($3==2?$2:NaN) with points pt 7 ps 0.25 lc rgb '{}', 0 with lines lc rgb 'gray' dt 2\n"
            "unset multiplot\n",
            xlabel, name, kPeriodicColour, kQuasiColour, kChaoticColour);
    }
    render_figure(dir, name, body, {1250, lyapunov_panel ? 1300 : 1000});
}

void draw_phase_diagram(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &xs,
                        const std::vector<double> &ys, const std::vector<double> &lyapunov,
                        const std::vector<double> &label, const std::string &xlabel, const std::string &ylabel,
                        const std::string &title) {
    const size_t nx = xs.size(), ny = ys.size();
    std::string lb(lyapunov.size() * sizeof(double), '\0'), cb(label.size() * sizeof(double), '\0');
    std::memcpy(lb.data(), lyapunov.data(), lb.size());
    std::memcpy(cb.data(), label.data(), cb.size());
    write_file_atomic(dir / (name + "_lyapunov.bin"), lb);
    write_file_atomic(dir / (name + "_label.bin"), cb);
    double lmax = 0;
    for (double v : lyapunov)
        if (std::isfinite(v)) lmax = std::max(lmax, std::fabs(v));
    lmax = std::max(1e-3, std::min(lmax, 0.5));
    const double dx = nx > 1 ? (xs.back() - xs.front()) / double(nx - 1) : 1.0;
    const double dy = ny > 1 ? (ys.back() - ys.front()) / double(ny - 1) : 1.0;
    const std::string image = fmt::format("binary array=({},{}) format='%float64' origin=({},{}) dx={} dy={}", nx, ny,
                                          xs.front(), ys.front(), dx, dy);
    std::string body = fmt::format(
        "set multiplot layout 1,2 title '{title}'\nset xlabel '{xl}'\nset ylabel '{yl}'\n"
        "set xrange [{x0}:{x1}]\nset yrange [{y0}:{y1}]\n"
        "set title 'largest Lyapunov exponent λ_1'\nset palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')\n"
        "set cbrange [{lm0}:{lm}]\nplot '{name}_lyapunov.bin' {img} with image notitle\n"
        "set title 'class (combined label)'\nset palette defined (0 '{pe}', 1 '{qp}', 2 '{ch}', 3 'gray')\n"
        "set cbrange [-0.5:3.5]\nset palette maxcolors 4\nset cbtics ('periodic' 0, 'quasi' 1, 'chaotic' 2, "
        "'unknown' 3)\nplot '{name}_label.bin' {img} with image notitle\nunset multiplot\n",
        fmt::arg("title", title), fmt::arg("xl", xlabel), fmt::arg("yl", ylabel), fmt::arg("x0", xs.front() - dx / 2),
        fmt::arg("x1", xs.back() + dx / 2), fmt::arg("y0", ys.front() - dy / 2), fmt::arg("y1", ys.back() + dy / 2),
        fmt::arg("lm0", -lmax), fmt::arg("lm", lmax), fmt::arg("name", name), fmt::arg("img", image),
        fmt::arg("pe", "#555555"), fmt::arg("qp", kQuasiColour), fmt::arg("ch", kChaoticColour));
    render_figure(dir, name, body, {1600, 700});
}

namespace {
std::string axis_label(const std::string &p) {
    return p == "beta" ? "β" : p == "gamma" ? "γ" : "ε";
}
} // namespace

void draw_grid_figures(const std::filesystem::path &dir, const dmft::GridSpec &spec, const dmft::SweepResults &r) {
    const dmft::Grid &grid = spec.grid;
    const bool whole = r.begin == 0 && r.points.size() == grid.points.size();
    if (spec.kind == dmft::GridKind::Phase && whole) {
        const size_t nx = grid.values.size(), ny = grid.y_values.size();
        const dmft::PhaseMaps m = dmft::phase_maps(r);
        draw_phase_diagram(dir, "phase", grid.values, grid.y_values, m.lyapunov, m.label, "β", axis_label(grid.param),
                           fmt::format("phase diagram β × {} ({} × {} points)", axis_label(grid.param), nx, ny));
    }
    if (spec.kind == dmft::GridKind::Sweep && !r.points.empty()) {
        std::vector<double> values(grid.values.begin() + r.begin,
                                   grid.values.begin() + r.begin + long(r.points.size()));
        draw_bifurcation(
            dir, "bifurcation", r, values, axis_label(grid.param),
            fmt::format("bifurcation diagram of m^o_1 over {} ({} values)", axis_label(grid.param), r.points.size()),
            dmft::bifurcation_max_y(r, spec.sweep.max_y), spec.sweep.batch.lyapunov);
    }
}

} // namespace tdlab::plot
