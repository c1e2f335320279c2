// Figs 7 and 10 of `tdlab reproduce scansnap` (repro/scansnap_text.h): Tian et al. 2023, "Scan and Snap"
// (arXiv 2305.16380), Section 7 on real text. docs/scansnap.md describes the runs.
#include "repro/scansnap_text.h"

#include "core/atomic_file.h"
#include "core/config.h"
#include "core/paths.h"
#include "core/progress.h"
#include "plot/scansnap_text_figures.h"
#include "scansnap/text_metrics.h"
#include "scansnap/text_trainer.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::repro {

namespace fs = std::filesystem;
using namespace tdlab::scansnap;

namespace {

// One real-text run from a shipped config plus overrides, into `sub`.
TextRunResult text_run(const fs::path &sub, const std::string &config, const std::vector<std::string> &sets,
                       const std::string &label) {
    const Config c = Config::load(text_schema(), resolve_config_path(config), sets);
    const TextRunParams p = text_params_from(c);
    fs::create_directories(sub);
    write_file_atomic(sub / "config.yaml", c.to_yaml());
    Progress progress("reproduce scansnap: " + label, uint64_t(p.niter), "steps");
    TextRunResult r = run_text(p, sub, [&](int) { progress.add(1); });
    progress.finish();
    plot::draw_text_run(sub, p, r.checkpoints);
    return r;
}

} // namespace

// Fig 7: the lowest layer's map on the fixed training chunk, 1 and 3 layers, with the freezing measures.
void fig7_section(const fs::path &dir, bool paper, std::vector<ReportSection> &sections, ScansnapMeasured &m) {
    const std::string cfg = paper ? "configs/scansnap/fig7.yaml" : "configs/scansnap/fig7-quick.yaml";
    const TextRunResult one = text_run(dir / "fig7_1layer", cfg, {}, "Fig 7, 1 layer");
    const TextRunResult three =
        text_run(dir / "fig7_3layer", cfg, {"model.nlayers=3", "model.dropout=0.2"}, "Fig 7, 3 layers");
    const int T = 35, last = one.checkpoints.back().iter;
    plot::draw_fig7(dir, {{"1 layer", &one.checkpoints, T}, {"3 layers", &three.checkpoints, T}},
                    {0, last / 3, 2 * last / 3, last});
    std::string rows;
    for (const auto *r : {&one, &three}) {
        std::vector<std::vector<float>> maps;
        for (const auto &c : r->checkpoints) maps.emplace_back(c.maps.begin(), c.maps.begin() + T * T);
        const auto f = freeze_stats(maps, T);
        if (r == &one && r->checkpoints.size() >= 2) {
            const auto &c0 = r->checkpoints.front(), &c1 = r->checkpoints.back(),
                       &c2 = r->checkpoints[r->checkpoints.size() - 2];
            m.fig7_run = true;
            m.fig7_entropy_start = c0.entropy.front(), m.fig7_entropy_end = c1.entropy.front();
            m.fig7_last_change = f.back().tv_change, m.fig7_last_argmax_same = f.back().argmax_same;
            m.fig7_loss_falling = c1.valid_loss < c2.valid_loss;
            m.fig7_last_iter = c1.iter;
        }
        for (size_t k = 0; k < r->checkpoints.size(); ++k) {
            const auto &c = r->checkpoints[k];
            rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.3f}</td><td>{}</td>"
                                "<td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td></tr>",
                                r == &one ? 1 : 3, c.iter,
                                std::isfinite(c.train_loss) ? fmt::format("{:.3f}", c.train_loss) : "-", c.valid_loss,
                                c.entropy.front(), k ? fmt::format("{:.3f}", f[k].tv_change) : "-", f[k].argmax_same,
                                f[k].argmax_frozen, f[k].row_max);
        }
    }
    sections.push_back(
        {"Fig 7: attention of the lowest layer on real text",
         fmt::format("<p>The word transformer of the PyTorch tutorial (d = 200, FFN 200, one head, post-LN, causal), "
                     "SGD without momentum, FFN at lr 10 and the rest at lr 5 (constant), clipping 0.5, batch 20, "
                     "bptt 35, trained on the Brown corpus{} ({} words in the vocabulary, {} training tokens), "
                     "validated on WikiText-2 valid ({} tokens). Maps: the lowest layer on the fixed training "
                     "chunk (row 3500, column 0), with dropout off. Freezing measures per checkpoint: mean over "
                     "query rows of the total variation to the previous checkpoint's map, the fraction of rows whose "
                     "argmax key is unchanged, the fraction whose argmax never changes again, and the mean row "
                     "maximum. Entropy: the validation attention entropy of layer 0 (nats). Training: {:.0f} s "
                     "(1 layer) and {:.0f} s (3 layers).</p><table border=1 cellpadding=3><tr><th>layers</th>"
                     "<th>iter</th><th>train loss</th><th>valid loss</th><th>entropy</th><th>map change (TV)</th>"
                     "<th>argmax same</th><th>argmax frozen</th><th>row max</th></tr>{}</table>",
                     paper ? "" : " (quick scale: a 200,000-token prefix)", one.vocab, one.train_tokens,
                     one.valid_tokens, one.train_seconds + one.eval_seconds, three.train_seconds + three.eval_seconds,
                     rows),
         {"fig7.png", "fig7_1layer/text_curves.png"}});
}

