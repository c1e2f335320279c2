#include "dmft/finite_n_report.h"

#include "core/error.h"
#include "dmft/context.h"
#include "dmft/network_stats.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::dmft {

OrbitDeviation orbit_deviation(const FiniteNetwork &net, const DynamicsParams &dyn, const Context &on_orbit,
                               int64_t steps, int runs, uint64_t seed) {
    SpinOptions opt;
    opt.window.steps = on_orbit.t + 1 + steps;
    opt.window.transient = on_orbit.t + 1;
    opt.runs = runs;
    opt.seed = seed;
    auto traj = run_network(net, dyn, on_orbit, opt);
    MeanFieldMap map(net.mean_field, dyn);
    Context c = on_orbit;
    Trajectory mf = run_trajectory(map, c, opt.window);
    OrbitDeviation d;
    double s2 = 0.0;
    size_t n = 0;
    for (const auto &r : traj) {
        for (size_t k = 0; k < r.mo_se.size(); ++k) {
            double e = r.mo_se[k] - mf.mo_se[k];
            s2 += e * e;
            d.max = std::max(d.max, std::fabs(e));
            ++n;
        }
    }
    d.rms = std::sqrt(s2 / double(n));
    return d;
}

Context periodic_start(MeanFieldMap &map, const std::string &start, int period, int tries) {
    for (int k = 0; k < tries; ++k) {
        Context c = start_context(start, map);
        perturb_context(c, k ? 1e-6 : 0.0, uint64_t(k), 0);
        if (settle_on_orbit(map, c, period, 100000)) return c;
    }
    throw RuntimeError(fmt::format("no start from '{}' settled on a period-{} orbit at beta = {}", start, period,
                                   map.dynamics().beta));
}

std::vector<std::vector<double>> chaotic_series(const FiniteNetwork &net, const DynamicsParams &dyn,
                                                const Context &start, const ChaoticWindow &s, bool mean_field,
                                                uint64_t seed) {
    SpinOptions opt;
    opt.window.steps = start.t + 1 + s.transient + s.saved;
    opt.window.transient = start.t + 1 + s.transient;
    opt.runs = s.runs;
    opt.seed = seed;
    std::vector<Trajectory> traj;
    if (mean_field) {
        MeanFieldMap map(net.mean_field, dyn);
        for (int r = 0; r < s.runs; ++r) {
            Context c = start;
            perturb_context(c, 1e-8, seed, uint64_t(r));
            traj.push_back(run_trajectory(map, c, opt.window));
        }
    } else {
        traj = run_network(net, dyn, start, opt);
    }
    std::vector<std::vector<double>> out;
    for (const auto &t : traj) {
        std::vector<double> x;
        for (size_t k = 0; k < t.size(); ++k) x.push_back(t.mo_se[k * size_t(t.M)]);
        out.push_back(x);
    }
    return out;
}

std::vector<double> pooled(const std::vector<std::vector<double>> &v) {
    std::vector<double> p;
    for (const auto &x : v) p.insert(p.end(), x.begin(), x.end());
    return p;
}

std::vector<double> mean_spectrum(const std::vector<std::vector<double>> &v, int bins) {
    std::vector<double> acc(size_t(bins), 0.0);
    for (const auto &x : v) {
        auto s = binned_spectrum(x, bins);
        for (size_t b = 0; b < acc.size(); ++b) acc[b] += s[b] / double(v.size());
    }
    return acc;
}

std::vector<double> density_histogram(const std::vector<double> &x, double lo, double hi, int bins) {
    std::vector<double> h(size_t(bins), 0.0);
    const double w = (hi - lo) / bins;
    for (double v : x) {
        int b = int((v - lo) / w);
        if (b >= 0 && b < bins) h[size_t(b)] += 1.0 / (double(x.size()) * w);
    }
    return h;
}

} // namespace tdlab::dmft
