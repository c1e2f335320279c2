#include "dmft/network.h"

#include "core/error.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <fmt/format.h>
#include <string>
#include <unistd.h>
#include <unordered_map>

namespace tdlab::dmft {

namespace {
// Units per block of the explicit sampler: the block's token (int8) stays in L1 while the 4M weight rows
// stream past it; |partial sums| <= kBlock fits the int32 accumulators of the vectorised dots.
constexpr int64_t kBlock = 8192;
} // namespace

Sampler parse_sampler(const std::string &name) {
    if (name == "explicit") return Sampler::Explicit;
    if (name == "types") return Sampler::Types;
    throw UsageError(fmt::format("config key 'dmft.sampler' = '{}': expected 'explicit' or 'types'", name));
}

const char *sampler_name(Sampler s) {
    return s == Sampler::Explicit ? "explicit" : "types";
}

size_t network_memory_bytes(int M, int64_t N, int NP, Sampler sampler, const std::string &weights) {
    const double w = 4.0 * double(M) * double(N + NP); // int8 weights [4][M][N + N_P]
    double bytes = 0.0;
    if (sampler == Sampler::Explicit) {
        bytes = w + 4.0 * double(N);      // + unit -> output-pattern index
        if (weights == "iid") bytes += w; // the mean-field model keeps its own copy of the i.i.d. weights
    } else {
        bytes = weights == "iid" ? w + 64.0 * double(N) : double(1 << 20); // i.i.d.: weights + type hash map
    }
    return bytes > 1e19 ? size_t(-1) : size_t(bytes);
}

FiniteNetwork FiniteNetwork::build(const ModelParams &p_in, int64_t N, Sampler sampler) {
    if (N < 1) throw UsageError(fmt::format("config key 'dmft.N' = {}: the network needs N >= 1 semantic units", N));
    ModelParams p = p_in;
    p.form = "site_types"; // the network never uses the correlation form (4^(M-1) work at large M)
    const bool iid = p.weights == "iid";
    const size_t need = network_memory_bytes(p.M, N, p.NP, sampler, p.weights);
    const size_t limit = physical_memory_bytes() / 4 * 3;
    if (need > limit) {
        throw UsageError(fmt::format(
            "config keys 'dmft.N' = {} and 'dmft.M' = {}: the {} sampler needs {:.1f} GiB for {} weights, more than "
            "3/4 of this machine's {:.1f} GiB{}",
            N, p.M, sampler_name(sampler), double(need) / 1073741824.0, p.weights,
            double(physical_memory_bytes()) / 1073741824.0,
            sampler == Sampler::Explicit && !iid ? "; 'dmft.sampler' = types has the same law at O(1) memory" : ""));
    }
    if (iid) {
        if (N > INT_MAX) throw UsageError(fmt::format("config key 'dmft.N' = {}: i.i.d. weights need N < 2^31", N));
        p.N = int(N); // i.i.d. weights are drawn at the network size; the mean field uses their correlations
    }
    FiniteNetwork net;
    net.M = p.M;
    net.NP = p.NP;
    net.L = p.L;
    net.N = N;
    net.sampler = sampler;
    net.mean_field = DmftModel::build(p);
    const Weights &tmpl = net.mean_field.weights;
    const int64_t NT = tmpl.N;
    if (N % NT != 0) {
        throw UsageError(fmt::format("config key 'dmft.N' = {} is not a multiple of the weight template's {} semantic "
                                     "units ('dmft.template_N' or the weights file): the template's columns are "
                                     "repeated N / {} times",
                                     N, NT, NT));
    }
    net.replicas = N / NT;
    const int M = p.M;
    if (token_kind(p) != TokenKind::Binary) {
        build_multistate(net, p);
        return net;
    }

    // Site types and output patterns of the template, in order of first occurrence.
    std::unordered_map<std::string, int> type_index, pattern_index;
    std::vector<int> unit_type(static_cast<size_t>(NT));
    std::string row(size_t(kNumAlpha) * size_t(M), '\0');
    for (int64_t i = 0; i < NT; ++i) {
        for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
            for (int a = 0; a < M; ++a) row[size_t(alpha * M + a)] = char(tmpl.at(alpha, a, int(i)));
        }
        auto [it, fresh] = type_index.emplace(row, net.S);
        if (fresh) {
            ++net.S;
            net.type_count.push_back(0);
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                for (int a = 0; a < M; ++a) net.tw[alpha].push_back(int8_t(row[size_t(alpha * M + a)]));
            }
            auto [pit, pfresh] = pattern_index.emplace(row.substr(0, size_t(M)), net.P);
            if (pfresh) {
                ++net.P;
                for (int a = 0; a < M; ++a) net.opattern.push_back(int8_t(row[size_t(a)]));
            }
            net.type_opattern.push_back(uint32_t(pit->second));
        }
        net.type_count[size_t(it->second)] += net.replicas;
        unit_type[size_t(i)] = it->second;
    }

    if (sampler == Sampler::Explicit) {
        if (N > INT_MAX - p.NP) {
            throw UsageError(fmt::format("config key 'dmft.N' = {}: the explicit sampler needs N < 2^31; use "
                                         "'dmft.sampler' = types",
                                         N));
        }
        if (net.replicas == 1) {
            net.weights = tmpl;
        } else {
            // np.repeat of each template column: unit i of the network is template unit i / replicas.
            Weights &w = net.weights;
            w.M = M;
            w.N = int(N);
            w.NP = p.NP;
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                w.w[alpha].resize(size_t(M) * size_t(w.cols()));
                for (int a = 0; a < M; ++a) {
                    for (int64_t i = 0; i < N; ++i)
                        w.at(alpha, a, int(i)) = int8_t(tmpl.at(alpha, a, int(i / net.replicas)));
                    for (int j = 0; j < p.NP; ++j) w.at(alpha, a, int(N) + j) = int8_t(tmpl.at(alpha, a, int(NT) + j));
                }
            }
        }
        net.unit_opattern.resize(size_t(N));
        for (int64_t i = 0; i < N; ++i) {
            net.unit_opattern[size_t(i)] = net.type_opattern[size_t(unit_type[size_t(i / net.replicas)])];
        }
    }
    return net;
}

