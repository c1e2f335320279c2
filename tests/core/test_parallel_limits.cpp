// Thread counts are validated before OpenMP sees them: `--threads 100000` crashed inside libgomp.
#include "core/error.h"
#include "core/parallel.h"

#include <gtest/gtest.h>
#include <omp.h>
#include <thread>

using namespace tdlab;

TEST(ParallelLimits, AbsurdThreadCountIsAUsageError) {
    const int before = omp_get_max_threads();
    EXPECT_THROW(configure_threads(100000), UsageError);
    EXPECT_EQ(omp_get_max_threads(), before) << "a refused count must not be applied";
    EXPECT_THROW(configure_threads(-1), UsageError);
    EXPECT_GE(max_threads(), 1024);
    EXPECT_GE(max_threads(), 4 * int(std::thread::hardware_concurrency()));
    EXPECT_EQ(configure_threads(2), 2);
    EXPECT_EQ(configure_threads(before), before);
}
