// Inverted dropout (torch.nn.functional.dropout in training mode): each element is kept with probability
// 1 - p and scaled by 1 / (1 - p), so the expectation is unchanged; in evaluation it is the identity.
// The keep/drop draws come from the project's counter RNG (core/rng.h): stream `stream` of `seed`, one
// 64-bit draw per element in index order, so a mask depends only on (seed, stream, n, p), never on
// the thread count. Torch's own generator is not reproduced (golden tests run with dropout off).
// Shapes: n elements, flat.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tdlab::nn {

// mask[i] = (u_i >= p) / (1 - p) with u_i uniform in [0,1) (53 bits); p = 0 gives all ones.
// p must be in [0, 1) (RuntimeError otherwise).
void dropout_mask(float *mask, size_t n, float p, uint64_t seed, uint64_t stream);

// out = inp * mask (out may alias inp). mask null: out = inp (evaluation).
void dropout_forward(float *out, const float *inp, const float *mask, size_t n);

// dinp += dout * mask (mask null: dinp += dout).
void dropout_backward(float *dinp, const float *dout, const float *mask, size_t n);

} // namespace tdlab::nn
