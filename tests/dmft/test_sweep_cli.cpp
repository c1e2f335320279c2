// `tdlab dmft sweep` end to end: shards gathered equal the unsharded run byte for byte (also across
// thread counts), a killed sweep resumes from its chunk files and finishes with the same bytes, and
// bad input is refused with exit code 2.
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "dmft/sweep_store.h"

#include "cli_test_support.h"
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("sweep", name);
}
int run(const std::string &args, const std::string &env = "") {
    return tdlab_test::run_tdlab(args, env);
}
// Small but real: from the zoom checkpoint over [1.24, 1.3] where periodic, quasi-periodic and chaotic
// columns alternate; census of 3 starts per value.
const std::string kArgs = "dmft sweep --set dmft.start=zoom --set sweep.min=1.24 --set sweep.max=1.3 "
                          "--set sweep.count=37 --set dmft.steps=9000 --set dmft.transient=5000 --set sweep.chunk=4 "
                          "--set sweep.census=3 --set sweep.keep=300";
const char *kFiles[] = {"summary.csv", "points.npy", "poincare.npy", "results.npz", "census.csv"};

nlohmann::json manifest(const fs::path &dir) {
    return nlohmann::json::parse(tdlab::read_file(dir / "manifest.json"));
}

void expect_same_files(const fs::path &a, const fs::path &b) {
    for (const char *f : kFiles) {
        ASSERT_TRUE(fs::exists(a / f)) << a / f;
        ASSERT_TRUE(fs::exists(b / f)) << b / f;
        EXPECT_EQ(tdlab::read_file(a / f), tdlab::read_file(b / f)) << f;
    }
}
} // namespace

TEST(SweepCli, ShardsGatheredEqualUnsharded) {
    const fs::path whole = tmp("whole"), s1 = tmp("s1"), s2 = tmp("s2"), s3 = tmp("s3"), merged = tmp("merged");
    ASSERT_EQ(run(kArgs + " --threads 2 --out " + whole.string()), 0);
    ASSERT_EQ(run(kArgs + " --threads 1 --shard 1/3 --out " + s1.string()), 0);
    ASSERT_EQ(run(kArgs + " --threads 2 --shard 2/3 --out " + s2.string()), 0);
    ASSERT_EQ(run(kArgs + " --threads 1 --shard 3/3 --out " + s3.string()), 0);
    // Missing shard: refused with a clear usage error.
    EXPECT_EQ(run("gather " + s1.string() + " " + s3.string() + " --out " + tmp("bad").string()), 2);
    ASSERT_EQ(run("gather " + s3.string() + " " + s1.string() + " " + s2.string() + " --out " + merged.string()), 0);
    expect_same_files(whole, merged);
    // The merged run records the shards' kernel, not the gathering process's, and has nothing to warn about.
    EXPECT_EQ(manifest(merged).value("simd", "(missing)"), manifest(whole).value("simd", "(none)"));
    EXPECT_FALSE(manifest(merged).contains("warnings")) << manifest(merged).dump();
    auto summary = tdlab::read_file(whole / "summary.csv");
    EXPECT_EQ(summary.rfind("beta,gamma,epsilon,label,paper_label,period,lyapunov,chaos01,unique_points", 0), 0u);
    auto pts = tdlab::read_npy(whole / "points.npy");
    EXPECT_EQ(pts.shape, (std::vector<size_t>{37, 300}));
}

