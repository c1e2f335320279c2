// Checkpoints of `birth train` (birth.train.checkpoint_every): the parameters, the optimiser state, the
// position of the data stream and the metrics written so far, so that a killed multi-hour run resumes and
// ends with the same bytes as an uninterrupted one.
//
// Policy, as for the resumable DMFT sweep (its DIR.chunks/ store): the checkpoint lives beside the output,
// in OUT.ckpt/ (config.yaml + checkpoint.npz, each written atomically), because the run directory itself
// is staged and only appears, complete, at the end. Rerunning the same command finds the store and
// resumes; a store written under another config is refused (UsageError: delete it to start over); the
// store is removed when the run completes. The config key ignores checkpoint_every and stop_after, which do
// not change the result, nor birth.train.capture (an evaluation after training).
//
// The data stream is counter-based (birth/trigger_data.h: batch `it` is a pure function of the seed and
// it), so its position is the iteration index.
#pragma once

#include "core/npy.h"
#include "nn/optimizer.h"
#include "nn/params.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace tdlab::birth {

// OUT.ckpt beside the output directory OUT.
std::filesystem::path checkpoint_store_for(const std::filesystem::path &out);

struct TrainCheckpoint {
    int64_t next_iter = 0; // the first iteration still to run (= the data stream position)
    std::string metrics;   // metrics.jsonl up to here
    std::string heads;     // heads.csv up to here (empty in a checkpoint written before heads.csv existed)
};

class CheckpointStore {
  public:
    // Opens (creating if needed) the store at `dir` for a run of config `record`; UsageError if the store
    // belongs to another config.
    CheckpointStore(std::filesystem::path dir, const std::string &record);
    // Saves atomically (replacing the previous checkpoint).
    void save(const TrainCheckpoint &ck, const nn::ParameterSet &params, const nn::Optimizer &opt) const;
    // Loads the checkpoint into params and opt if there is one; UsageError naming the file if unreadable.
    std::optional<TrainCheckpoint> load(nn::ParameterSet &params, nn::Optimizer &opt) const;
    void remove() const;
    const std::filesystem::path &dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

} // namespace tdlab::birth
