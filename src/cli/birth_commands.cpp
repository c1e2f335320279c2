// `tdlab birth ...`: Bietti et al. 2023, Birth of a Transformer (arXiv 2306.00802; docs/birth.md).
//   birth train   one run of the simplified model: metrics.jsonl (official keys), params.npz,
//                 attention maps of experiment sequences, curve figures
// `tdlab reproduce birth` is repro/birth.cpp.
#include "birth/trainer.h"
#include "cli/cli_common.h"
#include "core/progress.h"
#include "plot/birth_figures.h"

#include <fmt/format.h>

namespace tdlab::cli {
namespace {

RunBody prepare_birth_train(const Config &cfg) {
    const birth::TrainOptions opt = birth::train_options_from(cfg);
    return [opt](RunDir &run) {
        Progress progress("birth train", uint64_t(opt.max_iters));
        const birth::TrainResult res = birth::train(opt, run.path(""), &progress);
        progress.finish();
        plot::draw_birth_run(run.path(""), res.records, "birth train");
        run.manifest()["seed"] = opt.seed;
        run.manifest()["train_seconds"] = res.seconds;
        run.manifest()["final"] = res.records.empty() ? nlohmann::json() : res.records.back();
        const auto &last = res.records.back();
        // A null probe (no in-context position, e.g. K = 0) is reported as n/a, never as a number.
        auto shown = [&](const char *key) {
            return last.contains(key) && last[key].is_number() ? fmt::format("{:.3f}", last[key].get<double>())
                                                               : std::string("n/a");
        };
        return fmt::format("birth train: {} iterations in {:.1f} s; acc_end {}, loss_bigram {} -> {}", opt.max_iters,
                           res.seconds, shown("acc_end"), shown("loss_bigram"), run.out().string());
    };
}

void register_birth(CLI::App &app) {
    auto *group =
        app.add_subcommand("birth", "Birth of a Transformer: induction heads as associative memories (Bietti et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt;
    auto *train =
        group->add_subcommand("train", "train the simplified 2-layer model; metrics.jsonl with the official keys");
    add_run_options(train, train_opt);
    train->callback([] {
        run_command(train_opt, "birth train", birth::train_schema(), prepare_birth_train,
                    "configs/birth/fig3-quick.yaml");
    });
}

GroupRegistrar registrar(20, "birth", register_birth);

} // namespace
} // namespace tdlab::cli
