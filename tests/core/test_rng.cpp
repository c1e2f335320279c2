// RNGs: bit compatibility with NumPy's legacy MT19937 (values printed by numpy 1.24) and the
// determinism / distribution of the counter-based generator.
#include "core/rng.h"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace tdlab;

// np.random.seed(1); np.random.randint(2, size=24)
TEST(NumpyLegacyRng, Randint2MatchesNumpySeed1) {
    const std::vector<int> expected{1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0};
    NumpyLegacyRng rng(1);
    for (size_t k = 0; k < expected.size(); ++k) EXPECT_EQ(rng.randint2(), expected[k]) << "draw " << k;
}

// np.random.seed(1); np.random.random_sample() twice
TEST(NumpyLegacyRng, RandomSampleMatchesNumpy) {
    NumpyLegacyRng rng(1);
    EXPECT_EQ(rng.random_sample(), 0.417022004702574);
    EXPECT_EQ(rng.random_sample(), 0.7203244934421581);
}

// np.random.seed(12345); np.random.randint(0, 10, size=10)
TEST(NumpyLegacyRng, RandintMatchesNumpy) {
    const std::vector<uint32_t> expected{2, 5, 1, 4, 9, 5, 2, 1, 6, 1};
    NumpyLegacyRng rng(12345);
    for (size_t k = 0; k < expected.size(); ++k) EXPECT_EQ(rng.randint(10), expected[k]) << "draw " << k;
}

TEST(CounterRng, StreamsAreDeterministicAndDistinct) {
    CounterRng a(7, 3), b(7, 3), c(7, 4), d(8, 3);
    for (int k = 0; k < 100; ++k) {
        uint64_t va = a.next_u64();
        EXPECT_EQ(va, b.next_u64());
        EXPECT_NE(va, c.next_u64());
        EXPECT_NE(va, d.next_u64());
    }
}

// The bulk fill is the same stream as one-by-one draws, and continues it (odd lengths exercise the
// vector loop's remainder).
TEST(CounterRng, FillMatchesSequentialDraws) {
    CounterRng a(11, 2), b(11, 2);
    std::vector<uint64_t> bulk(37);
    a.next_u64();
    b.next_u64();
    a.fill_u64(bulk.data(), bulk.size());
    for (size_t k = 0; k < bulk.size(); ++k) EXPECT_EQ(bulk[k], b.next_u64()) << "draw " << k;
    EXPECT_EQ(a.counter(), b.counter());
    EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(CounterRng, UniformAndNormalMoments) {
    CounterRng rng(42, 0);
    const int n = 200000;
    double s1 = 0, s2 = 0, n1 = 0, n2 = 0;
    for (int k = 0; k < n; ++k) {
        double u = rng.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        s1 += u;
        s2 += u * u;
        double z = rng.normal();
        n1 += z;
        n2 += z * z;
    }
    // Means within 5 standard errors: U(0,1) has sd 1/sqrt(12), N(0,1) sd 1.
    EXPECT_NEAR(s1 / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
    EXPECT_NEAR(s2 / n, 1.0 / 3, 5 * std::sqrt(4.0 / 45 / n));
    EXPECT_NEAR(n1 / n, 0.0, 5 / std::sqrt(double(n)));
    EXPECT_NEAR(n2 / n, 1.0, 5 * std::sqrt(2.0 / n));
}

TEST(CounterRng, UniformIntIsUnbiased) {
    CounterRng rng(1, 1);
    std::vector<int> counts(7, 0);
    const int n = 70000;
    for (int k = 0; k < n; ++k) ++counts[rng.uniform_int(7)];
    for (int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * std::sqrt(n / 7.0 * 6 / 7));
}
