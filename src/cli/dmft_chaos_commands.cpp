// `tdlab dmft basins`, `tdlab dmft continuation` and `tdlab analyze SERIES.npy`: argument parsing and
// registration; the bodies are in repro/chaos_run_commands.cpp.
#include "cli/cli_common.h"
#include "core/error.h"
#include "repro/run_commands.h"

namespace tdlab::cli {
namespace {

struct AnalyzeOptions {
    RunOptions run;
    std::string series;
};

void analyze_command(const AnalyzeOptions &o) {
    if (o.series.empty() && !o.run.help_config && !o.run.show_config)
        throw UsageError("analyze: give the series file (SERIES.npy)");
    const auto series_path = o.series.empty() ? std::filesystem::path() : absolute_path(o.series);
    run_command(o.run, "analyze", repro::analyze_schema(),
                [series_path](const Config &cfg) { return repro::prepare_analyze(series_path, cfg); });
}

void register_chaos(CLI::App &app) {
    auto *group = app.get_subcommand("dmft");
    static RunOptions basins_opt, cont_opt;
    auto *basins = group->add_subcommand(
        "basins", "basins of attraction at one point: attractors.csv, fractions.csv (Wilson 95%), a figure");
    add_run_options(basins, basins_opt);
    basins->callback(
        [] { run_command(basins_opt, "dmft basins", repro::basins_command_schema(), repro::prepare_basins); });
    auto *cont = group->add_subcommand(
        "continuation", "attractors continued over a parameter grid: tracks.csv, attractors.csv, multistability map");
    add_run_options(cont, cont_opt);
    cont->callback([] {
        run_command(cont_opt, "dmft continuation", repro::continuation_command_schema(), repro::prepare_continuation);
    });
    static AnalyzeOptions an;
    auto *analyze = app.add_subcommand(
        "analyze", "the model-independent toolbox on a time series .npy ([n] or [n][dim]): period, count, 0-1 test, "
                   "spectrum, autocorrelation, correlation dimension");
    analyze->add_option("series", an.series, "the series (.npy, float or int)");
    add_run_options(analyze, an.run);
    analyze->callback([] { analyze_command(an); });
}

GroupRegistrar dmft_chaos_registrar(13, "dmft-chaos", register_chaos);

} // namespace
} // namespace tdlab::cli
