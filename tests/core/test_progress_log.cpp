// With stderr not a terminal (Slurm, CI, nohup), progress goes to the log as plain lines: one at the
// start, one per 10% (rate-limited), one at the end. Before, nothing was printed at all.
#include "core/progress.h"

#include <gtest/gtest.h>

using namespace tdlab;

namespace {
int count(const std::string &s, const std::string &what) {
    int n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}
} // namespace

TEST(ProgressLog, LinePerStageAndPerTenPercent) {
    testing::internal::CaptureStderr();
    {
        Progress p("sweep", 200, "points", Progress::Mode::Log, /*min_gap_s=*/0, /*max_gap_s=*/1e9);
        for (int k = 0; k < 200; ++k) p.add();
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(count(err, "\n"), 12) << err; // started, 10 deciles, done
    EXPECT_EQ(count(err, "\r"), 0) << "no terminal redraws in a log: " << err;
    EXPECT_EQ(err.rfind("tdlab: sweep: started (200 points)\n", 0), 0u) << err;
    EXPECT_NE(err.find("tdlab: sweep: 50.0% (100/200 points"), std::string::npos) << err;
    EXPECT_NE(err.find("tdlab: sweep: done, 200 points in"), std::string::npos) << err;
}

TEST(ProgressLog, RateLimitedInLogs) {
    testing::internal::CaptureStderr();
    {
        // A minimum gap no test reaches: only the start and end lines.
        Progress p("quick", 1000, "it", Progress::Mode::Log, /*min_gap_s=*/1e9, /*max_gap_s=*/1e9);
        for (int k = 0; k < 1000; ++k) p.add();
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(count(err, "\n"), 2) << err;
}

TEST(ProgressLog, QuietSilencesEverything) {
    testing::internal::CaptureStderr();
    {
        Progress p("q", 10, "it", Progress::Mode::Off);
        for (int k = 0; k < 10; ++k) p.add();
    }
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}
