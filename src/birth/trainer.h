// The training loop of ihead_basic_main.py (specs/birth.md 3.1): one fresh batch per iteration, loss on
// the in-context positions (outs >= 2) or on all, SGD-momentum (or AdamW) with PyTorch semantics, a
// freeze-until schedule, and every `eval_delta` iterations one metrics.jsonl line with the official
// keys: batch metrics from the PRE-step logits of the training batch, weight probes and the fixed-test-
// batch accuracy (acc_end_test) AFTER the step.
#pragma once

#include "birth/model.h"
#include "birth/trigger_data.h"
#include "core/config.h"
#include "core/progress.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::birth {

// Every key of `tdlab birth train` (birth.data.*, birth.model.*, birth.optim.*, birth.train.*).
ConfigSchema train_schema();

DataOptions data_options_from(const Config &cfg, bool test);
ModelOptions model_options_from(const Config &cfg);

struct TrainResult {
    std::vector<nlohmann::json> records; // the metrics.jsonl lines
    double seconds = 0;                  // wall time of the loop
};

// Trains from `cfg`; streams metrics.jsonl into `dir` (created by the caller) and writes the final
// parameters (params.npz) and the attention patterns of the first experiment sequences
// (attn_layer{0,1}.npy, exp_tokens.npy). RuntimeError on a non-finite loss.
TrainResult train(const Config &cfg, const std::filesystem::path &dir, Progress *progress = nullptr);

} // namespace tdlab::birth
