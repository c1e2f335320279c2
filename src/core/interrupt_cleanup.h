// Ctrl-C and `kill` (SIGINT, SIGTERM) must not leave half-written runs behind. Paths registered here
// (staging directories) are removed when either signal arrives, then the process exits with the
// shell's convention 128 + signal (130, 143). The signal handler itself only writes one byte to a
// pipe (async-signal-safe); a helper thread does the removal with ordinary code.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

namespace tdlab {

// Registers `path` for removal on SIGINT/SIGTERM (installs the handlers on first use); returns an id.
// `announce`: say on stderr that it was removed (staging directories, not lock files).
int register_interrupt_cleanup(const std::filesystem::path &path, bool announce = true);
void unregister_interrupt_cleanup(int id);
// A line said on stderr after the removals when a signal arrives and `if_exists` exists then (a checkpoint
// kept on purpose: "the same command resumes from it"); returns an id for unregister_interrupt_cleanup.
int register_interrupt_notice(const std::filesystem::path &if_exists, const std::string &line);
// For an embedding front end (the Python module), which owns SIGINT and SIGTERM: paths are still registered
// but no handler is installed, so Ctrl-C reaches the host (Python raises KeyboardInterrupt at the next
// progress poll, and the staging directory is removed as the C++ stack unwinds). Call before any RunDir.
void leave_signals_to_host();
// Held while a run directory is moved into place, so that a signal never removes a half-moved run.
std::unique_lock<std::mutex> hold_interrupt_cleanup();

} // namespace tdlab
