#include "core/interrupt_cleanup.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <new>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace tdlab {

namespace fs = std::filesystem;

namespace {

std::mutex g_mu;
std::map<int, std::pair<fs::path, bool>> g_paths;
std::map<int, std::pair<fs::path, std::string>> g_notices;
int g_next_id = 1;
int g_pipe[2] = {-1, -1};
bool g_installed = false;
bool g_host_owns_signals = false;

void on_signal(int sig) {
    const unsigned char b = static_cast<unsigned char>(sig);
    if (::write(g_pipe[1], &b, 1) < 0) {
        // Nothing safe to do here; the default action is restored below so a second signal still works.
    }
    std::signal(sig, SIG_DFL);
}

void cleaner(int fd) {
    unsigned char sig = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &sig, 1);
        if (n == 1) break;
        if (n == 0 || errno != EINTR) return;
    }
    std::lock_guard<std::mutex> lock(g_mu);
    for (const auto &[id, entry] : g_paths) {
        const auto &[path, announce] = entry;
        std::error_code ec;
        // Worker threads may still be writing into the directory: retry until it is gone.
        for (int attempt = 0; attempt < 20 && fs::exists(path, ec); ++attempt) fs::remove_all(path, ec);
        if (announce)
            std::fprintf(stderr, "tdlab: interrupted (%s); removed the unfinished '%s'\n", ::strsignal(sig),
                         path.c_str());
    }
    for (const auto &[id, notice] : g_notices) {
        std::error_code ec;
        if (fs::exists(notice.first, ec)) std::fprintf(stderr, "tdlab: %s\n", notice.second.c_str());
    }
    std::fflush(stderr);
    ::_exit(128 + sig);
}

// A forked child has no cleaner thread and must not remove its parent's directories: it starts over
// (its own RunDir installs a fresh pipe and thread). posix_spawn does not run these handlers.
void after_fork_in_child() {
    new (&g_mu) std::mutex();
    g_paths.clear();
    g_notices.clear();
    if (g_installed) {
        ::close(g_pipe[0]);
        ::close(g_pipe[1]);
    }
    g_installed = false;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

// Called with g_mu held.
void install() {
    static bool atfork = false;
    if (!atfork) ::pthread_atfork(nullptr, nullptr, after_fork_in_child);
    atfork = true;
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
    g_installed = true;
    std::thread(cleaner, g_pipe[0]).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

} // namespace

int register_interrupt_cleanup(const fs::path &path, bool announce) {
    std::lock_guard<std::mutex> lock(g_mu);
    if (!g_installed && !g_host_owns_signals) install();
    const int id = g_next_id++;
    g_paths[id] = {path, announce};
    return id;
}

int register_interrupt_notice(const fs::path &if_exists, const std::string &line) {
    std::lock_guard<std::mutex> lock(g_mu);
    const int id = g_next_id++;
    g_notices[id] = {if_exists, line};
    return id;
}

void leave_signals_to_host() {
    std::lock_guard<std::mutex> lock(g_mu);
    g_host_owns_signals = true;
}

void unregister_interrupt_cleanup(int id) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_paths.erase(id);
    g_notices.erase(id);
}

std::unique_lock<std::mutex> hold_interrupt_cleanup() {
    return std::unique_lock<std::mutex>(g_mu);
}

} // namespace tdlab
