#include "core/paths.h"

#include "core/error.h"

#include <cstdlib>

namespace tdlab {

namespace fs = std::filesystem;

fs::path data_dir() {
    if (const char *env = std::getenv("TDLAB_DATA")) return env;
    return fs::path(TDLAB_SOURCE_DIR) / "data";
}

fs::path data_file(const std::string &relative) {
    fs::path p = data_dir() / relative;
    if (!fs::exists(p))
        throw UsageError("data file '" + p.string() + "' not found (set TDLAB_DATA to the data folder)");
    return p;
}

fs::path resolve_config_path(const std::string &path) {
    fs::path p(path);
    if (fs::exists(p) || p.is_absolute()) return p;
    fs::path in_tree = fs::path(TDLAB_SOURCE_DIR) / p;
    if (fs::exists(in_tree)) return in_tree;
    return p; // the loader reports it as missing
}

} // namespace tdlab
