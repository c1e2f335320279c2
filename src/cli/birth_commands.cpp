// `tdlab birth ...`: Bietti et al. 2023, Birth of a Transformer (arXiv 2306.00802; docs/birth.md).
//   birth train   one run of the simplified model: metrics.jsonl (official keys), params.npz,
//                 attention maps of experiment sequences, curve figures
//   birth theory  the three top-down gradient steps from zero over d and the step size (docs/birth_theory.md)
// `tdlab reproduce birth` is repro/birth.cpp.
#include "birth/theory.h"
#include "birth/trainer.h"
#include "cli/cli_common.h"
#include "repro/run_commands.h"

namespace tdlab::cli {
namespace {

void register_birth(CLI::App &app) {
    auto *group =
        app.add_subcommand("birth", "Birth of a Transformer: induction heads as associative memories (Bietti et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt;
    auto *train =
        group->add_subcommand("train", "train the simplified 2-layer model; metrics.jsonl with the official keys");
    add_run_options(train, train_opt);
    train->callback([] {
        run_command(train_opt, "birth train", birth::train_schema(), repro::prepare_birth_train,
                    "configs/birth/fig3-quick.yaml");
    });
    static RunOptions theory_opt;
    auto *theory = group->add_subcommand(
        "theory", "three top-down gradient steps from zero (W_O^2, W_K^2, W_K^1): probes vs step size and d");
    add_run_options(theory, theory_opt);
    theory->callback(
        [] { run_command(theory_opt, "birth theory", birth::theory_schema(), repro::prepare_birth_theory, ""); });
}

GroupRegistrar registrar(20, "birth", register_birth);

} // namespace
} // namespace tdlab::cli
