// `tdlab dmft run` end to end: outputs, determinism (same config and seed -> same bytes, any thread
// count) and bad input (clear message naming the key or file, exit 2, no half-written run directory).
#include "core/atomic_file.h"
#include "core/npy.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

fs::path scratch() {
    fs::path d = fs::temp_directory_path() / ("tdlab_cli_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

struct Result {
    int code;
    std::string err;
};

Result run_tdlab(const std::string &args) {
    fs::path err = scratch() / "stderr.txt";
    std::string cmd =
        "TDLAB_NO_FIGURES=1 " + std::string(TDLAB_BIN) + " " + args + " 2>" + err.string() + " >/dev/null";
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, tdlab::read_file(err)};
}

bool leftovers(const fs::path &dir) {
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
    }
    return false;
}

} // namespace

TEST(DmftCli, RunWritesTheDocumentedFiles) {
    fs::path out = scratch() / "run";
    Result r = run_tdlab("dmft run --out " + out.string() + " --set dmft.steps=2000 --set dmft.transient=1000");
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char *f : {"mo_se.npy", "mo.npy", "mv.npy", "mq.npy", "mk.npy", "att.npy", "config.yaml",
                          "manifest.json", "final_context.yaml", "mo1_time.gp", "plane.gp"}) {
        EXPECT_TRUE(fs::exists(out / f)) << f;
    }
    tdlab::NpyArray a = tdlab::read_npy(out / "mo_se.npy");
    EXPECT_EQ(a.dtype, "<f8");
    EXPECT_EQ(a.shape, (std::vector<size_t>{1000, 3}));
    // The saved context continues the run: restarting from it for 4 more steps reproduces the tail.
    fs::path cont = scratch() / "cont";
    r = run_tdlab("dmft run --out " + cont.string() + " --set dmft.start=" + (out / "final_context.yaml").string() +
                  " --set dmft.steps=2004 --set dmft.transient=2000");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(tdlab::read_npy(cont / "mo_se.npy").shape, (std::vector<size_t>{4, 3}));
}

// A user-given weights file: the run's own weights.npy fed back gives the same trajectory as the
// generator; i.i.d. weights and another M, N_P run too.
TEST(DmftCli, WeightsFileAndGeneralModels) {
    fs::path gen = scratch() / "gen", file = scratch() / "file";
    const std::string common = " --set dmft.steps=3000 --set dmft.transient=2000 --set dmft.start=cold";
    ASSERT_EQ(run_tdlab("dmft run --out " + gen.string() + common).code, 0);
    Result r =
        run_tdlab("dmft run --out " + file.string() + common + " --set dmft.weights=" + (gen / "weights.npy").string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(tdlab::read_file(gen / "mo_se.npy"), tdlab::read_file(file / "mo_se.npy"));
    fs::path iid = scratch() / "iid";
    r = run_tdlab("dmft run --out " + iid.string() + common +
                  " --set dmft.weights=iid --set dmft.M=5 --set dmft.NP=3 --set dmft.L=8 --set dmft.N=400");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(tdlab::read_npy(iid / "att.npy").shape, (std::vector<size_t>{1000, 5}));
    EXPECT_EQ(tdlab::read_npy(iid / "weights.npy").shape, (std::vector<size_t>{4, 5, 403}));
}

TEST(DmftCli, SameConfigSameBytesForAnyThreadCount) {
    fs::path a = scratch() / "det_a", b = scratch() / "det_b";
    const std::string common =
        " --set dmft.start=cold --set dmft.beta=1.28 --set dmft.steps=30000 --set dmft.transient=25000";
    ASSERT_EQ(run_tdlab("dmft run --threads 1 --out " + a.string() + common).code, 0);
    ASSERT_EQ(run_tdlab("dmft run --threads 2 --out " + b.string() + common).code, 0);
    for (const char *f : {"mo_se.npy", "mo.npy", "att.npy", "final_context.yaml", "config.yaml"}) {
        EXPECT_EQ(tdlab::read_file(a / f), tdlab::read_file(b / f)) << f;
    }
}

struct BadCase {
    const char *name;
    std::string args;
    std::string must_mention;
};

TEST(DmftCli, BadInputIsAClearErrorWithNoOutput) {
    fs::path dir = scratch();
    tdlab::write_file_atomic(dir / "malformed.yaml", "dmft:\n  beta: [1.2,\n");
    tdlab::write_file_atomic(dir / "truncated.yaml",
                             "t: 3\nM: 3\nL: 4\natt: [0.1, 0.2, 0.3]\nmq: [0.1, 0.2, 0.3]\nmv:\n  - [0.1, 0.2, 0.3]\n");
    tdlab::write_file_atomic(dir / "nan.yaml",
                             "t: 3\natt: [0.1, .nan, 0.3]\nmq: [0, 0, 0]\nmv: [[0,0,0],[0,0,0],[0,0,0],[0,0,0]]\n"
                             "mk: [[0,0,0],[0,0,0],[0,0,0],[0,0,0]]\n");
    const std::vector<BadCase> cases = {
        {"malformed yaml", "--config " + (dir / "malformed.yaml").string(), "malformed YAML"},
        {"unknown key", "--set dmft.bta=1", "'dmft.bta'"},
        {"negative beta", "--set dmft.beta=-0.5", "'dmft.beta'"},
        {"M out of range", "--set dmft.M=40", "'dmft.M'"},
        {"M too large for the correlation form", "--set dmft.M=14 --set dmft.weights=iid", "'dmft.M'"},
        {"L not 2^NP", "--set dmft.L=5", "'dmft.L'"},
        {"missing checkpoint", "--set dmft.start=" + (dir / "nope.yaml").string(), "nope.yaml"},
        {"truncated checkpoint", "--set dmft.start=" + (dir / "truncated.yaml").string(), "'mv'"},
        {"NaN in the state", "--set dmft.start=" + (dir / "nan.yaml").string(), "non-finite"},
        {"transient >= steps", "--set dmft.transient=500 --set dmft.steps=500", "'dmft.transient'"},
        {"missing weights file", "--set dmft.weights=" + (dir / "w.npy").string(), "w.npy"},
    };
    for (const auto &c : cases) {
        fs::path out = dir / "bad_out";
        Result r = run_tdlab("dmft run --out " + out.string() + " " + c.args);
        EXPECT_EQ(r.code, 2) << c.name << ": " << r.err;
        EXPECT_NE(r.err.find(c.must_mention), std::string::npos) << c.name << ": message was: " << r.err;
        EXPECT_FALSE(fs::exists(out)) << c.name << ": output directory was created";
        EXPECT_FALSE(leftovers(dir)) << c.name << ": staging directory left behind";
    }
}
