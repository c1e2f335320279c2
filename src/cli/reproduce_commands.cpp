// `tdlab reproduce [dmft|birth|scansnap|all] [--scale quick|paper] [--out DIR] [--force]`: the main job.
// Argument parsing only; each paper's reproduction is repro/<paper>.cpp and writes the run directory
// DIR/<paper>/ (figures, tables, report.html, config.yaml, manifest.json).
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/suggest.h"
#include "repro/reproduce.h"
#include "repro/run_commands.h"

#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tdlab::cli {
namespace {

struct ReproduceOptions {
    std::string paper = "all";
    std::string scale = "quick";
    std::string out = "results";
    int threads = 0;
    bool force = false;
    int seeds = 0;
    bool show_config = false;
    bool help_config = false;
};

void reproduce_command(const ReproduceOptions &opt) {
    if (opt.help_config) {
        std::fputs(repro::reproduce_schema().describe().c_str(), stdout);
        return;
    }
    // The paper is checked first: --show-config is a dry run and must refuse what the run would refuse.
    std::vector<const repro::Paper *> chosen;
    std::vector<std::string> known;
    for (const auto &p : repro::papers()) {
        known.push_back(p.name);
        if (opt.paper == "all" || opt.paper == p.name) chosen.push_back(&p);
    }
    known.push_back("all");
    if (chosen.empty())
        throw UsageError(fmt::format("reproduce: unknown paper '{}';{} papers: {}", opt.paper,
                                     did_you_mean(opt.paper, known), fmt::join(known, ", ")));
    if (opt.show_config) {
        std::fputs(Config::load(repro::reproduce_schema(), std::nullopt, {"scale=" + opt.scale}).to_yaml().c_str(),
                   stdout);
        return;
    }
    const auto root = absolute_path(opt.out);
    std::error_code ec;
    if (std::filesystem::exists(root, ec) && !std::filesystem::is_directory(root, ec))
        throw UsageError("--out '" + root.string() + "' exists and is not a directory");
    // Every paper's directory is checked before any work, so `reproduce all` does not stop half-way.
    for (const auto *p : chosen) check_output_dir(root / p->name, opt.force);
    const int threads = repro::apply_thread_policy(opt.threads);
    repro::reproduce_papers(chosen, root, opt.scale, threads, opt.force, opt.seeds);
}

void register_reproduce(CLI::App &app) {
    static ReproduceOptions opt;
    auto *cmd = app.add_subcommand("reproduce", "reproduce a paper's figures with one command (figures + report.html)");
    cmd->add_option("paper", opt.paper, "dmft, dmft-multistate, birth, scansnap or all")->capture_default_str();
    cmd->add_option("--scale", opt.scale, "quick (minutes on a laptop) or paper (the authors' full setting)")
        ->check(CLI::IsMember({"quick", "paper"}))
        ->capture_default_str();
    cmd->add_option("--out,-o", opt.out, "output folder; each paper writes OUT/<paper>/")->capture_default_str();
    cmd->add_option("--threads,-j", opt.threads, "OpenMP threads (0 = all cores)");
    cmd->add_flag("--force", opt.force, "replace existing OUT/<paper> run directories");
    cmd->add_option("--seeds", opt.seeds,
                    "Birth: training seeds per Fig 3 / Fig 4 variant (0 = 3 at quick scale, 1 at paper scale); "
                    "figures draw their mean and min-max band, the claims table reads the first seed")
        ->check(CLI::Range(0, 20));
    cmd->add_flag("--show-config", opt.show_config, "print the config each paper records (config.yaml) and exit");
    cmd->add_flag("--help-config", opt.help_config, "list the config keys with their default and range, and exit");
    cmd->callback([] { reproduce_command(opt); });
}

GroupRegistrar reproduce_registrar(90, "reproduce", register_reproduce);

} // namespace
} // namespace tdlab::cli
