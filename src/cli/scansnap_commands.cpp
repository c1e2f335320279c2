// `tdlab scansnap ...`: the 1-layer Y/Z model of Scan and Snap (Tian et al. 2023, arXiv 2305.16380;
// docs/scansnap.md).
//   scansnap train    one training run: loss, c_n over iterations, entropies, Z rows (.npy/.csv) + figures
//   scansnap theory   the closed forms h, h*, gamma, Gamma, B_n, transition times (+ the population ODE)
//   scansnap sweep    the Fig 6 grid (num_last x lr_z x ratio x seeds) in parallel: entropy.csv, recall.csv
// Tables: scansnap/outputs.h; figures: plot/scansnap_figures.h; `tdlab reproduce scansnap`: repro/scansnap.cpp.
#include "cli/cli_common.h"
#include "core/progress.h"
#include "plot/scansnap_figures.h"
#include "scansnap/outputs.h"
#include "scansnap/population.h"
#include "scansnap/sweep.h"
#include "scansnap/trainer.h"

#include <fmt/format.h>
#include <omp.h>

namespace tdlab::cli {
namespace {

using namespace tdlab::scansnap;

RunBody prepare_train(const Config &cfg) {
    const TrainParams p = train_params_from(cfg);
    const SeqClasses data(p.data); // refuses bad data.* keys before the run directory exists
    return [p, data](RunDir &run) {
        TrainResult r = train(p);
        const auto c = write_train_outputs(run.path(""), p, r);
        if (!r.z_rows.empty())
            plot::draw_train_figures(run.path(""), data, r, c, c_entropy_history(data, c, size_t(r.niter) + 1));
        run.manifest()["seed"] = p.seed;
        run.manifest()["M"] = data.M();
        run.manifest()["K"] = data.K();
        run.manifest()["final_loss"] = r.loss.back();
        return fmt::format("scansnap train: {}; loss {:.5f} -> {:.3g} after {} iterations -> {}", data.describe(),
                           r.loss.front(), r.loss.back(), p.niter, run.out().string());
    };
}

RunBody prepare_theory(const Config &cfg) {
    const TheoryCurveParams tp = theory_curve_params_from(cfg);
    const auto pop = population_params_from(cfg);
    return [tp, pop](RunDir &run) {
        const Transitions tr = write_theory_outputs(run.path(""), tp);
        plot::draw_theory_figures(run.path(""), tp, tr);
        if (pop) write_population_outputs(run.path(""), simulate_population(*pop));
        return fmt::format("scansnap theory: M={} K={} eta_y={} eta_z={} -> {}", tp.M, tp.K, tp.eta_y, tp.eta_z,
                           run.out().string());
    };
}

RunBody prepare_sweep(const Config &cfg) {
    const TrainParams base = train_params_from(cfg);
    const SweepGrid grid = sweep_grid_from(cfg);
    return [base, grid](RunDir &run) {
        const size_t total = grid.num_last.size() * grid.lr_z.size() * grid.ratio.size() * size_t(grid.seeds);
        Progress progress("scansnap sweep", total, "runs");
        SweepResult r = run_sweep(base, grid, &progress);
        progress.finish();
        write_sweep_outputs(run.path(""), grid, r);
        plot::draw_sweep_figures(run.path(""), grid, r);
        run.manifest()["runs"] = total;
        run.manifest()["sweep_wall_s"] = r.wall_s;
        run.manifest()["threads"] = omp_get_max_threads();
        return fmt::format("scansnap sweep: {} runs in {:.2f} s on {} threads -> {}/entropy.csv", total, r.wall_s,
                           omp_get_max_threads(), run.out().string());
    };
}

// `--set sweep.num_last=3` restricts a list key to one value: wrap a scalar into a one-element list.
std::vector<std::string> wrap_list_overrides(const std::vector<std::string> &sets, const ConfigSchema &schema) {
    std::vector<std::string> out;
    for (const auto &s : sets) {
        const auto eq = s.find('=');
        if (eq != std::string::npos) {
            const ConfigKey *k = schema.find(s.substr(0, eq));
            std::string v = s.substr(eq + 1);
            const auto first = v.find_first_not_of(" \t");
            if (k && (k->type == ValueType::IntList || k->type == ValueType::DoubleList) &&
                first != std::string::npos && v[first] != '[') {
                out.push_back(s.substr(0, eq + 1) + "[" + v + "]");
                continue;
            }
        }
        out.push_back(s);
    }
    return out;
}

void register_scansnap(CLI::App &app) {
    auto *group =
        app.add_subcommand("scansnap", "Scan and Snap: the 1-layer Y/Z model, its theory and sweeps (Tian et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt, theory_opt, sweep_opt;
    auto *tr =
        group->add_subcommand("train", "one training run of the Y/Z model (defaults: Syn-Small, SGD, zero init)");
    add_run_options(tr, train_opt);
    tr->callback([] { run_command(train_opt, "scansnap train", train_schema(), prepare_train); });
    auto *th = group->add_subcommand("theory", "h, h*, gamma, B_n, transition times; optionally the population ODE");
    add_run_options(th, theory_opt);
    th->callback([] { run_command(theory_opt, "scansnap theory", theory_schema(), prepare_theory); });
    auto *sw =
        group->add_subcommand("sweep", "the Fig 6 grid in parallel: entropy.csv (num_last,lr_z,ratio,mean,std,seeds)");
    add_run_options(sw, sweep_opt);
    sw->callback([] {
        RunOptions opt = sweep_opt;
        const ConfigSchema schema = sweep_schema();
        opt.sets = wrap_list_overrides(opt.sets, schema);
        run_command(opt, "scansnap sweep", schema, prepare_sweep);
    });
}

GroupRegistrar registrar(30, "scansnap", register_scansnap);

} // namespace
} // namespace tdlab::cli