TEST(SweepCli, KilledSweepResumes) {
    const fs::path ref = tmp("ref"), resumed = tmp("resumed");
    ASSERT_EQ(run(kArgs + " --out " + ref.string()), 0);
    // Dies like kill -9 after 3 of 10 chunks: no run directory, the chunk files stay.
    EXPECT_EQ(run(kArgs + " --out " + resumed.string(), "TDLAB_SWEEP_DIE_AFTER_CHUNKS=3"), 137);
    EXPECT_FALSE(fs::exists(resumed / "summary.csv"));
    const fs::path store = resumed.string() + ".chunks";
    size_t chunks = 0;
    for (const auto &e : fs::directory_iterator(store)) chunks += e.path().extension() == ".npz";
    EXPECT_EQ(chunks, 3u);
    // A different config must not reuse the store.
    EXPECT_EQ(run(kArgs + " --set sweep.max=1.31 --out " + resumed.string()), 2);
    ASSERT_EQ(run(kArgs + " --out " + resumed.string()), 0);
    expect_same_files(ref, resumed);
    EXPECT_FALSE(fs::exists(store));
}

// A resume chunk damaged on disk (one flipped byte: its ZIP CRC no longer matches) is reported and
// computed again; the finished run has the same bytes as an uninterrupted one.
TEST(SweepCli, CorruptResumeChunkIsRecomputed) {
    const fs::path ref = tmp("ref_c"), resumed = tmp("resumed_c");
    ASSERT_EQ(run(kArgs + " --out " + ref.string()), 0);
    EXPECT_EQ(run(kArgs + " --out " + resumed.string(), "TDLAB_SWEEP_DIE_AFTER_CHUNKS=3"), 137);
    const fs::path store = resumed.string() + ".chunks";
    fs::path victim;
    for (const auto &e : fs::directory_iterator(store))
        if (e.path().extension() == ".npz") victim = e.path();
    ASSERT_FALSE(victim.empty());
    std::string bytes = tdlab::read_file(victim);
    bytes[bytes.size() / 2] ^= 0x10;
    tdlab::write_file_atomic(victim, bytes);
    ASSERT_EQ(run(kArgs + " --out " + resumed.string()), 0);
    expect_same_files(ref, resumed);
}

// `gather --out` naming one of its own inputs is refused, even with --force, and the input survives.
TEST(SweepCli, GatherNeverOverwritesItsInput) {
    const fs::path s1 = tmp("g1"), s2 = tmp("g2");
    ASSERT_EQ(run(kArgs + " --shard 1/2 --out " + s1.string()), 0);
    ASSERT_EQ(run(kArgs + " --shard 2/2 --out " + s2.string()), 0);
    const std::string before = tdlab::read_file(s1 / "summary.csv");
    EXPECT_EQ(run("gather " + s1.string() + " " + s2.string() + " --out " + s1.string()), 2);
    EXPECT_EQ(run("gather " + s1.string() + " " + s2.string() + " --force --out " + s1.string()), 2);
    EXPECT_EQ(tdlab::read_file(s1 / "summary.csv"), before);
}

// Shards of one config whose `auto` picked kernels of different byte classes on different hosts (here: one
// shard's recorded kernel rewritten to the other class) still gather, with a warning in the manifest and both
// kernels recorded: the merged chaotic columns are not those of a single run.
TEST(SweepCli, GatherOfShardsFromKernelsWithOtherBitsWarns) {
    const fs::path s1 = tmp("k1"), s2 = tmp("k2"), merged = tmp("k_merged");
    ASSERT_EQ(run(kArgs + " --shard 1/2 --out " + s1.string()), 0);
    ASSERT_EQ(run(kArgs + " --shard 2/2 --out " + s2.string()), 0);
    auto m2 = manifest(s2);
    const std::string mine = m2.value("simd", ""), other = mine == "sse2" || mine == "avx" ? "avx2" : "sse2";
    m2["simd"] = other;
    tdlab::write_file_atomic(s2 / "manifest.json", m2.dump(2));
    ASSERT_EQ(run("gather " + s1.string() + " " + s2.string() + " --out " + merged.string()), 0);
    const auto m = manifest(merged);
    std::printf("shards' kernels %s and %s; merged manifest simd '%s', warnings %s\n", mine.c_str(), other.c_str(),
                m.value("simd", "").c_str(), m.value("warnings", nlohmann::json::array()).dump().c_str());
    EXPECT_EQ(m.value("simd", ""), mine + ", " + other);
    ASSERT_TRUE(m.contains("warnings"));
    EXPECT_NE(m["warnings"].dump().find("different last bits"), std::string::npos);
}

