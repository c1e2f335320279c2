// `tdlab scansnap ...`: the 1-layer Y/Z model of Scan and Snap (specs/scansnap.md).
//   scansnap train    one training run: loss, c_n over iterations, entropies, Z rows (.npy/.csv) + figures
//   scansnap theory   the closed forms h, h*, gamma, Gamma, B_n, transition times (+ the population ODE)
//   scansnap sweep    the Fig 6 grid (num_last x lr_z x ratio x seeds) in parallel: entropy.csv, recall.csv
// and `tdlab reproduce scansnap` (plot/scansnap_reproduce.h).
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "plot/scansnap_outputs.h"
#include "plot/scansnap_reproduce.h"
#include "scansnap/population.h"
#include "scansnap/sweep.h"
#include "scansnap/trainer.h"

#include <cblas.h>
#include <fmt/format.h>
#include <omp.h>

namespace tdlab::cli {
namespace {

using namespace tdlab::scansnap;

void scansnap_train(const RunOptions &opt) {
    Config cfg;
    if (!resolve_config(opt, train_schema(), cfg)) return;
    if (opt.out.empty()) throw UsageError("scansnap train: --out DIR is required");
    check_output_dir(opt.out);
    TrainParams p = train_params_from(cfg);
    const SeqClasses data(p.data);
    openblas_set_num_threads(1); // small per-class GEMMs; also keeps the bytes independent of BLAS threads
    RunDir run(opt.out, "scansnap train", cfg);
    TrainResult r = train(p);
    plot::write_train_outputs(run.path(""), p, r, true);
    run.manifest()["seed"] = p.seed;
    run.manifest()["M"] = data.M();
    run.manifest()["K"] = data.K();
    run.manifest()["final_loss"] = r.loss.back();
    run.commit();
    std::fprintf(stderr, "scansnap train: %s; loss %.5f -> %.3g after %d iterations -> %s\n", data.describe().c_str(),
                 r.loss.front(), r.loss.back(), p.niter, opt.out.c_str());
}

ConfigSchema theory_schema() {
    ConfigSchema s = data_schema();
    s.add_int("theory.M", 1000, 3, 100000000, "vocabulary size M")
        .add_int("theory.K", 10, 1, 1000000, "number of classes K")
        .add_double("theory.eta_y", 1.0, 1e-12, 1e6, "decoder rate eta_Y")
        .add_double("theory.eta_z", 0.5, 0.0, 1e6, "attention rate eta_Z")
        .add_double("theory.C0", 1.0, 1e-12, 1e12, "constant C_0 of B_n = 1/4 ln(C_0 + 4 Gamma) (§7.1)")
        .add_double("theory.t_max", 700, 0.0, 1e12, "last time (batch-size-1 steps)")
        .add_int("theory.points", 701, 1, 10000000, "number of time points in [0, t_max]")
        .add_bool("population.enable", false, "also integrate the population (T -> infinity) ODE on the data.* classes")
        .add_double("population.eta_y", 1.0, 0.0, 1e6, "eta_Y of the population run")
        .add_double("population.eta_z", 1.0, 0.0, 1e6, "eta_Z of the population run")
        .add_int("population.steps", 2000, 0, 1 << 30, "Euler steps (batch-size-1 time)")
        .add_int("population.record_every", 10, 1, 1 << 30, "record Z every k steps");
    return s;
}

void scansnap_theory(const RunOptions &opt) {
    Config cfg;
    if (!resolve_config(opt, theory_schema(), cfg)) return;
    if (opt.out.empty()) throw UsageError("scansnap theory: --out DIR is required");
    check_output_dir(opt.out);
    plot::TheoryCurveParams tp;
    tp.M = int(cfg.get_int("theory.M"));
    tp.K = int(cfg.get_int("theory.K"));
    tp.eta_y = cfg.get_double("theory.eta_y");
    tp.eta_z = cfg.get_double("theory.eta_z");
    tp.C0 = cfg.get_double("theory.C0");
    tp.t_max = cfg.get_double("theory.t_max");
    tp.points = int(cfg.get_int("theory.points"));
    RunDir run(opt.out, "scansnap theory", cfg);
    plot::write_theory_outputs(run.path(""), tp, true);
    if (cfg.get_bool("population.enable")) {
        PopulationParams pp;
        pp.data = data_params_from(cfg);
        pp.eta_y = cfg.get_double("population.eta_y");
        pp.eta_z = cfg.get_double("population.eta_z");
        pp.steps = int(cfg.get_int("population.steps"));
        pp.record_every = int(cfg.get_int("population.record_every"));
        plot::write_population_outputs(run.path(""), simulate_population(pp));
    }
    run.commit();
    std::fprintf(stderr, "scansnap theory: M=%d K=%d eta_y=%g eta_z=%g -> %s\n", tp.M, tp.K, tp.eta_y, tp.eta_z,
                 opt.out.c_str());
}

ConfigSchema sweep_schema() {
    ConfigSchema s = train_schema();
    s.add_int_list("sweep.num_last", "[1, 3, 5, 10]", "num_last values (one Fig 6 panel each)")
        .add_double_list("sweep.lr_z", "[0.5, 1, 2, 3]", "eta_Z values (one line each)")
        .add_double_list("sweep.ratio", "[1, 2, 5, 10]", "eta_Y / eta_Z values (x axis)")
        .add_int("sweep.seeds", 10, 1, 100000, "seeds 1..N per grid point")
        .add_int("sweep.thresholds", 21, 1, 10000, "threshold points of the recall curves (Figs 11/12)");
    return s;
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

void scansnap_sweep(const RunOptions &opt_in) {
    RunOptions opt = opt_in;
    const ConfigSchema schema = sweep_schema();
    opt.sets = wrap_list_overrides(opt.sets, schema);
    Config cfg;
    if (!resolve_config(opt, schema, cfg)) return;
    if (opt.out.empty()) throw UsageError("scansnap sweep: --out DIR is required");
    check_output_dir(opt.out);
    TrainParams base = train_params_from(cfg);
    SweepGrid grid;
    grid.num_last.clear();
    for (int64_t v : cfg.get_int_list("sweep.num_last")) {
        if (v < 1) throw UsageError(fmt::format("config key 'sweep.num_last': value {} must be >= 1", v));
        grid.num_last.push_back(int(v));
    }
    grid.lr_z = cfg.get_double_list("sweep.lr_z");
    grid.ratio = cfg.get_double_list("sweep.ratio");
    grid.seeds = int(cfg.get_int("sweep.seeds"));
    grid.num_thresholds = int(cfg.get_int("sweep.thresholds"));
    if (grid.num_last.empty() || grid.lr_z.empty() || grid.ratio.empty())
        throw UsageError("scansnap sweep: sweep.num_last, sweep.lr_z and sweep.ratio must be non-empty lists");
    RunDir run(opt.out, "scansnap sweep", cfg);
    const size_t total = grid.num_last.size() * grid.lr_z.size() * grid.ratio.size() * size_t(grid.seeds);
    Progress progress("scansnap sweep", total, "runs");
    SweepResult r = run_sweep(base, grid, &progress);
    progress.finish();
    plot::write_sweep_outputs(run.path(""), grid, r, true);
    run.manifest()["runs"] = total;
    run.manifest()["sweep_wall_s"] = r.wall_s;
    run.manifest()["threads"] = omp_get_max_threads();
    run.commit();
    std::fprintf(stderr, "scansnap sweep: %zu runs in %.2f s on %d threads -> %s/entropy.csv\n", total, r.wall_s,
                 omp_get_max_threads(), opt.out.c_str());
}

void register_scansnap(CLI::App &app) {
    auto *group =
        app.add_subcommand("scansnap", "Scan and Snap: the 1-layer Y/Z model, its theory and sweeps (Tian et al.)");
    group->require_subcommand(1);
    static RunOptions train_opt, theory_opt, sweep_opt;
    auto *tr =
        group->add_subcommand("train", "one training run of the Y/Z model (defaults: Syn-Small, SGD, zero init)");
    add_run_options(tr, train_opt);
    tr->callback([] { scansnap_train(train_opt); });
    auto *th = group->add_subcommand("theory", "h, h*, gamma, B_n, transition times; optionally the population ODE");
    add_run_options(th, theory_opt);
    th->callback([] { scansnap_theory(theory_opt); });
    auto *sw =
        group->add_subcommand("sweep", "the Fig 6 grid in parallel: entropy.csv (num_last,lr_z,ratio,mean,std,seeds)");
    add_run_options(sw, sweep_opt);
    sw->callback([] { scansnap_sweep(sweep_opt); });
}

GroupRegistrar registrar(30, "scansnap", register_scansnap);
ReproducerRegistrar reproducer(30, "scansnap",
                               "Scan and Snap: Figs 3, 4, 5, 6, 8, 9, 11, 12, the entropy table and theory overlays",
                               [](const std::string &scale, const std::string &out, int threads) {
                                   plot::reproduce_scansnap(scale, out, threads);
                               });

} // namespace
} // namespace tdlab::cli
