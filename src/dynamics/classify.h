// The combined attractor label: several independent indicators, with the ones that disagree named
// rather than hidden (docs/dmft_map.md section 8.6; not the paper's rule, which is quantize.h).
//   exact period found                      -> periodic
//   else Lyapunov exponent lambda (if any):  lambda > tol chaotic, |lambda| <= tol quasi-periodic,
//                                            lambda < -tol periodic (orbit not converged to the tolerance)
//   else the 0-1 test K:                     K > 0.5 chaotic, otherwise quasi-periodic
// Flags (joined by '|'): "lyapunov", "chaos01", "paper" when that indicator points to another class,
// "unconverged" when the label is periodic without an exact period.
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
