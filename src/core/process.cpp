#include "core/process.h"

#include "core/error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace tdlab {

namespace fs = std::filesystem;

std::string ProcessResult::describe() const {
    if (exit_code >= 0) return "exit status " + std::to_string(exit_code);
    return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

std::optional<fs::path> find_program(const std::string &program) {
    if (program.empty()) return std::nullopt;
    if (program.find('/') != std::string::npos) {
        if (::access(program.c_str(), X_OK) == 0) return fs::path(program);
        return std::nullopt;
    }
    const char *env = std::getenv("PATH");
    // POSIX: an unset PATH means an implementation-defined default; an empty entry means ".".
    const std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t colon = path.find(':', start);
        if (colon == std::string::npos) colon = path.size();
        const std::string dir = path.substr(start, colon - start);
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = colon + 1;
    }
    return std::nullopt;
}

namespace {
// A pipe (both ends close-on-exec) already holding `input`, its write end closed; returns the read end.
int pipe_holding(const std::string &input, const std::string &program) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw RuntimeError("cannot run '" + program + "': pipe: " + std::strerror(errno));
    const int capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
    if (capacity < 0 || input.size() > size_t(capacity)) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw RuntimeError("cannot run '" + program + "': its input (" + std::to_string(input.size()) +
                           " bytes) does not fit a pipe");
    }
    size_t done = 0;
    while (done < input.size()) {
        const ssize_t n = ::write(fds[1], input.data() + done, input.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fds[0]);
            ::close(fds[1]);
            throw RuntimeError("cannot run '" + program + "': writing its input: " + std::strerror(err));
        }
        done += size_t(n);
    }
    ::close(fds[1]);
    return fds[0];
}
} // namespace

StartedProcess start_process(const std::vector<std::string> &argv, const fs::path &cwd, const fs::path &log,
                             const std::string *input, const std::vector<std::string> &env) {
    if (argv.empty()) throw std::logic_error("start_process: empty argument vector");
    const auto program = find_program(argv[0]);
    if (!program) throw RuntimeError("cannot run '" + argv[0] + "': not found on PATH");
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    // The log path is made absolute before the child changes directory, so a relative one still works.
    const std::string log_abs = log.empty() ? "" : fs::absolute(log).string();
    const std::string cwd_abs = cwd.empty() ? "" : fs::absolute(cwd).string();
    // The child's environment: ours, with `env` added (an entry replaces one of the same name).
    std::vector<char *> envp;
    for (char **e = environ; *e; ++e) {
        const std::string_view var(*e);
        bool replaced = false;
        for (const auto &x : env)
            replaced = replaced || var.substr(0, var.find('=') + 1) == x.substr(0, x.find('=') + 1);
        if (!replaced) envp.push_back(*e);
    }
    for (const auto &x : env) envp.push_back(const_cast<char *>(x.c_str()));
    envp.push_back(nullptr);
    const int in = input ? pipe_holding(*input, argv[0]) : -1;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in >= 0)
        posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!log_abs.empty()) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_abs.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    if (!cwd_abs.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd_abs.c_str());
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, program->c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (in >= 0) ::close(in);
    if (rc != 0) {
        throw RuntimeError("cannot run '" + argv[0] + "'" + (cwd_abs.empty() ? "" : " in '" + cwd_abs + "'") + ": " +
                           std::strerror(rc));
    }
    return {int(pid), argv[0]};
}

ProcessResult wait_process(const StartedProcess &p) {
    int status = 0;
    while (::waitpid(pid_t(p.pid), &status, 0) < 0) {
        if (errno != EINTR) throw RuntimeError("waiting for '" + p.program + "': " + std::strerror(errno));
    }
    ProcessResult r;
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    }
    return r;
}

ProcessResult run_process(const std::vector<std::string> &argv, const fs::path &cwd, const fs::path &log) {
    return wait_process(start_process(argv, cwd, log));
}

} // namespace tdlab
