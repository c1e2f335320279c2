// The continuation's track distance (continuation.h, rule 2): an attractor keeps its track through a
// period doubling, a periodic orbit turning non-periodic, or a small shift, where the orbit distance of
// the identification rule is infinite (different periods), which ended the track and began another.
#include "dmft/continuation.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
constexpr int M = 3, L = 4;

BasinAttractor periodic(const std::vector<double> &orbit) {
    BasinAttractor a;
    a.signature.period = orbit.size() / M;
    a.signature.orbit = orbit;
    return a;
}
dynamics::MatchOptions match() {
    dynamics::MatchOptions mo;
    mo.dim = M;
    mo.shift_multiple = L;
    return mo;
}
// A period-4 orbit of three features.
const std::vector<double> kOrbit4{0.1, 0.0, -0.2, -0.1, 0.05, 0.2, 0.3, -0.05, 0.0, -0.3, 0.0, 0.1};
} // namespace

TEST(ContinuationTracks, FeaturesOfAPeriodicOrbitAreItsMeanAndSpread) {
    const auto f = track_features(periodic(kOrbit4), M);
    ASSERT_EQ(f.size(), 6u);
    EXPECT_NEAR(f[0], 0.0, 1e-15);                                        // mean of 0.1, -0.1, 0.3, -0.3
    EXPECT_NEAR(f[1], std::sqrt((0.01 + 0.01 + 0.09 + 0.09) / 4), 1e-15); // its standard deviation
    EXPECT_NEAR(f[2], 0.0, 1e-15);                                        // 0, 0.05, -0.05, 0
}

TEST(ContinuationTracks, APeriodDoublingKeepsItsTrack) {
    // The doubled orbit: the period-4 orbit twice, its two copies split by +-1e-3 (just past the
    // doubling at the next parameter value).
    std::vector<double> doubled;
    for (int copy = 0; copy < 2; ++copy)
        for (size_t i = 0; i < kOrbit4.size(); ++i) doubled.push_back(kOrbit4[i] + (copy ? 1e-3 : -1e-3));
    const auto a = periodic(kOrbit4), b = periodic(doubled);
    const auto fa = track_features(a, M), fb = track_features(b, M);
    EXPECT_TRUE(std::isinf(dynamics::signature_distance(a.signature, b.signature, match())));
    EXPECT_NEAR(track_distance(a, fa, b, fb, match()), 0.0, 1.1e-3); // the means move by 1e-3 at most
    EXPECT_LE(track_distance(a, fa, b, fb, match()), ContinuationOptions{}.match_distance);
}

TEST(ContinuationTracks, APeriodicOrbitTurningNonPeriodicKeepsItsTrack) {
    const auto a = periodic(kOrbit4);
    BasinAttractor c; // non-periodic: features (mean, std per feature, then lambda_1 / 10)
    c.signature.features = track_features(a, M);
    for (double &x : c.signature.features) x += 0.004;
    c.signature.features.push_back(0.03);
    EXPECT_NEAR(track_distance(a, track_features(a, M), c, track_features(c, M), match()), 0.004, 1e-12);
    // A different attractor (twice the spread) stays apart.
    std::vector<double> wide = kOrbit4;
    for (double &x : wide) x *= 2;
    const auto w = periodic(wide);
    EXPECT_GT(track_distance(a, track_features(a, M), w, track_features(w, M), match()), 0.1);
}
