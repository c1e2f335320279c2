// Top-down learning of the induction head by three gradient steps from zero (Bietti et al. 2023, arXiv
// 2306.00802, Sec. 6, Theorem 3; docs/birth_theory.md). The simplified model starts with
// W_O^2 = W_K^2 = W_K^1 = 0, so both attention layers are uniform; E, P, W_U, W_V^1, W_O^1, W_V^2 keep their
// frozen random initialisation as in training. A large batch of fixed-trigger sequences (uniform outputs)
// stands in for the population; the loss is the cross-entropy on the in-context positions (outs >= 2).
// Three steps follow, in the paper's order: W_O^2 -= eta_1 grad, then W_K^2 -= eta_2 grad (gradient taken
// at the new W_O^2), then W_K^1 -= eta_3 grad. After each step the weight probes of training (wo1_acc,
// wk1_acc, wk0_acc, wk0_64_acc) and the in-context accuracy acc_end on a held-out batch are recorded.
#pragma once

#include "birth/model.h"
#include "birth/trigger_data.h"
#include "core/config.h"
#include "core/progress.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tdlab::birth {

struct TheoryOptions {
    uint64_t seed = 0;         // initialisation and data streams
    DataOptions data;          // fixed triggers, uniform outputs (k, offset, seq_length)
    ModelOptions model;        // dim, max_length (>= seq_length), attention scaling
    int batch_size = 512;      // sequences of the population batch
    int eval_batch_size = 256; // held-out sequences for acc_end / loss_head
    int chunk = 32;            // sequences per forward pass (memory); divides both batch sizes
    // Step sizes of the three steps; scale multiplies all three. Defaults: the W_O^2 step moves the
    // in-context logits by O(1) (the loss still falls, and p-hat stays close to its value at zero, the
    // regime of the gradient lemma); the key steps act on scores quadratic in the N(0, 1) embeddings
    // (|h|^2 ~ 2d), hence their much smaller sizes. Each default lowers the held-out in-context loss at
    // d = 64 (docs/birth_theory.md).
    double eta_wo2 = 5.0, eta_wk2 = 0.01, eta_wk1 = 1.0;
};

enum class TheoryMatrix { WO2, WK2, WK1 };
const char *theory_matrix_name(TheoryMatrix m); // "W_O^2", "W_K^2", "W_K^1"

// The model, the population batch and the held-out batch of one run of the three steps.
class TopDownSteps {
  public:
    explicit TopDownSteps(const TheoryOptions &opt); // UsageError on a bad chunk / trigger setting
    SimplifiedModel &model() { return model_; }
    const SimplifiedModel &model() const { return model_; }
    const std::vector<int> &triggers() const { return data_.fixed_triggers(); }

    // Gradient of the in-context loss over the whole population batch with respect to one matrix
    // (d x d, row-major, the mean over every outs >= 2 position of the batch).
    std::vector<double> population_gradient(TheoryMatrix m);
    // m -= eta * grad (the gradient is returned).
    std::vector<double> step(TheoryMatrix m, double eta);
    // Back to the start (the three matrices zero), then m = -eta * grad (a step from zero with a known
    // gradient: the first step's gradient does not depend on the step size).
    void reset();
    void set_from_gradient(TheoryMatrix m, const std::vector<double> &grad, double eta);
    // One record: the probes, acc_end and loss_head on the held-out batch, and the margins below.
    nlohmann::json record(const std::string &step_name);

  private:
    TheoryOptions opt_;
    TriggerData data_;
    SimplifiedModel model_;
    Batch population_, held_out_;
    ModelActivations acts_;
};

// Diagnostics of the three memories (scale-free: each is divided by the spread of its score matrix).
// Mean over tokens k of the z-score of the diagonal entry of column k of M = W_U W_O^2 W_V^2 E^T against
// the other entries of the column (the readout of input k: is k the argmax, and by how much).
double wo2_diagonal_z(const SimplifiedModel &model);
// Mean over triggers a of (A_aa - max_{b != a} A_ab) / rms(A), A_ab = E[a]^T W_K^2 W_O^1 W_V^1 E[b] on
// the trigger set (the matrix behind R(W_K^2)).
double wk2_margin(const SimplifiedModel &model, const std::vector<int> &triggers);
// For t = 1..n-1: P[t]^T W_K^1 P[t-1] - max_{s != t-1, s <= n-2} P[t]^T W_K^1 P[s], divided by the rms of
// the n x n score matrix (the argmax behind R(W_K^1), keys over all of 0..n-2 as in the probe).
std::vector<double> wk1_margins(const SimplifiedModel &model, int n);

// The three steps at step sizes scale * eta: four records (init, W_O^2, W_K^2, W_K^1) with "step" set.
std::vector<nlohmann::json> run_top_down(const TheoryOptions &opt, double scale);

// W_O^2, W_K^2 and W_K^1 multiplied by lambda (an inverse temperature); the other weights unchanged.
void scale_memories(SimplifiedModel &model, double lambda);

// `tdlab birth theory`: the three steps for every d in dims and every step-size multiplier in scales,
// then, at multiplier 1, the three memories multiplied by each temperature factor.
struct TheorySweep {
    TheoryOptions base; // base.model.dim is replaced by each entry of dims
    std::vector<int> dims;
    std::vector<double> scales, temperatures;
};
ConfigSchema theory_schema();
TheorySweep theory_sweep_from(const Config &cfg); // UsageError naming the key
// Records (the run_top_down keys plus "d", "scale", "temperature"): for each d, four per scale (init and
// the three steps, temperature 1) and one per temperature (step "scaled", scale 1). progress counts
// gradients.
std::vector<nlohmann::json> run_theory_sweep(const TheorySweep &sweep, Progress *progress = nullptr);
uint64_t theory_sweep_gradients(const TheorySweep &sweep);
// DIR/theory.jsonl (one record a line) and DIR/theory.csv (the columns of kTheoryColumns).
void write_theory_outputs(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records);

} // namespace tdlab::birth
