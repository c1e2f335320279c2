// Shared by the tests that drive the `tdlab` binary (TDLAB_BIN): a scratch folder per test process and a
// quiet run that returns the exit code.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace tdlab_test {

// <tmp>/tdlab_test_<suite>_<pid>/<name>, with its parent created. The first call for a suite in this
// process empties that folder: ctest runs every case in a process of its own, pids wrap (pid_max is often
// 32768) and an earlier process with the same pid leaves its outputs there, which made a run into an
// existing --out fail with exit 2 (seen as a flaky RunDimensions case).
inline std::filesystem::path scratch_path(const std::string &suite, const std::string &name) {
    static std::set<std::string> emptied;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("tdlab_test_" + suite + "_" + std::to_string(::getpid()));
    if (emptied.insert(suite).second) std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir / name;
}

// Runs `[env] tdlab args` without progress or figures, output discarded; the exit code (-1 if killed).
inline int run_tdlab(const std::string &args, const std::string &env = "") {
    const std::string cmd =
        "TDLAB_QUIET=1 TDLAB_NO_FIGURES=1 " + env + " " + std::string(TDLAB_BIN) + " " + args + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace tdlab_test
