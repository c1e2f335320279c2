// manifest.json's git_commit is the commit the binary was built from. It used to be read once, when CMake
// configured the build directory, so an incremental rebuild after `git pull` kept recording the old commit
// (seen: binaries of 33a4524 wrote 2f1e4a1, 8 commits behind). cmake/write_version.cmake now runs at every
// build; this test reads the checkout's HEAD the same way (make test builds before it tests).
#include "core/version.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

namespace {
std::string head_of_source_checkout() {
    const std::string cmd = "git -C '" + std::string(TDLAB_SOURCE_DIR) + "' rev-parse --short=12 HEAD 2>/dev/null";
    FILE *p = ::popen(cmd.c_str(), "r");
    if (!p) return "";
    std::array<char, 128> buf{};
    std::string out;
    while (std::fgets(buf.data(), int(buf.size()), p)) out += buf.data();
    ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}
} // namespace

TEST(Version, GitCommitIsTheCheckoutsHead) {
    const std::string head = head_of_source_checkout();
    if (head.empty()) GTEST_SKIP() << "the sources are not a git checkout";
    std::string built = tdlab::git_commit();
    const bool dirty = built.size() > 6 && built.compare(built.size() - 6, 6, "-dirty") == 0;
    if (dirty) built.resize(built.size() - 6);
    EXPECT_EQ(built, head) << "rebuild: the binary records another commit than the checkout's HEAD";
}
