// Shared command-line plumbing: command groups register themselves (one file per group, so the
// papers' command files never touch each other), every run-style command gets the same options
//   --config FILE  --set KEY=VALUE...  --out DIR  --threads N  --force  --show-config  --help-config
// and one helper runs the common sequence of a run command (run_command below). Nothing here computes.
#pragma once

#include "core/config.h"
#include "core/run_dir.h"
#include "repro/run_commands.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tdlab::cli {

using RegisterFn = void (*)(CLI::App &app);

struct CommandGroup {
    int order;
    const char *name;
    RegisterFn fn;
};
std::vector<CommandGroup> &command_groups();
struct GroupRegistrar {
    GroupRegistrar(int order, const char *name, RegisterFn fn) { command_groups().push_back({order, name, fn}); }
};

struct RunOptions {
    std::string config;
    std::vector<std::string> sets;
    std::string out;
    int threads = 0;
    bool force = false; // replace an existing run directory (RunDirPolicy::overwrite)
    bool show_config = false;
    bool help_config = false;
};

// Adds the shared options to `cmd` (--out is checked in begin_run so that --help-config works without it).
void add_run_options(CLI::App *cmd, RunOptions &opt);

// A user path made absolute and normalised, once, at the edge (later `cd`s or child processes started
// in another directory cannot change its meaning).
std::filesystem::path absolute_path(const std::string &path);

// Loads and validates the config (schema keys only). Returns false if the command should stop here
// (--show-config / --help-config printed what was asked). Does not touch the thread policy.
bool resolve_config(const RunOptions &opt, const ConfigSchema &schema, Config &out,
                    const std::string &default_config = "");

// The first half of a run command: resolve the config, require --out and make it absolute, check that
// it may be used as a run directory, apply the thread policy. nullopt: --help-config / --show-config
// printed what was asked and the command stops.
struct RunSetup {
    Config cfg;
    std::filesystem::path out; // absolute
    bool force = false;
};
std::optional<RunSetup> begin_run(const RunOptions &opt, const std::string &command, const ConfigSchema &schema,
                                  const std::string &default_config = "");

// The whole sequence of a command whose output is one run directory:
//   resolve config -> require --out -> check the directory -> prepare(cfg) -> RunDir -> body(run)
//   -> commit -> print the summary line body returned.
// `prepare` parses the config into the command's typed options (every UsageError before any output
// exists) and returns the body, which fills the staging directory and may add manifest fields.
using repro::PrepareRun;
using repro::RunBody;
void run_command(const RunOptions &opt, const std::string &command, const ConfigSchema &schema,
                 const PrepareRun &prepare, const std::string &default_config = "");

} // namespace tdlab::cli
