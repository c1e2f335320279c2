// The combined attractor label: several independent indicators, with the ones that disagree named
// rather than hidden (docs/dmft_map.md section 8.7; not the paper's rule, which is quantize.h).
//   exact period found                      -> periodic
//   else Lyapunov exponent lambda (if any):  lambda > tol chaotic, |lambda| <= tol quasi-periodic,
//                                            lambda < -tol periodic (orbit not converged to the tolerance)
//   else the 0-1 test K:                     K > 0.5 chaotic, otherwise quasi-periodic
//   else the paper's point count
// An indicator whose window is shorter than it needs (MinimumWindow) is set aside by the caller, which
// says so with `short_window`; with no indicator left the label is unknown.
// Flags (joined by '|'): "lyapunov", "chaos01", "paper" when that indicator points to another class,
// "unconverged" when the label is periodic without an exact period, "short" when an indicator was set
// aside for lack of data.
#pragma once

#include "dynamics/quantize.h"

#include <cmath>
#include <string>

namespace tdlab::dynamics {

struct Indicators {
    size_t period = 0;              // 0: no exact period
    double lyapunov = std::nan(""); // NaN: not computed
    double chaos01 = std::nan("");  // NaN: not computed
    Label paper = Label::Unknown;   // the paper's point-count label (Unknown: not computed)
    bool short_window = false;      // an indicator was set aside: its window was below MinimumWindow
};

// The least data each indicator needs before its verdict counts (docs/dmft_map.md section 8.6). An
// exact period p needs the window to hold it twice (detect_period enforces n >= 2p); the paper's count
// needs n >= PaperClassifier::chaotic_from samples (below that u cannot reach the chaotic class, and
// below periodic_below every window would count as periodic).
struct MinimumWindow {
    size_t lyapunov_steps = 1000; // steps the finite-time exponent is averaged over
    size_t chaos01_points = 200;  // points of the (every-L) series the 0-1 test sees
};

struct CombineOptions {
    double lyapunov_tol = 2e-3; // |lambda| <= tol per step counts as zero (finite-time estimate)
    double chaos01_threshold = 0.5;
};

struct Combined {
    Label label = Label::Unknown;
    std::string flags; // empty when every indicator agrees
};

Combined combine_indicators(const Indicators &ind, const CombineOptions &opt = {});

} // namespace tdlab::dynamics
