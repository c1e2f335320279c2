#include "dmft/network_stats.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <kissfft/kissfft.hh>
#include <set>

namespace tdlab::dmft {

double wasserstein1(std::vector<double> a, std::vector<double> b) {
    if (a.empty() || b.empty()) return NAN;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    // Sweep the merged sorted values; between consecutive values both CDFs are constant.
    size_t i = 0, j = 0;
    double prev = std::min(a[0], b[0]), area = 0.0;
    while (i < a.size() || j < b.size()) {
        double v = (j >= b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
        area += std::fabs(double(i) / a.size() - double(j) / b.size()) * (v - prev);
        while (i < a.size() && a[i] <= v) ++i;
        while (j < b.size() && b[j] <= v) ++j;
        prev = v;
    }
    return area;
}

std::vector<double> binned_spectrum(const std::vector<double> &x, int bins) {
    const size_t T = x.size();
    std::vector<std::complex<double>> in(T), out(T);
    for (size_t t = 0; t < T; ++t) in[t] = x[t];
    kissfft<double> fft(T, false);
    fft.transform(in.data(), out.data());
    std::vector<double> sum(size_t(bins), 0.0), count(size_t(bins), 0.0);
    for (size_t k = 0; k <= T / 2; ++k) {
        double f = double(k) / double(T);
        size_t b = std::min(size_t(bins) - 1, size_t(f * 2.0 * bins));
        sum[b] += std::norm(out[k]) / double(T);
        count[b] += 1.0;
    }
    for (size_t b = 0; b < sum.size(); ++b) sum[b] = count[b] > 0 ? sum[b] / count[b] : 0.0;
    return sum;
}

double log_spectrum_distance(const std::vector<double> &p, const std::vector<double> &q) {
    double d = 0.0;
    int n = 0;
    for (size_t b = 0; b < p.size() && b < q.size(); ++b) {
        if (p[b] > 0 && q[b] > 0) {
            d += std::fabs(std::log10(p[b]) - std::log10(q[b]));
            ++n;
        }
    }
    return n ? d / n : NAN;
}

int unique_bins(const std::vector<double> &x, double max_y, int R) {
    std::set<long long> bins;
    for (double v : x) bins.insert((long long)(R * (v / max_y + 1.0) / 2.0));
    return int(bins.size());
}

std::string point_count_label(int unique) {
    return unique < 80 ? "periodic" : unique < 2500 ? "quasi-periodic" : "chaotic";
}

bool settle_on_orbit(MeanFieldMap &map, Context &c, int period, int64_t max_steps, double tol) {
    const size_t M = c.att.size();
    std::vector<std::vector<double>> hist(static_cast<size_t>(period));
    int matches = 0; // consecutive steps that repeat the step one period earlier
    for (int64_t s = 0; s < max_steps; ++s) {
        map.step(c);
        auto &slot = hist[size_t(c.t % period)];
        if (!slot.empty()) {
            double d = 0.0;
            for (size_t a = 0; a < M; ++a) d = std::max(d, std::fabs(slot[a] - c.att[a]));
            matches = d < tol ? matches + 1 : 0;
            if (matches >= 2 * period) return true;
        }
        slot = c.att;
    }
    return false;
}

} // namespace tdlab::dmft
