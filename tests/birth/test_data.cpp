// The Birth data generator (docs/birth.md "Data"; Bietti et al. 2023, arXiv 2306.00802, Sec. 3): the shipped
// statistics, the fixed trigger lists, the chain's invariants, and the reference table of fractions and Bayes losses.
#include "birth/char_stats.h"
#include "birth/trigger_data.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <numeric>

namespace tdlab::birth {
namespace {

TEST(BirthStats, ShippedCountsMatchSpec) {
    const CharStats &s = shakespeare_stats();
    ASSERT_EQ(s.N, 65);
    EXPECT_EQ(std::accumulate(s.unigram.begin(), s.unigram.end(), int64_t(0)), 1115394);
    EXPECT_EQ(std::accumulate(s.bigram.begin(), s.bigram.end(), int64_t(0)), 1115393);
    EXPECT_EQ(std::count_if(s.bigram.begin(), s.bigram.end(), [](int64_t c) { return c > 0; }), 1403);
    EXPECT_EQ(s.unigram[1], 169892); // space
    EXPECT_EQ(s.codepoint[43], uint32_t('e'));
    double hu = 0.0, hb = 0.0;
    for (int i = 0; i < s.N; ++i) {
        hu -= s.pi_u[size_t(i)] * std::log(s.pi_u[size_t(i)]);
        hb += s.pi_u[size_t(i)] * s.row_entropy(i);
    }
    EXPECT_NEAR(hu, 3.3128, 5e-5);
    EXPECT_NEAR(hb, 2.4526, 5e-5);
}

TEST(BirthData, FixedTriggerLists) {
    const CharStats &s = shakespeare_stats();
    auto trig = [&](int k, int off) {
        DataOptions o;
        o.k = k;
        o.trigger_offset = off;
        return TriggerData(s, o).fixed_triggers();
    };
    EXPECT_EQ(trig(1, 0), (std::vector<int>{1}));
    EXPECT_EQ(trig(3, 0), (std::vector<int>{58, 43, 1}));          // t e space
    EXPECT_EQ(trig(5, 0), (std::vector<int>{39, 53, 58, 43, 1}));  // a o t e space
    EXPECT_EQ(trig(5, 10), (std::vector<int>{51, 59, 42, 50, 0})); // m u d l \n
}

// The out-of-distribution split of the official Dataset (train_test): training outputs come from the first
// int(0.75 * 65) = 48 tokens, test outputs from the other 17, uniformly (each part is hit), and the chain
// still follows o_k after q_k.
TEST(BirthData, OutOfDistributionSplitKeepsOutputsApart) {
    EXPECT_EQ(split_point(65), 48);
    for (const OutputSplit split : {OutputSplit::Train, OutputSplit::Test}) {
        DataOptions o;
        o.k = 5;
        o.fixed_triggers = false;
        o.split = split;
        const Batch b = TriggerData(shakespeare_stats(), o).gen_batch(3, StreamPurpose::Train, 0, 400);
        std::vector<int> seen(65, 0);
        for (int32_t v : b.outputs) ++seen[size_t(v)];
        const int lo = split == OutputSplit::Train ? 0 : 48, hi = split == OutputSplit::Train ? 48 : 65;
        for (int j = 0; j < 65; ++j) {
            if (j >= lo && j < hi)
                EXPECT_GT(seen[size_t(j)], 0) << "token " << j << " never drawn"; // 2000 draws, >= 17 per token
            else
                EXPECT_EQ(seen[size_t(j)], 0) << "token " << j << " outside the split";
        }
        for (int s = 0; s < b.B; ++s)
            for (int t = 0; t < b.T; ++t) {
                const int32_t *trig = &b.triggers[size_t(s * b.K)];
                const int32_t *hit = std::find(trig, trig + b.K, b.x[size_t(s * b.T + t)]);
                if (hit != trig + b.K) {
                    EXPECT_EQ(b.y[size_t(s * b.T + t)], b.outputs[size_t(s * b.K) + (hit - trig)]);
                }
            }
    }
    DataOptions bad;
    bad.split = OutputSplit::Train;
    bad.bigram_outs = true;
    EXPECT_THROW(TriggerData(shakespeare_stats(), bad), UsageError);
}

TEST(BirthData, ChainInvariantsAndDeterminism) {
    DataOptions o;
    o.k = 5;
    o.fixed_triggers = false;
    TriggerData data(shakespeare_stats(), o);
    const Batch a = data.gen_batch(42, StreamPurpose::Train, 7, 64);
    const Batch b = data.gen_batch(42, StreamPurpose::Train, 7, 64);
    const Batch c = data.gen_batch(42, StreamPurpose::Train, 8, 64);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.outs, b.outs);
    EXPECT_NE(a.x, c.x);
    const int T = a.T, K = a.K;
    for (int s = 0; s < a.B; ++s) {
        std::vector<int> cnt(65, 0);
        const int32_t *trig = &a.triggers[size_t(s * K)], *out = &a.outputs[size_t(s * K)];
        for (int k = 0; k < K; ++k)
            for (int l = 0; l < k; ++l) EXPECT_NE(trig[k], trig[l]); // drawn without replacement
        for (int t = 0; t < T; ++t) {
            const int x = a.x[size_t(s * T + t)], y = a.y[size_t(s * T + t)], outs = a.outs[size_t(s * T + t)];
            if (t + 1 < T) {
                EXPECT_EQ(y, a.x[size_t(s * T + t + 1)]);
            }
            const int *hit = std::find(trig, trig + K, x);
            if (hit != trig + K) {
                EXPECT_EQ(outs, ++cnt[size_t(x)]);
                EXPECT_EQ(y, out[hit - trig]);
            } else {
                EXPECT_EQ(outs, 0);
                EXPECT_GT(shakespeare_stats().pi_b[size_t(x * 65 + y)], 0.0); // a real bigram
            }
        }
    }
}

// Reference rows (docs/birth.md "Data"; a pure-Python simulation of 400-2000 sequences).
struct TableRow {
    int k;
    bool fixed;
    int offset;
    double outs0, outs_ge1, outs_ge2, repeat, bayes; // bayes < 0: not given
};

class BirthTable : public ::testing::TestWithParam<TableRow> {};

TEST_P(BirthTable, MatchesReferenceWithinSamplingError) {
    const TableRow row = GetParam();
    DataOptions o;
    o.k = row.k;
    o.fixed_triggers = row.fixed;
    o.trigger_offset = row.offset;
    TriggerData data(shakespeare_stats(), o);
    const CharStats &s = shakespeare_stats();
    // Per-sequence statistics (sequences are the independent units), then means and standard errors.
    const int B = 1000, batches = 8, n = B * batches;
    std::vector<double> f0(static_cast<size_t>(n)), f1(f0), f2(f0);
    double h_num = 0, h_den = 0;
    std::vector<double> rep_num, rep_den; // per sequence: repeats and trigger positions
    int loops = 0;                        // sequences whose last 8 positions are all triggers
    for (int bi = 0; bi < batches; ++bi) {
        const Batch b = data.gen_batch(1234, StreamPurpose::Train, uint64_t(bi), B);
        for (int q = 0; q < B; ++q) {
            double c0 = 0, c1 = 0, c2 = 0, rn = 0;
            int tail = 0;
            for (int t = 0; t < b.T; ++t) {
                const size_t i = size_t(q * b.T + t);
                const int outs = b.outs[i];
                c0 += outs == 0;
                c1 += outs >= 1;
                c2 += outs >= 2;
                if (outs >= 1) {
                    rn += b.x[i] == b.y[i];
                    if (t >= b.T - 8) ++tail;
                } else {
                    h_num += s.row_entropy(b.x[i]);
                    h_den += 1;
                }
            }
            loops += tail == 8;
            rep_num.push_back(rn);
            rep_den.push_back(c1);
            const size_t m = size_t(bi * B + q);
            f0[m] = c0 / b.T;
            f1[m] = c1 / b.T;
            f2[m] = c2 / b.T;
        }
    }
    auto mean_sd = [](const std::vector<double> &v) {
        double m = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()), ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        return std::pair<double, double>{m, std::sqrt(ss / double(v.size() - 1))};
    };
    // Tolerance: 4 standard errors of the reference (400 sequences, the smallest size used for the
    // table) and of ours combined, plus the table's rounding (5e-4).
    auto check = [&](const std::vector<double> &v, double ref, const char *what) {
        auto [m, sd] = mean_sd(v);
        const double tol = 4.0 * sd * std::sqrt(1.0 / 400 + 1.0 / n) + 5e-4;
        EXPECT_NEAR(m, ref, tol) << what << " K=" << row.k << (row.fixed ? " fixed" : " random");
    };
    check(f0, row.outs0, "frac outs==0");
    check(f1, row.outs_ge1, "frac outs>=1");
    check(f2, row.outs_ge2, "frac outs>=2");
    // repeat_frac is a ratio over positions dominated by the rare sequences that end in a trigger
    // loop (o_k = q_k or a cycle), so its sampling error is large: delta-method standard error of
    // the ratio estimator, scaled to a 400-sequence reference, 4 SE.
    const double rn = std::accumulate(rep_num.begin(), rep_num.end(), 0.0);
    const double rd = std::accumulate(rep_den.begin(), rep_den.end(), 0.0);
    const double R = rn / rd;
    double ss = 0;
    for (size_t i = 0; i < rep_num.size(); ++i) ss += (rep_num[i] - R * rep_den[i]) * (rep_num[i] - R * rep_den[i]);
    const double se_seq = std::sqrt(ss / double(n)) / (rd / double(n)); // SE for one sequence
    EXPECT_NEAR(R, row.repeat, 4.0 * se_seq * std::sqrt(1.0 / 400 + 1.0 / n) + 5e-4) << "repeat_frac";
    // Spec 1.2: about 8% (K=5 fixed) and 7% (K=5 random) of the sequences end in such a loop.
    const double loop_frac = double(loops) / n;
    if (row.k == 5 && row.offset == 0) {
        EXPECT_NEAR(loop_frac, row.fixed ? 0.08 : 0.07, 0.02) << "loop fraction";
    }
    if (row.bayes > 0) {
        EXPECT_NEAR(h_num / h_den, row.bayes, 0.015) << "Bayes CE on outs==0";
    }
    std::printf("K=%d %s off=%d: outs0 %.4f outs>=1 %.4f outs>=2 %.4f repeat %.4f bayes %.4f loops %.4f\n", row.k,
                row.fixed ? "fixed" : "random", row.offset, mean_sd(f0).first, mean_sd(f1).first, mean_sd(f2).first, R,
                h_num / h_den, loop_frac);
}

INSTANTIATE_TEST_SUITE_P(Spec13, BirthTable,
                         ::testing::Values(TableRow{1, true, 0, 0.846, 0.154, 0.150, 0.048, 2.273},
                                           TableRow{3, true, 0, 0.753, 0.247, 0.235, 0.177, -1},
                                           TableRow{5, true, 0, 0.683, 0.317, 0.299, 0.237, 2.134},
                                           TableRow{5, true, 10, 0.776, 0.224, 0.206, 0.413, -1},
                                           TableRow{1, false, 0, 0.937, 0.063, 0.059, 0.112, -1},
                                           TableRow{3, false, 0, 0.828, 0.172, 0.161, 0.224, 2.320},
                                           TableRow{5, false, 0, 0.750, 0.250, 0.232, 0.267, 2.248},
                                           TableRow{10, false, 0, 0.606, 0.394, 0.362, 0.301, -1}));

} // namespace
} // namespace tdlab::birth
