// The MPI driver of `tdlab dmft sweep` (built only with -DTDLAB_MPI=ON): `mpirun -n 3` (rank 0 hands
// chunks out, two workers compute them) writes the same bytes as the plain OpenMP run, a killed MPI run
// resumes (under mpirun, or without it), and the sequential neighbour protocol is refused.
#include "core/atomic_file.h"
#include "core/npy.h"

#include "cli_test_support.h"
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("mpi", name);
}
const std::string kEnv = "TDLAB_QUIET=1 TDLAB_NO_FIGURES=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
int sh(const std::string &cmd) {
    const int rc = std::system((kEnv + cmd + " > /dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
std::string mpirun(int n) {
    // Local ranks inherit mpirun's environment (TDLAB_QUIET, TDLAB_SWEEP_DIE_AFTER_CHUNKS, ...).
    return std::string(TDLAB_MPIEXEC) + " -n " + std::to_string(n) + " --oversubscribe " + TDLAB_BIN;
}
// Small but real: periodic, quasi-periodic and chaotic columns, a census, 12 chunks of 3 values.
const std::string kArgs = " dmft sweep --set dmft.start=zoom --set sweep.min=1.24 --set sweep.max=1.3 "
                          "--set sweep.count=34 --set dmft.steps=8000 --set dmft.transient=5000 --set sweep.chunk=3 "
                          "--set sweep.census=2 --set sweep.keep=300 --threads 1"; // one thread per rank
const char *kFiles[] = {"summary.csv", "points.npy", "poincare.npy", "results.npz", "census.csv"};
void expect_same_files(const fs::path &a, const fs::path &b) {
    for (const char *f : kFiles) {
        ASSERT_TRUE(fs::exists(b / f)) << b / f;
        EXPECT_EQ(tdlab::read_file(a / f), tdlab::read_file(b / f)) << f;
    }
}
} // namespace

TEST(SweepMpi, MatchesPlainRunAndSpreadsWork) {
    const fs::path plain = tmp("plain"), mpi = tmp("mpi");
    ASSERT_EQ(sh(std::string(TDLAB_BIN) + kArgs + " --out " + plain.string()), 0);
    ASSERT_EQ(sh(mpirun(3) + kArgs + " --out " + mpi.string()), 0);
    expect_same_files(plain, mpi);
    auto m = nlohmann::json::parse(tdlab::read_file(mpi / "manifest.json"));
    ASSERT_EQ(m["mpi_ranks"].get<int>(), 3);
    const auto per_rank = m["mpi_chunks_per_rank"].get<std::vector<int64_t>>();
    ASSERT_EQ(per_rank.size(), 3u);
    EXPECT_EQ(per_rank[0], 0);                // rank 0 only schedules
    EXPECT_EQ(per_rank[1] + per_rank[2], 12); // every chunk computed once
    EXPECT_GT(per_rank[1], 0);                // both workers got work
    EXPECT_GT(per_rank[2], 0);
    EXPECT_FALSE(fs::exists(mpi.string() + ".chunks")); // the store is removed after the commit
}

TEST(SweepMpi, KilledRunResumes) {
    const fs::path plain = tmp("plain_r"), a = tmp("resume_mpi"), b = tmp("resume_plain");
    ASSERT_EQ(sh(std::string(TDLAB_BIN) + kArgs + " --out " + plain.string()), 0);
    // A worker dies like kill -9 after 2 chunks: mpirun ends the job; no run directory, chunks stay.
    EXPECT_NE(sh("TDLAB_SWEEP_DIE_AFTER_CHUNKS=2 " + mpirun(3) + kArgs + " --out " + a.string()), 0);
    EXPECT_FALSE(fs::exists(a / "summary.csv"));
    size_t chunks = 0;
    for (const auto &e : fs::directory_iterator(a.string() + ".chunks")) chunks += e.path().extension() == ".npz";
    EXPECT_GE(chunks, 2u);
    EXPECT_LT(chunks, 12u);
    // Resumed under mpirun.
    ASSERT_EQ(sh(mpirun(2) + kArgs + " --out " + a.string()), 0);
    expect_same_files(plain, a);
    // A killed MPI run resumed without mpirun (same store key).
    EXPECT_NE(sh("TDLAB_SWEEP_DIE_AFTER_CHUNKS=1 " + mpirun(2) + kArgs + " --out " + b.string()), 0);
    ASSERT_EQ(sh(std::string(TDLAB_BIN) + kArgs + " --out " + b.string()), 0);
    expect_same_files(plain, b);
}

TEST(SweepMpi, NeighbourProtocolRefused) {
    EXPECT_EQ(sh(mpirun(2) + kArgs + " --set sweep.seed_from=neighbour --out " + tmp("nb").string()), 2);
}
