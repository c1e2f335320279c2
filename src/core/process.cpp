#include "core/process.h"

#include "core/error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
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

ProcessResult run_process(const std::vector<std::string> &argv, const fs::path &cwd, const fs::path &log) {
    if (argv.empty()) throw std::logic_error("run_process: empty argument vector");
    const auto program = find_program(argv[0]);
    if (!program) throw RuntimeError("cannot run '" + argv[0] + "': not found on PATH");
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    // The log path is made absolute before the child changes directory, so a relative one still works.
    const std::string log_abs = log.empty() ? "" : fs::absolute(log).string();
    const std::string cwd_abs = cwd.empty() ? "" : fs::absolute(cwd).string();

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!log_abs.empty()) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_abs.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    if (!cwd_abs.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd_abs.c_str());
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, program->c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw RuntimeError("cannot run '" + argv[0] + "'" + (cwd_abs.empty() ? "" : " in '" + cwd_abs + "'") + ": " +
                           std::strerror(rc));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw RuntimeError("waiting for '" + argv[0] + "': " + std::strerror(errno));
    }
    ProcessResult r;
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    }
    return r;
}

} // namespace tdlab
