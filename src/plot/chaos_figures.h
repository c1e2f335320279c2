// Figures of the chaos toolbox (issue 15): basin fractions with their Wilson intervals, the
// multistability map of a continuation (attractors against the parameter, their number and their
// basin fractions), Lyapunov spectra against a parameter, and a correlation sum with its fitted
// linear region. Each writes NAME.gp + data beside it and renders NAME.png / NAME.svg (gnuplot.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

struct FractionBar {
    std::string name; // e.g. "#0 period 28"
    double fraction = 0, lo = 0, hi = 0;
};
void draw_basin_fractions(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<FractionBar> &bars);

// One attractor at one parameter value of a continuation.
struct MultistablePoint {
    double value = 0;
    int track = 0;
    int label = 0;          // dynamics::Label
    double fraction = 0;    // of the fresh starts (0: reached only by a seed)
    std::vector<double> m1; // its m^o_1 values to draw (orbit points, or a sample of the window)
};
// Three panels over the parameter: (a) every attractor's m^o_1 values coloured by track (the
// bifurcation diagram of all coexisting attractors), (b) the number of coexisting attractors (all,
// and those with a basin share >= 1%), (c) the basin fraction of each track.
void draw_multistability(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                         const std::string &xlabel, const std::vector<MultistablePoint> &points);

// spectrum[k] = the exponents at values[k] (same count for every k); kaplan_yorke[k] per value.
void draw_lyapunov_spectrum(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                            const std::string &xlabel, const std::vector<double> &values,
                            const std::vector<std::vector<double>> &spectrum, const std::vector<double> &kaplan_yorke);

// ln C against ln r with the fitted line over [r_lo, r_hi].
void draw_correlation_sum(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<double> &r, const std::vector<double> &c, double r_lo, double r_hi,
                          double slope);

} // namespace tdlab::plot
