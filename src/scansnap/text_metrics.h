// Attention measures of the real-data Scan and Snap runs (Tian et al. 2023, arXiv 2305.16380, Fig 7
// and Fig 10; docs/scansnap.md "Real text"):
//   entropy  = mean over batch and query rows of -sum_key a log(a + 1e-8) (the official code's
//              definition; causal row t has t+1 keys, so early rows are low by construction);
//   freezing = how a (T,T) map changes between consecutive checkpoints: the mean over query rows of the
//              total variation 0.5 sum_key |a - a_prev|, the fraction of rows whose argmax key equals
//              the previous checkpoint's, and the fraction of rows whose argmax key never changes again
//              (equal at this and every later checkpoint); plus the mean row maximum (sparsity).
#pragma once

#include <vector>

namespace tdlab::scansnap {

// att (B, T, T) of one head, causal rows summing to 1.
double attention_entropy(const float *att, int B, int T);

struct FreezeStats {
    double tv_change = 0.0;     // vs the previous checkpoint (0 at the first)
    double argmax_same = 0.0;   // fraction of rows, vs the previous checkpoint (1 at the first)
    double argmax_frozen = 0.0; // fraction of rows whose argmax is the same from here to the last map
    double row_max = 0.0;       // mean over rows of max_key a
};

// maps: one (T,T) map per checkpoint, in order.
std::vector<FreezeStats> freeze_stats(const std::vector<std::vector<float>> &maps, int T);

} // namespace tdlab::scansnap
