// The bodies of the run commands of the two training papers:
//   birth train      Bietti et al. 2023, Birth of a Transformer (arXiv 2306.00802; docs/birth.md): one run of
//                    the simplified model: metrics.jsonl (official keys), params.npz, attention maps of
//                    experiment sequences, curve figures
//   birth eval       trained weights (a run's params.npz, or data/birth/fig2_paper_*) evaluated without
//                    training: eval.json, attention maps, ablation.json, activations
//   birth theory     the three top-down gradient steps from zero (W_O^2, W_K^2, W_K^1; Sec. 6 of the paper;
//                    docs/birth_theory.md) over d and the step size: theory.jsonl, theory.csv, birth_theory.png
//   scansnap train   Tian et al. 2023, Scan and Snap (arXiv 2305.16380; docs/scansnap.md): one training run:
//                    loss, c_n over iterations, entropies, Z rows (.npy/.csv) + figures
//   scansnap theory  the closed forms h, h*, gamma, Gamma, B_n, transition times (+ the population ODE)
//   scansnap sweep   the Fig 6 grid (num_last x lr_z x ratio x seeds) in parallel: entropy.csv, recall.csv
//   scansnap text    the word transformer on real text (Figs 7 and 10): metrics.jsonl, attention_entropy.csv,
//                    freezing.csv, attn/iter_N.npy + figures
#include "birth/char_stats.h"
#include "birth/evaluate.h"
#include "birth/theory.h"
#include "birth/trainer.h"
#include "core/error.h"
#include "core/paths.h"
#include "core/progress.h"
#include "nn/checkpoint_store.h"
#include "plot/birth_figures.h"
#include "plot/birth_theory_figure.h"
#include "plot/scansnap_figures.h"
#include "plot/scansnap_text_figures.h"
#include "repro/birth_runs.h"
#include "repro/run_commands.h"
#include "scansnap/outputs.h"
#include "scansnap/population.h"
#include "scansnap/sweep.h"
#include "scansnap/text_trainer.h"
#include "scansnap/trainer.h"

#include <fmt/format.h>
#include <omp.h>

