// Shared by the tests that drive the `tdlab` binary (TDLAB_BIN): a scratch folder per test process and a
// quiet run that returns the exit code.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace tdlab_test {

// <tmp>/tdlab_test_<suite>_<pid>/<name>, with its parent created.
inline std::filesystem::path scratch_path(const std::string &suite, const std::string &name) {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("tdlab_test_" + suite + "_" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(d.parent_path());
    return d;
}

// Runs `[env] tdlab args` without progress or figures, output discarded; the exit code (-1 if killed).
inline int run_tdlab(const std::string &args, const std::string &env = "") {
    const std::string cmd =
        "TDLAB_QUIET=1 TDLAB_NO_FIGURES=1 " + env + " " + std::string(TDLAB_BIN) + " " + args + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace tdlab_test
