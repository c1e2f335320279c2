// The command line's malloc (src/cli/allocator.cpp): where the build linked jemalloc, the options compiled
// into the binary must be the ones in effect (jemalloc only reads `malloc_conf` when the executable itself
// exports it; a build that loses the symbol would silently run without huge pages), and a user's
// MALLOC_CONF must still win. Read back through `tdlab --version`, which asks jemalloc (mallctl).
#include "cli_test_support.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

std::string version_text(const std::string &env) {
    const auto out = tdlab_test::scratch_path("allocator", "version.txt");
    const std::string cmd = env + " " + std::string(TDLAB_BIN) + " --version > '" + out.string() + "' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream f(out);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

TEST(Allocator, TheCompiledInOptionsAreInEffect) {
    const std::string text = version_text("env -u MALLOC_CONF");
    std::printf("%s", text.c_str());
#ifdef TDLAB_EXPECT_JEMALLOC
    EXPECT_NE(text.find("allocator: jemalloc 5"), std::string::npos);
    EXPECT_NE(text.find("(thp always, oversize_threshold 0)"), std::string::npos);
#else
    EXPECT_NE(text.find("allocator: glibc malloc"), std::string::npos);
#endif
}

TEST(Allocator, TheUsersMallocConfWins) {
#ifndef TDLAB_EXPECT_JEMALLOC
    GTEST_SKIP() << "this build's command line runs on glibc's malloc";
#endif
    const std::string text = version_text("MALLOC_CONF=thp:default,oversize_threshold:1048576");
    std::printf("MALLOC_CONF=thp:default,oversize_threshold:1048576 -> %s", text.c_str());
    EXPECT_NE(text.find("(thp default, oversize_threshold 1048576)"), std::string::npos);
}

} // namespace
