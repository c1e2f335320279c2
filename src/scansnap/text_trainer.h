// One real-text run of Scan and Snap's Fig 7 / Fig 10 recipe (Tian et al. 2023, arXiv 2305.16380,
// Section 7 and Appendix G; docs/scansnap.md "Real text"): the word transformer of nn/word_lm.h trained
// with SGD without momentum at a constant learning rate (FFN weights at lr_ffn, the rest at lr),
// gradient-norm clipping, on bptt chunks of the batchified training text in order (wrapping around at
// the end of an epoch). Every `eval_every` steps (and at step 0) a checkpoint evaluates, with dropout off:
//   the validation loss and each layer's attention entropy over the validation chunks (text_metrics.h),
//   and every layer's (bptt x bptt) attention map on one fixed training chunk (row attn_row, column
//   attn_col of the batchified training stream: row 100 * 35, column 0 in the official notebook).
// Outputs in the run directory:
//   metrics.jsonl          one line per checkpoint: iter, train_loss and grad_norm (means over the steps
//                          since the previous checkpoint; null at 0), valid_loss, valid_ppl, lr
//   attention_entropy.csv  iter,layer,entropy
//   attn/iter_{N}.npy      float32 [layers, bptt, bptt]
//   freezing.csv           iter,layer,tv_change,argmax_same,argmax_frozen,row_max (text_metrics.h)
// Randomness: init from seed, dropout masks from (seed, step): same bytes for any thread count.
// Checkpoints (nn/checkpoint_store.h): with a store, every evaluation after step 0 also saves the
// parameters and the evaluations so far; rerunning the same config resumes from the last one and ends with
// the bytes of an uninterrupted run (the data position and the dropout masks are functions of the step).
#pragma once

#include "core/config.h"
#include "nn/word_lm.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tdlab::scansnap {

struct TextRunParams {
    std::string train_path, valid_path; // resolved paths
    int64_t train_tokens = 0;           // prefix of the training tokens (0 = all)
    int64_t valid_tokens = 0;           // prefix of the validation tokens (0 = all)
    nn::WordLmConfig model;             // vocab filled from the corpus
    double lr = 5.0, lr_ffn = 10.0, clip = 0.5;
    int batch = 20, eval_batch = 10, bptt = 35;
    int niter = 1500, eval_every = 100;
    int64_t attn_row = 3500;
    int attn_col = 0;
    uint64_t seed = 1;
    bool cache = true;
    int64_t stop_after = 0; // test hook: stop with an error after this many steps, leaving a checkpoint
    std::string record;     // the config without the keys that do not change the result: the store's key
};

struct TextCheckpoint {
    int iter = 0;
    double train_loss = 0.0, grad_norm = 0.0; // NaN at iter 0
    double valid_loss = 0.0;
    std::vector<double> entropy; // per layer
    std::vector<float> maps;     // [layers, bptt, bptt] on the fixed chunk
};

struct TextRunResult {
    std::vector<TextCheckpoint> checkpoints;
    int vocab = 0;
    int64_t train_tokens = 0, valid_tokens = 0;
    double train_seconds = 0.0, eval_seconds = 0.0;
    double tokens_per_second = 0.0; // training steps only (of this process)
    int64_t resumed_from = 0;       // the step a checkpoint resumed at (0: trained from the start)
};

ConfigSchema text_schema();
TextRunParams text_params_from(const Config &cfg); // UsageError naming the key or file

// Runs and writes the outputs into `dir` (rewritten at every checkpoint). on_step(i) after each step.
// checkpoint_store non-empty: checkpoints there (removed when the run completes), and a checkpoint of the
// same config found there is resumed from (on_resume(step) is told first); another config's store is a
// UsageError naming the keys that differ.
TextRunResult run_text(const TextRunParams &p, const std::filesystem::path &dir,
                       const std::function<void(int)> &on_step = {}, const std::filesystem::path &checkpoint_store = {},
                       const std::function<void(int64_t)> &on_resume = {});

} // namespace tdlab::scansnap
