// Attention-head detectors with the definitions of TransformerLens (transformer_lens.head_detector:
// detect_head and compute_head_attention_similarity_score; docs/birth_theory.md "Head detectors").
//
// A detector is a 0/1 detection pattern D (T x T, lower triangular) built from the tokens z_0..z_{T-1}
// of one sequence:
//   previous_token:  D[i][i-1] = 1
//   duplicate_token: D[i][j] = 1 for j < i with z_j = z_i
//   induction:       D[i][j] = 1 for 1 <= j <= i with z_{j-1} = z_i and j-1 < i (attend to the token
//                    right after an earlier occurrence of the current token)
// and a score comparing an attention pattern A (rows = queries, columns = keys) with D:
//   mul: sum(A .* D) / sum(A), after zeroing column 0 of A (exclude_bos) and its diagonal
//        (exclude_current_token): the fraction of the head's attention on the detected pairs;
//   abs: 1 - round(sum |A - D| / T, 3), with the same entries zeroed in |A - D| (1 = exact match;
//        TransformerLens rounds to three decimals, round_abs = false keeps the exact value).
// A batch score is the mean of the per-sequence scores, as detect_head does for a list of sequences.
// (detect_head's list branch calls itself with the default options, dropping exclude_* and the error
// measure; here the options apply to every sequence.)
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace tdlab::nn {

enum class HeadKind { PreviousToken, DuplicateToken, Induction };
enum class ErrorMeasure { Mul, Abs };

struct DetectOptions {
    ErrorMeasure measure = ErrorMeasure::Mul; // TransformerLens's default
    bool exclude_bos = false;
    bool exclude_current_token = false;
    bool round_abs = true; // "abs": round the error to three decimals as TransformerLens does
};

// "previous_token", "duplicate_token", "induction" (the heads.csv column names).
const char *head_kind_name(HeadKind kind);

// D (T x T, row-major, 0/1) for one sequence of T tokens.
std::vector<float> detection_pattern(HeadKind kind, const int32_t *tokens, int T);

// The score of one head on one sequence: attention A (T x T, row-major) against D.
// RuntimeError for "abs" when A has mass above the diagonal (not a causal pattern), as TransformerLens
// asserts; UsageError when T < 2.
double head_similarity(const float *attention, const std::vector<float> &detection, int T, const DetectOptions &opt);

// pattern [B, H, T, T] (row-major, as blocks.{l}.attn.hook_pattern), tokens [B, T]:
// per-sequence scores [B * H] (index b * H + h) and their batch mean [H].
std::vector<double> head_scores_per_sequence(const float *pattern, const int32_t *tokens, int B, int H, int T,
                                             HeadKind kind, const DetectOptions &opt = {});
std::vector<double> head_scores(const float *pattern, const int32_t *tokens, int B, int H, int T, HeadKind kind,
                                const DetectOptions &opt = {});

// heads.csv: the header line "iter,layer,head,previous_token,duplicate_token,induction" and, for one
// layer's pattern [B, H, T, T], one row per head with the three batch-mean scores (default options,
// "mul").
std::string heads_csv_header();
void write_heads_csv_rows(std::ostream &out, int64_t iter, int layer, const float *pattern, const int32_t *tokens,
                          int B, int H, int T);

} // namespace tdlab::nn
