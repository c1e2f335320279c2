// `birth.model.kind: full`: the generic transformer of Bietti et al.'s ihead_full_model.py (Bietti et al. 2023,
// arXiv 2306.00802; docs/birth.md "The full transformer"), used for the attention maps of Fig 2 and the
// one-layer baseline, behind the TrainModel interface of the `birth train` loop.
#pragma once

#include "birth/train_model.h"
#include "nn/transformer.h"

namespace tdlab::birth {

// The transformer configuration of the birth.model.* options (vocab, dim, max_length, n_layers, n_heads,
// positions, block layout, per-layer FFN, W_V / W_O switches, freezing, tied output).
nn::TransformerConfig full_transformer_config(const ModelOptions &opt);

std::unique_ptr<TrainModel> make_full_model(const ModelOptions &opt, uint64_t seed, int B, int T);

} // namespace tdlab::birth
