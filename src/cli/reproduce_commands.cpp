// `tdlab reproduce [dmft|birth|scansnap|all] [--scale quick|paper] [--out DIR]`: the main job. Each
// paper registers a Reproducer (cli_common.h) that writes its figures, tables and report.html into
// DIR/<paper>/.
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/parallel.h"

#include <algorithm>
#include <cstdio>

namespace tdlab::cli {
namespace {

struct ReproduceOptions {
    std::string paper = "all";
    std::string scale = "quick";
    std::string out = "results";
    int threads = 0;
};

void register_reproduce(CLI::App &app) {
    static ReproduceOptions opt;
    auto *cmd = app.add_subcommand("reproduce", "reproduce a paper's figures with one command (figures + report.html)");
    cmd->add_option("paper", opt.paper, "dmft, birth, scansnap or all")->capture_default_str();
    cmd->add_option("--scale", opt.scale, "quick (minutes on a laptop) or paper (the authors' full setting)")
        ->check(CLI::IsMember({"quick", "paper"}))
        ->capture_default_str();
    cmd->add_option("--out,-o", opt.out, "output folder; each paper writes OUT/<paper>/")->capture_default_str();
    cmd->add_option("--threads,-j", opt.threads, "OpenMP threads (0 = all cores)");
    cmd->callback([] {
        configure_threads(opt.threads);
        auto &list = reproducers();
        std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.order < b.order; });
        bool found = false;
        for (const auto &r : list) {
            if (opt.paper != "all" && opt.paper != r.paper) continue;
            found = true;
            std::fprintf(stderr, "tdlab reproduce %s --scale %s -> %s/%s\n", r.paper.c_str(), opt.scale.c_str(),
                         opt.out.c_str(), r.paper.c_str());
            r.fn(opt.scale, opt.out + "/" + r.paper, opt.threads);
        }
        if (!found) {
            std::string known;
            for (const auto &r : list) known += " " + r.paper;
            throw UsageError("reproduce: unknown paper '" + opt.paper + "' (known:" + known + ", all)");
        }
    });
}

GroupRegistrar registrar(90, "reproduce", register_reproduce);

} // namespace
} // namespace tdlab::cli
