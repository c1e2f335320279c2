// `tdlab birth ...`: Bietti et al., Birth of a Transformer (specs/birth.md).
//   birth train   one run of the simplified model: metrics.jsonl (official keys), params.npz,
//                 attention maps of experiment sequences, curve figures
// and `tdlab reproduce birth`: Fig 3 (freezing variants), Fig 4 (global vs in-context loss, data
// variants, probes), and the layer-1 / layer-2 attention maps, with report.html.
#include "birth/experiments.h"
#include "birth/trainer.h"
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "plot/birth_figures.h"

#include <fmt/format.h>

namespace tdlab::cli {
namespace {

void birth_train(const RunOptions &opt) {
    Config cfg;
    if (!resolve_config(opt, birth::train_schema(), cfg, "configs/birth/fig3-quick.yaml")) return;
    if (opt.out.empty()) throw UsageError("birth train: --out DIR is required");
    check_output_dir(opt.out);
    RunDir run(opt.out, "birth train", cfg);
    Progress progress("birth train", uint64_t(cfg.get_int("birth.optim.max_iters")));
    const birth::TrainResult res = birth::train(cfg, run.path(""), &progress);
    progress.finish();
    plot::draw_birth_run(run.path(""), res.records, "birth train");
    run.manifest()["seed"] = cfg.get_int("birth.seed");
    run.manifest()["train_seconds"] = res.seconds;
    run.manifest()["final"] = res.records.empty() ? nlohmann::json() : res.records.back();
    run.commit();
    const auto &last = res.records.back();
    std::fprintf(stderr, "birth train: %lld iterations in %.1f s; acc_end %.3f, loss_bigram %.3f -> %s\n",
                 (long long)cfg.get_int("birth.optim.max_iters"), res.seconds, last["acc_end"].get<double>(),
                 last["loss_bigram"].get<double>(), opt.out.c_str());
}

void register_birth(CLI::App &app) {
    auto *group =
        app.add_subcommand("birth", "Birth of a Transformer: induction heads as associative memories (Bietti et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt;
    auto *train =
        group->add_subcommand("train", "train the simplified 2-layer model; metrics.jsonl with the official keys");
    add_run_options(train, train_opt);
    train->callback([] { birth_train(train_opt); });
}

GroupRegistrar registrar(20, "birth", register_birth);
ReproducerRegistrar reproducer(20, "birth", "Fig 3 (freezing), Fig 4 (data variants, probes), attention maps",
                               [](const std::string &scale, const std::string &out, int threads) {
                                   birth::reproduce(scale, out, threads);
                               });

} // namespace
} // namespace tdlab::cli
