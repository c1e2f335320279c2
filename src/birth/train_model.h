// What the `birth train` loop needs from a model, so that one loop (birth/trainer.h) trains either Bietti et
// al.'s simplified two-layer model (birth/model.h) or the generic transformer (birth/full_model.h) with the
// same metrics, probes, attention maps and checkpoints.
#pragma once

#include "birth/char_stats.h"
#include "birth/model.h"
#include "birth/probes.h"
#include "birth/trigger_data.h"
#include "core/npy.h"
#include "nn/capture.h"
#include "nn/params.h"

#include <memory>
#include <vector>

namespace tdlab::birth {

class TrainModel {
  public:
    virtual ~TrainModel() = default;
    virtual nn::ParameterSet &params() = 0;
    virtual int vocab() const = 0;
    // Training forward on `batch` (its B is the batch size given at construction); mask (B,T) selects the
    // loss positions (null = all). Returns the mean CE loss.
    virtual float forward(const Batch &batch, const uint8_t *mask) = 0;
    virtual void backward() = 0;
    // Logits and attention (head 0 of the first two layers) of the last training forward.
    virtual BatchView view() const = 0;
    // Logits (B,T,V) of a forward on another batch (any B) with the current weights; the training
    // forward's activations are left alone.
    virtual const float *eval_logits(const Batch &batch) = 0;
    // Attention patterns of every layer on `batch`, shape (B, heads, T, T) each.
    virtual std::vector<NpyArray> attention_maps(const Batch &batch) = 0;
    // The attention patterns (B, heads(), T, T) of every layer from the last eval_logits forward on a batch
    // of B sequences (for the head detectors of heads.csv, without a second forward).
    virtual std::vector<const float *> eval_patterns(int B) = 0;
    virtual int heads() const = 0;
    // One evaluation forward on `batch` recording the hooks that `capture` wants (nn/capture.h names).
    virtual void capture(const Batch &batch, nn::ActivationCapture &capture) = 0;
    // Head ablation in the following eval_logits (nn::Transformer::ablate_head); UsageError for a model
    // without heads to ablate (the simplified one).
    virtual void ablate_head(int layer, int head, nn::Ablation mode) = 0;
    // Weight-only memory-recall probes (birth/probes.h).
    virtual ProbeValues probes(const std::vector<int> &fixed_triggers, const CharStats &stats,
                               int n_out_tokens) const = 0;
};

// Builds and initialises (from `seed`) the model of `opt.kind` for training batches of B x T tokens.
std::unique_ptr<TrainModel> make_train_model(const ModelOptions &opt, uint64_t seed, int B, int T);

} // namespace tdlab::birth
