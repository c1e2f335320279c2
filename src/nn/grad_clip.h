// Gradient-norm clipping, torch.nn.utils.clip_grad_norm_(params, max_norm) with the 2-norm:
//   total = sqrt(sum over parameters with a gradient of ||g||^2);  coef = max_norm / (total + 1e-6);
//   if coef < 1: every such gradient *= coef.
// The sum of squares is taken in double in parameter order (a fixed order: same bytes for any thread
// count); torch sums per-parameter float norms, so the two agree to float round-off.
#pragma once

#include "nn/params.h"

namespace tdlab::nn {

// Clips in place; returns the total norm before clipping (what torch returns).
double clip_grad_norm(ParameterSet &params, double max_norm);

// The total gradient 2-norm of the parameters with requires_grad.
double grad_norm(const ParameterSet &params);

} // namespace tdlab::nn
