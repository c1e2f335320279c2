#include "dmft/token_model.h"

#include "core/error.h"
#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

namespace tdlab::dmft {

TokenKind token_kind(const ModelParams &p) {
    if (p.tokens == "binary") return TokenKind::Binary;
    if (p.tokens == "ternary") return TokenKind::Ternary;
    if (p.tokens == "scalar") return TokenKind::Scalar;
    if (p.tokens == "potts") return TokenKind::Potts;
    throw UsageError(
        fmt::format("config key 'dmft.tokens' = '{}': expected binary, ternary, scalar or potts", p.tokens));
}

std::vector<double> token_values(const ModelParams &p) {
    switch (token_kind(p)) {
    case TokenKind::Binary: return {-1.0, 1.0};
    case TokenKind::Ternary: return {-1.0, 0.0, 1.0};
    case TokenKind::Scalar: return p.values;
    default: break;
    }
    if (!p.state_values.empty()) return p.state_values;
    // (2k - (q-1)) / (q-1): exact for the small q where it matters (q = 2: -1, 1; q = 3: -1, 0, 1).
    std::vector<double> v(static_cast<size_t>(p.q));
    for (int k = 0; k < p.q; ++k) v[size_t(k)] = double(2 * k - (p.q - 1)) / double(p.q - 1);
    return v;
}

double ternary_mean(double h) {
    // Divide numerator and denominator by e^|h|: one exp, no overflow at any h.
    const double e = std::exp(-std::fabs(h));
    const double r = (1.0 - e * e) / (1.0 + e + e * e);
    return h < 0 ? -r : r;
}

double ternary_second(double h) {
    const double e = std::exp(-std::fabs(h));
    return (1.0 + e * e) / (1.0 + e + e * e);
}

double value_softmax_mean(const std::vector<double> &values, double h, double *second) {
    double zmax = -INFINITY;
    for (double s : values) zmax = std::max(zmax, s * h);
    double num = 0.0, den = 0.0, sq = 0.0;
    for (double s : values) {
        const double z = s * h;
        const double w = z == zmax ? 1.0 : std::exp(z - zmax);
        den += w;
        num += s * w;
        sq += s * s * w;
    }
    if (second) *second = sq / den;
    return num / den;
}

void FieldNonlinearity::apply(const double *h, double *out, int P) const {
    switch (kind) {
    case FieldKind::Tanh:
        for (int j = 0; j < P; ++j) out[j] = std::tanh(h[j]);
        break;
    case FieldKind::Ternary:
        for (int j = 0; j < P; ++j) out[j] = ternary_mean(h[j]);
        break;
    case FieldKind::ValueSoftmax:
        for (int j = 0; j < P; ++j) out[j] = value_softmax_mean(values, h[j]);
        break;
    case FieldKind::GroupSoftmax:
        for (int g = 0; g < P; g += group) {
            double zmax = -INFINITY;
            for (int k = 0; k < group; ++k) zmax = std::max(zmax, h[g + k]);
            double norm = 0.0;
            for (int k = 0; k < group; ++k) norm += (out[g + k] = h[g + k] == zmax ? 1.0 : std::exp(h[g + k] - zmax));
            for (int k = 0; k < group; ++k) out[g + k] /= norm;
        }
        break;
    }
}

void FieldNonlinearity::tangent(const double *h, const double *out, const double *dh, double *dout, int P) const {
    switch (kind) {
    case FieldKind::Tanh:
        for (int j = 0; j < P; ++j) dout[j] = (1.0 - out[j] * out[j]) * dh[j];
        break;
    case FieldKind::Ternary:
        for (int j = 0; j < P; ++j) dout[j] = (ternary_second(h[j]) - out[j] * out[j]) * dh[j];
        break;
    case FieldKind::ValueSoftmax:
        for (int j = 0; j < P; ++j) {
            double sec = 0.0;
            value_softmax_mean(values, h[j], &sec);
            dout[j] = (sec - out[j] * out[j]) * dh[j]; // F_S' = Var of the unit's softmax
        }
        break;
    case FieldKind::GroupSoftmax:
        for (int g = 0; g < P; g += group) {
            double bar = 0.0; // d pi_k = pi_k (dh_k - sum_k' pi_k' dh_k')
            for (int k = 0; k < group; ++k) bar += out[g + k] * dh[g + k];
            for (int k = 0; k < group; ++k) dout[g + k] = out[g + k] * (dh[g + k] - bar);
        }
        break;
    }
}

UnitWeights potts_unit_weights(const ModelParams &p, const Weights &w) {
    UnitWeights u;
    u.M = w.M;
    u.N = w.N;
    u.NP = w.NP;
    u.q = p.q;
    const size_t cols = size_t(w.cols()), q = size_t(p.q);
    for (auto &x : u.w) x.assign(size_t(w.M) * cols * q, 0.0);
    auto at = [&](int alpha, int a, int i, int k) -> double & {
        return u.w[size_t(alpha)][(size_t(a) * cols + size_t(i)) * q + size_t(k)];
    };
    if (p.potts_weights == "scalar_embedding") {
        const auto sv = token_values(p);
        for (int alpha = 0; alpha < kNumAlpha; ++alpha)
            for (int a = 0; a < w.M; ++a)
                for (int i = 0; i < w.cols(); ++i)
                    for (int k = 0; k < p.q; ++k) at(alpha, a, i, k) = sv[size_t(k)] * w.at(alpha, a, i);
        return u;
    }
    // segments: replay the binary generator's draws (each randint2 is one 32-bit draw): the unused M x N
    // block, 4 M x N semantic signs, 4 M `segments` segment signs; then continue the same stream.
    NumpyLegacyRng rng(p.weights_seed);
    const int64_t skip = int64_t(p.M) * p.N * 5 + int64_t(4) * p.M * p.segments;
    for (int64_t k = 0; k < skip; ++k) rng.next_u32();
    auto sign = [&] { return double(rng.randint2() * 2 - 1); };
    const int seg_size = p.N / p.segments;
    for (int alpha = 0; alpha < kNumAlpha; ++alpha)
        for (int a = 0; a < p.M; ++a)
            for (int s = 0; s < p.segments; ++s)
                for (int k = 0; k < p.q; ++k) {
                    const double v = sign();
                    for (int i = s * seg_size; i < (s + 1) * seg_size; ++i) at(alpha, a, i, k) = v;
                }
    for (int alpha = 0; alpha < kNumAlpha; ++alpha)
        for (int a = 0; a < p.M; ++a)
            for (int j = 0; j < p.NP; ++j)
                for (int k = 0; k < p.q; ++k) at(alpha, a, p.N + j, k) = sign();
    return u;
}

TokenTables token_tables(const ModelParams &p, const Weights &w, const UnitWeights &uw) {
    // Distinct weight rows (W^o, W^v, W^q, W^k)_i over the semantic units, in order of first occurrence:
    // +-1 scalars for the scalar models (q = 1), the q-vectors W_{i,a,.} for Potts.
    TokenTables t;
    t.M = w.M;
    const bool potts = token_kind(p) == TokenKind::Potts;
    t.q = potts ? uw.q : 1;
    const size_t row_len = size_t(kNumAlpha) * size_t(t.M) * size_t(t.q);
    std::map<std::vector<double>, int> index;
    std::vector<int64_t> count;
    std::vector<double> row(row_len);
    t.unit_type.resize(size_t(w.N));
    for (int i = 0; i < w.N; ++i) {
        size_t n = 0;
        for (int alpha = 0; alpha < kNumAlpha; ++alpha)
            for (int a = 0; a < t.M; ++a)
                for (int k = 0; k < t.q; ++k) row[n++] = potts ? uw.at(alpha, a, i, k) : double(w.at(alpha, a, i));
        auto [it, fresh] = index.emplace(row, t.T);
        if (fresh) {
            ++t.T;
            count.push_back(0);
            n = 0;
            for (int alpha = 0; alpha < kNumAlpha; ++alpha)
                for (size_t m = 0; m < size_t(t.M) * size_t(t.q); ++m) t.w[alpha].push_back(row[n++]);
        }
        ++count[size_t(it->second)];
        t.unit_type[size_t(i)] = it->second;
    }
    t.count = count;
    for (int64_t c : count) t.frac.push_back(double(c) / double(w.N));
    return t;
}

FieldExpansion expansion_from_tables(const TokenTables &t, const ModelParams &p) {
    FieldExpansion f;
    f.M = t.M;
    f.P = t.T * t.q;
    const size_t M = size_t(t.M), q = size_t(t.q);
    f.sigma.resize(size_t(f.P) * M);
    for (auto &c : f.coef) c.resize(size_t(f.P) * M);
    for (size_t s = 0; s < size_t(t.T); ++s) {
        for (size_t k = 0; k < q; ++k) {
            const size_t j = s * q + k;
            for (size_t a = 0; a < M; ++a) {
                f.sigma[j * M + a] = t.w[kO][(s * M + a) * q + k];
                for (int alpha = 0; alpha < kNumAlpha; ++alpha)
                    f.coef[alpha][j * M + a] = t.frac[s] * t.w[alpha][(s * M + a) * q + k];
            }
        }
    }
    switch (token_kind(p)) {
    case TokenKind::Binary: f.nl.kind = FieldKind::Tanh; break;
    case TokenKind::Ternary: f.nl.kind = FieldKind::Ternary; break;
    case TokenKind::Scalar:
        f.nl.kind = FieldKind::ValueSoftmax;
        f.nl.values = p.values;
        break;
    case TokenKind::Potts:
        f.nl.kind = FieldKind::GroupSoftmax;
        f.nl.group = t.q;
        break;
    }
    return f;
}

int pe_digits(const ModelParams &p) {
    if (p.pe_code == "binary") return p.NP;
    const int base = int(token_values(p).size());
    int d = 1;
    for (int64_t span = base; span < p.L; span *= base) ++d;
    return d;
}

std::vector<double> token_pe_table(const ModelParams &p, const Weights &w, const UnitWeights &uw) {
    const bool potts = token_kind(p) == TokenKind::Potts, binary_code = p.pe_code == "binary";
    const auto values = token_values(p);
    const int D = pe_digits(p), base = binary_code ? 2 : int(values.size());
    std::vector<double> pe(size_t(kNumAlpha) * size_t(p.L) * size_t(p.M), 0.0);
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int phase = 0; phase < p.L; ++phase) {
            for (int a = 0; a < p.M; ++a) {
                int digit[32];
                int rest = phase;
                for (int j = D - 1; j >= 0; --j) { // j = 0 is the most significant digit, as positional_bit
                    digit[j] = rest % base;
                    rest /= base;
                }
                double sum = 0.0; // summed over j in ascending order, as the binary model's table
                for (int j = 0; j < D; ++j) {
                    const int d = digit[j];
                    const int state = binary_code && potts ? (d ? p.q - 1 : 0) : d;
                    if (potts) {
                        sum += uw.at(alpha, a, p.N + j, state);
                    } else {
                        sum += w.at(alpha, a, p.N + j) * (binary_code ? (d ? 1.0 : -1.0) : values[size_t(d)]);
                    }
                }
                pe[(size_t(alpha) * size_t(p.L) + size_t(phase)) * size_t(p.M) + size_t(a)] = sum / double(D);
            }
        }
    }
    return pe;
}

} // namespace tdlab::dmft
