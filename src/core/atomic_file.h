// Atomic, durable file writes: the content goes to a temporary file in the same directory, is flushed
// and fsync'ed, and is renamed over the destination, then the directory is fsync'ed; a reader (or a
// machine that loses power) never sees a half-written file. Files tdlab can recompute and checks when it reads
// them back (a sweep's resume chunks: CRC-32 per array) may skip the two fsyncs (Durability::Cache): still
// atomic for readers and after a killed process, but after a power loss or an OS crash such a file can be
// empty or stale, which its reader detects and recomputes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tdlab {

// Durable: fsync the file and then its directory (the default: results, configs, checkpoints).
// Cache: rename only; for files whose reader verifies them and can compute them again (see above). A
// sweep's 63 resume chunks spent ~0.26 s of its threads' time in fsync on an ext4 virtual disk.
enum class Durability { Durable, Cache };

// Writes `bytes` to `path` atomically. Throws RuntimeError naming the path and the reason (strerror,
// e.g. "No space left on device") on failure; the previous content of `path`, if any, is kept.
void write_file_atomic(const std::filesystem::path &path, std::string_view bytes);
// The same for a file that is the concatenation of `pieces` (written in order, never joined in memory:
// a 44 MB archive is not copied into one buffer first).
void write_file_atomic(const std::filesystem::path &path, const std::vector<std::string_view> &pieces,
                       Durability durability = Durability::Durable);

// Reads a whole file. Throws UsageError naming the path and the reason if it is missing, a directory
// or unreadable.
std::string read_file(const std::filesystem::path &path);

// fsync(2) of a file or directory; throws RuntimeError naming the path on failure.
void fsync_path(const std::filesystem::path &path);

} // namespace tdlab
