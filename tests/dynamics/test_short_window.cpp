// The analysis pieces behind "no label from too little data" and "a periodic section at its period's
// size" (docs/dmft_map.md section 8): the combined label with indicators set aside, and the Poincare
// set of a window with an exact period.
#include "dynamics/classify.h"
#include "dynamics/period.h"
#include "dynamics/quantize.h"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace tdlab::dynamics;

// Nothing left to decide: unknown, and the flag says that data was missing rather than that the
// indicators disagreed.
TEST(ShortWindow, NoIndicatorLeftIsUnknown) {
    Indicators ind;
    ind.short_window = true;
    const Combined c = combine_indicators(ind);
    EXPECT_EQ(c.label, Label::Unknown);
    EXPECT_EQ(c.flags, "short");
}

// A remaining indicator still decides; the flag records what was set aside.
TEST(ShortWindow, RemainingIndicatorDecides) {
    Indicators ind;
    ind.chaos01 = 0.97;
    ind.short_window = true;
    Combined c = combine_indicators(ind);
    EXPECT_EQ(c.label, Label::Chaotic);
    EXPECT_EQ(c.flags, "short");
    ind = Indicators{};
    ind.period = 4;
    ind.short_window = true;
    c = combine_indicators(ind);
    EXPECT_EQ(c.label, Label::Periodic);
    EXPECT_EQ(c.flags, "short");
    EXPECT_EQ(combine_indicators({4, -0.05, 0.0, Label::Periodic}).flags, ""); // enough data: no flag
}

// A period-4 orbit converging geometrically: consecutive periods agree within the period test's 1e-8,
// but no two samples are equal, so exact-equality dedup keeps every filtered sample. The section is one
// value per phase of the period (the last, most converged one), phases in order of first visit.
TEST(ShortWindow, PeriodicPoincareOnePointPerPhase) {
    const double orbit[4][2] = {{0.3, 0.0004}, {-0.2, 0.5}, {0.1, -0.0009}, {0.25, 0.0002}};
    const size_t n = 2000;
    std::vector<double> x(2 * n);
    for (size_t t = 0; t < n; ++t) {
        const double drift = 1e-9 * std::pow(0.999, double(t)); // < 1e-8 between periods, never 0
        x[2 * t] = orbit[t % 4][0] + drift;
        x[2 * t + 1] = orbit[t % 4][1] + drift;
    }
    PeriodOptions popt;
    popt.multiple_of = 4;
    ASSERT_EQ(detect_period(x, 2, popt), 4u);
    const auto all = poincare_filter(x.data(), x.data() + 1, n, 2, 1e-3);
    EXPECT_EQ(distinct_in_order(all).size(), all.size()); // 1500 "distinct" values of 3 points
    const auto sec = periodic_poincare(x.data(), x.data() + 1, n, 2, 4, 1e-3, popt.tol);
    ASSERT_EQ(sec.size(), 3u); // phases 0, 2, 3 pass |y| <= 1e-3; phase 1 does not
    EXPECT_NEAR(sec[0], 0.3, 1e-9);
    EXPECT_NEAR(sec[1], 0.1, 1e-9);
    EXPECT_NEAR(sec[2], 0.25, 1e-9);
    EXPECT_EQ(sec[0], x[2 * (n - 4)]); // the last sample of phase 0 (n = 2000 is a multiple of 4)
    // Two phases whose values agree within the tolerance are one point of the section.
    std::vector<double> y{0.5, 0.0, 0.5 + 1e-9, 0.0, 0.5, 0.0, 0.5 + 1e-9, 0.0};
    EXPECT_EQ(periodic_poincare(y.data(), y.data() + 1, 4, 2, 2, 1e-3, 1e-8), (std::vector<double>{0.5}));
    EXPECT_TRUE(periodic_poincare(y.data(), y.data() + 1, 1, 2, 2, 1e-3, 1e-8).empty()); // n < period
}
