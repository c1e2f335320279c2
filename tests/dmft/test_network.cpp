// The finite-N network against its closed forms: exact binomial draws, the explicit sampler against its
// naive scalar reference (bit-identical), the attention part against MeanFieldMap::step (bit-identical),
// one-step unbiasedness E[m | A] = mean-field map, Var = sum_s n_s (1 - th_s^2) / N^2, the N^-1/2 slope,
// the explicit and types samplers in distribution, i.i.d. weights at other M / N_P, and bad input.
#include "core/error.h"
#include "core/rng.h"
#include "dmft/context.h"
#include "dmft/network.h"
#include "dmft/network_run.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <omp.h>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

ModelParams paper_params() {
    return ModelParams{}; // M = 3, template N = 99, N_P = 2, L = 4, segments, seed 1
}

struct Moments {
    std::vector<double> mean, var;
};

// Mean and variance of D one-step draws of the 4M semantic overlaps at a fixed A-hat.
Moments one_step_moments(NetworkSampler &s, const std::vector<double> &att, int D,
                         std::vector<double> *first = nullptr) {
    const size_t K = size_t(kNumAlpha) * att.size();
    std::vector<double> m(K), sum(K, 0.0), sum2(K, 0.0);
    for (int d = 0; d < D; ++d) {
        s.sample_semantic(att, m.data());
        if (first) first->push_back(m[0]);
        for (size_t k = 0; k < K; ++k) {
            sum[k] += m[k];
            sum2[k] += m[k] * m[k];
        }
    }
    Moments r;
    for (size_t k = 0; k < K; ++k) {
        double mu = sum[k] / D;
        r.mean.push_back(mu);
        r.var.push_back((sum2[k] / D - mu * mu) * D / (D - 1.0));
    }
    return r;
}

// Closed-form variance of (1/N) sum_i W^alpha_{i,a} x_i: the units are independent, W^2 = 1, so
// Var = sum_s n_s (1 - th_s^2) / N^2.
double closed_form_variance(const FiniteNetwork &net, double beta, const std::vector<double> &att) {
    double v = 0.0;
    for (int s = 0; s < net.S; ++s) {
        double h = 0.0;
        for (int b = 0; b < net.M; ++b) h += net.tw[kO][size_t(s * net.M + b)] * att[size_t(b)];
        double th = std::tanh(beta * h);
        v += double(net.type_count[size_t(s)]) * (1.0 - th * th);
    }
    return v / (double(net.N) * double(net.N));
}

const std::vector<double> kAtt{0.1, -0.2, 0.05}; // the worked example of docs/dmft_map.md section 3

} // namespace

TEST(Binomial, StirlingCorrectionMatchesLgamma) {
    for (int64_t k = 0; k < 40; ++k) {
        double exact =
            std::lgamma(double(k) + 1.0) - ((k + 0.5) * std::log(k + 1.0) - (k + 1.0) + 0.5 * std::log(2.0 * M_PI));
        EXPECT_NEAR(binomial_stirling_correction(k), exact, 1e-13 + 1e-12 * std::fabs(exact)) << "k = " << k;
    }
}

TEST(Binomial, MeanAndVarianceMatchNpAndNpq) {
    // Inversion (n q < 10) and BTRD (n q >= 10) branches, up to n = 1e9/3, both sides of p = 1/2.
    const std::vector<std::pair<int64_t, double>> cases{
        {20, 0.3}, {1000, 0.004}, {30, 0.45}, {1000, 0.4}, {333333333, 0.3}, {333333333, 0.9999}, {333333333, 0.5}};
    CounterRng rng(7, 1);
    const int D = 100000;
    for (auto [n, p] : cases) {
        double sum = 0, sum2 = 0;
        for (int d = 0; d < D; ++d) {
            const int64_t draw = rng.binomial(n, p);
            ASSERT_GE(draw, 0);
            ASSERT_LE(draw, n);
            const double k = double(draw) - double(n) * p; // centred: no cancellation in the variance
            sum += k;
            sum2 += k * k;
        }
        const double mean = sum / D, var = sum2 / D - mean * mean;
        const double npq = double(n) * p * (1 - p);
        EXPECT_NEAR(mean, 0.0, 5.0 * std::sqrt(npq / D)) << "n = " << n << " p = " << p;
        EXPECT_NEAR(var / npq, 1.0, 5.0 * std::sqrt(2.0 / D) + 5.0 / std::sqrt(npq * D)) << "n = " << n << " p = " << p;
    }
}

