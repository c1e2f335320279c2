#include "plot/dmft_paper_figures.h"

#include "plot/gnuplot.h"
#include "plot/style.h"

#include <algorithm>
#include <fmt/format.h>

namespace tdlab::plot {

void draw_planes(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                 const std::vector<std::vector<double>> &mo_se, int M) {
    std::string body = "set multiplot layout 2,3\nset xlabel 'm^o_1(t)'\nset ylabel 'm^o_2(t)'\nset key off\n"
                       "set size square\n"
                       // A margin inside the frame, so that no orbit point sits on an axis.
                       "set offsets graph 0.06, graph 0.06, graph 0.06, graph 0.06\n";
    for (size_t b = 0; b < betas.size(); ++b) {
        const size_t n = mo_se[b].size() / size_t(M);
        std::vector<double> x(n), y(n);
        for (size_t k = 0; k < n; ++k) {
            x[k] = mo_se[b][k * size_t(M)];
            y[k] = mo_se[b][k * size_t(M) + 1];
        }
        const std::string dat = fmt::format("{}_{}.dat", name, b);
        write_columns(dir / dat, {{"mo_se_1", &x}, {"mo_se_2", &y}});
        // Count the distinct points to size the markers as the authors do (10 for the 28-point orbit).
        std::vector<std::pair<double, double>> pts;
        for (size_t k = 0; k < n; ++k) pts.emplace_back(x[k], y[k]);
        std::sort(pts.begin(), pts.end());
        pts.erase(std::unique(pts.begin(), pts.end(),
                              [](auto &a, auto &c) {
                                  return std::abs(a.first - c.first) < 1e-9 && std::abs(a.second - c.second) < 1e-9;
                              }),
                  pts.end());
        // About four x tics per panel: gnuplot's automatic ones overlap on orbits of amplitude 1e-3.
        double lo = 0, hi = 0;
        if (n) lo = *std::min_element(x.begin(), x.end()), hi = *std::max_element(x.begin(), x.end());
        body += fmt::format("set xtics {:g}\nset title 'β = {}'\nplot '{}' using 1:2 with points pt 7 ps {} lc rgb "
                            "'black'\n",
                            nice_tic_step(std::max(hi - lo, 1e-12) * 1.12, 4), betas[b], dat,
                            pts.size() < 200 ? 0.8 : 0.12);
    }
    body += "unset multiplot\n";
    render_figure(dir, name, body, {1500, 1000});
}

void draw_fig5(const std::filesystem::path &dir, const std::string &name, const std::vector<Fig5Column> &columns) {
    const size_t C = columns.size();
    // Panels are placed row by row: each row is one observable across the columns.
    std::string rows[5];
    for (size_t k = 0; k < C; ++k) {
        const auto &c = columns[k];
        const size_t n = c.x.size();
        auto window = [&](size_t offset, const std::string &file) {
            offset = std::min(offset, n > c.window ? n - c.window : 0);
            std::vector<double> t, v;
            for (size_t i = offset; i < std::min(n, offset + c.window); ++i)
                t.push_back(double(i - offset)), v.push_back(c.x[i]);
            write_columns(dir / file, {{"t", &t}, {"mo_se_1", &v}});
            return offset;
        };
        const std::string base = fmt::format("{}_{}", name, k);
        const size_t po = window(c.paper_offset, base + "_paper_window.dat");
        const size_t ro = window(c.rule_offset, base + "_rule_window.dat");
        std::vector<double> f(c.power.size()), lag(c.acf.size());
        for (size_t i = 0; i < f.size(); ++i) f[i] = double(i) / double(n);
        for (size_t i = 0; i < lag.size(); ++i) lag[i] = double(i);
        write_columns(dir / (base + "_spectrum.dat"), {{"f", &f}, {"power", &c.power}});
        write_columns(dir / (base + "_acf.dat"), {{"lag", &lag}, {"R", &c.acf}});
        const std::string head = fmt::format("β = {} ({})", c.beta, c.label);
        rows[0] += fmt::format("set title '{}: steps {}-{} of the saved segment (window of the paper)'\n"
                               "set xlabel 't'\nset ylabel 'm^o_1(t)'\n"
                               "plot '{}_paper_window.dat' using 1:2 with lines lc rgb 'black' lw 1\n",
                               head, po, po + c.window - 1, base);
        rows[1] += fmt::format("set title 'steps {}-{}: {}'\nset xlabel 't'\nset ylabel 'm^o_1(t)'\n"
                               "plot '{}_rule_window.dat' using 1:2 with lines lc rgb '#D55E00' lw 1\n",
                               ro, ro + c.window - 1, c.rule, base);
        const std::string quarter = "set arrow 1 from 0.25, graph 0 to 0.25, graph 1 nohead dt 2 lc rgb '#666666'\n";
        rows[2] += fmt::format("set title 'power spectrum (dashed: f = 1/L = 0.25)'\nset xlabel 'f (cycles per step)'\n"
                               "set ylabel '|F_f|^2'\nset xrange [-0.005:0.505]\n{}"
                               "plot '{}_spectrum.dat' using 1:2 with lines lc rgb 'black'\nunset arrow 1\n"
                               "set xrange [*:*]\n",
                               quarter, base);
        rows[3] += fmt::format("set title 'the same, log scale'\nset xlabel 'f (cycles per step)'\n"
                               "set ylabel '|F_f|^2'\nset xrange [-0.005:0.505]\n{}{}"
                               "plot '{}_spectrum.dat' using 1:($2 > 0 ? $2 : NaN) with lines lc rgb 'black'\n"
                               "unset arrow 1\n{}set xrange [*:*]\n",
                               log_axis("y"), quarter, base, linear_axis("y"));
        rows[4] += fmt::format("set title 'autocorrelation R_ℓ (raw, not normalised)'\nset xlabel 'ℓ'\n"
                               "set ylabel 'R_ℓ'\nplot '{}_acf.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb "
                               "'black'\n",
                               base);
    }
    std::string body = fmt::format("set multiplot layout 5,{} title 'Fig. 5: time series, power spectra and "
                                   "autocorrelations of m^o_1'\nset key off\nset grid\n",
                                   C);
    for (const auto &r : rows) body += r;
    body += "unset multiplot\n";
    render_figure(dir, name, body, {int(750 * C), 1900});
}

} // namespace tdlab::plot
