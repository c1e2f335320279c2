// Non-binary tokens (docs/dmft_multistate.md). The paper (Poc-Lopez & Aguilera 2024, arXiv 2406.07247,
// Discussion) notes that its theory extends to non-binary token sets by replacing tanh with a softmax: the
// output distribution factorises over units, so each unit's mean becomes the mean of a per-unit softmax
// over the token alphabet, and attention, which sees the tokens only through the overlaps, is unchanged.
//
// Token models (config key dmft.tokens):
//   binary   S = {-1,+1}; the mean is tanh h (the paper's model; the map's fast path, bit for bit)
//   ternary  S = {-1,0,+1}; F(h) = 2 sinh h / (1 + 2 cosh h), evaluated with one exp
//   scalar   S = dmft.values (2..16 values); F_S(h) = sum_s s e^{s h} / sum_s e^{s h}, max subtracted
//   potts    q states, one-hot; vector weights W^alpha_{i,a,k}; the unit's state probabilities are
//            softmax_k(beta sum_b W^o_{i,b,k} A_b) and m^alpha_a = (1/N) sum_i sum_k W^alpha_{i,a,k} pi_{i,k}
// Every model except `binary` runs through the site-type form with per-type tables W^alpha[T][M][q]
// (q = 1 for the scalar models, whose value set enters through F_S). The sign-pattern correlation form
// of the paper's eq. 29 relies on tanh being odd, so it is kept for binary tokens only.
#pragma once

#include "dmft/params.h"
#include "dmft/weights.h"

#include <array>
#include <vector>

namespace tdlab::dmft {

enum class TokenKind { Binary, Ternary, Scalar, Potts };
TokenKind token_kind(const ModelParams &p);
// The value set S of the scalar models (binary {-1,1}, ternary {-1,0,1}, scalar dmft.values), or the
// Potts state values (dmft.state_values, default evenly spaced in [-1, 1]).
std::vector<double> token_values(const ModelParams &p);

// What replaces tanh on the fields h_j = beta sigma_j . A of one step.
enum class FieldKind { Tanh, Ternary, ValueSoftmax, GroupSoftmax };
struct FieldNonlinearity {
    FieldKind kind = FieldKind::Tanh;
    std::vector<double> values; // ValueSoftmax: the value set S
    int group = 1;              // GroupSoftmax: each run of `group` consecutive fields is one unit's softmax

    // out[j] = F(h[j]) for j < P (per group for GroupSoftmax).
    void apply(const double *h, double *out, int P) const;
    // The tangent dout = (dF/dh) dh at h (out = F(h) given).
    void tangent(const double *h, const double *out, const double *dh, double *dout, int P) const;
};

// Per-unit means and second moments of the scalar models.
double ternary_mean(double h);   // 2 sinh h / (1 + 2 cosh h) = (e^h - e^-h) / (1 + e^h + e^-h)
double ternary_second(double h); // E[s^2] = 2 cosh h / (1 + 2 cosh h)
// Mean of the softmax over `values` at field h (max subtracted); `second` receives E[s^2] if not null.
double value_softmax_mean(const std::vector<double> &values, double h, double *second = nullptr);

// The semantic fields as a sum over P field directions: mSE^alpha_a = sum_j coef[alpha][j][a] F(beta sigma_j . A),
// with F the token model's nonlinearity.
struct FieldExpansion {
    int M = 0, P = 0;
    std::vector<double> sigma;                       // [P][M]
    std::array<std::vector<double>, kNumAlpha> coef; // [alpha][P][M]
    FieldNonlinearity nl;
};

// Vector weights W^alpha_{i,a,k} of every unit (Potts tokens), the last N_P columns positional.
struct UnitWeights {
    int M = 0, N = 0, NP = 0, q = 0;
    std::array<std::vector<double>, kNumAlpha> w; // [alpha][a][i][k]
    int cols() const { return N + NP; }
    double at(int alpha, int a, int i, int k) const {
        return w[size_t(alpha)][(size_t(a) * size_t(cols()) + size_t(i)) * size_t(q) + size_t(k)];
    }
};
// potts_weights = scalar_embedding: W_{i,a,k} = state_values[k] W_{i,a}. segments: the binary segments
// generator's MT19937 stream continued by one 2*(g()&1)-1 draw per (alpha, a, segment, k), then per
// (alpha, a, PE unit j, k); unit i of segment s gets the draw of s.
UnitWeights potts_unit_weights(const ModelParams &p, const Weights &w);

// Site-type tables: distinct weight rows over the N semantic units, with their fractions.
struct TokenTables {
    int T = 0, M = 0, q = 1;
    std::vector<double> frac;                     // [T]
    std::vector<int64_t> count;                   // [T] units of each type (frac = count / N)
    std::vector<int> unit_type;                   // [N] type of each semantic unit
    std::array<std::vector<double>, kNumAlpha> w; // [alpha][T][M][q]
};
TokenTables token_tables(const ModelParams &p, const Weights &w, const UnitWeights &uw);
// sigma_(s,k) = W^o_{s,.,k}, coef_(s,k) = f_s W^alpha_{s,.,k}, with the token model's nonlinearity.
FieldExpansion expansion_from_tables(const TokenTables &t, const ModelParams &p);

// PE^alpha_a(phase) for every token model, [alpha][phase][a]. pe_code binary: the N_P-bit code of the
// phase (bit 1 -> +1 / Potts state q-1, bit 0 -> -1 / state 0); base_q: ceil(log_q L) base-q digits, digit d
// -> value S[d] (scalar) or state d (Potts), on the first PE units.
std::vector<double> token_pe_table(const ModelParams &p, const Weights &w, const UnitWeights &uw);
// Number of PE digits the code uses.
int pe_digits(const ModelParams &p);

} // namespace tdlab::dmft
