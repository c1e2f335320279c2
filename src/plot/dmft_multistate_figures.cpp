#include "plot/dmft_multistate_figures.h"

#include "plot/gnuplot.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::plot {

void draw_weak_field(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                     const std::vector<Series> &amplitudes, const std::vector<Series> &rel_diff, double var_s) {
    const std::string a =
        series_file(dir, name + "_amplitude.dat", "beta", betas, amplitudes, "with linespoints pt 7 ps 0.6");
    const std::string b =
        series_file(dir, name + "_reldiff.dat", "beta", betas, rel_diff, "with linespoints pt 7 ps 0.6");
    render_figure(dir, name,
                  fmt::format("set multiplot layout 2,1 title 'weak-field check: ternary at {{/Symbol b}} vs binary "
                              "at {{/Symbol b}} Var(S), Var(S) = {:.4g}'\n"
                              "set grid\nset key outside right\n"
                              "set xlabel 'ternary {{/Symbol b}}'\nset ylabel 'max |m^o_a| over the window'\n"
                              "plot {}\n"
                              "set logscale y\nset format y '10^{{%L}}'\n"
                              "set ylabel 'relative difference'\n"
                              "plot {}\nunset multiplot\n",
                              var_s, a, b),
                  {1200, 900});
}

void draw_token_convergence(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &N,
                            const std::vector<Series> &rms, const std::string &title) {
    const std::string c = series_file(dir, name + ".dat", "N", N, rms, "with linespoints pt 7 ps 1.2 lw 2");
    const double a0 = rms.empty() || N.empty() ? 1.0 : rms[0].second[0] * std::sqrt(N[0]);
    render_figure(dir, name,
                  fmt::format("set title '{}'\nset logscale xy\nset format x '10^{{%L}}'\nset format y '10^{{%L}}'\n"
                              "set grid\nset key outside right\nset xlabel 'N (semantic units)'\n"
                              "set ylabel 'RMS |m^o_N - m^o_{{MF}}|'\n"
                              "plot {}, {:.6g}/sqrt(x) with lines dt 2 lc rgb 'gray' title 'N^{{-1/2}}'\n",
                              title, c, a0),
                  {1000, 750});
}

} // namespace tdlab::plot
