// Attention read-outs used by the figures and the Fig 6 table (Tian et al. 2023, arXiv 2305.16380, Figs 4-6).
#pragma once

#include "scansnap/dataset.h"

#include <vector>

namespace tdlab::scansnap {

// c_n (Eqn. 5), length M: c_l ∝ P(l|n) exp(z_{m l}) on the class support (m = query of n), 0 elsewhere.
// `zrow` is row m of Z (length M).
std::vector<double> attention_c(const SeqClass &c, const double *zrow, int M);

// Shannon entropy (nats) of c_n restricted to the class's distinct tokens and renormalised: the Fig 6 metric.
double distinct_entropy(const SeqClass &c, const double *zrow, int M);
// Entropy of the full c_n (common tokens included), for comparison (it does not match the Fig 6 table).
double full_entropy(const SeqClass &c, const double *zrow, int M);

// Mean over classes of distinct_entropy, with Z the full M x M matrix (row-major).
double mean_distinct_entropy(const SeqClasses &data, const double *Z);

// Figs 11/12: recall(theta) = fraction of the class's distinct tokens l with softmax(z_m)_l >= theta
// (softmax over all M tokens), averaged over classes. Returns one value per threshold.
std::vector<double> recall_curve(const SeqClasses &data, const std::vector<double> &Z,
                                 const std::vector<double> &thetas);

} // namespace tdlab::scansnap
