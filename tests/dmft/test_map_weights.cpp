// The paper's weights and correlations (docs/dmft_map.md sections 3-4): the seed-1 "random segments"
// generator, the pair/quad correlations, the worked example, and the equality of the correlation
// form (paper eq. 29) with the site-type form for any M.
#include "core/rng.h"
#include "dmft/correlations.h"
#include "dmft/mean_field_map.h"

#include <gtest/gtest.h>

using namespace tdlab::dmft;

namespace {
ModelParams paper_params() {
    return ModelParams{};
}
} // namespace

// Spec 3.3: the three site types (segments of 33 units) and the PE weights.
TEST(DmftWeights, Seed1SegmentsMatchThePaper) {
    Weights w = random_segments_weights(3, 99, 2, 3, 1);
    // [alpha][segment] -> (feature 1, 2, 3)
    const int types[4][3][3] = {{{-1, -1, 1}, {1, 1, 1}, {1, -1, 1}},
                                {{-1, -1, -1}, {1, -1, 1}, {-1, 1, 1}},
                                {{1, -1, 1}, {-1, -1, -1}, {-1, -1, 1}},
                                {{-1, -1, -1}, {-1, -1, 1}, {-1, 1, -1}}};
    for (int alpha = 0; alpha < 4; ++alpha) {
        for (int s = 0; s < 3; ++s) {
            for (int i = 33 * s; i < 33 * (s + 1); ++i) {
                for (int a = 0; a < 3; ++a) ASSERT_EQ(w.at(alpha, a, i), types[alpha][s][a]) << alpha << " " << i;
            }
        }
    }
    // PE weights per feature: (MSB, LSB).
    const int pe[4][3][2] = {{{-1, -1}, {1, -1}, {1, 1}},
                             {{-1, -1}, {1, -1}, {-1, 1}},
                             {{1, -1}, {1, 1}, {-1, -1}},
                             {{-1, -1}, {-1, -1}, {-1, 1}}};
    for (int alpha = 0; alpha < 4; ++alpha) {
        for (int a = 0; a < 3; ++a) {
            EXPECT_EQ(w.at(alpha, a, 99), pe[alpha][a][0]);
            EXPECT_EQ(w.at(alpha, a, 100), pe[alpha][a][1]);
        }
    }
}

// Spec 3.3: C^{oalpha} and Q^{oalpha} (x 1/3).
TEST(DmftWeights, PairAndQuadCorrelations) {
    Correlations c = correlations_from_weights(random_segments_weights(3, 99, 2, 3, 1));
    const double C[4][3][3] = {{{3, 1, 1}, {1, 3, -1}, {1, -1, 3}},
                               {{1, 1, 3}, {3, -1, 1}, {-1, -1, 1}},
                               {{-3, -1, -1}, {-1, 1, -3}, {-1, -3, 1}},
                               {{-1, 1, 1}, {1, -1, 3}, {-3, -1, -1}}};
    const double Q[4][3] = {{-1, 1, 1}, {1, -3, -1}, {1, -1, -1}, {-1, -3, 1}};
    for (int alpha = 0; alpha < 4; ++alpha) {
        for (int a = 0; a < 3; ++a) {
            for (int b = 0; b < 3; ++b) EXPECT_NEAR(c.pair(alpha, b, a), C[alpha][b][a] / 3, 1e-15);
            EXPECT_NEAR(c.subset(alpha, 0b111, a), Q[alpha][a] / 3, 1e-15);
        }
    }
    // CS^o rows (docs/dmft_map.md section 3, worked example): [[4,4,4],[4,4,-4],[4,-4,4],[0,0,0]]/3.
    const double CS[4][3] = {{4, 4, 4}, {4, 4, -4}, {4, -4, 4}, {0, 0, 0}};
    for (int j = 0; j < 4; ++j) {
        for (int a = 0; a < 3; ++a) EXPECT_NEAR(c.signed_corr[kO][size_t(j * 3 + a)], CS[j][a] / 3, 1e-15);
    }
}

// Spec 2.3 worked example: beta = 1.27, A-hat = (0.1, -0.2, 0.05), both forms, to 1e-10.
TEST(DmftWeights, WorkedExampleBothForms) {
    const double expected[4][3] = {{0.0552414016, -0.2230036178, 0.1807270924},
                                   {-0.2230036178, 0.0975179270, 0.0552414016},
                                   {-0.0552414016, -0.1807270924, 0.2230036178},
                                   {-0.1807270924, 0.0975179270, -0.2230036178}};
    for (const char *form : {"correlations", "site_types"}) {
        ModelParams p = paper_params();
        p.form = form;
        DmftModel model = DmftModel::build(p);
        MeanFieldMap map(model, DynamicsParams{1.27, 220.0, 0.02});
        auto m = map.semantic_overlaps({0.1, -0.2, 0.05});
        for (int alpha = 0; alpha < 4; ++alpha) {
            for (int a = 0; a < 3; ++a)
                EXPECT_NEAR(m[alpha][size_t(a)], expected[alpha][a], 1e-10) << form << alpha << a;
        }
    }
    // The site-type form of the paper's weights has exactly 3 types of fraction 1/3.
    SiteTypes t = site_types_from_weights(random_segments_weights(3, 99, 2, 3, 1));
    ASSERT_EQ(t.S, 3);
    for (double f : t.frac) EXPECT_DOUBLE_EQ(f, 1.0 / 3);
}

// The general-M correlation form (2^(M-1) sign patterns, all odd subsets) equals the site-type form
// on i.i.d. random weights, where every sign pattern and higher-order correlation is present.
TEST(DmftWeights, CorrelationFormEqualsSiteTypesForAnyM) {
    for (int M : {1, 2, 3, 4, 5, 6}) {
        ModelParams p;
        p.M = M;
        p.N = 157;
        p.weights = "iid";
        p.weights_seed = uint32_t(10 + M);
        p.form = "correlations";
        DmftModel corr_model = DmftModel::build(p);
        p.form = "site_types";
        DmftModel type_model = DmftModel::build(p);
        EXPECT_EQ(corr_model.fields.P, 1 << (M - 1));
        MeanFieldMap a(corr_model, DynamicsParams{1.7, 220.0, 0.02});
        MeanFieldMap b(type_model, DynamicsParams{1.7, 220.0, 0.02});
        tdlab::CounterRng rng(5, uint64_t(M));
        for (int trial = 0; trial < 20; ++trial) {
            std::vector<double> att(static_cast<size_t>(M));
            for (double &v : att) v = 2 * rng.uniform() - 1;
            auto ma = a.semantic_overlaps(att), mb = b.semantic_overlaps(att);
            for (int alpha = 0; alpha < 4; ++alpha) {
                for (int k = 0; k < M; ++k) EXPECT_NEAR(ma[alpha][size_t(k)], mb[alpha][size_t(k)], 2e-14) << "M=" << M;
            }
        }
    }
}

// Positional code: t mod 4 -> (MSB, LSB) = (-,-), (-,+), (+,-), (+,+) (docs/dmft_map.md section 1).
TEST(DmftWeights, PositionalCodeIsMsbFirst) {
    const int code[4][2] = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
    for (int t = 0; t < 12; ++t) {
        EXPECT_EQ(positional_bit(t, 0, 2), code[t % 4][0]);
        EXPECT_EQ(positional_bit(t, 1, 2), code[t % 4][1]);
    }
}
