// A run directory: every command that produces results writes them through a RunDir.
//
// Outputs go to a staging directory `<out>.partial-<pid>` beside the destination; commit() writes the
// resolved config.yaml and manifest.json and renames the staging directory onto `<out>`. A run that
// fails (exception, NaN in a state, Ctrl-C) therefore leaves no half-written run directory: the
// staging directory is removed by the destructor. An existing `<out>` is replaced only if it is empty
// or is itself a tdlab run (has a manifest.json); anything else is refused before work starts.
#pragma once

#include "core/config.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace tdlab {

// The command line as typed, recorded in manifests (set once by main()).
void set_command_line(int argc, char **argv);
const std::string &command_line();

// UTC time as ISO 8601 ("2026-11-22T10:00:00Z").
std::string utc_now_iso();

// Checks that `out` may be used as a run directory (empty, missing, or a previous tdlab run).
void check_output_dir(const std::filesystem::path &out);

class RunDir {
  public:
    RunDir(std::filesystem::path out, std::string command, const Config &config);
    ~RunDir();
    RunDir(const RunDir &) = delete;
    RunDir &operator=(const RunDir &) = delete;

    // Path of an output file inside the (staging) run directory.
    std::filesystem::path path(const std::string &name) const { return staging_ / name; }
    const std::filesystem::path &out() const { return out_; }
    // Extra manifest fields (seed, threads, timings, per-command facts).
    nlohmann::json &manifest() { return manifest_; }
    // Writes config.yaml and manifest.json, then moves the run into place.
    void commit();

  private:
    std::filesystem::path out_, staging_;
    std::string command_;
    std::string config_yaml_;
    nlohmann::json manifest_;
    std::chrono::steady_clock::time_point start_;
    bool committed_ = false;
};

} // namespace tdlab