namespace tdlab::repro {

RunBody prepare_birth_train(const Config &cfg) {
    const birth::TrainOptions opt = birth::train_options_from(cfg);
    return [opt](RunDir &run) {
        Progress progress("birth train", uint64_t(opt.max_iters));
        const birth::TrainResult res = birth::train(opt, run.path(""), &progress, nn::checkpoint_store_for(run.out()));
        progress.finish();
        // The title says which run this is: figures of several runs side by side are otherwise alike.
        const std::string title = fmt::format("birth train: {} model, d = {}, B = {}, K = {} {} triggers, seed {}",
                                              opt.model.kind, opt.model.dim, opt.batch_size, opt.train_data.k,
                                              opt.train_data.fixed_triggers ? "fixed" : "random", opt.seed);
        plot::draw_birth_run(run.path(""), res.records, title,
                             plot::birth_chance(birth::shakespeare_stats().N, opt.train_data));
        run.manifest()["seed"] = opt.seed;
        run.manifest()["train_seconds"] = res.seconds; // of this process: a resumed run did the rest before
        // A run finished from a checkpoint says so (its train_seconds cover only the iterations after it).
        if (res.resumed_from > 0) run.manifest()["resumed_from_iter"] = res.resumed_from;
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

RunBody prepare_birth_eval(const Config &cfg) {
    const birth::TrainOptions opt = birth::train_options_from(cfg);
    const std::string params = cfg.get_string("birth.eval.params");
    if (params == "none")
        throw UsageError("config key 'birth.eval.params' is required: the weights to evaluate (a params.npz of `birth "
                         "train`, or a folder of NAME.npy such as data/birth/fig2_paper_fixed)");
    // Relative to the directory the command was started in, else to the source tree (data/birth/...), fixed
    // before the run directory is staged.
    const std::filesystem::path path = std::filesystem::absolute(resolve_config_path(params)).lexically_normal();
    if (!std::filesystem::exists(path))
        throw UsageError(fmt::format("config key 'birth.eval.params': no such file or folder: {}", params));
    return [opt, path](RunDir &run) {
        birth::TrainResult res;
        const nlohmann::json ev = birth::evaluate(opt, path, run.path(""), res);
        std::string maps;
        if (!res.attn_layer1.shape.empty()) {
            // Fig 2's drawing of the first experiment sequence (layers 1 and 2, head 0).
            const AttentionMaps m = draw_birth_maps(res, run.path(""), "eval", "evaluated weights");
            // The drawn sequence's own shares (eval.json has those of every experiment sequence).
            run.manifest()["previous_token_fraction_layer1_sequence0"] = {
                {"all", m.prev_all}, {"window", m.prev_window}, {"typical_window", m.prev_typical}};
            const nlohmann::json &p = ev["layer1_previous_token"];
            maps = fmt::format("; layer 1 argmax on t-1 for {:.2f} of the queries of the {} experiment sequences "
                               "({:.2f} for t < 32; drawn window {}-{} of the first: {:.2f})",
                               p["argmax_all"].get<double>(), p["sequences"].get<int>(),
                               p["argmax_t_lt_32"].get<double>(), m.begin, m.end - 1, m.prev_window);
        }
        run.manifest()["seed"] = opt.seed;
        run.manifest()["params"] = path.string();
        auto shown = [&](const nlohmann::json &j, const char *key) {
            return j.contains(key) && j[key].is_number() ? fmt::format("{:.3f}", j[key].get<double>())
                                                         : std::string("n/a");
        };
        std::string ablation;
        for (const char *mode : {"", "_zero", "_mean"})
            if (res.ablation.contains(std::string("acc_end_test_ablated") + mode))
                ablation += fmt::format("; ablated{} acc_end_test {}", mode,
                                        shown(res.ablation, (std::string("acc_end_test_ablated") + mode).c_str()));
        return fmt::format("birth eval: acc_end_test {}, loss_bigram {} on {} test sequences{}{} -> {}",
                           shown(ev, "acc_end_test"), shown(ev, "loss_bigram"), opt.test_batch_size, ablation, maps,
                           run.out().string());
    };
}

RunBody prepare_birth_theory(const Config &cfg) {
    const birth::TheorySweep sweep = birth::theory_sweep_from(cfg);
    return [sweep](RunDir &run) {
        Progress progress("birth theory", birth::theory_sweep_gradients(sweep), "gradients");
        const auto records = birth::run_theory_sweep(sweep, &progress);
        progress.finish();
        birth::write_theory_outputs(run.path(""), records);
        plot::draw_birth_theory(run.path(""), records, 1.0 / birth::shakespeare_stats().N,
                                sweep.base.data.k > 1 ? 1.0 / sweep.base.data.k : 0.0);
        run.manifest()["seed"] = sweep.base.seed;
        // The headline, largest d: acc_end after the three steps at each multiplier (the figure's right end).
        std::string accs;
        for (const auto &r : records)
            if (r["d"] == sweep.dims.back() && r["step"] == "W_K^1")
                accs += fmt::format("{}{:.3f} (x{})", accs.empty() ? "" : ", ", r["acc_end"].get<double>(),
                                    r["scale"].get<double>());
        return fmt::format("birth theory: d = {}: acc_end after the three steps {} -> {}", sweep.dims.back(), accs,
                           run.out().string());
    };
}

using namespace tdlab::scansnap;

RunBody prepare_scansnap_train(const Config &cfg) {
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
        run.manifest()["block_products"] = block_products_backend();
        return fmt::format("scansnap train: {}; loss {:.5f} -> {:.3g} after {} iterations -> {}", data.describe(),
                           r.loss.front(), r.loss.back(), p.niter, run.out().string());
    };
}

RunBody prepare_scansnap_theory(const Config &cfg) {
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

RunBody prepare_scansnap_sweep(const Config &cfg) {
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
        run.manifest()["block_products"] = block_products_backend();
        run.manifest()["threads"] = omp_get_max_threads();
        return fmt::format("scansnap sweep: {} runs in {:.2f} s on {} threads -> {}/entropy.csv", total, r.wall_s,
                           omp_get_max_threads(), run.out().string());
    };
}

RunBody prepare_scansnap_text(const Config &cfg) {
    const TextRunParams p = text_params_from(cfg); // refuses bad keys and missing texts before any output
    return [p](RunDir &run) {
        Progress progress("scansnap text", uint64_t(p.niter), "steps");
        // checkpoints at every evaluation beside the output (OUT.ckpt): the same command resumes a killed run
        const TextRunResult r = run_text(
            p, run.path(""), [&](int) { progress.add(1); }, nn::checkpoint_store_for(run.out()),
            [&](int64_t step) { progress.resumed(uint64_t(step)); });
        progress.finish();
        plot::draw_text_run(run.path(""), p, r.checkpoints);
        const auto &last = r.checkpoints.back();
        run.manifest()["seed"] = p.seed;
        run.manifest()["train_path"] = p.train_path; // the files read (a relative path: ./ first, then data/)
        run.manifest()["valid_path"] = p.valid_path;
        run.manifest()["vocab"] = r.vocab;
        run.manifest()["train_tokens"] = r.train_tokens;
        run.manifest()["valid_tokens"] = r.valid_tokens;
        run.manifest()["train_seconds"] = r.train_seconds;
        run.manifest()["eval_seconds"] = r.eval_seconds;
        run.manifest()["tokens_per_second"] = r.tokens_per_second;
        // a run finished from a checkpoint says so (its seconds cover only the steps after it)
        if (r.resumed_from > 0) run.manifest()["resumed_from_iter"] = r.resumed_from;
        run.manifest()["threads"] = omp_get_max_threads();
        return fmt::format("scansnap text: {} layer(s), vocab {}, {} steps in {:.1f} s (+{:.1f} s eval); valid loss "
                           "{:.3f}, layer-0 attention entropy {:.3f} -> {:.3f} nats -> {}",
                           p.model.n_layers, r.vocab, p.niter, r.train_seconds, r.eval_seconds, last.valid_loss,
                           r.checkpoints.front().entropy.front(), last.entropy.front(), run.out().string());
    };
}

} // namespace tdlab::repro
