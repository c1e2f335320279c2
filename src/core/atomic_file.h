// Atomic, durable file writes: the content goes to a temporary file in the same directory, is flushed
// and fsync'ed, and is renamed over the destination, then the directory is fsync'ed; a reader (or a
// machine that loses power) never sees a half-written file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tdlab {

// Writes `bytes` to `path` atomically. Throws RuntimeError naming the path and the reason (strerror,
// e.g. "No space left on device") on failure; the previous content of `path`, if any, is kept.
void write_file_atomic(const std::filesystem::path &path, std::string_view bytes);
// The same for a file that is the concatenation of `pieces` (written in order, never joined in memory:
// a 44 MB archive is not copied into one buffer first).
void write_file_atomic(const std::filesystem::path &path, const std::vector<std::string_view> &pieces);

// Reads a whole file. Throws UsageError naming the path and the reason if it is missing, a directory
// or unreadable.
std::string read_file(const std::filesystem::path &path);

// fsync(2) of a file or directory; throws RuntimeError naming the path on failure.
void fsync_path(const std::filesystem::path &path);

} // namespace tdlab
