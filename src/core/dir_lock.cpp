#include "core/dir_lock.h"

#include "core/error.h"
#include "core/interrupt_cleanup.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tdlab {

namespace fs = std::filesystem;

namespace {

std::string holder_of(const fs::path &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "unknown";
    char buf[32] = {0};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    std::string s = n > 0 ? std::string(buf, size_t(n)) : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "unknown" : s;
}

} // namespace

DirLock::DirLock(const fs::path &target, const std::string &what) {
    fs::path t = fs::absolute(target).lexically_normal();
    if (!t.has_filename()) t = t.parent_path();
    path_ = t;
    path_ += ".lock";
    std::error_code ec;
    fs::create_directories(path_.parent_path(), ec); // a new --out may be several levels deep
    // Retry while the file we locked is not the one at the path: its previous owner unlinked it between
    // our open and our flock (release removes the file), so a newcomer could lock a fresh one.
    for (int attempt = 0; attempt < 100; ++attempt) {
        int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            const int err = errno;
            throw UsageError(what + " '" + target.string() + "': cannot create the lock file '" + path_.string() +
                             "': " + std::strerror(err));
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            ::close(fd);
            if (err == EWOULDBLOCK) {
                throw UsageError(what + " '" + target.string() + "' is in use by another tdlab process (pid " +
                                 holder_of(path_) + ", lock file '" + path_.string() +
                                 "'); wait for it to finish or choose another directory");
            }
            throw UsageError(what + " '" + target.string() + "': cannot lock '" + path_.string() +
                             "': " + std::strerror(err));
        }
        struct stat held {
        }, now{};
        if (::fstat(fd, &held) == 0 && ::stat(path_.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
            held.st_dev == now.st_dev) {
            const std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
                // The pid is only informative; the lock itself is the flock.
            }
            fd_ = fd;
            cleanup_id_ = register_interrupt_cleanup(path_, /*announce=*/false);
            return;
        }
        ::close(fd);
    }
    throw UsageError(what + " '" + target.string() + "': could not take the lock '" + path_.string() + "'");
}

DirLock::~DirLock() {
    if (fd_ < 0) return;
    unregister_interrupt_cleanup(cleanup_id_);
    // Unlink while still holding the lock, so nobody can lock this inode and then see it vanish.
    ::unlink(path_.c_str());
    ::close(fd_);
}

} // namespace tdlab
