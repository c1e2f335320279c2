#include "dynamics/basins_fractions.h"

#include "core/error.h"

#include <cmath>
#include <map>
#include <string>

namespace tdlab::dynamics {

Interval wilson_interval(int64_t count, int64_t n, double z) {
    if (n <= 0 || count < 0 || count > n)
        throw UsageError("wilson interval: need 0 <= count <= n and n > 0 (count " + std::to_string(count) + ", n " +
                         std::to_string(n) + ")");
    const double nn = double(n), p = double(count) / nn, z2 = z * z;
    const double denom = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2 * nn)) / denom;
    const double half = z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    // At count 0 (n) the lower (upper) end is 0 (1) exactly; rounding would leave ~1e-18.
    return {count == 0 ? 0.0 : std::max(0.0, centre - half), count == n ? 1.0 : std::min(1.0, centre + half)};
}

std::vector<BasinFraction> basins_fractions(const std::vector<int> &ids, double z) {
    if (ids.empty()) throw UsageError("basins fractions: no starts");
    std::map<int, int64_t> counts;
    for (int id : ids) ++counts[id];
    std::vector<BasinFraction> out;
    const int64_t n = int64_t(ids.size());
    for (const auto &[id, c] : counts) out.push_back({id, c, double(c) / double(n), wilson_interval(c, n, z)});
    return out;
}

} // namespace tdlab::dynamics