TEST(SweepCli, PhaseDiagramShardsGather) {
    const std::string args =
        "dmft phase --config configs/dmft/phase_beta_epsilon.yaml --set phase.x_count=5 "
        "--set phase.y_count=3 --set dmft.steps=4000 --set dmft.transient=2000 --set sweep.chunk=4";
    const fs::path whole = tmp("phase_whole"), a = tmp("phase_a"), b = tmp("phase_b"), m = tmp("phase_m");
    ASSERT_EQ(run(args + " --out " + whole.string()), 0);
    ASSERT_EQ(run(args + " --shard 1/2 --out " + a.string()), 0);
    ASSERT_EQ(run(args + " --shard 2/2 --out " + b.string()), 0);
    ASSERT_EQ(run("gather " + a.string() + " " + b.string() + " --out " + m.string()), 0);
    for (const char *f : {"lyapunov.npy", "label.npy", "summary.csv", "results.npz"})
        EXPECT_EQ(tdlab::read_file(whole / f), tdlab::read_file(m / f)) << f;
    auto lyap = tdlab::read_npy(whole / "lyapunov.npy");
    EXPECT_EQ(lyap.shape, (std::vector<size_t>{3, 5}));
    // beta = 0.5 (first column) is deep in the period-4 regime for every epsilon: lambda_1 < 0.
    auto v = lyap.to_double();
    for (size_t r = 0; r < 3; ++r) EXPECT_LT(v[r * 5], -0.05) << "row " << r;
}

TEST(SweepCli, BadInputIsUsageError) {
    EXPECT_EQ(run("dmft sweep --set sweep.param=temperature --out " + tmp("x").string()), 2);
    EXPECT_EQ(run("dmft sweep --set dmft.transient=200000 --out " + tmp("y").string()), 2);
    EXPECT_EQ(run("dmft sweep --shard 4/3 --out " + tmp("z").string()), 2);
    EXPECT_EQ(run("dmft sweep --set sweep.seed_from=neighbour --shard 1/2 --out " + tmp("w").string()), 2);
}

// The progress total counts the grid's points, not whole chunks: 37 values in chunks of 4 were announced as
// 40 values' steps and finished at 37's.
TEST(SweepCli, ProgressTotalIsTheStepsItDoes) {
    const std::string cmd = "TDLAB_NO_FIGURES=1 " + std::string(TDLAB_BIN) + " " + kArgs + " --threads 2 --out " +
                            tmp("progress").string() + " 2>&1 >/dev/null";
    FILE *pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string err;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) err.append(buf, n);
    ASSERT_EQ(::pclose(pipe), 0) << err;
    auto number_after = [&](const std::string &key) {
        const size_t at = err.find(key);
        return at == std::string::npos ? -1LL : std::atoll(err.c_str() + at + key.size());
    };
    const long long started = number_after("dmft sweep: started ("), done = number_after("dmft sweep: done, ");
    EXPECT_GT(started, 0) << err;
    EXPECT_EQ(started, done) << err;
}

// A resume store of another config is refused with the first line that differs, so the user sees which key
// changed (a new user's trial: the message only said "another config").
TEST(SweepCli, ResumeStoreOfAnotherConfigNamesTheChangedLine) {
    const fs::path out = tmp("store_diff");
    fs::remove_all(out.string() + ".chunks");
    { tdlab::dmft::ChunkStore first(out, "sweep:\n  min: 0\n  max: 3\n"); }
    try {
        tdlab::dmft::ChunkStore second(out, "sweep:\n  min: 0\n  max: 2.5\n");
        ADD_FAILURE() << "a store of another config was accepted";
    } catch (const tdlab::UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("line 3: stored '  max: 3', now '  max: 2.5'"), std::string::npos)
            << e.what();
    }
    fs::remove_all(out.string() + ".chunks");
}
