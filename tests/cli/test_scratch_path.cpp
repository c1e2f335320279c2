// The tests' scratch folders (cli_test_support.h) start empty even when an earlier process with the same
// pid (pids wrap at pid_max, often 32768) left outputs there: a run into an existing --out exits 2, which
// made RunDimensions.DmftRunWritesThemToTheManifest fail now and then.
#include "cli_test_support.h"

#include <fstream>
#include <gtest/gtest.h>

TEST(ScratchPath, LeftoversOfAnEarlierProcessWithTheSamePidAreGone) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("tdlab_test_scratch_stale_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "run");
    std::ofstream(dir / "run" / "manifest.json") << "{}";
    const auto p = tdlab_test::scratch_path("scratch_stale", "run");
    std::printf("stale folder %s -> exists after scratch_path: %d\n", (dir / "run").c_str(),
                int(std::filesystem::exists(p)));
    EXPECT_EQ(p, dir / "run");
    EXPECT_FALSE(std::filesystem::exists(p));
    // Later calls in the same process keep what this process wrote.
    std::filesystem::create_directories(p);
    EXPECT_TRUE(std::filesystem::exists(tdlab_test::scratch_path("scratch_stale", "run")));
    std::filesystem::remove_all(dir);
}
