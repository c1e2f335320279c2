#include "plot/dmft_figures.h"

#include "plot/gnuplot.h"

#include <fmt/format.h>

namespace tdlab::plot {

void draw_dmft_trajectory(const std::filesystem::path &dir, const dmft::Trajectory &traj, const std::string &title,
                          size_t window) {
    const size_t n = traj.size(), M = size_t(traj.M);
    std::vector<double> t(n), m1(n), m2(n, 0.0);
    for (size_t k = 0; k < n; ++k) {
        t[k] = double(traj.t[k]);
        m1[k] = traj.mo_se[k * M];
        if (M > 1) m2[k] = traj.mo_se[k * M + 1];
    }
    write_columns(dir / "trajectory.dat", {{"t", &t}, {"mo_se_1", &m1}, {"mo_se_2", &m2}});
    const size_t first = n > window ? n - window : 0;
    render_figure(
        dir, "mo1_time",
        fmt::format("set title '{0}: m^o_1(t), last {1} saved steps'\n"
                    "set xlabel 't'\nset ylabel 'm^o_1(t)'\nset key off\nset grid\n"
                    "plot 'trajectory.dat' every ::{2} using 1:2 with linespoints lc rgb 'black' pt 7 ps 0.4 lw 1\n",
                    title, n - first, first),
        {1200, 500});
    render_figure(dir, "plane",
                  fmt::format("set title '{0}: plane (m^o_1, m^o_2), {1} points'\n"
                              "set xlabel 'm^o_1(t)'\nset ylabel 'm^o_2(t)'\nset key off\nset size square\n"
                              "plot 'trajectory.dat' using 2:3 with points pt 7 ps {2} lc rgb 'black'\n",
                              title, n, n < 200 ? 1.2 : 0.15),
                  {800, 800});
}

} // namespace tdlab::plot
