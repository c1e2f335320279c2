// The edges of a run as a user meets them through the binary: output folders with awkward names, a
// rerun into an existing run, absurd thread counts, a directory given as --config, an --out that is a
// file or read-only. Each is exit 0 with the figures, or exit 2 with a reason, never a crash, an
// "internal error" or a command run by a shell.
#include "core/atomic_file.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_cli_edges_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

struct Result {
    int code = -1;
    std::string err;
};

// Runs tdlab in `cwd` with argv given as separate words (each single-quoted for the test's own shell,
// which is not the code under test); figures on unless `figures` is false.
Result run_cli(const fs::path &cwd, const std::vector<std::string> &args, bool figures = false) {
    auto quote = [](const std::string &s) {
        std::string q = "'";
        for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q + "'";
    };
    const fs::path err = cwd / "stderr.txt";
    std::string cmd =
        "cd " + quote(cwd.string()) + " && TDLAB_QUIET=1 " + (figures ? "" : "TDLAB_NO_FIGURES=1 ") + quote(TDLAB_BIN);
    for (const auto &a : args) cmd += " " + quote(a);
    cmd += " >/dev/null 2>" + quote(err.string());
    const int rc = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.err = fs::exists(err) ? tdlab::read_file(err) : "";
    return r;
}

const std::vector<std::string> kQuick = {"--set", "dmft.steps=300", "--set", "dmft.transient=100"};

std::vector<std::string> dmft_run(const std::string &out, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"dmft", "run", "--out", out};
    a.insert(a.end(), kQuick.begin(), kQuick.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

} // namespace

// A relative --out broke gnuplot's log redirection after `cd` (exit 1, "Directory nonexistent"); a
// folder with an apostrophe failed; a crafted one ran `touch pwned` through the shell with exit 0.
TEST(CliEdges, AwkwardOutputFoldersWorkAndAreInert) {
    const fs::path base = scratch("names");
    for (const std::string out : {"rel/out", "runs/it's here", "x'; touch pwned; '", "caf\xc3\xa9 \xce\xb2"}) {
        const Result r = run_cli(base, dmft_run(out), /*figures=*/true);
        ASSERT_EQ(r.code, 0) << out << ": " << r.err;
        EXPECT_TRUE(fs::exists(base / out / "manifest.json")) << out;
        bool png = false;
        for (const auto &e : fs::directory_iterator(base / out)) png = png || e.path().extension() == ".png";
        EXPECT_TRUE(png) << out << ": no figure rendered: " << r.err;
        EXPECT_EQ(r.err.find("warning"), std::string::npos) << out << ": " << r.err;
    }
    EXPECT_FALSE(fs::exists(base / "pwned"));
    EXPECT_FALSE(fs::exists(base / "rel" / "pwned"));
}

// An existing run was replaced silently; now it takes --force.
TEST(CliEdges, RerunIntoAnExistingRunIsRefused) {
    const fs::path base = scratch("rerun");
    ASSERT_EQ(run_cli(base, dmft_run("out")).code, 0);
    tdlab::write_file_atomic(base / "out" / "my_notes.txt", "keep me\n");
    const Result r = run_cli(base, dmft_run("out"));
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
    EXPECT_EQ(tdlab::read_file(base / "out" / "my_notes.txt"), "keep me\n");
}

// libgomp segfaulted starting 100000 threads.
TEST(CliEdges, AbsurdThreadCountIsExit2) {
    const fs::path base = scratch("threads");
    const Result r = run_cli(base, dmft_run("out", {"--threads", "100000"}));
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(base / "out"));
}

