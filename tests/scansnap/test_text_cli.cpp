// `tdlab scansnap text` end to end on a small generated text: the documented outputs, the same bytes for
// 1 and 2 threads, and bad input refused before any output exists.
#include "core/atomic_file.h"
#include "core/npy.h"
#include "core/rng.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {
fs::path tmp(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_text_cli_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d.parent_path());
    return d;
}
// tdlab with `args`, from the current directory or from `cwd`.
int run(const std::string &args, const fs::path &cwd = {}) {
    std::string cmd = (cwd.empty() ? std::string() : "cd '" + cwd.string() + "' && ") +
                      "TDLAB_NO_FIGURES=1 TDLAB_QUIET=1 TDLAB_CACHE_DIR=" + tmp("cache").string() + " " + TDLAB_BIN +
                      " " + args + " >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
// A Zipf-like text of `n` words over 60 types, 12 words a line.
fs::path make_text(const std::string &name, int n, uint64_t seed) {
    CounterRng rng(seed, 1);
    std::string s;
    for (int i = 0; i < n; ++i) {
        const int w = int(std::floor(std::exp(rng.uniform() * std::log(60.0)))) - 1;
        s += "w" + std::to_string(w) + ((i + 1) % 12 ? " " : " .\n");
    }
    const fs::path p = tmp(name);
    write_file_atomic(p, s);
    return p;
}
std::vector<std::string> lines(const fs::path &p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}
} // namespace

// The small run of these tests: 2 layers, 6 steps, evaluations at 0, 3, 6.
std::string small_run_args() {
    const fs::path train = make_text("train.txt", 4000, 1), valid = make_text("valid.txt", 800, 2);
    return "scansnap text -c configs/scansnap/fig7-quick.yaml --set data.train_path=" + train.string() +
           " --set data.valid_path=" + valid.string() +
           " --set data.train_tokens=0 --set data.valid_tokens=0 --set model.d_model=16"
           " --set model.d_hid=12 --set model.nlayers=2 --set train.batch=4 --set train.bptt=8"
           " --set train.eval_batch=3 --set train.niter=6 --set train.eval_every=3"
           " --set train.attn_row=10 --set train.attn_col=1 ";
}

TEST(ScansnapTextCli, OutputsAndSameBytesForOneAndTwoThreads) {
    const std::string args = small_run_args();
    const fs::path a = tmp("run1"), b = tmp("run2");
    ASSERT_EQ(run(args + "-j 1 --out " + a.string()), 0);
    ASSERT_EQ(run(args + "-j 2 --out " + b.string()), 0);
    const auto m = lines(a / "metrics.jsonl");
    ASSERT_EQ(m.size(), 3u); // iterations 0, 3, 6
    const auto j0 = nlohmann::json::parse(m[0]), j2 = nlohmann::json::parse(m[2]);
    EXPECT_EQ(j0["iter"], 0);
    EXPECT_TRUE(j0["train_loss"].is_null());
    EXPECT_EQ(j2["iter"], 6);
    EXPECT_NEAR(j2["valid_ppl"].get<double>(), std::exp(j2["valid_loss"].get<double>()), 1e-9);
    EXPECT_EQ(j2["lr"], 5.0);
    EXPECT_GT(j2["grad_norm"].get<double>(), 0.0);
    // At initialisation the loss is near ln(V) (V = 61 words + <unk>)
    EXPECT_NEAR(j0["valid_loss"].get<double>(), std::log(62.0), 0.5);
    const auto e = lines(a / "attention_entropy.csv");
    ASSERT_EQ(e.size(), 1u + 3 * 2);
    EXPECT_EQ(e[0], "iter,layer,entropy");
    EXPECT_EQ(lines(a / "freezing.csv").size(), 1u + 3 * 2);
    for (int it : {0, 3, 6}) {
        const std::string f = "attn/iter_" + std::to_string(it) + ".npy";
        NpyArray arr = read_npy(a / f);
        EXPECT_EQ(arr.shape, (std::vector<size_t>{2, 8, 8}));
        const auto v = arr.to_double();
        double row0 = 0.0, row7 = 0.0;
        for (int s = 0; s < 8; ++s) row0 += v[size_t(s)], row7 += v[size_t(7 * 8 + s)];
        EXPECT_NEAR(row0, 1.0, 1e-6); // causal rows are distributions; row 0 attends to itself only
        EXPECT_NEAR(v[0], 1.0, 1e-6);
        EXPECT_NEAR(row7, 1.0, 1e-5);
        EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
    }
    for (const char *f : {"metrics.jsonl", "attention_entropy.csv", "freezing.csv"})
        EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
}

