#include "plot/dmft_convergence.h"

#include "plot/gnuplot.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::plot {

std::string series_file(const std::filesystem::path &dir, const std::string &file, const std::string &xname,
                        const std::vector<double> &x, const std::vector<Series> &series, const std::string &style) {
    std::vector<std::pair<std::string, const std::vector<double> *>> cols{{xname, &x}};
    std::vector<std::string> names;
    for (size_t k = 0; k < series.size(); ++k) {
        names.push_back(fmt::format("s{}", k));
        cols.push_back({names.back(), &series[k].second});
    }
    write_columns(dir / file, cols);
    std::string clauses;
    for (size_t k = 0; k < series.size(); ++k) {
        clauses += fmt::format("{}'{}' using 1:{} {} title '{}'", k ? ", " : "", file, k + 2, style, series[k].first);
    }
    return clauses;
}

void draw_spin_vs_mean_field(const std::filesystem::path &dir, const std::vector<dmft::Trajectory> &runs,
                             const dmft::Trajectory &mf, const std::string &title) {
    const size_t n = mf.size(), M = size_t(mf.M);
    const size_t first = n > 200 ? n - 200 : 0;
    std::vector<double> t;
    std::vector<Series> s;
    for (size_t k = first; k < n; ++k) t.push_back(double(mf.t[k]));
    for (size_t r = 0; r < runs.size() && r < 3; ++r) {
        Series e{fmt::format("network run {}", r), {}};
        for (size_t k = first; k < n; ++k) e.second.push_back(runs[r].mo_se[k * M]);
        s.push_back(e);
    }
    Series e{"mean field", {}};
    for (size_t k = first; k < n; ++k) e.second.push_back(mf.mo_se[k * M]);
    s.push_back(e);
    std::string clauses = series_file(dir, "spin_vs_mf.dat", "t", t, s, "with linespoints pt 7 ps 0.4");
    render_figure(
        dir, "spin_vs_mf",
        fmt::format("set title '{}: m^o_1(t), network runs and mean field from the same start'\n"
                    "set xlabel 't'\nset ylabel 'm^o_1(t)'\nset grid\nset key outside bottom center horizontal\n"
                    "plot {}\n",
                    title, clauses),
        {1200, 550});
    if (M < 2) return;
    std::vector<double> a1, a2, b1, b2;
    for (size_t k = 0; k < n; ++k) {
        a1.push_back(runs[0].mo_se[k * M]), a2.push_back(runs[0].mo_se[k * M + 1]);
        b1.push_back(mf.mo_se[k * M]), b2.push_back(mf.mo_se[k * M + 1]);
    }
    write_columns(dir / "spin_plane.dat", {{"net_mo1", &a1}, {"net_mo2", &a2}, {"mf_mo1", &b1}, {"mf_mo2", &b2}});
    render_figure(
        dir, "spin_plane",
        fmt::format("set title '{}: plane (m^o_1, m^o_2)'\nset xlabel 'm^o_1'\nset ylabel 'm^o_2'\n"
                    "set size square\nset key outside bottom center horizontal\n"
                    "plot 'spin_plane.dat' using 1:2 with points pt 7 ps 0.2 lc rgb '#1f77b4' title "
                    "'network run 0', '' using 3:4 with points pt 7 ps 0.3 lc rgb 'black' title 'mean field'\n",
                    title),
        {850, 900});
}

void draw_finite_n_convergence(const std::filesystem::path &dir, const FiniteNConvergence &c) {
    std::string pa =
        series_file(dir, "finite_n_periodic.dat", "N", c.N, c.periodic_rms, "with linespoints pt 7 ps 1.2 lw 2");
    std::vector<Series> dist{{"W_1(m^o_1) to mean field", c.w1}, {"log-spectrum distance", c.spec}};
    std::string pc = series_file(dir, "finite_n_chaotic.dat", "N", c.N, dist, "with linespoints pt 7 ps 1.2 lw 2");
    std::string pb = series_file(dir, "finite_n_hist.dat", "m", c.hist_x, c.hist, "with lines lw 2");
    std::string pd = series_file(dir, "finite_n_spectra.dat", "f", c.freq, c.spectra, "with lines lw 2");
    // Guide N^-1/2 through the first periodic series' first point.
    double a0 = 1.0;
    if (!c.periodic_rms.empty() && !c.N.empty()) a0 = c.periodic_rms[0].second[0] * std::sqrt(c.N[0]);
    std::string body = fmt::format(
        "set multiplot layout 2,2 title 'finite-N network against its mean field (N = semantic units)'\n"
        "set logscale xy\nset format x '10^{{%L}}'\nset format y '10^{{%L}}'\nset grid\n"
        "set key below center horizontal samplen 2\n"
        "set title '(a) periodic regimes: RMS |m^o_N - m^o_{{MF}}| on the orbit'\n"
        "set xlabel 'N'\nset ylabel 'RMS deviation'\n"
        "plot {0}, {1:.6g}/sqrt(x) with lines dt 2 lc rgb 'gray' title 'N^{{-1/2}}'\n"
        "unset logscale\nset format x '%g'\nset format y '%g'\n"
        "set title '(b) {2}: histogram of m^o_1'\nset xlabel 'm^o_1'\nset ylabel 'density'\n"
        "plot {3}\n"
        "set logscale xy\nset format x '10^{{%L}}'\nset format y '10^{{%L}}'\n"
        "set title '(c) {2}: distance of invariant statistics to the mean field'\n"
        "set xlabel 'N'\nset ylabel 'distance'\n"
        "plot {4}, {5:.6g} with lines dt 2 lc 1 title 'W_1 floor (MF vs MF)', {6:.6g} with lines dt 2 lc 2 "
        "title 'spectrum floor (MF vs MF)'\n"
        "unset logscale x\nset format x '%g'\nset logscale y\n"
        "set title '(d) {2}: power spectrum of m^o_1 (binned)'\nset xlabel 'f (cycles/step)'\nset ylabel 'P(f)'\n"
        "plot {7}\n"
        "unset multiplot\n",
        pa, a0, c.chaotic_label, pb, pc, c.w1_floor, c.spec_floor, pd);
    render_figure(dir, "finite_n_convergence", body, {1500, 1150});
}

} // namespace tdlab::plot
