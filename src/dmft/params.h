// Parameters of the 1-bit self-attention network of Poc-Lopez & Aguilera 2024, arXiv 2406.07247 (docs/dmft_map.md
// sections 1-4) and the config schema shared by `tdlab dmft run|sweep|spin`.
#pragma once

#include "core/config.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::dmft {

// The four projections. Order matches the authors' draws (o, v, q, k) and every array indexed by alpha.
enum Alpha : int { kO = 0, kV = 1, kQ = 2, kK = 3 };
inline constexpr int kNumAlpha = 4;
inline constexpr const char *kAlphaNames[kNumAlpha] = {"o", "v", "q", "k"};

struct ModelParams {
    int M = 3;                         // features per level (num_feat_patterns)
    int N = 99;                        // semantic units of the weight template (only defines the correlations)
    int NP = 2;                        // positional units; the context is L = 2^NP
    int L = 4;                         // context length (softmax over the L most recent tokens, current one included)
    int segments = 3;                  // "random segments" weights: segments per feature row
    std::string weights = "segments";  // segments | iid | path to a .npy int array [4, M, N+NP]
    uint32_t weights_seed = 1;         // np.random.seed of the authors' generator (paper: 1)
    std::string form = "correlations"; // correlations (paper eq. 29, the authors' code) | site_types
    // Token alphabet (dmft/token_model.h, docs/dmft_multistate.md). Any model but binary uses the site-type form.
    std::string tokens = "binary";                  // binary | ternary | scalar | potts
    std::vector<double> values;                     // scalar: the value set S (2..16 distinct values)
    int q = 3;                                      // potts: number of states
    std::string potts_weights = "scalar_embedding"; // potts: scalar_embedding | segments
    std::vector<double> state_values;               // potts: value of each state (default evenly in [-1, 1])
    std::string pe_code = "binary";                 // binary | base_q
};

struct DynamicsParams {
    double beta = 1.27;    // output inverse temperature
    double gamma = 220.0;  // attention gain; the logit is gamma/sqrt(M) * m^q . m^k (docs/dmft_map.md section 2)
    double epsilon = 0.02; // weight of the positional part in every overlap
};

// 1/sqrt(M): the attention normalisation U = N^2 sqrt(M) leaves gamma/sqrt(M) in the mean-field logit
// (paper eq. 14 with U = N^2 sqrt(M); docs/dmft_map.md section 2). Kept as a named function so the choice is visible in
// one place.
inline double attention_norm(int M) {
    return 1.0 / std::sqrt(double(M));
}

// Config keys of the model and dynamics (`dmft.*`) with defaults of the paper runs (paper App. C; docs/dmft_map.md
// section 4).
ConfigSchema dmft_model_schema();
// The keys of a trajectory window and its start, declared once for `dmft run`, `dmft spin` and the
// sweeps: dmft.steps, dmft.transient, dmft.save_every (not in sweeps), dmft.start, dmft.seed, dmft.perturb.
ConfigSchema dmft_window_schema(bool with_save_every = true);
// Reads and cross-validates them (L == 2^NP, N divisible by segments, ...). UsageError names the key.
ModelParams model_params_from(const Config &cfg);
DynamicsParams dynamics_params_from(const Config &cfg);

} // namespace tdlab::dmft
