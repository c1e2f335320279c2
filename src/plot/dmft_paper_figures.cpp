#include "plot/dmft_paper_figures.h"

#include "plot/gnuplot.h"

#include <algorithm>
#include <fmt/format.h>

namespace tdlab::plot {

void draw_planes(const std::filesystem::path &dir, const std::string &name, const std::vector<double> &betas,
                 const std::vector<std::vector<double>> &mo_se, int M) {
    std::string body = "set multiplot layout 2,3\nset xlabel 'm^o_1(t)'\nset ylabel 'm^o_2(t)'\nset key off\n"
                       "set size square\n";
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
        body += fmt::format("set title 'β = {}'\nplot '{}' using 1:2 with points pt 7 ps {} lc rgb 'black'\n", betas[b],
                            dat, pts.size() < 200 ? 0.8 : 0.12);
    }
    body += "unset multiplot\n";
    render_figure(dir, name, body, {1500, 1000});
}

void draw_time_spectrum_acf(const std::filesystem::path &dir, const std::string &name, double beta,
                            const std::vector<double> &x, const std::vector<double> &power,
                            const std::vector<double> &acf, size_t offset, size_t window) {
    const size_t n = x.size();
    offset = std::min(offset, n > window ? n - window : 0);
    std::vector<double> ts(x.begin() + long(offset), x.begin() + long(std::min(n, offset + window))), ti(ts.size());
    for (size_t k = 0; k < ti.size(); ++k) ti[k] = double(k);
    const std::vector<double> &p = power, &r = acf;
    std::vector<double> f(p.size());
    for (size_t k = 0; k < f.size(); ++k) f[k] = double(k) / double(n);
    std::vector<double> lag(r.size());
    for (size_t k = 0; k < lag.size(); ++k) lag[k] = double(k);
    write_columns(dir / (name + "_series.dat"), {{"t", &ti}, {"mo_se_1", &ts}});
    write_columns(dir / (name + "_spectrum.dat"), {{"f", &f}, {"power", &p}});
    write_columns(dir / (name + "_acf.dat"), {{"lag", &lag}, {"R", &r}});
    std::string body = fmt::format(
        "set multiplot layout 3,1 title 'β = {beta}'\nset key off\nset grid\n"
        "set xlabel 't (from step {off} of the window)'\nset ylabel 'm^o_1(t)'\n"
        "plot '{n}_series.dat' using 1:2 with lines lc rgb 'black'\n"
        "set xlabel 'f (cycles per step)'\nset ylabel '|F_f|^2'\nset logscale y\nset format y '10^{{%L}}'\n"
        "set xrange [-0.005:0.505]\nset arrow from 0.25, graph 0 to 0.25, graph 1 nohead dt 2 lc rgb 'gray'\n"
        "plot '{n}_spectrum.dat' using 1:($2 > 0 ? $2 : NaN) with lines lc rgb 'black'\n"
        "unset logscale y\nunset arrow\nset format y '%g'\nset xrange [*:*]\nset xlabel 'ℓ'\nset ylabel 'R_ℓ'\n"
        "plot '{n}_acf.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb 'black'\nunset multiplot\n",
        fmt::arg("beta", beta), fmt::arg("off", offset), fmt::arg("n", name));
    render_figure(dir, name, body, {1000, 1200});
}

} // namespace tdlab::plot
