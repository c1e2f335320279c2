#include "scansnap/metrics.h"

#include <algorithm>
#include <cmath>

namespace tdlab::scansnap {

std::vector<double> attention_c(const SeqClass &c, const double *zrow, int M) {
    std::vector<double> out(size_t(M), 0.0);
    double zmax = -INFINITY;
    for (int l : c.support) zmax = std::max(zmax, zrow[l]);
    double sum = 0;
    for (size_t s = 0; s < c.support.size(); ++s) {
        const double x = c.prob[s] * std::exp(zrow[c.support[s]] - zmax);
        out[size_t(c.support[s])] = x;
        sum += x;
    }
    for (double &x : out) x /= sum;
    return out;
}

namespace {
double entropy_over(const SeqClass &c, const double *zrow, bool distinct_only) {
    double zmax = -INFINITY;
    for (size_t s = 0; s < c.support.size(); ++s)
        if (!distinct_only || c.distinct[s]) zmax = std::max(zmax, zrow[c.support[s]]);
    std::vector<double> w;
    double sum = 0;
    for (size_t s = 0; s < c.support.size(); ++s) {
        if (distinct_only && !c.distinct[s]) continue;
        w.push_back(c.prob[s] * std::exp(zrow[c.support[s]] - zmax));
        sum += w.back();
    }
    double h = 0;
    for (double x : w) {
        const double p = x / sum;
        if (p > 0) h -= p * std::log(p);
    }
    return h;
}
} // namespace

double distinct_entropy(const SeqClass &c, const double *zrow, int) {
    return entropy_over(c, zrow, true);
}
double full_entropy(const SeqClass &c, const double *zrow, int) {
    return entropy_over(c, zrow, false);
}

double mean_distinct_entropy(const SeqClasses &data, const double *Z) {
    double h = 0;
    for (int n = 0; n < data.K(); ++n) {
        const SeqClass &c = data.cls(n);
        h += distinct_entropy(c, &Z[size_t(c.query) * size_t(data.M())], data.M());
    }
    return h / double(data.K());
}

std::vector<double> recall_curve(const SeqClasses &data, const std::vector<double> &Z,
                                 const std::vector<double> &thetas) {
    const int M = data.M();
    std::vector<double> out(thetas.size(), 0.0);
    for (int n = 0; n < data.K(); ++n) {
        const SeqClass &c = data.cls(n);
        const double *z = &Z[size_t(c.query) * M];
        double zmax = *std::max_element(z, z + M), sum = 0;
        for (int l = 0; l < M; ++l) sum += std::exp(z[l] - zmax);
        int nd = 0;
        for (size_t s = 0; s < c.support.size(); ++s) nd += c.distinct[s];
        for (size_t s = 0; s < c.support.size(); ++s) {
            if (!c.distinct[s]) continue;
            const double a = std::exp(z[c.support[s]] - zmax) / sum;
            for (size_t j = 0; j < thetas.size(); ++j)
                if (a >= thetas[j]) out[j] += 1.0 / double(nd);
        }
    }
    for (double &x : out) x /= double(data.K());
    return out;
}

} // namespace tdlab::scansnap
