#include "dmft/run_dimensions.h"

#include <algorithm>
#include <cmath>

namespace tdlab::dmft {

namespace {
dynamics::CorrelationDimension not_computed() {
    dynamics::CorrelationDimension d;
    d.d2 = d.r_lo = d.r_hi = std::nan("");
    return d;
}

nlohmann::json entry(const dynamics::CorrelationDimension &d) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    return {{"d2", num(d.d2)},
            {"fit_range", {num(d.r_lo), num(d.r_hi)}},
            {"fit_points", d.fit_points},
            {"points", d.sum.points}};
}
} // namespace

RunDimensions run_dimensions(const Trajectory &traj, const DimensionOptions &opt) {
    RunDimensions out;
    out.trajectory = out.section = not_computed();
    const size_t M = size_t(traj.M), n = traj.size();
    // correlation_sum needs pairs outside the Theiler window.
    const size_t least = opt.correlation.theiler + 3;
    // The last max_points samples, consecutive: the correlation sum's own even subsampling would take
    // every (n / max_points)-th sample, and a stride that is a multiple of the forcing period L aliases a
    // period-L orbit onto one point.
    const size_t keep = std::min(n, std::max<size_t>(opt.correlation.max_points, 2));
    if (n >= least) {
        const std::vector<double> last(traj.mo_se.end() - long(keep * M), traj.mo_se.end());
        out.trajectory = dynamics::correlation_dimension(last, M, opt.correlation);
    }
    if (M < 2) return out;
    std::vector<double> section;
    for (size_t k = 0; k < n; ++k) {
        const double *row = &traj.mo_se[k * M];
        if (std::fabs(row[1]) <= opt.section_tol) section.insert(section.end(), row, row + M);
    }
    out.section_samples = section.size() / M;
    if (out.section_samples > keep) section.erase(section.begin(), section.end() - long(keep * M));
    if (out.section_samples >= std::max(opt.min_section, least))
        out.section = dynamics::correlation_dimension(section, M, opt.correlation);
    return out;
}

nlohmann::json dimensions_json(const RunDimensions &d, const DimensionOptions &opt) {
    nlohmann::json s = entry(d.section);
    s["samples"] = d.section_samples;
    s["section_tol"] = opt.section_tol;
    return {{"trajectory", entry(d.trajectory)}, {"poincare_section", s}};
}

ConfigSchema dimension_schema() {
    ConfigSchema s;
    s.add_bool("dimension.enabled", false,
               "also the correlation dimension D2 of the window and of its Poincare section (manifest.json)")
        .add_double("dimension.section_tol", 1e-3, 0.0, 1e6, "Poincare section: samples with |m^o_2| <= this")
        .add_int("dimension.theiler", 0, 0, int64_t(1) << 40, "Theiler window (pairs closer in time are excluded)")
        .add_int("dimension.max_points", 10000, 2, 1000000, "points used per set (evenly subsampled beyond)");
    return s;
}

DimensionOptions dimension_options_from(const Config &cfg) {
    DimensionOptions o;
    o.enabled = cfg.get_bool("dimension.enabled");
    o.section_tol = cfg.get_double("dimension.section_tol");
    o.correlation.theiler = size_t(cfg.get_int("dimension.theiler"));
    o.correlation.max_points = size_t(cfg.get_int("dimension.max_points"));
    return o;
}

} // namespace tdlab::dmft
