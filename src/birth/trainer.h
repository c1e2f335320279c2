// The training loop of the official ihead_basic_main.py of Bietti et al. 2023 (arXiv 2306.00802;
// docs/birth.md): one fresh batch per iteration, loss on
// the in-context positions (outs >= 2) or on all, SGD-momentum (or AdamW) with PyTorch semantics, a
// freeze-until schedule, and every `eval_delta` iterations one metrics.jsonl line with the official
// keys: batch metrics from the PRE-step logits of the training batch; parameter norms, weight probes and
// the fixed-test-batch accuracy (acc_end_test) AFTER the step. A probe over an empty set (acc_end with
// K = 0, ff1_loss without W_F) is null, not the official code's -1.
#pragma once

#include "birth/model.h"
#include "birth/trigger_data.h"
#include "core/config.h"
#include "core/npy.h"
#include "core/progress.h"
#include "nn/optimizer.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::birth {

// Every key of `tdlab birth train` (birth.data.*, birth.model.*, birth.optim.*, birth.train.*).
ConfigSchema train_schema();

DataOptions data_options_from(const Config &cfg, bool test);
ModelOptions model_options_from(const Config &cfg);
// birth.model.ffn: "relu" | "linear" | "none", or a comma list of them (one per layer).
std::vector<nn::FfnKind> parse_ffn_kinds(const std::string &text);

// Everything `birth train` reads from its config, parsed once at the edge (train_options_from).
struct TrainOptions {
    uint64_t seed = 0;                       // birth.seed: init and data streams
    DataOptions train_data, test_data;       // birth.data.* (the test batch's output law: bigram_outs_test)
    ModelOptions model;                      // birth.model.*
    std::string optimizer = "sgd";           // sgd | adamw
    nn::SgdOptions sgd;                      // lr, momentum, weight_decay
    nn::AdamWOptions adamw;                  // lr, beta1, beta2, weight_decay
    int batch_size = 512;                    // fresh sequences per iteration
    int64_t max_iters = 1000;                // updates
    std::string freeze_until;                // "" (none) or ITER:PARAM,...
    bool loss_head_only = true;              // loss on outs >= 2 only
    int64_t eval_delta = 5;                  // log every this many iterations (and the last)
    int test_batch_size = 512;               // the fixed test batch
    bool test_both_outs = false;             // also log acc_end_test_unif / acc_end_test_bigram
    int exp_sequences = 4;                   // experiment sequences whose attention maps are kept
    int64_t checkpoint_every = 0;            // 0: no checkpoints (nn/checkpoint_store.h)
    int64_t stop_after = 0;                  // test hook: stop after this many iterations, leaving the checkpoint
    std::string record;                      // the config as the checkpoint store's key
    int ablate_layer = -1, ablate_head = -1; // head ablated in the final evaluation (-1: none)
    nn::Ablation ablation = nn::Ablation::Zero;
    bool ablation_both = false;       // birth.train.ablation = both: zero, then mean, on the same model
    std::vector<std::string> capture; // hook globs recorded by one final test-batch forward (activations/)
};
// UsageError naming the key for cross-key violations (birth.model.max_length < birth.data.seq_length), and
// for a birth.train.capture glob that matches no hook of the model (listing the hook names).
TrainOptions train_options_from(const Config &cfg);

// The hook names (nn/capture.h) an evaluation forward of this model records, sorted.
std::vector<std::string> model_hook_names(const ModelOptions &model, int T);

struct TrainResult {
    std::vector<nlohmann::json> records; // the metrics.jsonl lines
    double seconds = 0;                  // wall time of the loop in this process
    int64_t resumed_from = 0;            // the iteration a checkpoint resumed at (0: trained from the start)
    // The experiment sequences (exp_sequences > 0): attention patterns of layers 1 and 2, shape
    // (n_exp, heads, T, T) as in attn_layer{0,1}.npy (heads = 1 for the simplified model; attn_layer1 is
    // empty for a one-layer model), and their tokens / outs (n_exp x T, row-major).
    NpyArray attn_layer0, attn_layer1;
    std::vector<int32_t> exp_tokens, exp_outs;
    // With a head to ablate: acc_end_test and loss_bigram_test of the final model on the test batch,
    // without and with the ablation (also written as ablation.json).
    nlohmann::json ablation;
};

// Trains; streams metrics.jsonl and heads.csv (the head detector scores of every layer and head on the
// fixed test batch at each evaluation, nn/head_detectors.h) into `dir` (created by the caller) and writes
// the final parameters
// (params.npz) and the attention patterns of the first experiment sequences (attn_layer{l}.npy per layer,
// exp_tokens.npy, exp_targets.npy, exp_outs.npy), which it also returns, and the captured hooks as
// activations/NAME.npy. RuntimeError on a non-finite loss.
// With checkpoint_every > 0, checkpoints go to `checkpoint_store` (nn::checkpoint_store_for(OUT),
// nn/checkpoint_store.h), and a checkpoint found there is resumed from.
TrainResult train(const TrainOptions &opt, const std::filesystem::path &dir, Progress *progress = nullptr,
                  const std::filesystem::path &checkpoint_store = {});

class TrainModel;
// What a finished model writes into `dir`, for train() and for evaluate() (birth/evaluate.h): the attention
// maps of the first opt.exp_sequences experiment sequences of `train_data` (attn_layer{l}.npy,
// exp_tokens/targets/outs.npy, also into `result`), one forward on `test` recording the hooks of
// opt.capture (activations/NAME.npy), and with opt.ablate_layer >= 0 the test batch whole and with that head
// ablated (ablation.json, also result.ablation). The ablation is left applied to `model`.
void write_model_outputs(TrainModel &model, const TrainOptions &opt, const TriggerData &train_data, const Batch &test,
                         const std::filesystem::path &dir, TrainResult &result);

// The probes' -1 ("absent": an empty set, no W_F, one layer) as null in a record, so that figures draw a gap
// and summaries print n/a. Every real value of these keys is >= 0.
void mark_absent(nlohmann::json &record);

} // namespace tdlab::birth
