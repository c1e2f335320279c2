// The bigram-with-triggers data of Bietti et al. (Bietti et al. 2023, arXiv 2306.00802, Sec. 3; docs/birth.md "Data"),
// one fresh batch per iteration.
//
// A sequence z_0..z_T (T+1 tokens): z_0 ~ pi_u; after a trigger q_k comes its output o_k
// (deterministic within the sequence), after any other token z_{t+1} ~ pi_b(.|z_t).
// Triggers are fixed (the K tokens ranked offset+1..offset+K by frequency, ascending order) or
// drawn per sequence from pi_u without replacement; outputs are uniform over [N] or ~ pi_b(.|q_k).
// outs[t] = c >= 1 if z_t is a trigger at its c-th occurrence, else 0 (so outs >= 2 marks the
// in-context-predictable targets).
//
// Randomness: sequence b of batch `index` in stream family `purpose` is drawn from
// CounterRng(batch_key(seed, purpose, index), b), so a batch is the same bytes for any thread
// count and any batch can be regenerated alone.
#pragma once

#include "birth/char_stats.h"
#include "core/rng.h"

#include <cstdint>
#include <vector>

namespace tdlab::birth {

// The out-of-distribution split of the official Dataset (train_test): the outputs o_k are drawn uniformly from
// the first int(0.75 N) = 48 tokens (Train) or from the others (Test); with no_repeat the trigger is removed
// from the candidates first and the split is taken on what remains, as the code does. Not with bigram_outs.
enum class OutputSplit { All, Train, Test };
int split_point(int N); // int(0.75 N)

struct DataOptions {
    int k = 5;                  // number of triggers K (data_args.k)
    bool fixed_triggers = true; // fixed_special_toks
    int trigger_offset = 0;     // special_toks_offset (fixed only)
    bool bigram_outs = false;   // outputs ~ pi_b(.|q_k) instead of uniform
    bool no_repeat = false;     // o_k != q_k
    int seq_length = 256;       // T (sequences hold T+1 tokens)
    OutputSplit split = OutputSplit::All;
};

// B x T int32 grids, row-major [b*T + t]. x = z[0:T], y = z[1:T+1], outs = outs[0:T].
// triggers: [B*K] the trigger list of each sequence (fixed: the same row repeated); outputs likewise.
struct Batch {
    int B = 0, T = 0, K = 0;
    std::vector<int32_t> x, y, outs, triggers, outputs;
};

enum class StreamPurpose : uint64_t { Train = 0, Test = 1, Experiment = 2 };

class TriggerData {
  public:
    TriggerData(const CharStats &stats, const DataOptions &opt);

    const DataOptions &options() const { return opt_; }
    const CharStats &stats() const { return stats_; }
    // The fixed trigger list (empty for random triggers).
    const std::vector<int> &fixed_triggers() const { return fixed_; }

    // One sequence of T+1 tokens into z[0..T] and the counter into outs[0..T]; trig/out get K ids.
    void gen_seq(CounterRng &rng, int32_t *z, int32_t *outs, int32_t *trig, int32_t *out) const;
    // B sequences (OpenMP over b, deterministic for any thread count).
    Batch gen_batch(uint64_t seed, StreamPurpose purpose, uint64_t index, int B) const;

  private:
    int sample_cdf(const double *cdf, double u) const;
    const CharStats &stats_;
    DataOptions opt_;
    std::vector<int> fixed_;
    std::vector<double> cdf_u_; // [N] cumulative pi_u
    std::vector<double> cdf_b_; // [N*N] cumulative pi_b rows
};

uint64_t batch_key(uint64_t seed, StreamPurpose purpose, uint64_t index);

} // namespace tdlab::birth
