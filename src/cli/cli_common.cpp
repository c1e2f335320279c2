#include "cli/cli_common.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/paths.h"

#include <cstdio>

namespace tdlab::cli {

std::vector<CommandGroup> &command_groups() {
    static std::vector<CommandGroup> groups;
    return groups;
}

std::vector<Reproducer> &reproducers() {
    static std::vector<Reproducer> list;
    return list;
}

void add_run_options(CLI::App *cmd, RunOptions &opt, bool needs_out) {
    cmd->add_option("--config,-c", opt.config, "YAML config file (see configs/)");
    cmd->add_option("--set,-s", opt.sets, "override a config key, KEY=VALUE (repeatable)")->allow_extra_args(false);
    auto *out = cmd->add_option("--out,-o", opt.out, "output run directory");
    cmd->add_option("--threads,-j", opt.threads, "OpenMP threads (0 = all cores; results do not depend on it)");
    cmd->add_flag("--show-config", opt.show_config, "print the resolved config and exit");
    cmd->add_flag("--help-config", opt.help_config, "list every config key with its default and range, and exit");
    if (needs_out) out->required(false); // checked in resolve_config so that --help-config works without it
}

bool resolve_config(const RunOptions &opt, const ConfigSchema &schema, Config &out, const std::string &default_config) {
    if (opt.help_config) {
        std::fputs(schema.describe().c_str(), stdout);
        return false;
    }
    std::optional<std::filesystem::path> file;
    if (!opt.config.empty()) {
        file = resolve_config_path(opt.config);
    } else if (!default_config.empty()) {
        file = resolve_config_path(default_config);
    }
    out = Config::load(schema, file, opt.sets);
    if (opt.show_config) {
        std::fputs(out.to_yaml().c_str(), stdout);
        return false;
    }
    configure_threads(opt.threads);
    return true;
}

} // namespace tdlab::cli
