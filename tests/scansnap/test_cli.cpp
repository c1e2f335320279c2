// `tdlab scansnap train|theory|sweep` end to end: files, layout, restriction by --set, bad input,
// and the same bytes for 1 and 2 threads.
#include "core/atomic_file.h"
#include "core/npy.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {
fs::path tmp(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_scansnap_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d.parent_path());
    return d;
}
int run(const std::string &args) {
    std::string cmd = std::string("TDLAB_NO_FIGURES=1 TDLAB_QUIET=1 ") + TDLAB_BIN + " " + args + " >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
std::vector<std::string> lines(const fs::path &p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}
} // namespace

TEST(ScansnapCli, TrainWritesDocumentedLayout) {
    const fs::path out = tmp("train");
    ASSERT_EQ(run("scansnap train -c configs/scansnap/fig4_quick.yaml --out " + out.string()), 0);
    NpyArray z = read_npy(out / "z_rows.npy"), c = read_npy(out / "c.npy"), loss = read_npy(out / "loss.npy");
    EXPECT_EQ(z.shape, (std::vector<size_t>{21, 2, 34}));
    EXPECT_EQ(c.shape, (std::vector<size_t>{21, 2, 34}));
    EXPECT_EQ(loss.shape, (std::vector<size_t>{20}));
    EXPECT_NEAR(loss.to_double()[0], std::log(34.0), 1e-12);
    EXPECT_EQ(read_npy(out / "entropy.npy").shape, (std::vector<size_t>{21, 2, 2}));
    EXPECT_EQ(lines(out / "curves.csv").size(), 22u);
    EXPECT_TRUE(fs::exists(out / "manifest.json"));
    EXPECT_TRUE(fs::exists(out / "metrics.jsonl"));
}

TEST(ScansnapCli, SweepRestrictedGridAndThreadIndependence) {
    const fs::path a = tmp("sweep1"), b = tmp("sweep2");
    const std::string args = "scansnap sweep -c configs/scansnap/fig6.yaml --set sweep.num_last=3 --set sweep.seeds=2 "
                             "--set sweep.lr_z=[1,3] --set opt.niter=30 ";
    ASSERT_EQ(run(args + "-j 1 --out " + a.string()), 0);
    ASSERT_EQ(run(args + "-j 2 --out " + b.string()), 0);
    const auto rows = lines(a / "entropy.csv");
    ASSERT_EQ(rows.size(), 1u + 2 * 4);
    EXPECT_EQ(rows[0], "num_last,lr_z,ratio,mean,std,seeds");
    EXPECT_EQ(rows[1].substr(0, 6), "3,1,1,");
    EXPECT_EQ(rows[1].substr(rows[1].size() - 2), ",2");
    EXPECT_EQ(read_file(a / "entropy_runs.csv"), read_file(b / "entropy_runs.csv"));
    EXPECT_EQ(read_file(a / "z_final_nl3.npy"), read_file(b / "z_final_nl3.npy"));
    EXPECT_EQ(read_npy(a / "z_final_nl3.npy").shape, (std::vector<size_t>{2, 4, 2, 3, 79}));
}

TEST(ScansnapCli, TheoryAndBadInput) {
    const fs::path out = tmp("theory");
    ASSERT_EQ(run("scansnap theory -c configs/scansnap/theory_quick.yaml --out " + out.string()), 0);
    NpyArray curves = read_npy(out / "curves.npy");
    EXPECT_EQ(curves.shape, (std::vector<size_t>{71, 7}));
    // Row 1 is t = 10: B_n(10) = 0.599 (§3.7).
    EXPECT_NEAR(curves.to_double()[7 + 4], 0.599, 5e-4);
    EXPECT_TRUE(fs::exists(out / "population_z.npy"));
    EXPECT_EQ(run("scansnap train --set opt.method=rmsprop --out " + tmp("bad1").string()), 2);
    EXPECT_EQ(run("scansnap train --set data.L=1 --out " + tmp("bad2").string()), 2);
    EXPECT_EQ(run("scansnap sweep --set sweep.num_last=0 --out " + tmp("bad3").string()), 2);
    EXPECT_FALSE(fs::exists(tmp("bad1")));
}
