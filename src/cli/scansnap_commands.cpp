// `tdlab scansnap ...`: the 1-layer Y/Z model of Scan and Snap (Tian et al. 2023, arXiv 2305.16380;
// docs/scansnap.md).
//   scansnap train    one training run: loss, c_n over iterations, entropies, Z rows (.npy/.csv) + figures
//   scansnap theory   the closed forms h, h*, gamma, Gamma, B_n, transition times (+ the population ODE)
//   scansnap sweep    the Fig 6 grid (num_last x lr_z x ratio x seeds) in parallel: entropy.csv, recall.csv
//   scansnap text     the word transformer on real text (Figs 7 and 10): metrics, attention entropy, maps
// Tables: scansnap/outputs.h; figures: plot/scansnap_figures.h; `tdlab reproduce scansnap`: repro/scansnap.cpp.
#include "cli/cli_common.h"
#include "repro/run_commands.h"
#include "scansnap/outputs.h"
#include "scansnap/sweep.h"
#include "scansnap/text_trainer.h"
#include "scansnap/trainer.h"

namespace tdlab::cli {
namespace {

using namespace tdlab::scansnap;

void register_scansnap(CLI::App &app) {
    auto *group =
        app.add_subcommand("scansnap", "Scan and Snap: the 1-layer Y/Z model, its theory and sweeps (Tian et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt, theory_opt, sweep_opt, text_opt;
    auto *tr =
        group->add_subcommand("train", "one training run of the Y/Z model (defaults: Syn-Small, SGD, zero init)");
    add_run_options(tr, train_opt);
    tr->callback([] { run_command(train_opt, "scansnap train", train_schema(), repro::prepare_scansnap_train); });
    auto *th = group->add_subcommand("theory", "h, h*, gamma, B_n, transition times; optionally the population ODE");
    add_run_options(th, theory_opt);
    th->callback([] { run_command(theory_opt, "scansnap theory", theory_schema(), repro::prepare_scansnap_theory); });
    auto *sw =
        group->add_subcommand("sweep", "the Fig 6 grid in parallel: entropy.csv (num_last,lr_z,ratio,mean,std,seeds)");
    add_run_options(sw, sweep_opt);
    sw->callback([] {
        RunOptions opt = sweep_opt;
        const ConfigSchema schema = sweep_schema();
        opt.sets = repro::wrap_list_overrides(opt.sets, schema);
        run_command(opt, "scansnap sweep", schema, repro::prepare_scansnap_sweep);
    });
    auto *tx = group->add_subcommand(
        "text", "the word transformer on real text (Figs 7, 10): metrics.jsonl, attention_entropy.csv, attn/*.npy");
    add_run_options(tx, text_opt);
    tx->callback([] { run_command(text_opt, "scansnap text", text_schema(), repro::prepare_scansnap_text); });
}

GroupRegistrar scansnap_registrar(30, "scansnap", register_scansnap);

} // namespace
} // namespace tdlab::cli
