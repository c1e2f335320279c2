#include "dynamics/quantize.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace tdlab::dynamics {

const char *label_name(Label l) {
    switch (l) {
    case Label::Periodic: return "periodic";
    case Label::QuasiPeriodic: return "quasi-periodic";
    case Label::Chaotic: return "chaotic";
    default: return "unknown";
    }
}

Label label_from_name(const std::string &name) {
    for (Label l : {Label::Periodic, Label::QuasiPeriodic, Label::Chaotic, Label::Unknown}) {
        if (name == label_name(l)) return l;
    }
    throw UsageError("unknown attractor label '" + name + "'");
}

int64_t quantize(double v, double max_y, int resolution) {
    return int64_t(std::trunc(double(resolution) * (v / max_y + 1.0) / 2.0));
}

std::vector<int64_t> unique_bins(const double *values, size_t n, size_t stride, double max_y, int resolution) {
    std::vector<int64_t> bins(n);
    for (size_t k = 0; k < n; ++k) bins[k] = quantize(values[k * stride], max_y, resolution);
    std::sort(bins.begin(), bins.end());
    bins.erase(std::unique(bins.begin(), bins.end()), bins.end());
    return bins;
}

std::vector<double> bin_values(const std::vector<int64_t> &bins, double max_y, int resolution) {
    std::vector<double> out(bins.size());
    for (size_t k = 0; k < bins.size(); ++k) out[k] = (double(bins[k]) / resolution * 2.0 - 1.0) * max_y;
    return out;
}

Label paper_label(size_t unique_count, const PaperClassifier &c) {
    if (unique_count < size_t(c.periodic_below)) return Label::Periodic;
    if (unique_count < size_t(c.chaotic_from)) return Label::QuasiPeriodic;
    return Label::Chaotic;
}

std::vector<double> poincare_filter(const double *x, const double *y, size_t n, size_t stride, double tol) {
    std::vector<double> out;
    for (size_t k = 0; k < n; ++k) {
        if (std::fabs(y[k * stride]) <= tol) out.push_back(x[k * stride]);
    }
    return out;
}

} // namespace tdlab::dynamics
