// The claims of Bietti et al. 2023 (arXiv 2306.00802) about Figs 2-4 and Sec. 6, judged on a
// reproduction's measured numbers (paper_claims.h, docs/claims.md).
#include "repro/paper_claims.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::repro {

namespace {

std::string it(double x) {
    return std::isnan(x) ? std::string("never") : fmt::format("{:g}", x);
}

// a < b, where "never" (NaN) comes after every iteration.
bool earlier(double a, double b) {
    if (std::isnan(a)) return false;
    return std::isnan(b) || a < b;
}

Claim top_down_onset(const char *id, const char *where, const std::array<double, 3> &o, bool full) {
    return {id,
            where,
            "The memories start to form top-down: W_O^2, then W_K^2, then W_K^1.",
            fmt::format("onsets (first evaluation, and the next, with a hit count beyond chance at binomial tail < "
                        "1e-3): W_O^2 {}, W_K^2 {}, W_K^1 {}",
                        it(o[0]), it(o[1]), it(o[2])),
            "onset of W_O^2 < W_K^2 < W_K^1, all three within the run",
            judge(!std::isnan(o[2]) && earlier(o[0], o[1]) && earlier(o[1], o[2]), full),
            std::nullopt};
}

// Fig 2 of the generic transformer, the 1-layer baseline and the ablation of the layer-2 head. The rules were
// fixed before the runs: heads.csv's previous-token score ("mul", the share of attention on the previous
// token) of layer 1 >= 0.9 with in-context accuracy >= 0.9 (fixed triggers) for the two heads; 1 layer <= 0.5
// against 2 layers >= 0.9 with loss_bigram within 0.05 nats; mean-ablating the layer-2 head of a model with
// acc_end >= 0.9 leaves acc_end <= 0.3 while loss_bigram moves by <= 0.1 nats.
void generic_transformer_claims(const BirthMeasured &m, std::vector<Claim> &out) {
    const bool full = m.paper_scale;
    const char *generic = "Attention maps of a trained generic 2-layer transformer (learned embeddings, LayerNorm, "
                          "MLPs): layer 1 attends to the previous token, layer 2 is an induction head.";
    const char *baseline = "A 1-layer transformer fails at the in-context bigram task while learning the global "
                           "bigrams as well as the 2-layer one.";
    const char *ablation = "Removing the layer-2 induction head destroys in-context prediction but not the global "
                           "bigram prediction.";
    if (!m.fig2_run) {
        out.push_back(
            not_run("fig2.generic_transformer", "Fig 2", generic, "the Fig 2 runs were not part of this reproduction"));
        out.push_back(
            not_run("baseline.one_layer", "Sec. 5", baseline, "the Fig 2 runs were not part of this reproduction"));
        out.push_back(not_run("ablation.induction_head", "Sec. 5", ablation,
                              "the Fig 2 runs were not part of this reproduction"));
        return;
    }
    const std::string random =
        m.g_acc_random >= 0.9
            ? fmt::format("; random triggers: acc_end {:.3f}, previous-token score {:.3f}, induction score {:.3f}",
                          m.g_acc_random, m.g_prev_l0_random, m.g_ind_l1_random)
            : fmt::format("; random triggers not converged in this run: acc_end {:.3f} (previous-token score {:.3f}, "
                          "induction score {:.3f})",
                          m.g_acc_random, m.g_prev_l0_random, m.g_ind_l1_random);
    out.push_back({"fig2.generic_transformer", "Fig 2", generic,
                   fmt::format("fixed triggers: layer-1 previous-token score {:.3f}, layer-2 induction score {:.3f} "
                               "(TransformerLens \"mul\", every repeated token counts), acc_end {:.3f}",
                               m.g_prev_l0_fixed, m.g_ind_l1_fixed, m.g_acc_fixed) +
                       random,
                   "fixed triggers: layer-1 previous-token score >= 0.9 and acc_end >= 0.9",
                   judge(m.g_prev_l0_fixed >= 0.9 && m.g_acc_fixed >= 0.9, full), m.g_prev_l0_fixed});
    const double gap = std::fabs(m.base_loss_bigram - m.g_loss_bigram_fixed);
    out.push_back({"baseline.one_layer", "Sec. 5", baseline,
                   fmt::format("fixed triggers, acc_end {:.3f} (1 layer) vs {:.3f} (2 layers); loss_bigram {:.3f} vs "
                               "{:.3f}",
                               m.base_acc, m.g_acc_fixed, m.base_loss_bigram, m.g_loss_bigram_fixed),
                   "1 layer acc_end <= 0.5, 2 layers >= 0.9, loss_bigram within 0.05 nats",
                   judge(m.base_acc <= 0.5 && m.g_acc_fixed >= 0.9 && gap <= 0.05, full), m.g_acc_fixed - m.base_acc});
    out.push_back(
        {"ablation.induction_head", "Sec. 5", ablation,
         fmt::format("2 layers, fixed triggers, test batch: acc_end {:.3f} -> {:.3f} (mean-ablated) / {:.3f} "
                     "(zero-ablated); loss_bigram {:.3f} -> {:.3f} / {:.3f}",
                     m.abl_acc, m.abl_acc_mean, m.abl_acc_zero, m.abl_loss, m.abl_loss_mean, m.abl_loss_zero),
         "acc_end >= 0.9 before (a head to remove), mean-ablated acc_end <= 0.3 and |change of "
         "loss_bigram| <= 0.1 nats",
         judge(m.abl_acc >= 0.9 && m.abl_acc_mean <= 0.3 && std::fabs(m.abl_loss_mean - m.abl_loss) <= 0.1, full),
         m.abl_acc_mean});
}

} // namespace

