// The Kaplan-Yorke (Lyapunov) dimension of an attractor from its Lyapunov spectrum (Kaplan & Yorke
// 1979, "Chaotic behavior of multidimensional difference equations", Lecture Notes in Mathematics 730,
// 204-227):
//   D_KY = k + (lambda_1 + ... + lambda_k) / |lambda_{k+1}|,
// k the largest index with lambda_1 + ... + lambda_k >= 0 (exponents sorted in decreasing order).
// Conventions (those of ChaosTools.jl's kaplanyorke_dim): 0 when lambda_1 < 0 (a stable periodic
// orbit); the number of exponents when every partial sum is >= 0 (the volume does not contract, the
// formula has no lambda_{k+1}). A conjecture, not a theorem: it equals the information dimension for
// typical attractors; Henon (a = 1.4, b = 0.3) gives 1 + 0.419/1.623 = 1.258.
#pragma once

#include <vector>

namespace tdlab::dynamics {

// `spectrum` in any order (sorted internally); NaN entries give NaN; -infinity is allowed (a collapsed
// direction contributes nothing beyond k).
double kaplan_yorke_dimension(std::vector<double> spectrum);

} // namespace tdlab::dynamics
