#include "dynamics/attractor_match.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tdlab::dynamics {

namespace {
// Max-norm distance between orbit a and orbit b shifted by s steps.
double shifted_distance(const AttractorSignature &a, const AttractorSignature &b, size_t s, size_t dim) {
    const size_t p = a.period;
    double d = 0;
    for (size_t r = 0; r < p; ++r)
        for (size_t k = 0; k < dim; ++k)
            d = std::max(d, std::fabs(a.orbit[r * dim + k] - b.orbit[((r + s) % p) * dim + k]));
    return d;
}
} // namespace

double signature_distance(const AttractorSignature &a, const AttractorSignature &b, const MatchOptions &opt) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (a.period != b.period) return inf;
    if (a.period > 0) {
        if (a.orbit.size() != a.period * opt.dim || b.orbit.size() != b.period * opt.dim) return inf;
        double best = inf;
        const size_t step = std::max<size_t>(1, opt.shift_multiple);
        for (size_t s = 0; s < a.period; s += step) best = std::min(best, shifted_distance(a, b, s, opt.dim));
        return best;
    }
    if (a.features.size() != b.features.size()) return inf;
    double d = 0;
    for (size_t k = 0; k < a.features.size(); ++k) {
        const double e = std::fabs(a.features[k] - b.features[k]);
        d = std::isnan(e) ? inf : std::max(d, e);
    }
    return d;
}

bool same_attractor(const AttractorSignature &a, const AttractorSignature &b, const MatchOptions &opt) {
    return signature_distance(a, b, opt) <= (a.period > 0 ? opt.orbit_tol : opt.feature_tol);
}

int AttractorRegistry::find(const AttractorSignature &s) const {
    for (size_t k = 0; k < reps_.size(); ++k)
        if (same_attractor(reps_[k], s, opt_)) return int(k);
    return -1;
}

int AttractorRegistry::identify(const AttractorSignature &s) {
    const int id = find(s);
    if (id >= 0) return id;
    reps_.push_back(s);
    return int(reps_.size()) - 1;
}

} // namespace tdlab::dynamics
