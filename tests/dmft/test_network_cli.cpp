// `tdlab dmft spin` end to end: array shapes [runs, saved, M], identical bytes for 1 and 2 threads, and
// bad input (exit code 2, the key named, no run directory left behind).
#include "core/atomic_file.h"
#include "core/npy.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return fs::temp_directory_path() / ("tdlab_spin_" + std::to_string(::getpid()) + "_" + name);
}
int run(const std::string &args, const fs::path &log) {
    std::string cmd =
        std::string("TDLAB_NO_FIGURES=1 TDLAB_QUIET=1 ") + TDLAB_BIN + " " + args + " >" + log.string() + " 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
} // namespace

TEST(SpinCommand, WritesRunsAxisAndIsThreadIndependent) {
    const std::string common = " --set dmft.N=1980 --set dmft.runs=3 --set dmft.steps=120 --set dmft.transient=100"
                               " --set dmft.start=cold --set dmft.beta=1.1 --set dmft.seed=4";
    fs::path a = tmp("a"), b = tmp("b"), log = tmp("log");
    ASSERT_EQ(run("dmft spin" + common + " --threads 1 --out " + a.string(), log), 0) << tdlab::read_file(log);
    ASSERT_EQ(run("dmft spin" + common + " --threads 2 --out " + b.string(), log), 0) << tdlab::read_file(log);
    tdlab::NpyArray mo = tdlab::read_npy(a / "mo_se.npy");
    EXPECT_EQ(mo.shape, (std::vector<size_t>{3, 20, 3}));
    EXPECT_EQ(tdlab::read_npy(a / "t.npy").shape, (std::vector<size_t>{20}));
    EXPECT_EQ(tdlab::read_npy(a / "final_att.npy").shape, (std::vector<size_t>{3, 3}));
    for (const char *f : {"mo_se.npy", "att.npy", "mk.npy"}) {
        EXPECT_EQ(tdlab::read_file(a / f), tdlab::read_file(b / f)) << f;
    }
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST(SpinCommand, BadInputExitsTwoNamingTheKey) {
    fs::path out = tmp("bad"), log = tmp("log2");
    for (auto [set, key] :
         std::vector<std::pair<std::string, std::string>>{{"--set dmft.N=0", "'dmft.N'"},
                                                          {"--set dmft.N=1000", "'dmft.N' = 1000"},
                                                          {"--set dmft.M=20 --set dmft.N=1980000000", "'dmft.M' = 20"},
                                                          {"--set dmft.sampler=gibbs", "dmft.sampler"}}) {
        EXPECT_EQ(run("dmft spin " + set + " --out " + out.string(), log), 2) << set;
        std::string msg = tdlab::read_file(log);
        EXPECT_NE(msg.find(key), std::string::npos) << msg;
        EXPECT_FALSE(fs::exists(out)) << set;
    }
}
