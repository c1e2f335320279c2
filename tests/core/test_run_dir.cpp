// The run directory policy: staging and commit, refusal of an existing or foreign --out, a forced
// replace that keeps the user's files, rollback on an exception, the lock against a second writer,
// removal of stale staging directories, manifest times and warnings, and cleanup on SIGINT.
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "core/interrupt_cleanup.h"
#include "core/isa.h"
#include "core/run_dir.h"
#include "core/warnings.h"

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {

fs::path scratch(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_run_dir_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

Config config() {
    ConfigSchema s;
    s.add_int("seed", 1, 0, 100, "seed");
    return Config::defaults(s);
}

void make_run(const fs::path &out, const std::string &file, const std::string &text, RunDirPolicy policy = {}) {
    RunDir run(out, "test", config(), policy);
    write_file_atomic(run.path(file), text);
    run.commit();
}

nlohmann::json manifest(const fs::path &out) {
    return nlohmann::json::parse(read_file(out / "manifest.json"));
}

std::string usage_error(const std::function<void()> &f) {
    try {
        f();
    } catch (const UsageError &e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(RunDir, StagesBesideOutAndCommitsInPlace) {
    const fs::path out = scratch("stage") / "run";
    RunDir run(out, "test", config());
    EXPECT_EQ(run.path("a.txt").parent_path().filename().string(), "run.partial-" + std::to_string(::getpid()));
    write_file_atomic(run.path("a.txt"), "alpha\n");
    EXPECT_FALSE(fs::exists(out));
    run.commit();
    EXPECT_EQ(read_file(out / "a.txt"), "alpha\n");
    EXPECT_FALSE(fs::exists(run.path("")));
    EXPECT_EQ(manifest(out)["files"], (nlohmann::json{"a.txt", "config.yaml"}));
    EXPECT_FALSE(fs::exists(out.string() + ".lock")) << "the lock file is removed with the lock";
}

// An existing run was replaced silently, user files included.
TEST(RunDir, ExistingRunIsRefusedUnlessForced) {
    const fs::path out = scratch("refuse") / "run";
    make_run(out, "a.txt", "first\n");
    const std::string msg = usage_error([&] { RunDir again(out, "test", config()); });
    EXPECT_NE(msg.find("--force"), std::string::npos) << msg;
    EXPECT_EQ(read_file(out / "a.txt"), "first\n");
    EXPECT_NE(usage_error([&] { check_output_dir(out); }), "");
    EXPECT_EQ(usage_error([&] { check_output_dir(out, true); }), "");
}

TEST(RunDir, ForeignDirectoryIsRefusedEvenWhenForced) {
    const fs::path out = scratch("foreign") / "mine";
    fs::create_directories(out);
    write_file_atomic(out / "thesis.tex", "precious\n");
    EXPECT_NE(usage_error([&] { RunDir run(out, "test", config(), RunDirPolicy{true}); }).find("no manifest.json"),
              std::string::npos);
    EXPECT_EQ(read_file(out / "thesis.tex"), "precious\n");
    // An empty directory is fine without forcing.
    const fs::path empty = scratch("foreign") / "empty";
    fs::create_directories(empty);
    make_run(empty, "a.txt", "x");
    EXPECT_TRUE(fs::exists(empty / "manifest.json"));
}

TEST(RunDir, ForcedReplaceKeepsFilesTdlabDidNotWrite) {
    const fs::path out = scratch("force") / "run";
    make_run(out, "a.txt", "old\n");
    write_file_atomic(out / "notes.md", "my notes\n");
    fs::create_directories(out / "my_plots");
    write_file_atomic(out / "my_plots" / "p.txt", "plot\n");
    make_run(out, "b.txt", "new\n", RunDirPolicy{true});
    EXPECT_FALSE(fs::exists(out / "a.txt")) << "the previous run's own files are replaced";
    EXPECT_EQ(read_file(out / "b.txt"), "new\n");
    EXPECT_EQ(read_file(out / "notes.md"), "my notes\n");
    EXPECT_EQ(read_file(out / "my_plots" / "p.txt"), "plot\n");
    const auto m = manifest(out);
    EXPECT_EQ(m["files"], (nlohmann::json{"b.txt", "config.yaml"}));
    EXPECT_EQ(m["kept_files"], (nlohmann::json{"my_plots", "notes.md"}));
    for (const auto &e : fs::directory_iterator(out.parent_path()))
        EXPECT_EQ(e.path().filename().string(), "run") << "left behind: " << e.path();
}

TEST(RunDir, ForeignFileWithTheNameOfANewOutputRefusesTheCommit) {
    const fs::path out = scratch("clash") / "run";
    make_run(out, "a.txt", "old\n");
    write_file_atomic(out / "b.txt", "user's b\n");
    EXPECT_NE(usage_error([&] { make_run(out, "b.txt", "new\n", RunDirPolicy{true}); }).find("b.txt"),
              std::string::npos);
    EXPECT_EQ(read_file(out / "b.txt"), "user's b\n");
    EXPECT_EQ(read_file(out / "a.txt"), "old\n");
}

TEST(RunDir, ExceptionRollsBackAndKeepsThePreviousRun) {
    const fs::path out = scratch("rollback") / "run";
    make_run(out, "a.txt", "old\n");
    try {
        RunDir run(out, "test", config(), RunDirPolicy{true});
        write_file_atomic(run.path("b.txt"), "half");
        throw RuntimeError("NaN in a state");
    } catch (const RuntimeError &) {
    }
    EXPECT_EQ(read_file(out / "a.txt"), "old\n");
    EXPECT_FALSE(fs::exists(out / "b.txt"));
    EXPECT_FALSE(fs::exists(out.string() + ".partial-" + std::to_string(::getpid())));
}

// Two runs into the same --out: the second fails at once, naming the first one's pid.
TEST(RunDir, SecondWriterIsRefusedNamingTheHolder) {
    const fs::path out = scratch("lock") / "run";
    RunDir first(out, "test", config());
    const std::string msg = usage_error([&] { RunDir second(out, "test", config()); });
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
    first.commit();
    make_run(out.parent_path() / "other", "x", "y"); // other directories are not affected
}

TEST(RunDir, StaleStagingOfDeadProcessesIsRemoved) {
    const fs::path base = scratch("stale");
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0); // `child` is now a pid no process has
    const fs::path dead = base / ("run.partial-" + std::to_string(child));
    const fs::path alive = base / ("run.partial-" + std::to_string(::getppid()));
    fs::create_directories(dead);
    fs::create_directories(alive);
    write_file_atomic(dead / "junk", "x");
    make_run(base / "run", "a.txt", "x");
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_TRUE(fs::exists(alive)) << "a live process's staging directory is left alone";
}

// manifest times cover the computation: the start is when the command started, not when the RunDir
// was created after the work.
TEST(RunDir, ManifestTimesCoverTheComputation) {
    const fs::path out = scratch("times") / "run";
    RunDir run(out, "test", config());
    const auto start = std::chrono::system_clock::now() - std::chrono::hours(2);
    run.set_start_time(start);
    run.commit();
    const auto m = manifest(out);
    EXPECT_GE(m["wall_seconds"].get<double>(), 7200.0);
    EXPECT_LT(m["wall_seconds"].get<double>(), 7200.0 + 3600.0);
    EXPECT_LT(m["start_time"].get<std::string>(), m["end_time"].get<std::string>());
}

TEST(RunDir, WarningsGoIntoTheManifest) {
    const fs::path out = scratch("warn") / "run";
    warn("before the run: not listed");
    RunDir run(out, "test", config());
    warn("figure 'x' was not rendered");
    run.commit();
    EXPECT_EQ(manifest(out)["warnings"], (nlohmann::json{"figure 'x' was not rendered"}));
}

// Which clones of tdlab's kernels ran (for timings and provenance; they give the same bits at every level): the
// level of this CPU and build, and the note when a TDLAB_AVX512=OFF build leaves the CPU's AVX-512 unused (a new
// user's trial found runs of the two builds told apart by the binary's path only).
TEST(RunDir, ManifestRecordsTheVectorIsaOfTheKernels) {
    const fs::path out = scratch("isa") / "run";
    RunDir run(out, "test", config());
    run.commit();
    const std::string isa = manifest(out).value("vector_isa", std::string("(missing)"));
    std::printf("vector_isa: %s; build allows AVX-512: %d\n", isa.c_str(), int(kAvx512Allowed));
    EXPECT_EQ(isa, vector_isa());
#if defined(__x86_64__)
    __builtin_cpu_init();
    const bool v4 = __builtin_cpu_supports("x86-64-v4"), v3 = __builtin_cpu_supports("x86-64-v3");
    const bool f = __builtin_cpu_supports("avx512f");
    EXPECT_EQ(isa.rfind("AVX-512", 0) == 0, v4 && kAvx512Allowed);
    EXPECT_EQ(isa.rfind("AVX2", 0) == 0, v3 && !(v4 && kAvx512Allowed));
    EXPECT_EQ(isa.find("TDLAB_AVX512=OFF") != std::string::npos, f && !kAvx512Allowed);
    EXPECT_EQ(isa.find("AVX-512F paths") != std::string::npos, f && !v4 && kAvx512Allowed);
#endif
}

TEST(RunDir, OutThatCannotBeAnOutputIsAUsageError) {
    const fs::path base = scratch("bad_out");
    write_file_atomic(base / "file", "x");
    EXPECT_NE(usage_error([&] { check_output_dir(base / "file"); }).find("not a directory"), std::string::npos);
    EXPECT_NE(usage_error([&] { check_output_dir(base / "file" / "sub"); }).find("not a directory"), std::string::npos);
    EXPECT_NE(usage_error([&] { check_output_dir(""); }), "");
    if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
    fs::create_directories(base / "ro");
    fs::permissions(base / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    const std::string msg = usage_error([&] { RunDir run(base / "ro" / "run", "test", config()); });
    fs::permissions(base / "ro", fs::perms::owner_all);
    EXPECT_NE(msg.find("Permission denied"), std::string::npos) << msg;
}

// Ctrl-C: the staging directory goes, the exit status is 130 (143 for SIGTERM), no run appears.
TEST(RunDir, InterruptRemovesTheStagingDirectory) {
    for (int sig : {SIGINT, SIGTERM}) {
        const fs::path out = scratch("signal" + std::to_string(sig)) / "run";
        int ready[2];
        ASSERT_EQ(::pipe(ready), 0);
        const fs::path err = out.parent_path() / "stderr.txt", kept = out.parent_path() / "kept.npz";
        write_file_atomic(kept, "x");
        const pid_t child = ::fork();
        if (child == 0) {
            const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || ::dup2(fd, 2) < 0) ::_exit(98);
            register_interrupt_notice(kept, "kept the checkpoint 'K'");
            register_interrupt_notice(out.parent_path() / "absent.npz", "never said");
            RunDir run(out, "test", config());
            write_file_atomic(run.path("a.txt"), "working");
            const char c = 'r';
            if (::write(ready[1], &c, 1) != 1) ::_exit(99);
            for (;;) ::pause();
        }
        char c = 0;
        ASSERT_EQ(::read(ready[0], &c, 1), 1);
        const fs::path staging = out.string() + ".partial-" + std::to_string(child);
        EXPECT_TRUE(fs::exists(staging / "a.txt"));
        ::kill(child, sig);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(ready[0]);
        ::close(ready[1]);
        ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of cleaning up";
        EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
        EXPECT_FALSE(fs::exists(staging));
        EXPECT_FALSE(fs::exists(out));
        // the staging directory is announced, the lock file is not (announce = false), and a notice only when
        // its file exists (a saved checkpoint)
        const std::string said = read_file(err);
        EXPECT_NE(said.find("removed the unfinished '" + staging.string() + "'"), std::string::npos) << said;
        EXPECT_EQ(said.find(".lock"), std::string::npos) << said;
        EXPECT_NE(said.find("tdlab: kept the checkpoint 'K'"), std::string::npos) << said;
        EXPECT_EQ(said.find("never said"), std::string::npos) << said;
    }
}
