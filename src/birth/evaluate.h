// `tdlab birth eval`: a trained model of Bietti et al. 2023 (arXiv 2306.00802; docs/birth.md "Evaluating
// trained weights") evaluated without training: the same test batch, probes, head detectors, attention maps,
// activations and head ablation that `birth train` computes at its end, on weights read from a run's
// params.npz or from a folder of NAME.npy (the paper-scale weights shipped under data/birth/).
#pragma once

#include "birth/trainer.h"
#include "core/config.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace tdlab::birth {

// train_schema() plus birth.eval.params: the weights (a params.npz written by `birth train`, or a folder of
// NAME.npy files under the same torch names).
ConfigSchema eval_schema();

// Evaluates the weights at `params` in the model of `opt.model` (built for opt.test_batch_size sequences)
// on the fixed test batch of `opt` (seeded by opt.seed and opt.test_data: the batch a training run with the
// same config evaluates, so a run's own weights give its last acc_end_test and ablation.json to the bit;
// change birth.data.* to test the model on other data). Writes into `dir` (created by the caller):
//   eval.json   the batch keys of metrics.jsonl (loss, loss_bigram, acc_end, score2_acc, ...) computed on the
//               test batch instead of a training batch, acc_end_test, the weight probes (wo1_acc, wk1_acc,
//               wk0_acc, ...), "heads": the TransformerLens detector scores ("mul") of every layer and head
//               on the test batch, "layer1_previous_token": the share of queries of the experiment
//               sequences whose largest layer-1 weight (head 0) is on t - 1 and their weight there, over all
//               positions and t < 32, and "params": the path read;
// and what train() writes for a finished model (write_model_outputs): attention maps of the experiment
// sequences, activations/ (opt.capture), ablation.json (opt.ablate_layer). Returns eval.json's content and
// fills `result` as train() does (records empty). UsageError naming the file and parameter when a parameter
// is missing or has another shape than the config's model.
nlohmann::json evaluate(const TrainOptions &opt, const std::filesystem::path &params, const std::filesystem::path &dir,
                        TrainResult &result);

} // namespace tdlab::birth