TEST(Binomial, ChiSquareAgainstExactPmf) {
    // Pearson chi-square of 200 000 draws against the exact pmf (bins with expectation >= 20, tails pooled).
    CounterRng rng(11, 2);
    for (auto [n, p] : std::vector<std::pair<int64_t, double>>{{30, 0.45}, {1000, 0.4}, {100000, 0.02}}) {
        const int D = 200000;
        std::vector<double> count(size_t(n) + 1, 0.0);
        for (int d = 0; d < D; ++d) count[size_t(rng.binomial(n, p))] += 1.0;
        double chi2 = 0, lo_o = 0, lo_e = 0;
        int dof = -1;
        for (int64_t k = 0; k <= n; ++k) {
            double logpmf = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(double(n - k) + 1.0) +
                            k * std::log(p) + double(n - k) * std::log1p(-p);
            double e = D * std::exp(logpmf);
            lo_o += count[size_t(k)];
            lo_e += e;
            if (lo_e >= 20.0) {
                chi2 += (lo_o - lo_e) * (lo_o - lo_e) / lo_e;
                lo_o = lo_e = 0;
                ++dof;
            }
        }
        EXPECT_LT(chi2, dof + 5.0 * std::sqrt(2.0 * dof)) << "n = " << n << " p = " << p << " dof = " << dof;
    }
}

TEST(Network, ReplicatedTemplateKeepsTypesAndCorrelations) {
    FiniteNetwork net = FiniteNetwork::build(paper_params(), 990, Sampler::Explicit);
    ASSERT_EQ(net.replicas, 10);
    ASSERT_EQ(net.S, 3); // docs/dmft_map.md section 4: three site types of equal size
    for (auto n : net.type_count) EXPECT_EQ(n, 330);
    // np.repeat: unit i is template unit i / 10; PE columns are the template's.
    const Weights &t = net.mean_field.weights;
    for (int i : {0, 9, 10, 329, 330, 989}) EXPECT_EQ(net.weights.at(kQ, 2, i), t.at(kQ, 2, i / 10)) << i;
    EXPECT_EQ(net.weights.at(kV, 1, 990), t.at(kV, 1, 99));
    EXPECT_EQ(net.weights.at(kV, 1, 991), t.at(kV, 1, 100));
}

TEST(Network, ExplicitSamplerIsBitIdenticalToNaiveScalarPath) {
    FiniteNetwork net = FiniteNetwork::build(paper_params(), 99 * 200, Sampler::Explicit);
    DynamicsParams dyn;
    NetworkSampler fast(net, dyn, 5, 9), naive(net, dyn, 5, 9);
    std::vector<double> a(12), b(12);
    for (int d = 0; d < 5; ++d) {
        fast.sample_semantic(kAtt, a.data());
        naive.sample_semantic_naive(kAtt, b.data());
        for (int k = 0; k < 12; ++k) ASSERT_EQ(a[size_t(k)], b[size_t(k)]) << "draw " << d << " component " << k;
    }
}

TEST(Network, AttentionPartIsBitIdenticalToMeanFieldStep) {
    FiniteNetwork net = FiniteNetwork::build(paper_params(), 99, Sampler::Types);
    DynamicsParams dyn;
    MeanFieldMap map(net.mean_field, dyn);
    NetworkSampler s(net, dyn, 0, 0);
    Context a = start_context("zoom", map), b = a;
    for (int t = 0; t < 200; ++t) {
        StepRecord r = map.step(a);
        auto mse = map.semantic_overlaps(b.att);
        std::vector<double> flat;
        for (auto &v : mse) flat.insert(flat.end(), v.begin(), v.end());
        StepRecord q = s.step_with_semantic(b, flat.data());
        ASSERT_EQ(a.att, b.att) << "step " << t;
        ASSERT_EQ(a.mk, b.mk);
        for (int k = 0; k < 3; ++k) ASSERT_EQ(r.mo_se[k], q.mo_se[k]);
    }
}