TEST(ScansnapTextCli, BadInputExitsTwoWithoutOutput) {
    const fs::path out = tmp("bad");
    EXPECT_EQ(run("scansnap text --set data.train_path=/nonexistent/x.txt --out " + out.string()), 2);
    EXPECT_EQ(run("scansnap text --set model.d_model=15 --out " + out.string()), 2);
    EXPECT_EQ(run("scansnap text --set train.attn_col=20 --out " + out.string()), 2);
    EXPECT_FALSE(fs::exists(out));
}

TEST(ScansnapTextCli, KilledRunResumesFromItsCheckpointWithTheSameBytes) {
    // stopped after step 5 (the last checkpoint is the evaluation at 3), then the same command resumes from
    // step 4: every output equals an uninterrupted run's, resumed with 1 and with 2 threads
    const std::string args = small_run_args();
    const fs::path whole = tmp("whole");
    ASSERT_EQ(run(args + "-j 1 --out " + whole.string()), 0);
    EXPECT_FALSE(fs::exists(whole.string() + ".ckpt")) << "a completed run leaves no checkpoint";
    for (const int threads : {1, 2}) {
        const fs::path out = tmp("resumed" + std::to_string(threads));
        const fs::path store = out.string() + ".ckpt";
        fs::remove_all(store);
        EXPECT_NE(run(args + "--set train.stop_after=5 -j 1 --out " + out.string()), 0);
        EXPECT_FALSE(fs::exists(out)) << "a stopped run leaves no output";
        ASSERT_TRUE(fs::exists(store / "checkpoint.npz"));
        // another config is refused and the store kept
        EXPECT_EQ(run(args + "--set seed=9 -j 1 --out " + out.string()), 2);
        EXPECT_TRUE(fs::exists(store / "checkpoint.npz"));
        ASSERT_EQ(run(args + "-j " + std::to_string(threads) + " --out " + out.string()), 0);
        EXPECT_FALSE(fs::exists(store)) << "the store is removed when the run completes";
        for (const char *f : {"metrics.jsonl", "attention_entropy.csv", "freezing.csv", "attn/iter_0.npy",
                              "attn/iter_3.npy", "attn/iter_6.npy"})
            EXPECT_EQ(read_file(out / f), read_file(whole / f)) << f << ", resumed with " << threads << " threads";
        const auto manifest = nlohmann::json::parse(read_file(out / "manifest.json"));
        EXPECT_EQ(manifest["resumed_from_iter"], 3);
    }
}

TEST(ScansnapTextCli, RelativeTextPathsNameTheUsersFileFirst) {
    // (a new user's finding: data.train_path=README.md read tdlab's data/README.md, not ./README.md)
    const fs::path dir = tmp("cwd");
    fs::create_directories(dir);
    fs::copy_file(make_text("t.txt", 4000, 3), dir / "README.md");
    fs::copy_file(make_text("v.txt", 800, 4), dir / "valid.txt");
    const fs::path out = dir / "run";
    std::string args = small_run_args();
    args = args.substr(0, args.find(" --set data.train_path=")) +
           " --set data.train_path=README.md --set data.valid_path=valid.txt" +
           args.substr(args.find(" --set data.train_tokens"));
    ASSERT_EQ(run(args + "--out " + out.string(), dir), 0);
    const auto manifest = nlohmann::json::parse(read_file(out / "manifest.json"));
    EXPECT_EQ(manifest["train_path"], (dir / "README.md").string());
    EXPECT_EQ(manifest["valid_path"], (dir / "valid.txt").string());
}
