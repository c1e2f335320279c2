// The finite-N stochastic 1-bit attention network (docs/dmft_map.md sections 1 and 9): the transformer that
// generates +-1 tokens, whose N -> infinity limit is the mean-field map of mean_field_map.h.
//
// Units: N semantic units plus N_P positional units. Weights W^alpha (alpha = o, v, q, k), M features each,
// entries +-1. One step t -> t+1, given A-hat(t) [M] and the ring buffers of m^v, m^k of the last L tokens:
//   1. fields  h_i = beta sum_a W^o_{i,a} A-hat_a(t)                         i = 1..N
//   2. token   x_i = +1 with probability (1 + tanh h_i)/2, else -1             (independent over i)
//   3. overlaps m^alpha_a = (1-eps) (1/N) sum_i W^alpha_{i,a} x_i + eps PE^alpha_a((t+1) mod L)
//   4. attention over the last L tokens, softmax of gamma/sqrt(M) m^q . m^k[tau], as in the mean field
// The attention normalisation U = N^2 sqrt(M) and the output normalisation 1/N make every overlap O(1);
// only step 2 is random, so E[m(t+1) | A-hat(t)] is the mean-field map exactly (one-step unbiasedness) and
// the overlaps fluctuate by O(N^-1/2).
//
// Two samplers with the same law:
//   explicit  every unit drawn with its own uniform, overlaps summed over the N units (vectorised int8 dots)
//   types     units with identical weight rows (W^o,W^v,W^q,W^k)_i form a site type s of n_s units; the
//             number of +1 units of type s is K_s ~ Binomial(n_s, p_s), and sum_i W^alpha_{i,a} x_i =
//             sum_s W^alpha_{s,a} (2 K_s - n_s). O(types) per step, so N up to 10^9.
//
// Non-binary tokens (dmft/token_model.h): each unit draws its state from its own softmax over the alphabet
// (explicit: one uniform per unit, inverse CDF), or the state counts K_s of each site type are drawn as
// K_s ~ Multinomial(n_s, p_s) by sequential binomials (types); sum_i W^alpha_{i,a} x_i = sum_s sum_k
// c^alpha_{s,a,k} K_{s,k} with c = W^alpha_{s,a} s_k (scalar values) or W^alpha_{s,a,k} (Potts).
//
// Weights: the mean-field template (the paper's 99 "random segments" columns, or a weights file) replicated
// to N units by repeating each column N / N_template times (np.repeat, as the authors' finite-N code), which
// keeps every correlation of the template; or N i.i.d. +-1 rows (the mean field then uses their empirical
// correlations). The N_P positional columns are the template's.
#pragma once

#include "core/memory_budget.h"
#include "core/rng.h"
#include "dmft/mean_field_map.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::dmft {

enum class Sampler { Explicit, Types };
Sampler parse_sampler(const std::string &name); // "explicit" | "types"; UsageError naming dmft.sampler
const char *sampler_name(Sampler s);

// Bytes a network of N units needs (weights, unit pattern index), checked before anything is allocated.
size_t network_memory_bytes(int M, int64_t N, int NP, Sampler sampler, const std::string &weights);

// Read-only description of one finite network, shared by all runs.
struct FiniteNetwork {
    int M = 0, NP = 0, L = 0;
    int64_t N = 0;        // semantic units of the network
    int64_t replicas = 1; // N / N_template (1 for i.i.d. weights, which are drawn at size N)
    Sampler sampler = Sampler::Explicit;
    DmftModel mean_field; // the template's model: PE table, cold start; its map is the N -> inf limit

    // Site types: distinct rows (W^o,W^v,W^q,W^k)_i with their integer multiplicities (sum = N).
    int S = 0;
    std::vector<int64_t> type_count;               // [S]
    std::array<std::vector<int8_t>, kNumAlpha> tw; // [alpha][s][a]
    // Output patterns: distinct W^o rows; the field h depends only on the pattern.
    int P = 0;
    std::vector<int8_t> opattern;        // [P][M]
    std::vector<uint32_t> type_opattern; // [S]

    // Non-binary tokens: the template's site-type tables (unit_type over the template units), the state
    // values (scalar models) and the contribution c[s][k][alpha * M + a] of one unit of type s in state k.
    bool multistate = false;
    TokenTables tokens;
    std::vector<double> values;
    int q = 2;
    std::vector<double> contrib;

    // Explicit sampler only: the full weights [alpha][a][N + N_P] and each unit's output pattern [N].
    Weights weights;
    std::vector<uint32_t> unit_opattern;

    // `p` describes the template (p.N = N_template) or, for p.weights == "iid", is ignored in N: the i.i.d.
    // weights are drawn at the network size N. UsageError (naming dmft.N) if N is not a multiple of the
    // template or too large for memory.
    static FiniteNetwork build(const ModelParams &p, int64_t N, Sampler sampler);
};

// Fills the non-binary fields of `net` (tables, counts, contributions) from the template; called by build.
void build_multistate(FiniteNetwork &net, const ModelParams &p);

// One run of the network: its random stream and scratch. Not thread-safe; one per run.
class NetworkSampler {
  public:
    NetworkSampler(const FiniteNetwork &net, const DynamicsParams &dyn, uint64_t seed, uint64_t stream);

    // Draws the token of step c.t + 1 from A-hat(c.t) and advances c; the finite-N counterpart of
    // MeanFieldMap::step (same recorded observables; pointers valid until the next call).
    StepRecord step(Context &c);

    // Step 2 + the semantic sums of step 3: mse[alpha * M + a] = (1/N) sum_i W^alpha_{i,a} x_i for one
    // sampled token, with the network's sampler.
    void sample_semantic(const std::vector<double> &att, double *mse);
    // The same draw by a naive scalar loop (per-unit field, tanh, uniform, double sums): the reference of
    // the explicit sampler, bit-identical to it for the same stream. Explicit weights only.
    void sample_semantic_naive(const std::vector<double> &att, double *mse);
    // Steps 3 (mixing) to 4 (attention) for given semantic overlaps; with the mean-field expectation
    // this is bit-identical to MeanFieldMap::step.
    StepRecord step_with_semantic(Context &c, const double *mse);

    const FiniteNetwork &network() const { return net_; }

  private:
    void pattern_probabilities(const std::vector<double> &att);
    // Non-binary tokens (network_multistate.cpp): per-type state probabilities, then the draw.
    void state_probabilities(const std::vector<double> &att);
    void sample_semantic_multistate(const std::vector<double> &att, double *mse);
    std::vector<double> state_prob_; // [S][q]
    std::vector<double> state_sums_; // [4][M]
    const FiniteNetwork &net_;
    DynamicsParams dyn_;
    int M_, L_;
    MeanFieldMap map_;                // steps 3-5 (mixing, storing, attention) on the sampled overlaps
    CounterRng rng_;                  // this run's stream: one uniform per unit per step (explicit)
    std::vector<double> prob_;        // [P] (1 + tanh(beta sigma_p . A))/2
    std::vector<uint64_t> threshold_; // [P] x = +1 iff (u >> 11) < threshold (same as prob > uniform())
    std::vector<int8_t> x_;           // [block] token of the current block of units
    std::vector<int64_t> sums_;       // [4][M]
    std::vector<double> mse_;         // [4][M]
};

} // namespace tdlab::dmft
