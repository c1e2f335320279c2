// Starting external programs (gnuplot) without a shell: an argument vector, a working directory and a
// log file for stdout and stderr. No quoting is involved, so any legal path (spaces, quotes, UTF-8,
// relative) works and a crafted file name is never interpreted as a command.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tdlab {

// How a child process ended: exited with `exit_code` (>= 0), or was killed by `signal` (exit_code -1).
struct ProcessResult {
    int exit_code = -1;
    int signal = 0;
    bool ok() const { return exit_code == 0; }
    std::string describe() const; // "exit status 3", "killed by signal 9 (Killed)"
};

// The first executable `program` on $PATH (or `program` itself if it contains a '/'); nullopt if none.
std::optional<std::filesystem::path> find_program(const std::string &program);

// Runs argv[0] (looked up on $PATH) with the arguments argv[1..] in `cwd` (empty: the current
// directory), stdin from /dev/null, stdout and stderr appended to `log` (empty: inherited), and waits
// for it. Throws RuntimeError naming the program and the reason (strerror) if it cannot be started.
ProcessResult run_process(const std::vector<std::string> &argv, const std::filesystem::path &cwd = {},
                          const std::filesystem::path &log = {});

// The same in two halves, so that several programs run side by side: start_process returns once the
// child is started. With `input`, the child's standard input is those bytes (then end of file) instead
// of /dev/null; they are put in a pipe before the child starts, so nothing blocks and no SIGPIPE can
// reach this process, and an input larger than a pipe holds (64 KiB at least) is refused with
// RuntimeError before anything starts.
struct StartedProcess {
    int pid = -1;
    std::string program; // argv[0], for messages
};
// `env` entries ("NAME=value") are added to this process's environment for the child (replacing a
// variable of the same name).
StartedProcess start_process(const std::vector<std::string> &argv, const std::filesystem::path &cwd = {},
                             const std::filesystem::path &log = {}, const std::string *input = nullptr,
                             const std::vector<std::string> &env = {});
ProcessResult wait_process(const StartedProcess &p);

} // namespace tdlab
