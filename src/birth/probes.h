// Metrics and memory-recall probes of ihead_basic_main.py (Bietti et al. 2023, arXiv 2306.00802, Sec. 5; docs/birth.md
// "Metrics and probes"), with the
// official key names. Masks over the B x T grid: G = {outs == 0} (global tokens), I = {outs >= 2}
// (in-context tokens), A = {outs >= 1}; yhat = argmax_j logits (ties to the lowest index).
#pragma once

#include "birth/char_stats.h"
#include "birth/model.h"
#include "birth/trigger_data.h"
#include "nn/transformer.h"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::birth {

// From a forward pass on `batch` (logits, att1, att2 of `a`): loss_bigram = CE(G), loss_head = CE(I),
// acc_end (I), acc_tot (A), acc_start (A, t < 10), repeat_frac, score_acc, score_start_acc,
// score2_acc, score2_next_acc, pred_attended_acc, score_cond_acc. Empty sets give -1.
void batch_metrics(const Batch &batch, const ModelActivations &a, int vocab, nlohmann::json &out);

// The same from raw views: logits (B,T,V); the attention probes read head 0 of layers 1 and 2, whose
// (T,T) pattern for sequence b starts at att + b * att_stride. att2 null (one layer): the layer-2 scores
// (score2_acc, score2_next_acc, pred_attended_acc, score_cond_acc) are -1.
struct BatchView {
    const float *logits = nullptr, *att1 = nullptr, *att2 = nullptr;
    size_t att_stride = 0;
};
void batch_metrics(const Batch &batch, const BatchView &v, int vocab, nlohmann::json &out);

// acc_end alone: mean over outs >= 2 of 1[argmax logits = y] (-1 if there is no such position).
double in_context_accuracy(const Batch &batch, const float *logits, int vocab);
// loss_bigram alone: mean cross-entropy over outs == 0 (-1 if there is no such position).
double global_loss(const Batch &batch, const float *logits, int vocab);

// Weight-only probes after the step: wo1_acc = R(W_O^2), wk1_acc = R(W_K^2) over the fixed triggers
// (all tokens if random; -1 with a single trigger, where the argmax over one key is always right), wk0_acc / wk0_64_acc
// = R(W_K^1) over n = 256 (capped at max_length) / 64 positions, ff1_loss = KL(pi_b || softmax(W_U W_F E)) over
// non-trigger tokens (-1 without W_F).
struct ProbeValues {
    double wo1_acc, wk1_acc, wk0_acc, wk0_64_acc, ff1_loss;
    double wk1_all_acc; // tdlab's addition: R(W_K^2) of the same queries with the argmax over all N keys
};
ProbeValues memory_probes(const SimplifiedModel &model, const std::vector<int> &fixed_triggers, const CharStats &stats);

// The matrices the probes above read (double precision; shared with the Sec. 6 analyses in theory.h):
// W_U W_O^2 W_V^2 E^T (N,N; column k = the readout of input token k), E W_K^2 W_O^1 W_V^1 E^T (N,N; row =
// query token, column = key token), P[:n] W_K^1 P[:n]^T (n,n; row = query position), n <= max_length.
Eigen::MatrixXd output_readout(const SimplifiedModel &model);
Eigen::MatrixXd trigger_key_scores(const SimplifiedModel &model);
Eigen::MatrixXd position_key_scores(const SimplifiedModel &model, int n);
// The same probes on the full transformer (ihead_full_main.py): the norms are ignored, W_Q enters the
// key-query products (q = W_Q x), the heads are mixed (the whole C x C matrices), an identity W_V / W_O
// stands for a missing one, P is the learned or the sin/cos table over all max_length rows, and ff1_loss
// reads layer 2's FFN (ReLU or linear) on E alone (-1 without one). wo1_acc runs over the first
// `n_out_tokens` tokens (the output tokens of the training split with the out-of-distribution split).
// Every probe is -1 with fewer than two layers.
ProbeValues memory_probes(const nn::Transformer &model, const std::vector<int> &fixed_triggers, const CharStats &stats,
                          int n_out_tokens);
void add_probes(const ProbeValues &p, nlohmann::json &out);

// norm_<param> and gradnorm_<param> (Frobenius) of every trainable parameter.
void add_norms(const nn::ParameterSet &params, nlohmann::json &out);
inline void add_norms(const SimplifiedModel &model, nlohmann::json &out) {
    add_norms(model.params(), out);
}

} // namespace tdlab::birth