// A mistyped command, a missing one and a mistyped option: exit 2 with the nearest names, not CLI11's bare
// "A subcommand is required" / "argument was not expected"; a misspelt config key names its neighbour.
TEST(CliEdges, MistypedCommandsOptionsAndKeysNameTheNearestOnes) {
    const fs::path base = scratch("mistyped");
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    for (const Case &c :
         {Case{{"dmft", "swep"}, "unknown command 'swep' after 'tdlab dmft'; did you mean 'sweep'?"},
          Case{{"brith", "train"}, "did you mean 'birth'?"}, Case{{"dmft"}, "'tdlab dmft' needs a command: run, sweep"},
          Case{{"dmft", "run", "--ouput", "out"}, "tdlab: error: The following arguments were not expected"},
          Case{{"dmft", "run", "--ouput", "out"}, "did you mean '--out'?"},
          Case{{"--verison"}, "unknown option '--verison' for 'tdlab' (its commands: dmft,"},
          Case{{"--verison"}, "did you mean '--version'?"},
          Case{{"reproduce", "dmf", "--out", "out"}, "unknown paper 'dmf'; did you mean 'dmft'?"},
          Case{dmft_run("out", {"--set", "dmft.bta=1"}), "did you mean 'dmft.beta'?"}}) {
        const Result r = run_cli(base, c.args);
        EXPECT_EQ(r.code, 2) << c.args[0] << " " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(base / "out"));
    }
}

// A directory given as --config was read as an empty file (every key at its default, exit 0).
TEST(CliEdges, ConfigThatIsADirectoryIsExit2) {
    const fs::path base = scratch("config_dir");
    fs::create_directories(base / "configs");
    const Result r = run_cli(base, dmft_run("out", {"--config", "configs"}));
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
}

TEST(CliEdges, OutThatIsAFileOrReadOnlyIsExit2) {
    const fs::path base = scratch("bad_out");
    tdlab::write_file_atomic(base / "afile", "x");
    Result r = run_cli(base, dmft_run("afile"));
    EXPECT_EQ(r.code, 2) << r.err;
    r = run_cli(base, dmft_run("afile/sub"));
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    // sysfs refuses new files even to root: a read-only place every Linux machine has.
    if (fs::is_directory("/sys/kernel")) {
        r = run_cli(base, dmft_run("/sys/tdlab_out"));
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_TRUE(r.err.find("Permission denied") != std::string::npos ||
                    r.err.find("Read-only file system") != std::string::npos)
            << r.err;
    }
    if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
    fs::create_directories(base / "ro");
    fs::permissions(base / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    r = run_cli(base, dmft_run("ro/out"));
    fs::permissions(base / "ro", fs::perms::owner_all);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

// Sizes nobody's machine holds ended in "internal error: std::bad_alloc" or the OOM killer, a
// continuation not past its checkpoint ran zero steps with exit 0, and an inverted sweep range was
// accepted. Each is now exit 2 naming the key, before any output exists.
TEST(CliEdges, ImpossibleSizesAndEmptyRunsAreRefusedUpFront) {
    const fs::path base = scratch("sizes");
    ASSERT_EQ(run_cli(base, dmft_run("first")).code, 0);
    struct Case {
        std::vector<std::string> args;
        std::string key; // named in the message
    };
    const std::vector<Case> cases = {
        {{"dmft", "run", "--set", "dmft.steps=1000000000000", "--out", "a"}, "dmft.steps"},
        {{"dmft", "sweep", "--set", "sweep.count=100000000", "--out", "b"}, "sweep.count"},
        {{"dmft", "phase", "--set", "phase.x_count=100000", "--set", "phase.y_count=100000", "--out", "c"},
         "phase.x_count"},
        {{"dmft", "sweep", "--set", "sweep.min=1.3", "--set", "sweep.max=1.2", "--set", "sweep.count=3", "--out", "d"},
         "sweep.min"},
        {{"scansnap", "train", "--set", "data.num_unique_per_next=100000", "--out", "e"}, "data.num_unique_per_next"},
        // The README's recipe: continue from a finished run's final context with the same dmft.steps.
        {dmft_run("f", {"--set", "dmft.start=first/final_context.yaml"}), "dmft.steps"},
    };
    for (const auto &c : cases) {
        std::string line;
        for (const auto &a : c.args) line += a + " ";
        const Result r = run_cli(base, c.args);
        EXPECT_EQ(r.code, 2) << line << ": " << r.err;
        EXPECT_NE(r.err.find(c.key), std::string::npos) << line << ": " << r.err;
        EXPECT_EQ(r.err.find("internal error"), std::string::npos) << line << ": " << r.err;
        const auto out = std::find(c.args.begin(), c.args.end(), "--out");
        ASSERT_NE(out, c.args.end());
        EXPECT_FALSE(fs::exists(base / *(out + 1))) << line;
    }
}
