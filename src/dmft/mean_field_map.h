// The dynamical mean-field map of the 1-bit self-attention network (Poc-Lopez & Aguilera 2024, arXiv
// 2406.07247, eqs. 13-15; written out in docs/dmft_map.md section 2), the map the authors' code iterates,
// in double precision with a max-subtracted softmax.
//
// State after step t (a Context): A-hat(t) [M], the ring buffers m^v, m^k of the last L steps [L][M]
// (slot = t mod L) and m^q(t). One step t -> t+1:
//   1. fields   th_j = tanh(beta sigma_j . A(t))                       j = 0..P-1
//               (non-binary tokens: the token model's per-unit softmax mean, dmft/token_model.h)
//   2. semantic mSE^alpha_a = sum_j K^alpha[j][a] th_j                   alpha = o, v, q, k
//   3. mixing   m^alpha_a = (1-eps) mSE^alpha_a + eps PE^alpha_a((t+1) mod L)
//   4. store    m^v, m^k in slot (t+1) mod L; recorded output mo_se = mSE^o (the paper's "m^o")
//   5. attention z_tau = gamma/sqrt(M) m^q . m^k[tau] over the n = min(L, filled) slots,
//                A(t+1) = sum_tau softmax(z)_tau m^v[tau]
// A-hat is the only route between steps besides the buffers; m^o never feeds back. The forcing by
// PE(t mod L) makes every periodic orbit's period a multiple of L.
//
// The same step is written four more times, for speed or for other questions; each is held to this
// one by the table of tests/dmft/test_map_paths.cpp (docs/dmft_map.md section 7):
//   step_fixed<3, 4> (below)      the paper's sizes unrolled; bit-identical to step_generic
//   batched_row_step.h  row_step  kLanes parameter points at once, lanes innermost, in the steps above
//                                 (fields_step, semantic_mix_store, attention_logits, softmax_weights,
//                                 attention_average); scalar path bit-identical to step(), SSE2 / AVX
//                                 (SLEEF without FMA) bit-identical to each other, AVX2 / AVX-512 (SLEEF's
//                                 FMA builds) to each other, each pair to a recorded hash;
//                                 batched_register_step.h holds the same step in vector registers for the
//                                 paper's shape (bit-identical to the row form)
//   tangent_map.cpp               the Jacobian of one step (J v and dense); finite differences, and the
//                                 batched kernel's tangent against Benettin on it
//   network.cpp                   the finite-N network: sampled overlaps into step_with_semantic (steps
//                                 3-5); with the mean-field overlaps that is step() bit for bit, and
//                                 E[m | A] is the map (tests/dmft/test_network.cpp)
#pragma once

#include "dmft/correlations.h"
#include "dmft/params.h"
#include "dmft/token_model.h"
#include "dmft/weights.h"

#include <array>
#include <vector>

namespace tdlab::dmft {

FieldExpansion expansion_from_correlations(const Correlations &c); // coef = CS / 2^(M-1)
FieldExpansion expansion_from_site_types(const SiteTypes &t);      // sigma = W^o_s, coef = f_s W^alpha_s

// Everything about the network that does not depend on beta, gamma, epsilon.
struct DmftModel {
    ModelParams params;
    Weights weights;
    UnitWeights potts; // vector weights of every unit (tokens = potts only)
    FieldExpansion fields;
    std::vector<double> pe; // [alpha][phase][a] = (1/N_P) sum_j W^alpha_{a,N+j} p_j(phase), unscaled by eps

    static DmftModel build(const ModelParams &p);
    double pe_at(int alpha, int phase, int a) const {
        return pe[(size_t(alpha) * size_t(params.L) + size_t(phase)) * size_t(params.M) + size_t(a)];
    }
};

// Positional code p_j(t) in {-1,+1}: the N_P-bit code of (t mod L), most significant bit first, 0 -> -1.
int positional_bit(int64_t t, int j, int NP);

// The state after step t.
struct Context {
    int M = 0, L = 0;
    int64_t t = 0;           // index of the last computed step
    int filled = 0;          // filled ring slots (< L only right after a cold start)
    std::vector<double> att; // A-hat(t) [M]
    std::vector<double> mq;  // m^q(t) [M]
    std::vector<double> mv;  // [L][M], slot t' mod L holds m^v(t')
    std::vector<double> mk;  // [L][M]
};

// The overlaps of the newest step, as the authors record them.
struct StepRecord {
    const double *mo_se, *mo, *mv, *mq, *mk, *att; // each [M]
};

class MeanFieldMap {
  public:
    MeanFieldMap(const DmftModel &model, const DynamicsParams &dyn);

    // The authors' cold start (docs/dmft_map.md section 5): x0 = row 0 of W^o with its PE entries set to -1, plain
    // overlaps over all N + N_P units at t = 0 (no eps mixing), A-hat(0) = m^v(0); mo_se(0) = x0.W^o / N (semantic).
    Context cold_start() const;
    // Observables of the cold start at t = 0 (mo_se, mo, mv, mq, mk, att), for recording.
    void cold_start_record(std::vector<double> &mo_se, std::vector<double> &mo) const;

    // Advances `c` by one step (t -> t+1). The returned pointers stay valid until the next call.
    // The paper's sizes (M = 3, L = 4) take a fixed-size path with the same operation order, so both
    // paths give identical bits; `force_generic` selects the runtime-size path (benchmarks, tests).
    StepRecord step(Context &c) { return fixed_ && !force_generic_ ? step_fixed<3, 4>(c) : step_generic(c); }
    void force_generic(bool on) { force_generic_ = on; }
    // Steps 3-5 (mixing, storing, attention) for given semantic overlaps mse[alpha * M + a]: with the
    // map's own expectation this is the generic step; the finite-N network passes its sampled overlaps.
    StepRecord step_with_semantic(Context &c, const double *semantic);

    // Semantic overlaps mSE^alpha for a given A-hat (steps 1-2), [alpha][a]; the worked example of docs/dmft_map.md
    // section 3.
    std::array<std::vector<double>, kNumAlpha> semantic_overlaps(const std::vector<double> &att) const;

    const DmftModel &model() const { return model_; }
    const DynamicsParams &dynamics() const { return dyn_; }
    double attention_coefficient() const { return att_coef_; }

  private:
    StepRecord step_generic(Context &c);
    template <int kM, int kL> StepRecord step_fixed(Context &c);

    const DmftModel &model_;
    DynamicsParams dyn_;
    int M_, L_, P_;
    double se_weight_, pe_weight_, att_coef_;
    bool fixed_ = false, force_generic_ = false;
    bool tanh_ = true;                         // binary tokens: the paper's tanh, inline
    std::vector<double> h_, th_, mse_, m_, z_; // scratch: [P], [P], [4][M], [4][M], [L]
};

} // namespace tdlab::dmft
