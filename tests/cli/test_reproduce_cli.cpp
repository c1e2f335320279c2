// `tdlab reproduce` writes each paper's folder as a run directory (RunDir): a foreign folder in the way
// is refused with exit 2 before any paper runs (so `reproduce all` cannot stop half-way and leave some
// papers done), the user's files are untouched, and nothing is staged beside it.
#include "cli_test_support.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

namespace fs = std::filesystem;
using tdlab_test::run_tdlab;
using tdlab_test::scratch_path;

namespace {

std::string first_line(const fs::path &p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

size_t entries(const fs::path &dir) {
    size_t n = 0;
    for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
    return n;
}

} // namespace

TEST(ReproduceCli, ForeignPaperFolderIsRefusedBeforeAnyWork) {
    const fs::path out = scratch_path("reproduce_cli", "it's here");
    fs::create_directories(out / "scansnap");
    std::ofstream(out / "scansnap" / "notes.txt") << "mine\n";
    // `all` runs dmft first: the refusal of scansnap/ must come before dmft starts.
    EXPECT_EQ(run_tdlab("reproduce all --scale quick --out '" + out.string() + "'"), 2);
    EXPECT_FALSE(fs::exists(out / "dmft"));
    EXPECT_EQ(entries(out), 1u); // no dmft/, no staging folders
    EXPECT_EQ(first_line(out / "scansnap" / "notes.txt"), "mine");
    EXPECT_EQ(entries(out / "scansnap"), 1u);
}

TEST(ReproduceCli, UnknownPaperAndScaleAreUsageErrors) {
    const fs::path out = scratch_path("reproduce_cli", "usage");
    EXPECT_EQ(run_tdlab("reproduce nope --out '" + out.string() + "'"), 2);
    EXPECT_EQ(run_tdlab("reproduce dmft --scale huge --out '" + out.string() + "'"), 2);
    EXPECT_FALSE(fs::exists(out));
}

TEST(ReproduceCli, OutNamingAFileIsRefused) {
    const fs::path file = scratch_path("reproduce_cli", "a_file");
    std::ofstream(file) << "user data\n";
    EXPECT_EQ(run_tdlab("reproduce scansnap --out '" + file.string() + "'"), 2);
    EXPECT_EQ(first_line(file), "user data");
}
