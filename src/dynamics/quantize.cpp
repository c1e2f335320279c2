#include "dynamics/quantize.h"

#include "core/error.h"
#include "core/isa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

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

namespace {
// min, max and whether every value is finite, of a strided view. Branch-free so that it vectorises; the
// min / max of finite values do not depend on the order.
TDLAB_CLONES_AVX512_AVX2 void range_of(const double *values, size_t n, size_t stride, double &lo, double &hi,
                                       bool &finite) {
    double vmin = values[0], vmax = values[0];
    int bad = 0;
    for (size_t k = 0; k < n; ++k) {
        const double v = values[k * stride];
        bad |= !(v - v == 0.0); // inf - inf and NaN - NaN are NaN
        vmin = v < vmin ? v : vmin;
        vmax = v > vmax ? v : vmax;
    }
    lo = vmin, hi = vmax, finite = bad == 0;
}

// Marks seen[quantize(v) - lo] for every value. quantize's arithmetic, vectorised: trunc(x) and lo are
// integers below 2^53 here, so their difference is exact and fits the table's index.
TDLAB_CLONES_AVX512_AVX2 void mark_bins(const double *values, size_t n, size_t stride, double max_y, int resolution,
                                        int64_t lo, uint8_t *seen) {
    constexpr size_t kChunk = 256;
    int32_t idx[kChunk];
    const double r = double(resolution), base = double(lo);
    for (size_t k0 = 0; k0 < n; k0 += kChunk) {
        const size_t m = std::min(kChunk, n - k0);
        for (size_t k = 0; k < m; ++k)
            idx[k] = int32_t(std::trunc(r * (values[(k0 + k) * stride] / max_y + 1.0) / 2.0) - base);
        for (size_t k = 0; k < m; ++k) seen[idx[k]] = 1;
    }
}
} // namespace

std::vector<int64_t> unique_bins(const double *values, size_t n, size_t stride, double max_y, int resolution) {
    // Fast path (every sweep column): finite values and a moderate bin range. quantize() is monotone in
    // v, so the bins lie between those of the smallest and largest value; mark them in a table of that
    // range (one pass, no sort, no per-sample buffer). Otherwise sort + unique.
    std::vector<int64_t> bins;
    if (n == 0) return bins;
    double vmin, vmax;
    bool finite;
    range_of(values, n, stride, vmin, vmax, finite);
    if (finite && max_y != 0 && std::isfinite(max_y)) {
        const double a = double(resolution) * (vmin / max_y + 1.0) / 2.0,
                     b = double(resolution) * (vmax / max_y + 1.0) / 2.0;
        const double span = std::fabs(b - a);
        if (std::fabs(a) < 1e15 && std::fabs(b) < 1e15 && span < double(4 * n + 65536)) {
            const int64_t q0 = quantize(vmin, max_y, resolution), q1 = quantize(vmax, max_y, resolution);
            const int64_t lo = std::min(q0, q1), hi = std::max(q0, q1);
            std::vector<uint8_t> seen(size_t(hi - lo) + 1, 0);
            mark_bins(values, n, stride, max_y, resolution, lo, seen.data());
            for (size_t i = 0; i < seen.size(); ++i) {
                if (seen[i]) bins.push_back(lo + int64_t(i));
            }
            return bins;
        }
    }
    bins.resize(n);
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
    // Two passes (count, then fill): one allocation of the exact size instead of push_back growth.
    size_t count = 0;
    for (size_t k = 0; k < n; ++k) count += std::fabs(y[k * stride]) <= tol;
    std::vector<double> out;
    out.reserve(count);
    for (size_t k = 0; k < n && out.size() < count; ++k) {
        if (std::fabs(y[k * stride]) <= tol) out.push_back(x[k * stride]);
    }
    return out;
}

std::vector<double> distinct_in_order(const std::vector<double> &v) {
    // Fast path: a sequence that repeats itself exactly with a short period p (a converged periodic orbit)
    // has the distinct values of its first p entries; one O(n) check per candidate p instead of a sort.
    constexpr size_t kMaxPeriod = 64;
    for (size_t p = 1; p <= kMaxPeriod && 2 * p <= v.size(); ++p) {
        size_t k = p;
        while (k < v.size() && v[k] == v[k - p]) ++k;
        if (k == v.size()) return distinct_in_order(std::vector<double>(v.begin(), v.begin() + long(p)));
    }
    // Sort indices by value (ties by index), keep the first index of each run of equal values, restore order.
    std::vector<size_t> idx(v.size());
    for (size_t k = 0; k < idx.size(); ++k) idx[k] = k;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b] || (v[a] == v[b] && a < b); });
    std::vector<size_t> first;
    for (size_t k = 0; k < idx.size(); ++k)
        if (k == 0 || !(v[idx[k]] == v[idx[k - 1]])) first.push_back(idx[k]);
    std::sort(first.begin(), first.end());
    std::vector<double> out(first.size());
    for (size_t k = 0; k < first.size(); ++k) out[k] = v[first[k]];
    return out;
}

std::vector<double> periodic_poincare(const double *x, const double *y, size_t n, size_t stride, size_t period,
                                      double filter_tol, double tol) {
    std::vector<double> out;
    if (period == 0 || n < period) return out;
    for (size_t r = 0; r < period; ++r) {
        const size_t t = r + (n - 1 - r) / period * period; // last sample of phase r
        if (!(std::fabs(y[t * stride]) <= filter_tol)) continue;
        const double v = x[t * stride];
        bool seen = false;
        for (double w : out) seen = seen || std::fabs(v - w) <= tol;
        if (!seen) out.push_back(v);
    }
    return out;
}

} // namespace tdlab::dynamics
