// Residual add, forward and backward. N = number of floats.
#pragma once

#include <cstddef>

namespace tdlab::nn {

// out = a + b (out may alias a or b).
void residual_forward(float *out, const float *a, const float *b, size_t N);
// da += dout; db += dout (either may be null).
void residual_backward(float *da, float *db, const float *dout, size_t N);

} // namespace tdlab::nn
