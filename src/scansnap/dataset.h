// The sequence-class generator of Scan and Snap (Tian et al. 2023, arXiv 2305.16380, Sec. 3.2;
// docs/scansnap.md "Data"; the official `Dataset2`).
//
// Token-id layout, in order: global common tokens [0, num_common); per-query common tokens (blocks of
// num_common_per_last); distinct tokens (num_unique_per_next per class, blocks by class index); query
// tokens last_offset + m; next (label) tokens next_offset + n. Class n = m*num_next_per_last + j has
// query last_offset + m and label next_offset + n. Its contextual distribution P(l|n) puts weight
// common_prob on each common token of the class and linspace(unique_min, unique_max) on its distinct
// tokens, normalised. A sequence draws a class uniformly, then L-1 contextual tokens i.i.d.
//
// The model is permutation-invariant over the context (no positional encoding), so a sequence is
// stored as its token counts over the class support (S = same size for every class): an exact
// sufficient statistic, drawn token by token by inverse CDF on 31-bit uniforms (two per 64-bit draw),
// counted with vectorised compares against the class's cumulative thresholds.
#pragma once

#include "core/rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::scansnap {

struct DataParams {
    int num_last = 2;
    int num_next_per_last = 1;
    int num_common = 10;
    int num_common_per_last = 0;
    int num_unique_per_next = 10;
    double common_prob = 1.0; // unnormalised weight of each common token
    double unique_min = 0.1;  // distinct-token weights: linspace(unique_min, unique_max, num_unique_per_next)
    double unique_max = 1.0;
    int L = 128; // sequence length including the query; L - 1 contextual tokens

    // Syn-Small (Figs 4, 5): K = 2, M = 34. Syn-Medium (Figs 6, 11, 12): num_next_per_last = 2.
    static DataParams syn_small();
    static DataParams syn_medium(int num_last);
};

// A class's support and distribution, with its cumulative thresholds for sampling.
struct SeqClass {
    int query = 0;                 // token id of x_T
    int label = 0;                 // token id of x_{T+1}
    std::vector<int> support;      // token ids with P > 0 (common first, then distinct), size S
    std::vector<double> prob;      // P(l|n) over support
    std::vector<uint8_t> distinct; // 1 where support[s] is a distinct token of this class
    std::vector<int32_t> cum31;    // S - 1 values: round(2^31 * sum_{s' <= s} prob[s'])
};

// A run of consecutive token ids that sits at the same support columns [col, col + len) of every class
// in [class_begin, class_end): the global common tokens (all classes), a query's common tokens (the
// classes of that query), a class's distinct tokens (one class). With the samples of a batch sorted by
// class, the samples that use a block are one contiguous range, so each block is one BLAS product over
// a contiguous slice of Y: no gather of Y rows, no scatter of dY rows.
struct SupportBlock {
    int class_begin = 0, class_end = 0;
    int col = 0;   // first support column
    int token = 0; // first token id (row of Y)
    int len = 0;
};

class SeqClasses {
  public:
    explicit SeqClasses(const DataParams &params);

    const DataParams &params() const { return params_; }
    int M() const { return M_; }
    int K() const { return int(classes_.size()); }
    int S() const { return S_; }                     // support size (same for every class)
    int num_context() const { return last_offset_; } // tokens [0, num_context) may appear as context
    int last_offset() const { return last_offset_; }
    int next_offset() const { return next_offset_; }
    int num_queries() const { return params_.num_last; }
    const SeqClass &cls(int n) const { return classes_[size_t(n)]; }
    const std::vector<SupportBlock> &blocks() const { return blocks_; }
    // Dense P(l|n), K x M row-major.
    std::vector<double> dense_prob() const;
    std::string describe() const;

  private:
    DataParams params_;
    int M_ = 0, S_ = 0, last_offset_ = 0, next_offset_ = 0;
    std::vector<SeqClass> classes_;
    std::vector<SupportBlock> blocks_;
};

// A batch of B sequences as (class, counts over the class support): counts is B x S row-major.
struct Batch {
    int B = 0, S = 0;
    std::vector<int> cls;
    std::vector<int32_t> counts;
};

// Draws a fresh batch (class uniform, then L-1 i.i.d. tokens per sequence) from `rng`. OpenMP threads
// share the sequences; the batch does not depend on their number.
void sample_batch(const SeqClasses &data, int B, CounterRng &rng, Batch &out);

} // namespace tdlab::scansnap
