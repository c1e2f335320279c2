// Metrics and memory-recall probes of ihead_basic_main.py (Bietti et al. 2023, arXiv 2306.00802, Sec. 5; docs/birth.md
// "Metrics and probes"), with the
// official key names. Masks over the B x T grid: G = {outs == 0} (global tokens), I = {outs >= 2}
// (in-context tokens), A = {outs >= 1}; yhat = argmax_j logits (ties to the lowest index).
#pragma once

#include "birth/char_stats.h"
#include "birth/model.h"
#include "birth/trigger_data.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::birth {

// From a forward pass on `batch` (logits, att1, att2 of `a`): loss_bigram = CE(G), loss_head = CE(I),
// acc_end (I), acc_tot (A), acc_start (A, t < 10), repeat_frac, score_acc, score_start_acc,
// score2_acc, score2_next_acc, pred_attended_acc, score_cond_acc. Empty sets give -1.
void batch_metrics(const Batch &batch, const ModelActivations &a, int vocab, nlohmann::json &out);

// acc_end alone: mean over outs >= 2 of 1[argmax logits = y] (-1 if there is no such position).
double in_context_accuracy(const Batch &batch, const float *logits, int vocab);

// Weight-only probes after the step: wo1_acc = R(W_O^2), wk1_acc = R(W_K^2) over the fixed triggers
// (all tokens if random; -1 with a single trigger, where the argmax over one key is always right), wk0_acc / wk0_64_acc
// = R(W_K^1) over n = 256 (capped at max_length) / 64 positions, ff1_loss = KL(pi_b || softmax(W_U W_F E)) over
// non-trigger tokens (-1 without W_F).
struct ProbeValues {
    double wo1_acc, wk1_acc, wk0_acc, wk0_64_acc, ff1_loss;
    double wk1_all_acc; // tdlab's addition: R(W_K^2) of the same queries with the argmax over all N keys
};
ProbeValues memory_probes(const SimplifiedModel &model, const std::vector<int> &fixed_triggers, const CharStats &stats);
void add_probes(const ProbeValues &p, nlohmann::json &out);

// norm_<param> and gradnorm_<param> (Frobenius) of every trainable parameter.
void add_norms(const SimplifiedModel &model, nlohmann::json &out);

} // namespace tdlab::birth