NetworkSampler::NetworkSampler(const FiniteNetwork &net, const DynamicsParams &dyn, uint64_t seed, uint64_t stream)
    : net_(net), dyn_(dyn), M_(net.M), L_(net.L), map_(net.mean_field, dyn), rng_(seed, stream) {
    prob_.resize(size_t(net.P));
    threshold_.resize(size_t(net.P));
    if (net.sampler == Sampler::Explicit && !net.multistate) x_.resize(size_t(std::min<int64_t>(kBlock, net.N)));
    sums_.resize(size_t(kNumAlpha) * size_t(M_));
    mse_.resize(size_t(kNumAlpha) * size_t(M_));
}

void NetworkSampler::pattern_probabilities(const std::vector<double> &att) {
    for (int p = 0; p < net_.P; ++p) {
        const int8_t *sig = &net_.opattern[size_t(p) * size_t(M_)];
        double s = 0.0;
        for (int b = 0; b < M_; ++b) s += double(sig[b]) * att[size_t(b)];
        const double prob = 0.5 * (1.0 + std::tanh(dyn_.beta * s));
        prob_[size_t(p)] = prob;
        // uniform() = (u >> 11) 2^-53 < prob  <=>  (u >> 11) < ceil(prob 2^53); prob 2^53 is exact.
        threshold_[size_t(p)] = uint64_t(std::ceil(std::ldexp(prob, 53)));
    }
}

void NetworkSampler::sample_semantic(const std::vector<double> &att, double *mse) {
    if (net_.multistate) {
        sample_semantic_multistate(att, mse);
        return;
    }
    pattern_probabilities(att);
    std::fill(sums_.begin(), sums_.end(), 0);
    const size_t K = size_t(kNumAlpha) * size_t(M_);
    if (net_.sampler == Sampler::Types) {
        for (int s = 0; s < net_.S; ++s) {
            const int64_t n = net_.type_count[size_t(s)];
            const int64_t d = 2 * rng_.binomial(n, prob_[net_.type_opattern[size_t(s)]]) - n; // sum_i x_i
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                for (int a = 0; a < M_; ++a) {
                    sums_[size_t(alpha * M_ + a)] += net_.tw[alpha][size_t(s) * size_t(M_) + size_t(a)] * d;
                }
            }
        }
    } else {
        const Weights &w = net_.weights;
        const size_t cols = size_t(w.cols());
        const uint32_t *opat = net_.unit_opattern.data();
        const uint64_t *thr = threshold_.data();
        int8_t *x = x_.data();
        for (int64_t i0 = 0; i0 < net_.N; i0 += kBlock) {
            const int64_t n = std::min(kBlock, net_.N - i0);
            for (int64_t i = 0; i < n; ++i) x[i] = (rng_.next_u64() >> 11) < thr[opat[i0 + i]] ? 1 : -1;
            for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
                for (int a = 0; a < M_; ++a) {
                    const int8_t *row = &w.w[alpha][size_t(a) * cols + size_t(i0)];
                    int32_t acc = 0;
                    for (int64_t i = 0; i < n; ++i) acc += int32_t(row[i]) * int32_t(x[i]);
                    sums_[size_t(alpha * M_ + a)] += acc;
                }
            }
        }
    }
    const double inv_n = double(net_.N);
    for (size_t k = 0; k < K; ++k) mse[k] = double(sums_[k]) / inv_n;
}

void NetworkSampler::sample_semantic_naive(const std::vector<double> &att, double *mse) {
    if (net_.sampler != Sampler::Explicit || net_.multistate)
        throw std::logic_error("sample_semantic_naive needs explicit weights");
    const Weights &w = net_.weights;
    std::vector<double> sums(size_t(kNumAlpha) * size_t(M_), 0.0);
    for (int64_t i = 0; i < net_.N; ++i) {
        double s = 0.0;
        for (int b = 0; b < M_; ++b) s += double(w.at(kO, b, int(i))) * att[size_t(b)];
        const double prob = 0.5 * (1.0 + std::tanh(dyn_.beta * s));
        const double x = prob > rng_.uniform() ? 1.0 : -1.0;
        for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
            for (int a = 0; a < M_; ++a) sums[size_t(alpha * M_ + a)] += double(w.at(alpha, a, int(i))) * x;
        }
    }
    for (size_t k = 0; k < sums.size(); ++k) mse[k] = sums[k] / double(net_.N);
}

StepRecord NetworkSampler::step(Context &c) {
    sample_semantic(c.att, mse_.data());
    return step_with_semantic(c, mse_.data());
}

StepRecord NetworkSampler::step_with_semantic(Context &c, const double *mse) {
    // Steps 3-5 are the mean-field map's own code: only the semantic overlaps are sampled.
    return map_.step_with_semantic(c, mse);
}

} // namespace tdlab::dmft
