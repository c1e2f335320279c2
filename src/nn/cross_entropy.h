// Softmax cross-entropy over a subset of positions (a mask), mean over the selected positions; this is
// torch's F.cross_entropy(logits[mask], targets[mask]) (reduction "mean"). Bietti et al. train on the
// in-context positions only (mask = outs >= 2) or on all positions (mask = null).
// Shapes: N = positions (B*T), V = vocabulary.
#pragma once

#include <cstdint>

namespace tdlab::nn {

// probs (N,V) = softmax(logits) (fp32, max-subtracted) for every row; losses (N) = -log probs[target] on
// selected rows, 0 elsewhere. Returns the mean over selected rows (0 when none are selected, where torch
// would give NaN), accumulated in double. mask (N) != 0 selects a row; null selects all.
// targets in [0,V) on selected rows (RuntimeError naming the bad value otherwise).
float cross_entropy_forward(float *losses, float *probs, const float *logits, const int32_t *targets,
                            const uint8_t *mask, int N, int V);

// dlogits (N,V) += (probs - onehot(target)) * dloss / count on selected rows; unselected rows untouched.
void cross_entropy_backward(float *dlogits, const float *probs, const int32_t *targets, const uint8_t *mask, int N,
                            int V, float dloss = 1.0f);

// The same gradient written rather than added: dlogits = (probs - onehot(target)) * dloss / count on
// selected rows and 0 elsewhere, the bits of zero-filling dlogits and calling cross_entropy_backward,
// in one pass (a word model's (700, 47037) gradient was cleared every step only to be added to). dbias
// (V), if not null, += the column sums of that gradient, rows in order: the gradient of a bias added to
// the logits, read while the gradient is in cache.
void cross_entropy_backward_set(float *dlogits, float *dbias, const float *probs, const int32_t *targets,
                                const uint8_t *mask, int N, int V, float dloss = 1.0f);

// Training's fused form: the losses and the return value of cross_entropy_forward, and dlogits (N,V)
// written with the bits of cross_entropy_backward_set(dlogits, nullptr, probs, ...) on those probs, without
// storing the probabilities (one pass over an (N,V) array fewer: a word model's is 700 x 47,037). dbias (V),
// if not null, is set to the gradient's column sums (the gradient of a bias added to the logits), summed
// while each row is in cache: rows in order within fixed chunks of 128 rows, then the chunks' sums in
// order; the same bits for any thread count, within rounding of the rows-in-order sum.
float cross_entropy_forward_grad(float *losses, float *dlogits, float *dbias, const float *logits,
                                 const int32_t *targets, const uint8_t *mask, int N, int V, float dloss = 1.0f);

// Number of selected rows (all N when mask is null).
int cross_entropy_count(const uint8_t *mask, int N);

} // namespace tdlab::nn
