// Head detectors with TransformerLens's definitions (src/nn/head_detectors.h): agreement with a NumPy
// transcription of the published formulas on random causal patterns (tests/golden/heads, written by
// tests/golden/make_head_detector_golden.py), and closed forms on pure patterns.
#include "core/error.h"
#include "golden_io.h"
#include "nn/head_detectors.h"

#include <gtest/gtest.h>
#include <sstream>

namespace tdlab::nn {
namespace {

const std::filesystem::path kDir = std::filesystem::path(TDLAB_TEST_DATA) / "golden" / "heads";
constexpr HeadKind kKinds[] = {HeadKind::PreviousToken, HeadKind::DuplicateToken, HeadKind::Induction};

TEST(HeadDetectors, MatchNumpyTranscriptionOnRandomPatterns) {
    const std::vector<int32_t> tokens = testing::load_i32(kDir / "tokens.npy");
    const NpyArray pat = read_npy(kDir / "pattern.npy");
    const std::vector<float> pattern = testing::load_f32(kDir / "pattern.npy");
    const std::vector<double> want = read_npy(kDir / "scores.npy").to_double();
    const int B = int(pat.shape[0]), H = int(pat.shape[1]), T = int(pat.shape[2]);
    // scores[kind, measure (mul, abs, abs rounded), exclude_bos, exclude_current_token, b, h]
    size_t checked = 0;
    for (int k = 0; k < 3; ++k)
        for (int m = 0; m < 3; ++m)
            for (int bos = 0; bos < 2; ++bos)
                for (int cur = 0; cur < 2; ++cur) {
                    DetectOptions o;
                    o.measure = m == 0 ? ErrorMeasure::Mul : ErrorMeasure::Abs;
                    o.round_abs = m == 2;
                    o.exclude_bos = bos, o.exclude_current_token = cur;
                    const auto got = head_scores_per_sequence(pattern.data(), tokens.data(), B, H, T, kKinds[k], o);
                    const size_t base =
                        ((((size_t(k) * 3 + size_t(m)) * 2 + size_t(bos)) * 2) + size_t(cur)) * size_t(B) * size_t(H);
                    for (size_t i = 0; i < got.size(); ++i, ++checked)
                        EXPECT_NEAR(got[i], want[base + i], 1e-6)
                            << head_kind_name(kKinds[k]) << " measure " << m << " bos " << bos << " cur " << cur;
                    // The batch score is the mean over sequences.
                    const auto mean = head_scores(pattern.data(), tokens.data(), B, H, T, kKinds[k], o);
                    for (int h = 0; h < H; ++h) {
                        double s = 0;
                        for (int b = 0; b < B; ++b) s += want[base + size_t(b) * size_t(H) + size_t(h)];
                        EXPECT_NEAR(mean[size_t(h)], s / B, 1e-6);
                    }
                }
    EXPECT_EQ(checked, size_t(3 * 3 * 2 * 2) * size_t(B) * size_t(H));
}

// A pure previous-token head: row 0 can only attend to itself, every later row to t-1.
std::vector<float> previous_token_pattern(int T) {
    std::vector<float> A(size_t(T) * size_t(T), 0.0f);
    A[0] = 1.0f;
    for (int t = 1; t < T; ++t) A[size_t(t) * size_t(T) + size_t(t - 1)] = 1.0f;
    return A;
}

TEST(HeadDetectors, PurePreviousTokenPatternClosedForms) {
    const int T = 8;
    const std::vector<int32_t> z{0, 1, 2, 3, 4, 5, 6, 7};
    const std::vector<float> A = previous_token_pattern(T);
    DetectOptions mul;
    // (T-1) of the T units of attention mass lie on D; row 0's self-attention is the rest.
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::PreviousToken, mul)[0], 7.0 / 8.0);
    mul.exclude_current_token = true;
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::PreviousToken, mul)[0], 1.0);
    // All tokens distinct: no duplicate and no induction target, so those scores are 0.
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::DuplicateToken)[0], 0.0);
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::Induction)[0], 0.0);
    // abs: the one mismatch is |A[0][0] - 0| = 1, error sum / T = 1/8 = 0.125.
    DetectOptions abs;
    abs.measure = ErrorMeasure::Abs;
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::PreviousToken, abs)[0], 1.0 - 0.125);
    abs.exclude_current_token = true;
    EXPECT_DOUBLE_EQ(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::PreviousToken, abs)[0], 1.0);
}

TEST(HeadDetectors, InductionPatternOnARepeatedSequence) {
    // z = a b c a b c: at t >= 3 the induction head attends to t - 2 (after the earlier copy of z_t).
    const int T = 6;
    const std::vector<int32_t> z{0, 1, 2, 0, 1, 2};
    const std::vector<float> D = detection_pattern(HeadKind::Induction, z.data(), T);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j < T; ++j) EXPECT_EQ(D[size_t(i * T + j)], i >= 3 && j == i - 2 ? 1.0f : 0.0f) << i << j;
    const std::vector<float> Dd = detection_pattern(HeadKind::DuplicateToken, z.data(), T);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j < T; ++j) EXPECT_EQ(Dd[size_t(i * T + j)], i >= 3 && j == i - 3 ? 1.0f : 0.0f) << i << j;
    // Uniform causal attention: row i spreads 1/(i+1) over i+1 keys, D has one key in rows 3..5.
    std::vector<float> U(size_t(T * T), 0.0f);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j <= i; ++j) U[size_t(i * T + j)] = 1.0f / float(i + 1);
    EXPECT_NEAR(head_scores(U.data(), z.data(), 1, 1, T, HeadKind::Induction)[0], (1.0 / 4 + 1.0 / 5 + 1.0 / 6) / 6,
                1e-7);
}

TEST(HeadDetectors, AbsRefusesANonCausalPattern) {
    const int T = 3;
    const std::vector<int32_t> z{0, 1, 0};
    std::vector<float> A(9, 1.0f / 3.0f); // full attention, mass above the diagonal
    DetectOptions abs;
    abs.measure = ErrorMeasure::Abs;
    EXPECT_THROW(head_scores(A.data(), z.data(), 1, 1, T, HeadKind::PreviousToken, abs), RuntimeError);
    EXPECT_THROW(head_scores(A.data(), z.data(), 1, 1, 1, HeadKind::PreviousToken), UsageError);
}

TEST(HeadDetectors, HeadsCsvRows) {
    const int T = 8, H = 2;
    const std::vector<int32_t> z{0, 1, 2, 3, 4, 5, 6, 7};
    std::vector<float> A = previous_token_pattern(T);
    std::vector<float> two(A);
    two.insert(two.end(), A.begin(), A.end()); // two identical heads
    std::ostringstream out;
    out << heads_csv_header() << '\n';
    write_heads_csv_rows(out, 40, 1, two.data(), z.data(), 1, H, T);
    EXPECT_EQ(out.str(), "iter,layer,head,previous_token,duplicate_token,induction\n"
                         "40,1,0,0.875,0,0\n40,1,1,0.875,0,0\n");
}

} // namespace
} // namespace tdlab::nn
