#include "core/atomic_file.h"

#include "core/error.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tdlab {

namespace fs = std::filesystem;

namespace {

std::string reason(int err) {
    return std::strerror(err);
}

// Writes all of `bytes` to `fd`, retrying short writes; returns 0 or the errno.
int write_all(int fd, std::string_view bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += size_t(n);
    }
    return 0;
}

} // namespace

void fsync_path(const fs::path &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw RuntimeError("cannot open '" + path.string() + "' to sync it: " + reason(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a directory (EINVAL); the data files themselves were synced.
    if (rc != 0 && err != EINVAL && err != EROFS)
        throw RuntimeError("cannot sync '" + path.string() + "': " + reason(err));
}

void write_file_atomic(const fs::path &path, std::string_view bytes) {
    write_file_atomic(path, std::vector<std::string_view>{bytes});
}

void write_file_atomic(const fs::path &path, const std::vector<std::string_view> &pieces, Durability durability) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw RuntimeError("cannot create directory '" + dir.string() + "': " + ec.message());
    }
    // The temporary name is unique per process and call, so threads writing beside each other never collide.
    static std::atomic<uint64_t> counter{0};
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw RuntimeError("cannot open '" + tmp.string() + "' for writing: " + reason(errno));
    int err = 0;
    for (size_t k = 0; k < pieces.size() && err == 0; ++k) err = write_all(fd, pieces[k]);
    if (err == 0 && durability == Durability::Durable && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(tmp.c_str());
        throw RuntimeError("failed writing '" + path.string() + "': " + reason(err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        ::unlink(tmp.c_str());
        throw RuntimeError("cannot rename '" + tmp.string() + "' to '" + path.string() + "': " + reason(err));
    }
    if (durability == Durability::Durable) fsync_path(dir);
}

std::string read_file(const fs::path &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UsageError("cannot read file '" + path.string() + "': " + reason(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw UsageError("cannot read file '" + path.string() + "': it is a directory");
    }
    std::string out;
    if (st.st_size > 0) out.reserve(size_t(st.st_size));
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw UsageError("cannot read file '" + path.string() + "': " + reason(err));
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    ::close(fd);
    return out;
}

} // namespace tdlab
