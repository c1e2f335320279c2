// `tdlab dmft spin`: independent runs of the finite-N stochastic attention network (src/dmft/network.h).
// Same config keys as `dmft run`, where dmft.N is the NETWORK's semantic size, plus:
//   dmft.template_N  semantic units of the weight template (paper: 99) replicated N / template_N times
//   dmft.runs        independent runs (leading axis of every array)
//   dmft.sampler     explicit (every unit drawn) | types (binomial counts per site type, N up to 1e9)
// Writes mo_se, mo, mv, mq, mk, att as [runs, saved steps, M] .npy, t.npy [saved steps], the mean-field
// trajectory from the same start (mf_mo_se.npy [saved steps, M]), final_context.yaml (run 0),
// final_att.npy [runs, M], the template weights, and the figures of run 0 against the mean field.
// The body is shared with the Python module: repro/run_commands.h.
#include "cli/cli_common.h"
#include "repro/run_commands.h"

namespace tdlab::cli {
namespace {

void register_spin(CLI::App &app) {
    auto *group = app.get_subcommand("dmft");
    static RunOptions spin_opt;
    auto *spin = group->add_subcommand(
        "spin", "run the finite-N stochastic network (runs x saved steps x M arrays) beside its mean field");
    add_run_options(spin, spin_opt);
    spin->callback([] { run_command(spin_opt, "dmft spin", repro::dmft_spin_schema(), repro::prepare_dmft_spin); });
}

GroupRegistrar dmft_spin_registrar(12, "dmft-spin", register_spin);

} // namespace
} // namespace tdlab::cli