TEST(Network, OneStepUnbiasedAndClosedFormVariance) {
    // E[m | A] is the mean-field map (docs/dmft_map.md section 9): mean of D draws within 4.5 standard errors, for both
    // samplers; the sample variance matches sum_s n_s (1 - th_s^2) / N^2 within 5 of its standard errors.
    DynamicsParams dyn;
    for (auto [N, sampler, D] : std::vector<std::tuple<int64_t, Sampler, int>>{
             {99, Sampler::Types, 40000}, {990, Sampler::Explicit, 20000}, {99000000, Sampler::Types, 40000}}) {
        FiniteNetwork net = FiniteNetwork::build(paper_params(), N, sampler);
        MeanFieldMap map(net.mean_field, dyn);
        auto mf = map.semantic_overlaps(kAtt);
        NetworkSampler s(net, dyn, 3, 4);
        Moments mom = one_step_moments(s, kAtt, D);
        const double var = closed_form_variance(net, dyn.beta, kAtt);
        for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
            for (int a = 0; a < 3; ++a) {
                size_t k = size_t(alpha * 3 + a);
                EXPECT_NEAR(mom.mean[k], mf[alpha][size_t(a)], 4.5 * std::sqrt(var / D))
                    << "N = " << N << " " << kAlphaNames[alpha] << a;
                EXPECT_NEAR(mom.var[k] / var, 1.0, 5.0 * std::sqrt(2.0 / D) + 0.02)
                    << "N = " << N << " " << kAlphaNames[alpha] << a;
            }
        }
    }
}

TEST(Network, FluctuationsScaleAsInverseSqrtN) {
    // Fitted slope of log std(m^o_1) against log N over N = 99 .. 9.9e7 (types) and 99 .. 9900 (explicit).
    DynamicsParams dyn;
    for (Sampler sampler : {Sampler::Types, Sampler::Explicit}) {
        std::vector<double> x, y;
        const int decades = sampler == Sampler::Types ? 7 : 3;
        int64_t N = 99;
        for (int d = 0; d < decades; ++d, N *= 10) {
            FiniteNetwork net = FiniteNetwork::build(paper_params(), N, sampler);
            NetworkSampler s(net, dyn, 1, uint64_t(d));
            Moments mom = one_step_moments(s, kAtt, sampler == Sampler::Types ? 20000 : 4000);
            x.push_back(std::log(double(N)));
            y.push_back(0.5 * std::log(mom.var[0]));
        }
        double mx = 0, my = 0, sxx = 0, sxy = 0;
        for (size_t i = 0; i < x.size(); ++i) mx += x[i] / x.size(), my += y[i] / x.size();
        for (size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
        EXPECT_NEAR(sxy / sxx, -0.5, 0.02) << sampler_name(sampler);
    }
}

TEST(Network, ExplicitAndTypesSamplersAgreeInDistribution) {
    // Two-sample Kolmogorov-Smirnov on one-step m^o_1 (N = 990, 20 000 draws each; critical value at
    // alpha = 1e-3 is 1.95 sqrt(2/D)), plus the distribution of A-hat_1 after 12 network steps from the
    // zoom checkpoint (2000 runs each), where the samples pass through the nonlinear attention.
    DynamicsParams dyn;
    const int64_t N = 990;
    FiniteNetwork ex = FiniteNetwork::build(paper_params(), N, Sampler::Explicit);
    FiniteNetwork ty = FiniteNetwork::build(paper_params(), N, Sampler::Types);
    auto ks = [](std::vector<double> a, std::vector<double> b) {
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        size_t i = 0, j = 0;
        double d = 0;
        while (i < a.size() && j < b.size()) {
            double v = std::min(a[i], b[j]);
            while (i < a.size() && a[i] <= v) ++i;
            while (j < b.size() && b[j] <= v) ++j;
            d = std::max(d, std::fabs(double(i) / a.size() - double(j) / b.size()));
        }
        return d;
    };
    const int D = 20000;
    std::vector<double> xa, xb;
    NetworkSampler sa(ex, dyn, 1, 1), sb(ty, dyn, 1, 1);
    Moments ma = one_step_moments(sa, kAtt, D, &xa), mb = one_step_moments(sb, kAtt, D, &xb);
    EXPECT_LT(ks(xa, xb), 1.95 * std::sqrt(2.0 / D));
    EXPECT_NEAR(ma.var[0] / mb.var[0], 1.0, 5.0 * std::sqrt(4.0 / D));

    MeanFieldMap map(ex.mean_field, dyn);
    Context start = start_context("zoom", map);
    SpinOptions opt;
    opt.window.steps = start.t + 13;
    opt.window.transient = opt.window.steps - 1;
    opt.runs = 2000;
    auto ra = run_network(ex, dyn, start, opt), rb = run_network(ty, dyn, start, opt);
    std::vector<double> aa, ab;
    for (int r = 0; r < opt.runs; ++r) aa.push_back(ra[size_t(r)].att[0]), ab.push_back(rb[size_t(r)].att[0]);
    EXPECT_LT(ks(aa, ab), 1.95 * std::sqrt(2.0 / opt.runs));
}

TEST(Network, IidWeightsOtherMAndContextUseTheirEmpiricalCorrelations) {
    // Beyond the paper: M = 4, N_P = 3 (L = 8), i.i.d. weights at N = 2000, gamma = 50, epsilon = 0.1. The
    // mean field built from the same weights (correlation form) is the one-step mean of the network.
    ModelParams p;
    p.M = 4;
    p.NP = 3;
    p.L = 8;
    p.weights = "iid";
    p.weights_seed = 17;
    DynamicsParams dyn{0.9, 50.0, 0.1};
    FiniteNetwork net = FiniteNetwork::build(p, 2000, Sampler::Explicit);
    ModelParams q = p;
    q.N = 2000;
    DmftModel mf_model = DmftModel::build(q); // correlation form of the empirical weights
    ASSERT_EQ(mf_model.weights.w, net.weights.w);
    EXPECT_GT(net.S, 200); // up to 2^16 row types, ~2000 distinct
    MeanFieldMap map(mf_model, dyn);
    const std::vector<double> att{0.3, -0.1, 0.2, 0.05};
    auto mf = map.semantic_overlaps(att);
    NetworkSampler s(net, dyn, 2, 2);
    const int D = 6000;
    Moments mom = one_step_moments(s, att, D);
    const double var = closed_form_variance(net, dyn.beta, att);
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int a = 0; a < 4; ++a) {
            EXPECT_NEAR(mom.mean[size_t(alpha * 4 + a)], mf[alpha][size_t(a)], 4.5 * std::sqrt(var / D));
        }
    }
    // A full multi-step run works at L = 8 with the types sampler too.
    FiniteNetwork nt = FiniteNetwork::build(p, 2000, Sampler::Types);
    Context c = MeanFieldMap(nt.mean_field, dyn).cold_start();
    SpinOptions opt;
    opt.window.steps = 200;
    opt.window.transient = 0;
    auto runs = run_network(nt, dyn, c, opt);
    ASSERT_EQ(runs[0].size(), 200u);
    for (double v : runs[0].att) ASSERT_TRUE(std::isfinite(v) && std::fabs(v) <= 1.0);
}

