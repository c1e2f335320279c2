#include "cli/cli_common.h"

#include "core/error.h"
#include "core/paths.h"

#include <cstdio>

namespace tdlab::cli {

namespace fs = std::filesystem;

std::vector<CommandGroup> &command_groups() {
    static std::vector<CommandGroup> groups;
    return groups;
}

void add_run_options(CLI::App *cmd, RunOptions &opt) {
    cmd->add_option("--config,-c", opt.config, "YAML config file (see configs/)");
    cmd->add_option("--set,-s", opt.sets, "override a config key, KEY=VALUE (repeatable)")->allow_extra_args(false);
    cmd->add_option("--out,-o", opt.out, "output run directory");
    cmd->add_option("--threads,-j", opt.threads, "OpenMP threads (0 = all cores; results do not depend on it)");
    cmd->add_flag("--force", opt.force, "replace an existing run directory given as --out");
    cmd->add_flag("--show-config", opt.show_config, "print the resolved config and exit");
    cmd->add_flag("--help-config", opt.help_config, "list every config key with its default and range, and exit");
}

fs::path absolute_path(const std::string &path) {
    if (path.empty()) return {};
    fs::path p = fs::absolute(fs::path(path)).lexically_normal();
    // "runs/x/" names the folder x: drop the empty last component.
    if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
    return p;
}

bool resolve_config(const RunOptions &opt, const ConfigSchema &schema, Config &out, const std::string &default_config) {
    if (opt.help_config) {
        // Without --config a command may start from a config file, not from these built-in defaults: say so.
        if (!default_config.empty())
            std::printf("without --config the base is %s; the defaults below apply to keys a config file leaves "
                        "out\n",
                        default_config.c_str());
        std::fputs(schema.describe().c_str(), stdout);
        return false;
    }
    std::optional<fs::path> file;
    if (!opt.config.empty()) {
        file = absolute_path(resolve_config_path(opt.config).string());
    } else if (!default_config.empty()) {
        file = resolve_config_path(default_config);
    }
    out = Config::load(schema, file, opt.sets);
    if (opt.show_config) {
        std::fputs(out.to_yaml().c_str(), stdout);
        return false;
    }
    return true;
}

std::optional<RunSetup> begin_run(const RunOptions &opt, const std::string &command, const ConfigSchema &schema,
                                  const std::string &default_config) {
    RunSetup s;
    if (!resolve_config(opt, schema, s.cfg, default_config)) return std::nullopt;
    if (opt.out.empty()) throw UsageError(command + ": --out DIR is required");
    s.out = absolute_path(opt.out);
    s.force = opt.force;
    check_output_dir(s.out, s.force);
    repro::apply_thread_policy(opt.threads);
    return s;
}

void run_command(const RunOptions &opt, const std::string &command, const ConfigSchema &schema,
                 const PrepareRun &prepare, const std::string &default_config) {
    if (opt.show_config && !opt.help_config) {
        // A dry run refuses what the run refuses: the command's own cross-key checks (prepare parses the
        // options: heads dividing d, capture globs, ablated head, seq_length <= max_length, ...) and the
        // thread count run before the config is printed. It exited 0 on all of these.
        RunOptions dry = opt;
        dry.show_config = false;
        Config cfg;
        resolve_config(dry, schema, cfg, default_config);
        (void)prepare(cfg);
        repro::apply_thread_policy(opt.threads);
        std::fputs(cfg.to_yaml().c_str(), stdout);
        return;
    }
    auto setup = begin_run(opt, command, schema, default_config);
    if (!setup) return;
    const RunBody body = prepare(setup->cfg);
    const std::string summary = repro::run_into_dir(setup->out, command, setup->cfg, body, RunDirPolicy{setup->force});
    std::fprintf(stderr, "%s\n", summary.c_str());
}

} // namespace tdlab::cli
