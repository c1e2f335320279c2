#include "dynamics/period.h"

#include <cmath>

namespace tdlab::dynamics {

size_t detect_period(const std::vector<double> &x, size_t dim, const PeriodOptions &opt) {
    if (dim == 0) return 0;
    const size_t n = x.size() / dim;
    const size_t step = opt.multiple_of == 0 ? 1 : opt.multiple_of;
    for (size_t p = step; p <= opt.max_period && 2 * p <= n; p += step) {
        bool ok = true;
        // Compare from the end first: a converging orbit fails, if at all, at the start of the window,
        // and a non-periodic one fails almost at once, so this loop is cheap except for true periods.
        for (size_t t = n - p; t-- > 0 && ok;) {
            const double *a = &x[t * dim], *b = &x[(t + p) * dim];
            for (size_t d = 0; d < dim; ++d) {
                if (!(std::fabs(a[d] - b[d]) <= opt.tol)) {
                    ok = false;
                    break;
                }
            }
        }
        if (ok) return p;
    }
    return 0;
}

} // namespace tdlab::dynamics
