// Shared command-line plumbing: command groups register themselves (one file per group, so the
// papers' command files never touch each other), and every run-style command gets the same options:
//   --config FILE  --set KEY=VALUE...  --out DIR  --threads N  --show-config  --help-config
#pragma once

#include "core/config.h"

#include <CLI/CLI.hpp>
#include <functional>
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

// `tdlab reproduce <paper>`: each paper registers how it reproduces its figures into `out`.
using ReproduceFn = std::function<void(const std::string &scale, const std::string &out, int threads)>;
struct Reproducer {
    int order;
    std::string paper;
    std::string help;
    ReproduceFn fn;
};
std::vector<Reproducer> &reproducers();
struct ReproducerRegistrar {
    ReproducerRegistrar(int order, std::string paper, std::string help, ReproduceFn fn) {
        reproducers().push_back({order, std::move(paper), std::move(help), std::move(fn)});
    }
};

struct RunOptions {
    std::string config;
    std::vector<std::string> sets;
    std::string out;
    int threads = 0;
    bool show_config = false;
    bool help_config = false;
};

// Adds the shared options to `cmd`. `default_config` is used when --config is not given (may be empty).
void add_run_options(CLI::App *cmd, RunOptions &opt, bool needs_out = true);

// Loads and validates the config (schema keys only), applies --threads. Returns false if the command
// should stop here (--show-config / --help-config printed what was asked).
bool resolve_config(const RunOptions &opt, const ConfigSchema &schema, Config &out,
                    const std::string &default_config = "");

} // namespace tdlab::cli
