// A run directory: every command that produces results writes them through a RunDir.
//
// Policy (what a user can rely on):
//  - Outputs go to a staging directory `<out>.partial-<pid>` beside the destination; commit() writes
//    the resolved config.yaml and manifest.json, fsyncs everything and renames the staging directory
//    onto `<out>`. A run that fails (exception, NaN in a state, SIGINT, SIGTERM) leaves no half-written
//    run: the destructor or the signal handler removes the staging directory (exit 130 / 143).
//  - An existing non-empty `<out>` is refused (UsageError, exit 2) unless the policy says overwrite
//    (the CLI's --force). Even then only a previous tdlab run (a manifest.json listing its files) is
//    replaced, and files the old manifest does not list (the user's own notes, plots...) are carried
//    over into the new run directory; a foreign file with the name of a new output refuses the commit.
//  - The previous run is deleted only after the new one is in place (old -> `<out>.old-<pid>`, staging
//    -> `<out>`, then the old copy is removed); if the second rename fails the old run is put back.
//  - `<out>` is locked against concurrent writers (DirLock: `<out>.lock`); a second writer gets a
//    UsageError naming the pid of the first. Staging directories of dead processes
//    (`<out>.partial-<pid>`) are removed when a new run starts.
#pragma once

#include "core/config.h"
#include "core/dir_lock.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace tdlab {

// The command line as typed, recorded in manifests (set once by main(), which also marks the start of
// the command: manifest times cover the whole computation, not just the part after the RunDir exists).
void set_command_line(int argc, char **argv);
const std::string &command_line();

// UTC time as ISO 8601 ("2026-11-22T10:00:00Z").
std::string utc_now_iso();

struct RunDirPolicy {
    bool overwrite = false; // replace a previous tdlab run at `out` (the CLI's --force)
};

// Checks that `out` may be used as a run directory: missing, an empty directory, or (with overwrite) a
// previous tdlab run; its parent must be a writable directory. UsageError naming out and the reason.
void check_output_dir(const std::filesystem::path &out, bool overwrite = false);

class RunDir {
  public:
    RunDir(std::filesystem::path out, std::string command, const Config &config, RunDirPolicy policy = {});
    ~RunDir();
    RunDir(const RunDir &) = delete;
    RunDir &operator=(const RunDir &) = delete;

    // Path of an output file inside the (staging) run directory.
    std::filesystem::path path(const std::string &name) const { return staging_ / name; }
    const std::filesystem::path &out() const { return out_; }
    // Extra manifest fields (seed, threads, timings, per-command facts).
    nlohmann::json &manifest() { return manifest_; }
    // The start of the computation this run records (default: when the command started, see
    // set_command_line; else when the RunDir was created). For commands that make several runs.
    void set_start_time(std::chrono::system_clock::time_point start);
    // Writes config.yaml and manifest.json, then moves the run into place.
    void commit();

  private:
    std::filesystem::path out_, abs_out_, staging_;
    std::string command_;
    std::string config_yaml_;
    nlohmann::json manifest_;
    std::chrono::system_clock::time_point start_;
    RunDirPolicy policy_;
    std::unique_ptr<DirLock> lock_;
    size_t warnings_before_ = 0;
    int cleanup_id_ = 0;
    bool committed_ = false;
};

} // namespace tdlab
