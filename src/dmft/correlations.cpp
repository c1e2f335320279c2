#include "dmft/correlations.h"

#include "core/error.h"

#include <algorithm>
#include <bit>
#include <fmt/format.h>
#include <map>

namespace tdlab::dmft {

double Correlations::subset(int alpha, uint32_t mask, int a) const {
    for (size_t s = 0; s < odd_subsets.size(); ++s) {
        if (odd_subsets[s] == mask) return corr[alpha][s * size_t(M) + size_t(a)];
    }
    throw std::logic_error("Correlations::subset: not an odd subset");
}

Correlations correlations_from_weights(const Weights &w) {
    if (w.M > kMaxCorrelationM) {
        throw UsageError(fmt::format("config key 'dmft.M' = {}: the correlation form needs 4^(M-1) work; use "
                                     "dmft.form=site_types for M > {}",
                                     w.M, kMaxCorrelationM));
    }
    Correlations c;
    const int M = w.M;
    c.M = M;
    c.P = 1 << (M - 1);
    for (int size = 1; size <= M; size += 2) {
        for (uint32_t mask = 1; mask < (1u << M); ++mask) {
            // Singletons ordered by feature index b (bit b), larger subsets by increasing mask.
            if (std::popcount(mask) == size) c.odd_subsets.push_back(mask);
        }
    }
    c.sign_patterns.resize(size_t(c.P) * size_t(M));
    for (int j = 0; j < c.P; ++j) {
        for (int b = 0; b < M; ++b)
            c.sign_patterns[size_t(j) * size_t(M) + size_t(b)] = ((j >> (M - 1 - b)) & 1) ? -1.0 : 1.0;
    }
    const size_t nsub = c.odd_subsets.size();
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        c.corr[alpha].assign(nsub * size_t(M), 0.0);
        for (size_t s = 0; s < nsub; ++s) {
            for (int a = 0; a < M; ++a) {
                double sum = 0.0;
                for (int i = 0; i < w.N; ++i) {
                    int prod = w.at(alpha, a, i);
                    for (int b = 0; b < M; ++b) {
                        if (c.odd_subsets[s] >> b & 1u) prod *= w.at(kO, b, i);
                    }
                    sum += prod;
                }
                c.corr[alpha][s * size_t(M) + size_t(a)] = sum / double(w.N);
            }
        }
        // CS = sign_matrix . stack(corr): row j, column S holds sigma_{j,S} = prod_{b in S} sigma_{j,b}.
        c.signed_corr[alpha].assign(size_t(c.P) * size_t(M), 0.0);
        for (int j = 0; j < c.P; ++j) {
            for (int a = 0; a < M; ++a) {
                double sum = 0.0;
                for (size_t s = 0; s < nsub; ++s) {
                    double sign = 1.0;
                    for (int b = 0; b < M; ++b) {
                        if (c.odd_subsets[s] >> b & 1u) sign *= c.sign_patterns[size_t(j) * size_t(M) + size_t(b)];
                    }
                    sum += sign * c.corr[alpha][s * size_t(M) + size_t(a)];
                }
                c.signed_corr[alpha][size_t(j) * size_t(M) + size_t(a)] = sum;
            }
        }
    }
    return c;
}

SiteTypes site_types_from_weights(const Weights &w) {
    SiteTypes t;
    t.M = w.M;
    std::map<std::vector<int8_t>, int> index; // row -> type id, in order of first occurrence
    std::vector<std::vector<int8_t>> rows;
    std::vector<int> counts;
    for (int i = 0; i < w.N; ++i) {
        std::vector<int8_t> row;
        for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
            for (int a = 0; a < w.M; ++a) row.push_back(int8_t(w.at(alpha, a, i)));
        }
        auto [it, fresh] = index.emplace(row, int(rows.size()));
        if (fresh) {
            rows.push_back(row);
            counts.push_back(0);
        }
        ++counts[size_t(it->second)];
    }
    t.S = int(rows.size());
    for (int s = 0; s < t.S; ++s) t.frac.push_back(double(counts[size_t(s)]) / double(w.N));
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int s = 0; s < t.S; ++s) {
            for (int a = 0; a < w.M; ++a) t.w[alpha].push_back(rows[size_t(s)][size_t(alpha * w.M + a)]);
        }
    }
    return t;
}

} // namespace tdlab::dmft
