// The correlation dimension D2 of a set of points (an attractor's trajectory, its Poincare section, a
// delay embedding) by the method of Grassberger & Procaccia (1983, "Characterization of strange
// attractors", Phys. Rev. Lett. 50, 346; Physica D 9, 189), with the Theiler window (Theiler 1986,
// "Spurious dimension from correlation integrals of filtered noise", Phys. Rev. A 34, 2427):
//   C(r) = #{(i, j) : j - i > w, |x_i - x_j| < r} / #{(i, j) : j - i > w},   C(r) ~ r^D2 for small r,
// and D2 the slope of ln C against ln r over the automatically chosen linear region, reported with
// its range (a dimension without its fit range cannot be judged).
//
// Radii: `num_radii` log-spaced values from r_min to r_max; by default r_max = the set's diameter and
// r_min = diameter * 1e-4, and radii with fewer than `min_pairs` pairs inside are dropped (the count
// noise ~ 1 / sqrt(pairs) would otherwise bend the small-r end). Exact repeats (a converged periodic
// orbit) are pairs at distance 0 that every radius counts: C is flat below the orbit's smallest gap
// and D2 = 0.
// Linear region: the longest run (in ln r) of consecutive radii whose local slopes all lie within
// `slope_tol` (relative, plus `slope_abs_tol`) of the least-squares slope over the run, the criterion
// of FractalDimensions.jl's linear_region with its default tolerance 0.25.
// Caveats: N points resolve dimensions up to about 2 log10 N (Eckmann & Ruelle 1992); points further
// than `max_points` are subsampled evenly (deterministic); the Theiler window should exceed the
// correlation time of a flow or of an oversampled series (default 0, right for maps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tdlab::dynamics {

struct CorrelationOptions {
    size_t theiler = 0;          // pairs with |i - j| <= theiler are excluded
    int num_radii = 40;          // log-spaced radii
    double r_min = 0, r_max = 0; // 0: automatic (see above)
    double r_min_factor = 1e-4;  // automatic r_min = diameter * r_min_factor
    int64_t min_pairs = 100;     // radii with fewer pairs inside are not fitted
    bool max_norm = false;       // max-norm instead of Euclidean
    size_t max_points = 10000;   // even subsampling beyond this many points
    double slope_tol = 0.25;     // relative tolerance of the linear region
    double slope_abs_tol = 0.05; // absolute part (a flat region has slope 0)
    size_t min_fit_points = 5;   // fewest radii in a linear region
};

struct CorrelationSum {
    std::vector<double> r, c;   // radii and C(r), increasing
    std::vector<int64_t> pairs; // pairs inside each radius
    int64_t total_pairs = 0;
    size_t points = 0; // points used (after subsampling)
};

// C(r) of points x [n][dim] (row-major). UsageError if fewer than 2 usable pairs.
CorrelationSum correlation_sum(const std::vector<double> &x, size_t dim, const CorrelationOptions &opt = {});

struct LinearRegion {
    double slope = 0, intercept = 0;
    size_t first = 0, last = 0; // inclusive indices into the fitted arrays
};
// The longest linear run of (u, v) as described above; `first == last` if none has min_points.
LinearRegion linear_region(const std::vector<double> &u, const std::vector<double> &v, double rel_tol, double abs_tol,
                           size_t min_points);

struct CorrelationDimension {
    double d2 = 0;
    double r_lo = 0, r_hi = 0; // the fit range (radii)
    size_t fit_points = 0;
    CorrelationSum sum;
};
CorrelationDimension correlation_dimension(const std::vector<double> &x, size_t dim,
                                           const CorrelationOptions &opt = {});

} // namespace tdlab::dynamics
