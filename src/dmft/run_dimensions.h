// The correlation dimension D2 (Grassberger-Procaccia, dynamics/correlation_dimension.h) of one run's
// attractor and of its Poincare section, for `tdlab dmft run` with dimension.enabled (issue 15).
//   trajectory   the recorded window of m^o [saved][M] (all M features: the attractor in the map's
//                observable space);
//   section      the rows of that window at the samples with |m^o_2| <= section_tol, the paper's
//                Poincare filter (docs/dmft_map.md section 8.3), all M coordinates, repeats kept (a
//                converged periodic orbit revisits its section points: pairs at distance ~0, D2 = 0).
// Each set is at most the last dimension.max_points samples (consecutive, not subsampled: an even
// stride that is a multiple of L would alias a period-L orbit onto one point).
// For a chaotic attractor the section's D2 is about one less than the trajectory's; for a periodic
// orbit both are 0; for a quasi-periodic orbit (an invariant curve per forcing phase) the trajectory's
// is 1 (at beta = 1.26 from the zoom checkpoint, 100 000 steps of transient: 1.12 from 10 000 points
// on [0.0072, 0.12], 1.015 from 40 000 on [2.5e-5, 5.3e-4]: finite samples raise it at large radii). The
// section is a slab, not a hyperplane: a quasi-periodic curve crosses it in short arcs, so its D2 is
// that of arcs (1) at radii below their length and of points (0) above. Each comes with its fit range (radii) and the
// points used; NaN when no linear region was found or the section holds fewer than `min_section` samples.
#pragma once

#include "core/config.h"
#include "dmft/trajectory.h"
#include "dynamics/correlation_dimension.h"

#include <cstddef>
#include <nlohmann/json.hpp>

namespace tdlab::dmft {

struct DimensionOptions {
    bool enabled = false;
    double section_tol = 1e-3; // the paper's |m^o_2| filter
    size_t min_section = 20;   // fewer section samples: no section D2
    dynamics::CorrelationOptions correlation;
};

struct RunDimensions {
    dynamics::CorrelationDimension trajectory, section; // d2 NaN: not computed / no linear region
    size_t section_samples = 0;
};

RunDimensions run_dimensions(const Trajectory &traj, const DimensionOptions &opt);

// {"trajectory": {d2, fit_range: [r_lo, r_hi], fit_points, points}, "poincare_section": {..., samples,
// section_tol}}; NaN as null.
nlohmann::json dimensions_json(const RunDimensions &d, const DimensionOptions &opt);

// dimension.enabled, dimension.section_tol, dimension.theiler, dimension.max_points.
ConfigSchema dimension_schema();
DimensionOptions dimension_options_from(const Config &cfg);

} // namespace tdlab::dmft
