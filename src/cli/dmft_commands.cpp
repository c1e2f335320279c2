// `tdlab dmft ...`: the mean-field map of the 1-bit attention network (Poc-Lopez & Aguilera 2024,
// arXiv 2406.07247; the equations in docs/dmft_map.md).
//   dmft run    one trajectory: the saved window of mo_se, mo, mv, mq, mk, att as .npy plus figures
// The body is shared with the Python module: repro/run_commands.h.
#include "cli/cli_common.h"
#include "repro/run_commands.h"

namespace tdlab::cli {
namespace {

void register_dmft(CLI::App &app) {
    auto *group =
        app.add_subcommand("dmft", "dynamical mean-field theory of 1-bit self-attention (Poc-Lopez & Aguilera)");
    group->require_subcommand(1);
    static RunOptions run_opt;
    auto *run = group->add_subcommand("run", "iterate the mean-field map at one beta; write the saved window as .npy");
    add_run_options(run, run_opt);
    run->callback([] { run_command(run_opt, "dmft run", repro::dmft_run_schema(), repro::prepare_dmft_run); });
}

GroupRegistrar dmft_registrar(10, "dmft", register_dmft);

} // namespace
} // namespace tdlab::cli
