#include "dynamics/correlation_dimension.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tdlab::dynamics {

namespace {

double distance(const double *a, const double *b, size_t dim, bool max_norm) {
    double acc = 0;
    for (size_t d = 0; d < dim; ++d) {
        const double e = std::fabs(a[d] - b[d]);
        acc = max_norm ? std::max(acc, e) : acc + e * e;
    }
    return max_norm ? acc : std::sqrt(acc);
}

} // namespace

CorrelationSum correlation_sum(const std::vector<double> &x, size_t dim, const CorrelationOptions &opt) {
    if (dim == 0 || x.size() % dim != 0)
        throw UsageError("correlation sum: the series is not a whole number of points");
    const size_t n_all = x.size() / dim;
    const size_t stride = opt.max_points > 0 ? std::max<size_t>(1, (n_all + opt.max_points - 1) / opt.max_points) : 1;
    const size_t n = (n_all + stride - 1) / stride;
    // The Theiler window counts in original steps: j - i > w means (j - i) * stride > w.
    const size_t w = opt.theiler / stride;
    if (n < w + 2 || opt.num_radii < 2)
        throw UsageError("correlation sum: " + std::to_string(n_all) +
                         " points leave no pairs outside the Theiler window");
    auto pt = [&](size_t i) { return x.data() + i * stride * dim; };
    for (double v : x)
        if (!std::isfinite(v)) throw UsageError("correlation sum: the series has a non-finite value");
    const int64_t ni = int64_t(n);
    double r_max = opt.r_max;
    if (!(r_max > 0)) {
        double diam = 0;
#pragma omp parallel for reduction(max : diam) schedule(dynamic, 64)
        for (int64_t i = 0; i < ni; ++i)
            for (size_t j = size_t(i) + w + 1; j < n; ++j)
                diam = std::max(diam, distance(pt(size_t(i)), pt(j), dim, opt.max_norm));
        r_max = diam > 0 ? diam : 1.0;
    }
    const double r_min = opt.r_min > 0 ? opt.r_min : r_max * opt.r_min_factor;
    if (!(r_min < r_max)) throw UsageError("correlation sum: r_min must be below r_max");
    CorrelationSum out;
    out.points = n;
    const int R = opt.num_radii;
    out.r.resize(size_t(R));
    for (int k = 0; k < R; ++k) out.r[size_t(k)] = r_min * std::pow(r_max / r_min, double(k) / double(R - 1));
    // The last radius counts every pair (|x_i - x_j| <= diameter): C(r_max) = 1 by construction.
    out.r.back() = std::nextafter(r_max, INFINITY);
    // Pairs counted into the first radius that holds them (integers: the sum is the same for any
    // thread count), then accumulated.
    std::vector<int64_t> hist(size_t(R) + 1, 0);
#pragma omp parallel
    {
        std::vector<int64_t> local(size_t(R) + 1, 0);
#pragma omp for schedule(dynamic, 64)
        for (int64_t i = 0; i < ni; ++i) {
            for (size_t j = size_t(i) + w + 1; j < n; ++j) {
                const double d = distance(pt(size_t(i)), pt(j), dim, opt.max_norm);
                local[size_t(std::upper_bound(out.r.begin(), out.r.end(), d) - out.r.begin())] += 1; // d < r
            }
        }
#pragma omp critical(tdlab_correlation_sum)
        for (size_t k = 0; k < hist.size(); ++k) hist[k] += local[k];
    }
    int64_t total = 0;
    for (int64_t h : hist) total += h;
    out.total_pairs = total;
    out.pairs.resize(size_t(R));
    out.c.resize(size_t(R));
    int64_t acc = 0;
    for (int k = 0; k < R; ++k) {
        acc += hist[size_t(k)];
        out.pairs[size_t(k)] = acc;
        out.c[size_t(k)] = double(acc) / double(total);
    }
    return out;
}

LinearRegion linear_region(const std::vector<double> &u, const std::vector<double> &v, double rel_tol, double abs_tol,
                           size_t min_points) {
    LinearRegion best;
    const size_t n = u.size();
    double best_span = -1;
    for (size_t i = 0; i + 1 < n; ++i) {
        for (size_t j = i + std::max<size_t>(min_points, 2) - 1; j < n; ++j) {
            // Least squares over points i..j.
            const double m = double(j - i + 1);
            double su = 0, sv = 0;
            for (size_t k = i; k <= j; ++k) su += u[k], sv += v[k];
            const double mu = su / m, mv = sv / m;
            double suu = 0, suv = 0;
            for (size_t k = i; k <= j; ++k) suu += (u[k] - mu) * (u[k] - mu), suv += (u[k] - mu) * (v[k] - mv);
            if (!(suu > 0)) continue;
            const double slope = suv / suu;
            bool linear = true;
            for (size_t k = i; k < j && linear; ++k) {
                const double s = (v[k + 1] - v[k]) / (u[k + 1] - u[k]);
                linear = std::fabs(s - slope) <= rel_tol * std::fabs(slope) + abs_tol;
            }
            if (!linear) continue;
            const double span = u[j] - u[i];
            if (span > best_span * (1 + 1e-12)) {
                best_span = span;
                best = {slope, mv - slope * mu, i, j};
            }
        }
    }
    return best;
}

CorrelationDimension correlation_dimension(const std::vector<double> &x, size_t dim, const CorrelationOptions &opt) {
    CorrelationDimension out;
    out.sum = correlation_sum(x, dim, opt);
    std::vector<double> lr, lc, rr;
    for (size_t k = 0; k < out.sum.r.size(); ++k) {
        if (out.sum.pairs[k] < opt.min_pairs) continue;
        lr.push_back(std::log(out.sum.r[k]));
        lc.push_back(std::log(out.sum.c[k]));
        rr.push_back(out.sum.r[k]);
    }
    const auto reg = linear_region(lr, lc, opt.slope_tol, opt.slope_abs_tol, opt.min_fit_points);
    if (reg.first == reg.last) {
        out.d2 = std::nan("");
        return out;
    }
    out.d2 = std::max(0.0, reg.slope); // a flat region fits a tiny negative slope from rounding
    out.r_lo = rr[reg.first];
    out.r_hi = rr[reg.last];
    out.fit_points = reg.last - reg.first + 1;
    return out;
}

} // namespace tdlab::dynamics
