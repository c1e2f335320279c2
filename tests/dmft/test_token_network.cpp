// The finite-N network with non-binary tokens (network.h, dmft/token_model.h): both samplers against the
// closed-form one-step mean (the mean-field map) and variance (sum over units of the softmax covariance),
// and the N^-1/2 convergence to the mean field on the ternary period-4 orbit at beta = 1.0.
#include "dmft/context.h"
#include "dmft/network.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

ModelParams ternary() {
    ModelParams p;
    p.tokens = "ternary";
    return p;
}

ModelParams potts3_segments() {
    ModelParams p;
    p.tokens = "potts";
    p.q = 3;
    p.potts_weights = "segments";
    return p;
}

// Closed form of Var[(1/N) sum_i c^alpha_{a}(x_i)]: independent units, so sum_s n_s Var_s(c) / N^2 with
// Var_s the variance of the contribution under the type's softmax.
std::vector<double> closed_form_variance(const FiniteNetwork &net, double beta, const std::vector<double> &att) {
    const size_t K = size_t(kNumAlpha) * size_t(net.M);
    const int q = net.q, tq = net.tokens.q;
    std::vector<double> var(K, 0.0);
    for (int s = 0; s < net.S; ++s) {
        std::vector<double> z(static_cast<size_t>(q));
        double norm = 0;
        for (int k = 0; k < q; ++k) {
            double h = 0;
            for (int b = 0; b < net.M; ++b)
                h += net.tokens.w[kO][(size_t(s) * net.M + b) * tq + (tq == 1 ? 0 : k)] * att[size_t(b)];
            z[size_t(k)] = std::exp(beta * h * (tq == 1 ? net.values[size_t(k)] : 1.0));
            norm += z[size_t(k)];
        }
        for (size_t m = 0; m < K; ++m) {
            double e1 = 0, e2 = 0;
            for (int k = 0; k < q; ++k) {
                const double c = net.contrib[(size_t(s) * q + k) * K + m], p = z[size_t(k)] / norm;
                e1 += p * c;
                e2 += p * c * c;
            }
            var[m] += double(net.type_count[size_t(s)]) * (e2 - e1 * e1);
        }
    }
    for (double &v : var) v /= double(net.N) * double(net.N);
    return var;
}

} // namespace

TEST(TokenNetwork, OneStepMeanAndVarianceOfBothSamplers) {
    const std::vector<double> att = {0.3, -0.2, 0.25};
    const double beta = 1.5;
    const int D = 20000;
    for (const ModelParams &p : {ternary(), potts3_segments()}) {
        for (Sampler sampler : {Sampler::Types, Sampler::Explicit}) {
            const FiniteNetwork net = FiniteNetwork::build(p, 297, sampler);
            ASSERT_TRUE(net.multistate);
            const DynamicsParams d{beta, 220.0, 0.02};
            MeanFieldMap map(net.mean_field, d);
            const auto mf = map.semantic_overlaps(att);
            const auto var = closed_form_variance(net, beta, att);
            NetworkSampler s(net, d, 7, 1);
            const size_t K = var.size();
            std::vector<double> m(K), sum(K, 0.0), sum2(K, 0.0);
            for (int r = 0; r < D; ++r) {
                s.sample_semantic(att, m.data());
                for (size_t k = 0; k < K; ++k) {
                    sum[k] += m[k];
                    sum2[k] += m[k] * m[k];
                }
            }
            for (size_t k = 0; k < K; ++k) {
                const double mean = sum[k] / D, v = (sum2[k] / D - mean * mean) * D / (D - 1.0);
                const double expect = mf[k / 3][k % 3];
                if (var[k] == 0.0) { // a weight equal in every state: the overlap is deterministic
                    EXPECT_NEAR(mean, expect, 1e-12);
                    continue;
                }
                EXPECT_NEAR(mean, expect, 4.5 * std::sqrt(var[k] / D))
                    << p.tokens << " " << sampler_name(sampler) << " k=" << k;
                // The sample sd has a relative standard error of ~1/sqrt(2D) = 0.5 %.
                EXPECT_NEAR(std::sqrt(v / var[k]), 1.0, 0.03) << p.tokens << " " << sampler_name(sampler) << " k=" << k;
            }
        }
    }
}

TEST(TokenNetwork, TernaryConvergesAsInverseSqrtN) {
    // On the period-4 orbit at beta = 1.0 (ternary), RMS over 400 steps, 32 replicas and the features of
    // mo_se(N) - mo_se(mean field), both started on the mean-field attractor: slope -1/2 in log-log.
    const ModelParams p = ternary();
    const DynamicsParams d{1.0, 220.0, 0.02};
    const FiniteNetwork base = FiniteNetwork::build(p, 99, Sampler::Types);
    MeanFieldMap map(base.mean_field, d);
    Context start = start_context("fig3a", map);
    for (int t = 0; t < 4000; ++t) map.step(start);
    std::vector<double> logN, logE;
    for (int64_t N : {990, 2970, 9900, 29700, 99000, 297000, 990000}) {
        const FiniteNetwork net = FiniteNetwork::build(p, N, Sampler::Types);
        double sq = 0.0;
        int64_t n = 0;
        for (uint64_t r = 0; r < 32; ++r) {
            NetworkSampler s(net, d, 11, r);
            MeanFieldMap mf(base.mean_field, d);
            Context cn = start, cm = start;
            for (int t = 0; t < 400; ++t) {
                const StepRecord rn = s.step(cn);
                const StepRecord rm = mf.step(cm);
                for (int a = 0; a < 3; ++a, ++n) sq += (rn.mo_se[a] - rm.mo_se[a]) * (rn.mo_se[a] - rm.mo_se[a]);
            }
        }
        logN.push_back(std::log(double(N)));
        logE.push_back(0.5 * std::log(sq / double(n)));
    }
    double mx = 0, my = 0;
    for (size_t k = 0; k < logN.size(); ++k) {
        mx += logN[k] / double(logN.size());
        my += logE[k] / double(logN.size());
    }
    double sxy = 0, sxx = 0;
    for (size_t k = 0; k < logN.size(); ++k) {
        sxy += (logN[k] - mx) * (logE[k] - my);
        sxx += (logN[k] - mx) * (logN[k] - mx);
    }
    const double slope = sxy / sxx;
    EXPECT_NEAR(slope, -0.5, 0.03);
    std::printf("ternary beta=1.0: slope %.4f, err*sqrt(N) %.4f (N=990) .. %.4f (N=990000)\n", slope,
                std::exp(logE.front() + 0.5 * logN.front()), std::exp(logE.back() + 0.5 * logN.back()));
}
