// Activation capture by name, TransformerLens style (run_with_cache(names_filter=...)): a model calls
// capture->record("blocks.0.attn.hook_pattern", ptr, {B, NH, T, T}) at each hook point; only names that
// match the filter are copied. Capture is opt-in (a null ActivationCapture* or an empty filter records
// nothing and costs one pointer test per hook), and meant for evaluation passes, not the training loop
// (recording copies, hence allocates).
//
// Hook names used by tdlab models (shapes as TransformerLens gives them):
//   hook_embed, hook_pos_embed                 [batch, pos, d_model]
//   blocks.{l}.hook_resid_pre / hook_resid_mid / hook_resid_post   [batch, pos, d_model]
//   blocks.{l}.ln1.hook_normalized, blocks.{l}.ln2.hook_normalized [batch, pos, d_model]
//   blocks.{l}.attn.hook_q / hook_k / hook_v / hook_z              [batch, pos, head, d_head]
//   blocks.{l}.attn.hook_attn_scores / hook_pattern                [batch, head, query_pos, key_pos]
//   blocks.{l}.hook_attn_out, blocks.{l}.hook_mlp_out              [batch, pos, d_model]
//   ln_final.hook_normalized [batch, pos, d_model];  logits [batch, pos, d_vocab]
#pragma once

#include "core/npy.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tdlab::nn {

class ActivationCapture {
  public:
    ActivationCapture() = default; // records nothing
    // Each pattern is an exact name or a glob where '*' matches any run of characters ("*" = everything,
    // "blocks.*.attn.hook_pattern" = every layer's pattern).
    explicit ActivationCapture(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

    bool wants(const std::string &name) const;
    // Copies `data` (product of shape floats) as float32 under `name` if wanted; replaces an older record.
    void record(const std::string &name, const float *data, const std::vector<size_t> &shape);

    bool has(const std::string &name) const { return cache_.count(name) != 0; }
    const NpyArray &get(const std::string &name) const; // UsageError naming the hook when absent
    std::vector<std::string> names() const;
    void clear() { cache_.clear(); }
    // Writes every record as DIR/NAME.npy (atomic per file; DIR created if missing).
    void write(const std::filesystem::path &dir) const;

  private:
    std::vector<std::string> patterns_;
    std::map<std::string, NpyArray> cache_;
};

// Glob match with '*' only (exposed for tests and for parameter-group patterns).
bool glob_match(const std::string &pattern, const std::string &text);

} // namespace tdlab::nn
