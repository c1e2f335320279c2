// External programs start without a shell: any legal path works (relative, spaces, quotes, UTF-8) and
// a crafted name is inert. gnuplot figures go through it; a figure gnuplot cannot render is a warning
// that keeps the data, not a failed run.
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/process.h"
#include "core/warnings.h"
#include "plot/gnuplot.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {

fs::path scratch(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_process_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// Runs `f` with the current directory set to `dir` (restored afterwards).
template <typename F> void inside(const fs::path &dir, F &&f) {
    const fs::path before = fs::current_path();
    fs::current_path(dir);
    try {
        f();
    } catch (...) {
        fs::current_path(before);
        throw;
    }
    fs::current_path(before);
}

const char *kNames[] = {"it's here", "with space", "x'; touch pwned; '", "caf\xc3\xa9 \xce\xb2=1.27", "$(touch pwned)"};

} // namespace

TEST(Process, FindsProgramsOnPath) {
    const auto sh = find_program("sh");
    ASSERT_TRUE(sh.has_value());
    EXPECT_TRUE(fs::exists(*sh));
    EXPECT_FALSE(find_program("tdlab-no-such-program-xyz").has_value());
    EXPECT_FALSE(find_program("").has_value());
}

TEST(Process, ArgumentsAndPathsAreNeverParsedByAShell) {
    const fs::path base = scratch("args");
    inside(base, [&] {
        for (const char *name : kNames) {
            fs::create_directories(name);
            // Relative working directory and log path, an argument full of shell syntax.
            const ProcessResult r = run_process({"printf", "%s", name}, name, fs::path(name) / "out.log");
            EXPECT_TRUE(r.ok()) << name << ": " << r.describe();
            EXPECT_EQ(read_file(fs::path(name) / "out.log"), name);
        }
        EXPECT_FALSE(fs::exists("pwned"));
    });
    EXPECT_EQ(run_process({"sh", "-c", "exit 3"}).exit_code, 3);
    EXPECT_THROW(run_process({"tdlab-no-such-program-xyz"}), RuntimeError);
    EXPECT_THROW(run_process({"true"}, base / "missing-dir"), RuntimeError);
}

// A relative output folder broke the log redirection after `cd` ("Directory nonexistent"); a folder
// named with an apostrophe failed; a crafted folder name ran `touch pwned`.
TEST(Process, FiguresRenderInAnyFolder) {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
    ::unsetenv("TDLAB_NO_FIGURES");
    const fs::path base = scratch("figures");
    inside(base, [&] {
        for (const char *name : kNames) {
            const fs::path dir = fs::path("runs") / name / "dmft";
            write_file_atomic(dir / "line.dat", "# x y\n0 0\n1 1\n");
            const size_t warnings = recorded_warnings().size();
            render_figure(dir, "line", "plot 'line.dat' using 1:2 with lines notitle\n", {200, 150});
            EXPECT_EQ(recorded_warnings().size(), warnings) << name << ": " << recorded_warnings().back();
            EXPECT_TRUE(fs::exists(dir / "line.png")) << name;
            EXPECT_TRUE(fs::exists(dir / "line.svg")) << name;
            EXPECT_FALSE(fs::exists(dir / "line.gnuplot.log")) << name;
        }
        EXPECT_FALSE(fs::exists("pwned"));
    });
}

TEST(Process, FigureFailureIsAWarningThatKeepsTheData) {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
    ::unsetenv("TDLAB_NO_FIGURES");
    const fs::path dir = scratch("figure_fails");
    write_file_atomic(dir / "data.dat", "0 0\n");
    const size_t before = recorded_warnings().size();
    EXPECT_NO_THROW(render_figure(dir, "broken", "plot 'no-such-file.dat' using 1:2\n"));
    const auto w = recorded_warnings();
    ASSERT_EQ(w.size(), before + 1);
    EXPECT_NE(w.back().find("'broken'"), std::string::npos) << w.back();
    EXPECT_NE(w.back().find("no-such-file.dat"), std::string::npos) << w.back();
    EXPECT_TRUE(fs::exists(dir / "data.dat"));
    EXPECT_TRUE(fs::exists(dir / "broken.gp"));
    EXPECT_TRUE(fs::exists(dir / "broken.gnuplot.log"));
}

// start_process runs programs side by side; `input` becomes the child's whole standard input (from a
// pipe filled before the child starts), and an input no pipe can hold is refused before anything runs.
TEST(Process, StartedProcessesReadTheirInputAndRunSideBySide) {
    const fs::path dir = scratch("stdin");
    const std::string a = "first\nline two\n", b(5000, 'x');
    const StartedProcess pa = start_process({"cat"}, dir, dir / "a.log", &a);
    const StartedProcess pb = start_process({"wc", "-c"}, dir, dir / "b.log", &b);
    const StartedProcess pc = start_process({"cat"}, dir, dir / "c.log"); // no input: /dev/null
    EXPECT_TRUE(wait_process(pb).ok());
    EXPECT_TRUE(wait_process(pa).ok());
    EXPECT_TRUE(wait_process(pc).ok());
    EXPECT_EQ(read_file(dir / "a.log"), a);
    EXPECT_EQ(read_file(dir / "b.log"), "5000\n");
    EXPECT_EQ(read_file(dir / "c.log"), "");
    // Variables added for the child, one replacing ours of the same name; ours unchanged.
    ::setenv("TDLAB_TEST_REPLACED", "ours", 1);
    const StartedProcess pe = start_process({"printenv", "TDLAB_TEST_ADDED", "TDLAB_TEST_REPLACED"}, dir, dir / "e.log",
                                            nullptr, {"TDLAB_TEST_ADDED=a b", "TDLAB_TEST_REPLACED=child"});
    EXPECT_TRUE(wait_process(pe).ok());
    EXPECT_EQ(read_file(dir / "e.log"), "a b\nchild\n");
    EXPECT_STREQ(std::getenv("TDLAB_TEST_REPLACED"), "ours");
    const std::string huge(size_t(64) << 20, 'y'); // beyond any default pipe size
    EXPECT_THROW(start_process({"cat"}, dir, dir / "d.log", &huge), RuntimeError);
    EXPECT_FALSE(fs::exists(dir / "d.log"));
}

// A figure's PNG and SVG are rendered by two gnuplot processes, each given its half of NAME.gp: the
// files must be those of `gnuplot NAME.gp` itself (what a user reruns).
TEST(Process, FigureHalvesGiveTheFilesOfTheWholeScript) {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
    ::unsetenv("TDLAB_NO_FIGURES");
    const fs::path dir = scratch("halves");
    write_file_atomic(dir / "line.dat", "# x y\n0 0\n1 1\n2 0.5\n");
    render_figure(dir, "line", "set title 'm^o_1 over {/Symbol b}'\nplot 'line.dat' using 1:2 with lines title 'a'\n",
                  {300, 200});
    const std::string png = read_file(dir / "line.png"), svg = read_file(dir / "line.svg");
    fs::remove(dir / "line.png");
    fs::remove(dir / "line.svg");
    ASSERT_TRUE(run_process({"gnuplot", "line.gp"}, dir).ok());
    EXPECT_EQ(read_file(dir / "line.png"), png);
    EXPECT_EQ(read_file(dir / "line.svg"), svg);
}
