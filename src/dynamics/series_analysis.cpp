#include "dynamics/series_analysis.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "dynamics/chaos01.h"
#include "dynamics/period.h"
#include "dynamics/quantize.h"
#include "dynamics/spectrum.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace tdlab::dynamics {

SeriesAnalysis analyze_series(const std::vector<double> &x, size_t dim, const SeriesOptions &opt) {
    if (dim == 0 || x.empty() || x.size() % dim != 0)
        throw UsageError("analyze: the series must be a non-empty [n] or [n][dim] array");
    for (double v : x)
        if (!std::isfinite(v)) throw UsageError("analyze: the series holds a non-finite value");
    SeriesAnalysis a;
    a.dim = dim;
    a.n = x.size() / dim;
    PeriodOptions po;
    po.max_period = opt.max_period;
    po.tol = opt.period_tol;
    po.multiple_of = std::max<size_t>(1, opt.multiple_of);
    a.period = detect_period(x, dim, po);
    std::vector<double> col(a.n);
    double max_abs = 0;
    for (size_t t = 0; t < a.n; ++t) col[t] = x[t * dim], max_abs = std::max(max_abs, std::fabs(col[t]));
    if (!(max_abs > 0)) max_abs = 1.0;
    PaperClassifier pc;
    a.unique_points = int64_t(unique_bins(col.data(), a.n, 1, max_abs, pc.resolution).size());
    a.paper_label = paper_label(size_t(a.unique_points), pc);
    a.chaos01 = std::nan("");
    if (a.n >= 200) {
        const size_t np = std::min(a.n, opt.chaos01_points);
        a.chaos01 = chaos01(std::vector<double>(col.end() - long(np), col.end()));
    }
    a.power = power_spectrum(col);
    a.spectral_entropy = spectral_entropy(a.power);
    a.autocorrelation = autocorrelation(col, std::min(opt.max_lag, a.n - 1));
    // D2: the points themselves, or a delay embedding of a scalar series.
    std::vector<double> pts;
    size_t pdim = dim;
    if (dim == 1 && opt.embed_dim > 1) {
        const size_t span = (opt.embed_dim - 1) * std::max<size_t>(1, opt.embed_lag);
        if (a.n > span + 2) {
            pdim = opt.embed_dim;
            for (size_t t = 0; t + span < a.n; ++t)
                for (size_t m = 0; m < opt.embed_dim; ++m)
                    pts.push_back(col[t + m * std::max<size_t>(1, opt.embed_lag)]);
        }
    }
    const std::vector<double> &d2_points = pts.empty() ? x : pts;
    try {
        a.d2 = correlation_dimension(d2_points, pts.empty() ? dim : pdim, opt.correlation);
    } catch (const UsageError &) {
        a.d2.d2 = std::nan(""); // too few points for any pair outside the Theiler window
    }
    Indicators ind;
    ind.period = a.period;
    ind.chaos01 = a.chaos01;
    ind.paper = a.paper_label;
    a.label = combine_indicators(ind);
    return a;
}

void write_series_analysis(const std::filesystem::path &dir, const SeriesAnalysis &a, const std::string &series) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    nlohmann::json j;
    j["series"] = series;
    j["n"] = a.n;
    j["dim"] = a.dim;
    j["period"] = a.period;
    j["unique_points"] = a.unique_points;
    j["paper_label"] = label_name(a.paper_label);
    j["chaos01"] = num(a.chaos01);
    j["spectral_entropy"] = num(a.spectral_entropy);
    j["correlation_dimension"] = num(a.d2.d2);
    j["correlation_fit_range"] = {num(a.d2.r_lo), num(a.d2.r_hi)};
    j["correlation_fit_points"] = a.d2.fit_points;
    j["label"] = label_name(a.label.label);
    j["flags"] = a.label.flags;
    write_file_atomic(dir / "analysis.json", j.dump(2) + "\n");
    write_npy(dir / "power_spectrum.npy", a.power, {a.power.size()});
    write_npy(dir / "autocorrelation.npy", a.autocorrelation, {a.autocorrelation.size()});
    std::vector<double> rc;
    for (size_t k = 0; k < a.d2.sum.r.size(); ++k) rc.insert(rc.end(), {a.d2.sum.r[k], a.d2.sum.c[k]});
    write_npy(dir / "correlation_sum.npy", rc, {a.d2.sum.r.size(), 2});
}

} // namespace tdlab::dynamics
