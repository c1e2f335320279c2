// Atomic file writes: the content goes to a temporary file in the same directory, is flushed, and is
// renamed over the destination, so a reader never sees a half-written file (DESIGN.md, Decisions).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tdlab {

// Writes `bytes` to `path` atomically. Throws RuntimeError naming the path on failure.
void write_file_atomic(const std::filesystem::path &path, std::string_view bytes);

// Reads a whole file. Throws UsageError naming the path if it is missing or unreadable.
std::string read_file(const std::filesystem::path &path);

} // namespace tdlab
