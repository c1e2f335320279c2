// The ideal associative memories of Bietti et al. 2023, arXiv 2306.00802, Sec. 4 (docs/birth.md "Associative
// memories"), built from the model's own (frozen) embeddings and random maps. Each memory W = alpha * sum v_j u_i^T /
// (|u_i|^2 |v_j|^2), so that v_j^T W u_i ~= alpha for a stored pair and ~0 otherwise (near-orthogonal random
// vectors, 6.1):
//   W_K^1 = a1 sum_{t=1}^{L-1} p_t p_{t-1}^T                   previous-token head (positional)
//   W_K^2 = a2 sum_{k in Q} w_E(k) w_1(k)^T, w_1(k) = W_O^1 W_V^1 w_E(k)   (all k for random triggers)
//   W_O^2 = a3 sum_k w_U(k) (W_V^2 w_E(k))^T                    copy the attended token to its output
//   W_F   = sum_{i,j} (log pi_b(j|i) - mean_j) w_U(j) w_E(i)^T   (log clamped at log 1e-4; only with W_F)
#pragma once

#include "birth/char_stats.h"
#include "birth/model.h"

#include <vector>

namespace tdlab::birth {

struct IdealAlphas {
    double wk1 = 30.0; // a1: layer-1 attention logit margin (before the 1/sqrt(d) scale is undone)
    double wk2 = 30.0; // a2
    double wo2 = 30.0; // a3: output logit of the copied token
};

// Overwrites W_K^1, W_K^2, W_O^2 (and W_F if present) of `model`. The attention scale is compensated
// (alphas are the post-scale logits). triggers: the fixed list, or empty for all tokens.
void set_ideal_memories(SimplifiedModel &model, const std::vector<int> &triggers, const CharStats &stats,
                        const IdealAlphas &alphas = {});

} // namespace tdlab::birth
