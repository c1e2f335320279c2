#include "core/atomic_file.h"

#include "core/error.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace tdlab {

void write_file_atomic(const std::filesystem::path &path, std::string_view bytes) {
    namespace fs = std::filesystem;
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) {
            throw RuntimeError("cannot create directory '" + path.parent_path().string() + "': " + ec.message());
        }
    }
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
        throw RuntimeError("cannot open '" + tmp.string() + "' for writing");
    }
    size_t written = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), f);
    bool ok = written == bytes.size() && std::fflush(f) == 0;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        throw RuntimeError("failed writing '" + path.string() + "'");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw RuntimeError("cannot rename '" + tmp.string() + "' to '" + path.string() + "': " + ec.message());
    }
}

std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw UsageError("cannot read file '" + path.string() + "' (missing or unreadable)");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace tdlab
