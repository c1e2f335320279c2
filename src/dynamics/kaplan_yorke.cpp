#include "dynamics/kaplan_yorke.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace tdlab::dynamics {

double kaplan_yorke_dimension(std::vector<double> spectrum) {
    if (spectrum.empty()) return 0.0;
    for (double l : spectrum)
        if (std::isnan(l)) return std::nan("");
    std::sort(spectrum.begin(), spectrum.end(), std::greater<>());
    double partial = 0.0;
    for (size_t k = 0; k < spectrum.size(); ++k) {
        const double next = partial + spectrum[k];
        if (next < 0) {
            // k exponents keep a non-negative sum; the (k+1)-th (index k) makes it negative.
            return double(k) + partial / std::fabs(spectrum[k]);
        }
        partial = next;
    }
    return double(spectrum.size());
}

} // namespace tdlab::dynamics