// Fig 10: final validation attention entropy against lr (1 layer), mean +- std over seeds.
void fig10_section(const fs::path &dir, bool paper, std::vector<ReportSection> &sections, ScansnapMeasured &m) {
    const std::vector<double> lrs = paper ? std::vector<double>{1, 2, 3, 4, 5} : std::vector<double>{1, 3, 5};
    const int seeds = paper ? 5 : 3;
    const std::string cfg = paper ? "configs/scansnap/fig10.yaml" : "configs/scansnap/fig10-quick.yaml";
    std::vector<double> mean, sd;
    std::string csv = "lr,seed,final_entropy,final_valid_loss\n", rows;
    for (double lr : lrs) {
        std::vector<double> h;
        for (int s = 1; s <= seeds; ++s) {
            const auto r = text_run(
                dir / "fig10" / fmt::format("lr{}_seed{}", lr, s), cfg,
                {fmt::format("train.lr={}", lr), fmt::format("train.lr_ffn={}", lr), fmt::format("seed={}", s)},
                fmt::format("Fig 10, lr {} seed {}", lr, s));
            h.push_back(r.checkpoints.back().entropy.front());
            csv += fmt::format("{},{},{:.6f},{:.6f}\n", lr, s, h.back(), r.checkpoints.back().valid_loss);
        }
        double m = 0.0, v = 0.0;
        for (double x : h) m += x / double(h.size());
        for (double x : h) v += (x - m) * (x - m) / std::max<double>(1.0, double(h.size()) - 1.0);
        mean.push_back(m);
        sd.push_back(std::sqrt(v));
        rows += fmt::format("<tr><td>{}</td><td>{:.3f} ± {:.3f}</td></tr>", lr, m, std::sqrt(v));
    }
    write_file_atomic(dir / "fig10.csv", csv);
    m.fig10_lrs = lrs, m.fig10_means = mean;
    plot::draw_fig10(dir, lrs, mean, sd, seeds);
    sections.push_back(
        {"Fig 10: validation attention entropy against the learning rate",
         fmt::format("<p>1 layer, dropout 0.2, every parameter at the same lr, {} seeds per lr ({}); the final "
                     "checkpoint's layer-0 entropy on WikiText-2 valid (fig10.csv). The paper reports that the "
                     "entropy falls as lr rises.</p><table border=1 cellpadding=3><tr><th>lr</th><th>entropy "
                     "(nats), mean ± std</th></tr>{}</table>",
                     seeds, paper ? "configs/scansnap/fig10.yaml" : "configs/scansnap/fig10-quick.yaml", rows),
         {"fig10.png"}});
}

} // namespace tdlab::repro
