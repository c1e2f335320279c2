// Basin fractions of a sampled region: the share of starts that reach each attractor, with the Wilson
// score interval (Wilson 1927, "Probable inference, the law of succession, and statistical inference",
// J. Am. Stat. Assoc. 22, 209-212) for each share. Starts are independent draws, so a fraction is a
// binomial proportion; the Wilson interval keeps its coverage near 0 and 1, where the normal
// approximation p +- z sqrt(p (1 - p) / n) collapses to a point:
//   centre = (p + z^2 / 2n) / (1 + z^2 / n),  half = z / (1 + z^2 / n) sqrt(p (1 - p) / n + z^2 / 4n^2).
// This is Attractors.jl's basins_fractions without the sampling (the caller runs the starts).
#pragma once

#include <cstdint>
#include <vector>

namespace tdlab::dynamics {

inline constexpr double kZ95 = 1.959963984540054; // the two-sided 95% normal quantile

struct Interval {
    double lo = 0, hi = 0;
};
// Wilson score interval of `count` successes in `n` trials (n > 0; UsageError otherwise).
Interval wilson_interval(int64_t count, int64_t n, double z = kZ95);

struct BasinFraction {
    int id = 0;
    int64_t count = 0;
    double fraction = 0;
    Interval ci; // Wilson 95%
};
// One row per distinct id (ascending), from the attractor id of every start; fractions sum to 1.
std::vector<BasinFraction> basins_fractions(const std::vector<int> &ids, double z = kZ95);

} // namespace tdlab::dynamics
