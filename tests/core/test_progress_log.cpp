// With stderr not a terminal (Slurm, CI, nohup), progress goes to the log as plain lines: one at the
// start, one per 10% (rate-limited), one at the end. Before, nothing was printed at all.
#include "core/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

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

// A resumed run's rate and ETA count only this process's work: the Birth trainer used to add the checkpoint's
// iterations as if just done, so a run resumed at 721/1000 printed "34.66 it/s, ETA 8s" for a 5 s iteration.
TEST(ProgressLog, ResumedUnitsDoNotCountTowardTheRate) {
    testing::internal::CaptureStderr();
    {
        Progress p("train", 1000, "it", Progress::Mode::Log, /*min_gap_s=*/0, /*max_gap_s=*/1e9);
        p.resumed(500);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        p.add(100); // 60%: a decile line; 100 units in >= 0.2 s is at most 500 it/s (600 units would read 3000)
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("tdlab: train: resumed at 500/1000 it\n"), std::string::npos) << err;
    const size_t at = err.find("60.0% (600/1000 it, ");
    ASSERT_NE(at, std::string::npos) << err;
    const double rate = std::strtod(err.c_str() + at + std::string("60.0% (600/1000 it, ").size(), nullptr);
    EXPECT_GT(rate, 0.0) << err;
    EXPECT_LE(rate, 500.0) << err;
    EXPECT_EQ(count(err, "50.0%"), 0) << "the resumed units alone print no decile line: " << err;
}

// A stage ended by an exception prints no "done" line: a refused checkpoint printed "started (5 it)", then
// "done, 0 it in 0s", then the error.
TEST(ProgressLog, NoDoneLineWhenTheStageThrows) {
    testing::internal::CaptureStderr();
    try {
        Progress p("train", 5, "it", Progress::Mode::Log, /*min_gap_s=*/0, /*max_gap_s=*/1e9);
        throw std::runtime_error("refused");
    } catch (const std::runtime_error &) {
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "tdlab: train: started (5 it)\n");
}
