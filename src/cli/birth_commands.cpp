// `tdlab birth ...`: Bietti et al. 2023, Birth of a Transformer (arXiv 2306.00802; docs/birth.md).
//   birth train   one run of the simplified model or the generic transformer: metrics.jsonl (official keys),
//                 heads.csv, params.npz, attention maps of experiment sequences, curve figures, and with
//                 --capture the chosen activations
//   birth eval    trained weights evaluated without training (the same outputs at the end of a run)
//   birth theory  the three top-down gradient steps from zero over d and the step size (docs/birth_theory.md)
// `tdlab reproduce birth` is repro/birth.cpp.
#include "birth/evaluate.h"
#include "birth/theory.h"
#include "birth/trainer.h"
#include "cli/cli_common.h"
#include "repro/run_commands.h"

namespace tdlab::cli {
namespace {

std::string join_globs(const std::vector<std::string> &globs) {
    std::string all;
    for (const auto &g : globs) all += (all.empty() ? "" : ",") + g;
    return all;
}

void register_birth(CLI::App &app) {
    auto *group =
        app.add_subcommand("birth", "Birth of a Transformer: induction heads as associative memories (Bietti et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt;
    auto *train = group->add_subcommand(
        "train", "train the simplified 2-layer model or the generic transformer; metrics.jsonl with the official keys");
    add_run_options(train, train_opt);
    static std::vector<std::string> capture;
    train->add_option("--capture", capture,
                      "hook glob(s) to save after training (repeatable or comma-separated; e.g. "
                      "blocks.*.attn.hook_pattern): one forward on the fixed test batch writes activations/NAME.npy; "
                      "the same as --set birth.train.capture=GLOB,...");
    train->callback([] {
        RunOptions opt = train_opt;
        if (!capture.empty()) opt.sets.push_back("birth.train.capture=" + join_globs(capture));
        run_command(opt, "birth train", birth::train_schema(), repro::prepare_birth_train,
                    "configs/birth/fig3-quick.yaml");
    });
    static RunOptions eval_opt;
    static std::string eval_params;
    static std::vector<std::string> eval_capture;
    auto *eval = group->add_subcommand(
        "eval", "evaluate trained weights without training: test-batch metrics, probes, head scores, attention maps, "
                "head ablation, activations");
    add_run_options(eval, eval_opt);
    eval->add_option("--params", eval_params,
                     "the weights: a run's params.npz, or a folder of NAME.npy (data/birth/fig2_paper_fixed); the "
                     "same as --set birth.eval.params=PATH. Without --config, the config.yaml beside them is used");
    eval->add_option("--capture", eval_capture, "hook glob(s) to save from one test-batch forward (as in birth train)");
    eval->callback([] {
        RunOptions opt = eval_opt;
        if (!eval_params.empty()) {
            opt.sets.insert(opt.sets.begin(), "birth.eval.params=" + eval_params);
            // A run directory and the shipped weights keep the model's config beside the weights.
            const std::filesystem::path p = eval_params;
            const std::filesystem::path beside =
                (std::filesystem::is_directory(p) ? p : p.parent_path()) / "config.yaml";
            if (opt.config.empty() && std::filesystem::is_regular_file(beside)) opt.config = beside.string();
        }
        if (!eval_capture.empty()) opt.sets.push_back("birth.train.capture=" + join_globs(eval_capture));
        run_command(opt, "birth eval", birth::eval_schema(), repro::prepare_birth_eval, "");
    });
    static RunOptions theory_opt;
    auto *theory = group->add_subcommand(
        "theory", "three top-down gradient steps from zero (W_O^2, W_K^2, W_K^1): probes vs step size and d");
    add_run_options(theory, theory_opt);
    theory->callback(
        [] { run_command(theory_opt, "birth theory", birth::theory_schema(), repro::prepare_birth_theory, ""); });
}

GroupRegistrar birth_registrar(20, "birth", register_birth);

} // namespace
} // namespace tdlab::cli
