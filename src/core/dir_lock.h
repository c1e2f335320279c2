// An exclusive lock on a path that several tdlab processes might write (a run directory OUT, a resume
// store OUT.chunks): flock(2) on the file `<target>.lock` beside it, which holds the owner's pid. A
// second writer fails at once with a UsageError naming the pid that holds the lock, instead of the two
// runs interleaving or one deleting the other's work. The kernel drops the lock when its process dies
// (even by SIGKILL), so a stale lock file never blocks anyone; the file is removed on release.
#pragma once

#include <filesystem>
#include <string>

namespace tdlab {

class DirLock {
  public:
    // `what` names the target in the error ("--out", "resume store").
    DirLock(const std::filesystem::path &target, const std::string &what);
    ~DirLock();
    DirLock(const DirLock &) = delete;
    DirLock &operator=(const DirLock &) = delete;
    const std::filesystem::path &lock_file() const { return path_; }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    int cleanup_id_ = 0;
};

} // namespace tdlab
