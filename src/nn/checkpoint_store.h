// Checkpoints of a training run (`birth train` with birth.train.checkpoint_every, `scansnap text` at every
// evaluation): the parameters, the optimiser state, the position of the data stream and the outputs written
// so far (named texts), so that a killed multi-hour run resumes and ends with the same bytes as an
// uninterrupted one.
//
// Policy, as for the resumable DMFT sweep (its DIR.chunks/ store): the checkpoint lives beside the output,
// in OUT.ckpt/ (config.yaml + checkpoint.npz, each written atomically), because the run directory itself
// is staged and only appears, complete, at the end. Rerunning the same command finds the store and
// resumes; a store written under another config is refused (UsageError: delete it to start over); the
// store is removed when the run completes. The caller's config key leaves out the keys that do not change
// the result (checkpoint_every, stop_after, an evaluation after training).
//
// Both data streams are counter-based (batch `it` is a pure function of the seed and it, as are the
// dropout masks of step it), so the stream position is the iteration index.
#pragma once

#include "core/npy.h"
#include "nn/optimizer.h"
#include "nn/params.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace tdlab::nn {

// OUT.ckpt beside the output directory OUT.
std::filesystem::path checkpoint_store_for(const std::filesystem::path &out);

struct TrainCheckpoint {
    int64_t next_iter = 0; // the first iteration still to run (= the data stream position)
    // Outputs up to here by name (birth: "metrics" = metrics.jsonl, "heads" = heads.csv; scansnap text:
    // "checkpoints" = its evaluations as JSON). Stored as uint8 members of checkpoint.npz under these names.
    std::map<std::string, std::string> texts;
};

class CheckpointStore {
  public:
    // Opens (creating if needed) the store at `dir` for a run of config `record`; UsageError if the store
    // belongs to another config.
    // While it lives, Ctrl-C or kill says on stderr that a saved checkpoint is kept and how to resume.
    CheckpointStore(std::filesystem::path dir, const std::string &record);
    ~CheckpointStore();
    CheckpointStore(const CheckpointStore &) = delete;
    CheckpointStore &operator=(const CheckpointStore &) = delete;
    // Saves atomically (replacing the previous checkpoint).
    void save(const TrainCheckpoint &ck, const ParameterSet &params, const Optimizer &opt) const;
    // Loads the checkpoint into params and opt if there is one; UsageError naming the file if unreadable.
    std::optional<TrainCheckpoint> load(ParameterSet &params, Optimizer &opt) const;
    void remove() const;
    const std::filesystem::path &dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
    int notice_ = 0; // core/interrupt_cleanup.h
};

} // namespace tdlab::nn