std::vector<Claim> birth_claims(const BirthMeasured &m) {
    std::vector<Claim> out;
    const bool full = m.paper_scale;
    const std::string simplified = " (the simplified model of Fig 3; the paper's Fig 2 trains the generic one)";
    out.push_back({"fig2.previous_token_head", "Fig 2", "The layer-1 head attends to the previous token.",
                   fmt::format("score_acc = {:.3f} at the end of the no-freeze run", m.score_acc) + simplified,
                   "score_acc >= 0.9", judge(m.score_acc >= 0.9, full), m.score_acc});
    out.push_back({"fig2.induction_head_fixed", "Fig 2",
                   "With fixed triggers the layer-2 head attends to the token after an earlier occurrence of the "
                   "current trigger.",
                   fmt::format("score2_acc = {:.3f}", m.score2_acc) + simplified, "score2_acc >= 0.9",
                   judge(m.score2_acc >= 0.9, full), m.score2_acc});
    out.push_back({"fig2.induction_head_random", "Fig 2",
                   "With random triggers the induction behaviour fires for any repeated token.",
                   fmt::format("score2_acc = {:.3f} (random triggers, Fig 4's run)", m.score2_acc_random),
                   "score2_acc >= 0.9", judge(m.score2_acc_random >= 0.9, full), m.score2_acc_random});
    generic_transformer_claims(m, out);
    // Fig 3: the order of learning.
    out.push_back({"fig3.top_down", "Fig 3",
                   "Trained jointly, the memories form top-down: W_O^2, then W_K^2, then W_K^1.",
                   fmt::format("half-rise iterations (half of each memory's associations stored): W_O^2 {}, "
                               "W_K^2 {}, W_K^1 {}",
                               it(m.rise_wo), it(m.rise_wk2), it(m.rise_wk1)),
                   "half-rise of W_O^2 < W_K^2 < W_K^1",
                   judge(earlier(m.rise_wo, m.rise_wk2) && earlier(m.rise_wk2, m.rise_wk1), full), std::nullopt});
    // The half-rise compares the time to store HALF of each memory's associations (65 for W_O^2, K = 5 for
    // W_K^2 with fixed triggers); the onset compares when each memory starts to form. Both are reported.
    out.push_back(top_down_onset("fig3.top_down_onset", "Fig 3", m.onset3, full));
    out.push_back({"fig3.wo_alone_not_enough", "Fig 3",
                   "W_O^2 learned on its own (W_K^1, W_K^2 frozen) does not give good accuracy.",
                   fmt::format("acc_end just before the thaw = {:.3f}", m.acc_before_thaw_wo_only),
                   "acc_end before the thaw < 0.5", judge(m.acc_before_thaw_wo_only < 0.5, full),
                   m.acc_before_thaw_wo_only});
    out.push_back({"fig3.wo_needed_first", "Fig 3",
                   "W_O^2 must be learned before the key-query matrices: freezing it delays in-context learning.",
                   fmt::format("acc_end reaches 0.5 at iteration {} (none frozen) vs {} (W_O^2 frozen)",
                               it(m.reach_none), it(m.reach_wo_frozen)),
                   "later with W_O^2 frozen", judge(earlier(m.reach_none, m.reach_wo_frozen), full), std::nullopt});
    out.push_back({"fig3.wk2_before_wk1_easier", "Fig 3", "Learning W_K^2 before W_K^1 is easier than the reverse.",
                   fmt::format("acc_end reaches 0.5 at iteration {} (W_K^1 frozen, W_K^2 learns first) vs {} (W_K^2 "
                               "frozen)",
                               it(m.reach_wk1_frozen), it(m.reach_wk2_frozen)),
                   "earlier with W_K^1 frozen", judge(earlier(m.reach_wk1_frozen, m.reach_wk2_frozen), full),
                   std::nullopt});
    out.push_back({"fig3.early_positions_first", "Fig 3",
                   "W_K^1 stores early positions (t < 64) faster than late ones.",
                   fmt::format("half-rise of wk0_64_acc at {} vs wk0_acc at {}", it(m.rise_wk1_64), it(m.rise_wk1)),
                   "wk0_64_acc rises first", judge(earlier(m.rise_wk1_64, m.rise_wk1), full), std::nullopt});
    // Fig 4: global vs in-context, data variants, output laws, probes.
    out.push_back({"fig4.global_before_in_context", "Fig 4 (left)",
                   "The global (bigram) loss reaches its floor before the in-context loss drops.",
                   fmt::format("loss_bigram within 0.1 nats of its final value at iteration {}; loss_head half-way "
                               "down at {}",
                               it(m.bigram_floor_iter), it(m.head_drop_iter)),
                   "the bigram floor comes first", judge(earlier(m.bigram_floor_iter, m.head_drop_iter), full),
                   std::nullopt});
    out.push_back({"fig4.global_floor", "Fig 4 (left)",
                   "The global loss floor is the bigram entropy of the data, about 2.1-2.3 nats.",
                   fmt::format("final loss_bigram = {:.3f} nats", m.loss_bigram_final), "between 2.0 and 2.4 nats",
                   judge(m.loss_bigram_final >= 2.0 && m.loss_bigram_final <= 2.4, full), m.loss_bigram_final});
    struct Slow {
        const char *id, *what;
        double reach;
    };
    for (Slow s : {Slow{"fig4.fewer_triggers_slower", "Fewer triggers (K = 1) delay in-context learning.", m.reach_k1},
                   Slow{"fig4.rare_triggers_slower", "Rare fixed triggers delay in-context learning.", m.reach_rare},
                   Slow{"fig4.random_triggers_slower", "Random triggers delay in-context learning.", m.reach_random}})
        out.push_back({s.id, "Fig 4 (left)", s.what,
                       fmt::format("acc_end reaches 0.5 at iteration {} vs {} with fixed frequent triggers (K = 5)",
                                   it(s.reach), it(m.reach_fixed)),
                       "later than the fixed frequent triggers", judge(earlier(m.reach_fixed, s.reach), full),
                       std::nullopt});
    out.push_back({"fig4.output_law", "Fig 4 (center)",
                   "Training on bigram outputs gives lower accuracy on uniform test outputs than training on uniform "
                   "outputs.",
                   fmt::format("acc_end_test on uniform outputs: {:.3f} (trained uniform) vs {:.3f} (trained bigram)",
                               m.acc_uu, m.acc_bu),
                   "trained bigram below trained uniform", judge(m.acc_bu < m.acc_uu, full), m.acc_uu - m.acc_bu});
    out.push_back({"fig4.order_with_ffn", "Fig 4 (right)",
                   "With W_F, the feed-forward memory learns first, then W_O^2, W_K^2 and W_K^1 in that order.",
                   fmt::format("half-way iterations: W_F (KL) {}, W_O^2 {}, W_K^2 {}, W_K^1 {}", it(m.rise_ff),
                               it(m.rise_wo4), it(m.rise_wk2_4), it(m.rise_wk1_4)),
                   "W_F < W_O^2 < W_K^2 < W_K^1",
                   judge(earlier(m.rise_ff, m.rise_wo4) && earlier(m.rise_wo4, m.rise_wk2_4) &&
                             earlier(m.rise_wk2_4, m.rise_wk1_4),
                         full),
                   std::nullopt});
    out.push_back(top_down_onset("fig4.top_down_onset", "Fig 4 (right)", m.onset4, full));
    // The theory section runs in every reproduction; the claim used to say it did not exist. Rule: the issue's
    // checks 4 and 5 (docs/birth_theory.md) at the sweep's largest d: W_K^1's recall after its step above
    // one half, and acc_end of the scaled memories >= 0.9 ("toward 1").
    const char *sec6 = "Three population-gradient steps on W_O^2, then W_K^2, then W_K^1 recover the ideal "
                       "memories, and larger steps send the in-context accuracy to 1.";
    if (std::isnan(m.theory_d))
        out.push_back(not_run("sec6.top_down_steps", "Sec. 6", sec6, "the theory sweep gave no W_K^1 step"));
    else
        out.push_back({"sec6.top_down_steps", "Sec. 6", sec6,
                       fmt::format("d = {:.0f}: W_K^1 recall after its step {:.3f}; acc_end with the memories scaled "
                                   "by the largest factor {:.3f} (docs/birth_theory.md)",
                                   m.theory_d, m.theory_wk0, m.theory_acc_scaled),
                       "wk0_acc > 0.5 and scaled acc_end >= 0.9",
                       judge(m.theory_wk0 > 0.5 && m.theory_acc_scaled >= 0.9, full), m.theory_acc_scaled});
    return out;
}

} // namespace tdlab::repro