TEST(Network, RunsAreIdenticalForAnyThreadCount) {
    FiniteNetwork net = FiniteNetwork::build(paper_params(), 990, Sampler::Explicit);
    DynamicsParams dyn;
    MeanFieldMap map(net.mean_field, dyn);
    Context start = start_context("cold", map);
    SpinOptions opt;
    opt.window.steps = 300;
    opt.window.transient = 0;
    opt.runs = 5;
    opt.perturb = 1e-3;
    omp_set_num_threads(1);
    auto a = run_network(net, dyn, start, opt);
    omp_set_num_threads(2);
    auto b = run_network(net, dyn, start, opt);
    for (int r = 0; r < opt.runs; ++r) {
        ASSERT_EQ(a[size_t(r)].mo_se, b[size_t(r)].mo_se);
        ASSERT_EQ(a[size_t(r)].att, b[size_t(r)].att);
    }
    EXPECT_NE(a[0].mo_se, a[1].mo_se); // independent streams
    EXPECT_EQ(a[0].t.front(), 0);      // the cold-start token is recorded
}

TEST(Network, BadInputNamesTheKey) {
    auto message = [](auto fn) {
        try {
            fn();
        } catch (const UsageError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    std::string m = message([] { FiniteNetwork::build(paper_params(), 0, Sampler::Types); });
    EXPECT_NE(m.find("'dmft.N'"), std::string::npos) << m;
    m = message([] { FiniteNetwork::build(paper_params(), 1000, Sampler::Explicit); });
    EXPECT_NE(m.find("'dmft.N' = 1000"), std::string::npos) << m;
    EXPECT_NE(m.find("dmft.template_N"), std::string::npos) << m;
    ModelParams big;
    big.M = 20;
    big.N = 99;
    m = message([&] { FiniteNetwork::build(big, 99LL * 20000000LL, Sampler::Explicit); });
    EXPECT_NE(m.find("'dmft.M' = 20"), std::string::npos) << m;
    EXPECT_NE(m.find("GiB"), std::string::npos) << m;
    m = message([] { parse_sampler("gibbs"); });
    EXPECT_NE(m.find("'dmft.sampler'"), std::string::npos) << m;
}
