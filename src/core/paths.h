// Where shipped data live: $TDLAB_DATA if set, else the source tree's data/ (compiled in).
#pragma once

#include <filesystem>
#include <string>

namespace tdlab {

std::filesystem::path data_dir();
// data_dir() / relative; UsageError naming the file if it does not exist.
std::filesystem::path data_file(const std::string &relative);
// A config path as given, or relative to the source tree if not found from the current directory.
std::filesystem::path resolve_config_path(const std::string &path);

} // namespace tdlab
