// The finite-N network with non-binary tokens (network.h, dmft/token_model.h): per-type state
// probabilities from the token model's softmax, and the two samplers (explicit per unit, multinomial per
// site type) with the same law.
#include "core/error.h"
#include "dmft/network.h"

#include <algorithm>
#include <cmath>

namespace tdlab::dmft {

void build_multistate(FiniteNetwork &net, const ModelParams &p) {
    const DmftModel &mf = net.mean_field;
    net.multistate = true;
    net.tokens = token_tables(p, mf.weights, mf.potts);
    const bool potts = token_kind(p) == TokenKind::Potts;
    net.values = token_values(p);
    net.q = potts ? p.q : int(net.values.size());
    net.S = net.tokens.T;
    net.type_count.clear();
    for (int64_t c : net.tokens.count) net.type_count.push_back(c * net.replicas);
    const int M = net.M, q = net.q, tq = net.tokens.q;
    const size_t K = size_t(kNumAlpha) * size_t(M);
    net.contrib.assign(size_t(net.S) * size_t(q) * K, 0.0);
    for (int s = 0; s < net.S; ++s) {
        for (int k = 0; k < q; ++k) {
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                for (int a = 0; a < M; ++a) {
                    const auto &w = net.tokens.w[alpha];
                    const double c =
                        potts ? w[(size_t(s) * M + a) * tq + k] : w[size_t(s) * M + a] * net.values[size_t(k)];
                    net.contrib[(size_t(s) * q + k) * K + size_t(alpha) * M + a] = c;
                }
            }
        }
    }
}

void NetworkSampler::state_probabilities(const std::vector<double> &att) {
    const TokenTables &t = net_.tokens;
    const int q = net_.q, tq = t.q;
    state_prob_.resize(size_t(net_.S) * size_t(q));
    std::vector<double> z(static_cast<size_t>(q));
    for (int s = 0; s < net_.S; ++s) {
        // Logits of the unit's softmax: s_k h_s (scalar values) or h_{s,k} (Potts), h = beta W^o . A.
        for (int k = 0; k < q; ++k) {
            double h = 0.0;
            for (int b = 0; b < M_; ++b) h += t.w[kO][(size_t(s) * M_ + b) * tq + (tq == 1 ? 0 : k)] * att[size_t(b)];
            z[size_t(k)] = tq == 1 ? net_.values[size_t(k)] * (dyn_.beta * h) : dyn_.beta * h;
        }
        const double zmax = *std::max_element(z.begin(), z.end());
        double norm = 0.0;
        for (double &v : z) norm += (v = std::exp(v - zmax));
        for (int k = 0; k < q; ++k) state_prob_[size_t(s) * q + k] = z[size_t(k)] / norm;
    }
}

void NetworkSampler::sample_semantic_multistate(const std::vector<double> &att, double *mse) {
    state_probabilities(att);
    const int q = net_.q;
    const size_t K = size_t(kNumAlpha) * size_t(M_);
    state_sums_.assign(K, 0.0);
    auto add = [&](int s, int k, double count) {
        const double *c = &net_.contrib[(size_t(s) * q + k) * K];
        for (size_t m = 0; m < K; ++m) state_sums_[m] += c[m] * count;
    };
    if (net_.sampler == Sampler::Types) {
        // Multinomial(n_s, p_s) as a chain of binomials: K_k ~ Bin(n - K_0 - .. - K_{k-1}, p_k / (p_k + .. + p_{q-1})).
        for (int s = 0; s < net_.S; ++s) {
            const double *p = &state_prob_[size_t(s) * q];
            int64_t left = net_.type_count[size_t(s)];
            double tail = 0.0;
            for (int k = 0; k < q; ++k) tail += p[k];
            for (int k = 0; k < q && left > 0; ++k) {
                const int64_t n = k == q - 1 ? left : rng_.binomial(left, std::min(1.0, p[k] / tail));
                add(s, k, double(n));
                left -= n;
                tail -= p[k];
            }
        }
    } else {
        // One uniform per unit, state = first k with u < p_0 + .. + p_k (the last state takes the rest).
        const auto &unit_type = net_.tokens.unit_type;
        std::vector<int64_t> counts(size_t(net_.S) * size_t(q), 0);
        for (int64_t i = 0; i < net_.N; ++i) {
            const int s = unit_type[size_t(i / net_.replicas)];
            const double *p = &state_prob_[size_t(s) * q];
            const double u = rng_.uniform();
            double cum = 0.0;
            int k = 0;
            for (; k < q - 1; ++k) {
                cum += p[k];
                if (u < cum) break;
            }
            ++counts[size_t(s) * q + k];
        }
        for (int s = 0; s < net_.S; ++s) {
            for (int k = 0; k < q; ++k) add(s, k, double(counts[size_t(s) * q + k]));
        }
    }
    for (size_t m = 0; m < K; ++m) mse[m] = state_sums_[m] / double(net_.N);
}

} // namespace tdlab::dmft
