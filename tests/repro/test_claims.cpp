// The claims tables (repro/paper_claims.h): each verdict is computed from the measured numbers, so
// changing one number flips it; `reproduce all`'s index gathers the papers' claims.json files.
#include "core/atomic_file.h"
#include "repro/paper_claims.h"

#include <cmath>
#include <gtest/gtest.h>

namespace tdlab::repro {
namespace {

namespace fs = std::filesystem;

const Claim &find(const std::vector<Claim> &claims, const std::string &id) {
    for (const auto &c : claims)
        if (c.id == id) return c;
    throw std::runtime_error("no claim " + id);
}

// A measured DMFT run that agrees with the paper everywhere.
DmftMeasured agreeing_dmft() {
    DmftMeasured m;
    m.paper_scale = true;
    for (int k = 0; k <= 30; ++k) {
        const double beta = 0.1 * k;
        const int label = beta <= 1.2 ? 0 : beta < 1.3 ? 1 : beta < 2.0 ? 2 : (k % 2 ? 0 : 2);
        m.fig3a.push_back({beta, label, label == 0 ? 4 : 0, label == 2 ? 0.1 : -0.01, beta <= 1.2 ? 1e-4 : 0.3});
    }
    for (int k = 0; k < 20; ++k) m.fig3b.push_back({1.24 + 0.002 * k, k % 3, 0, 0, 0.1});
    m.trajectories = {{1.255, 1, 0, 0.05, 1e4, 0.2}, {1.26405, 1, 0, 0.05, 1e4, 0.2}, {1.266, 2, 0, 0.07, 1e3, 0.3},
                      {1.27, 0, 28, 0.1, 1e3, 0.2},  {1.28, 2, 0, 0.05, 1e3, 0.3},    {1.4, 2, 0, 0.05, 1e3, 0.3}};
    m.finite_n_slope = -0.51, m.finite_n_w1_first = 0.02, m.finite_n_w1_last = 0.002;
    return m;
}

TEST(Claims, DmftVerdictsFollowTheMeasurements) {
    DmftMeasured m = agreeing_dmft();
    auto claims = dmft_claims(m);
    for (const auto &c : claims) {
        std::printf("%-34s %s\n", c.id.c_str(), verdict_name(c.verdict).c_str());
        EXPECT_EQ(c.verdict, Verdict::Holds) << c.id << ": " << c.measured;
    }
    // The 28-point orbit replaced by the 56-point one: the Fig 4 claim at 1.27 flips.
    m.trajectories[3].distinct_points = 56;
    EXPECT_EQ(find(dmft_claims(m), "fig4.beta_1.27").verdict, Verdict::Contradicted);
    // A slope of -0.3 is not the N^-1/2 law.
    m = agreeing_dmft();
    m.finite_n_slope = -0.3;
    EXPECT_EQ(find(dmft_claims(m), "meanfield.periodic_rate").verdict, Verdict::Contradicted);
    // At the reduced scale an agreeing rule says so.
    m = agreeing_dmft();
    m.paper_scale = false;
    EXPECT_EQ(find(dmft_claims(m), "fig3a.jump_to_chaos").verdict, Verdict::HoldsAtThisScale);
    // Chaos before the quasi-periodic band contradicts the route.
    m = agreeing_dmft();
    for (auto &c : m.fig3a)
        if (c.beta > 1.2 && c.beta < 1.3) c.label = 2, c.lyapunov = 0.1;
    EXPECT_EQ(find(dmft_claims(m), "fig3a.quasi_periodic_band").verdict, Verdict::Contradicted);
}

// The chance model of the onset rule: closed forms of the binomial tail.
TEST(Claims, BinomialTailClosedForms) {
    EXPECT_NEAR(binomial_tail(1, 5, 1.0 / 65), 1 - std::pow(64.0 / 65, 5), 1e-14);
    EXPECT_NEAR(binomial_tail(5, 5, 1.0 / 65), std::pow(1.0 / 65, 5), 1e-20);
    EXPECT_DOUBLE_EQ(binomial_tail(0, 65, 1.0 / 65), 1.0);
    EXPECT_NEAR(binomial_tail(2, 3, 0.5), 0.5, 1e-15);
    // One of five triggers by luck is not significant; three of five is (the onset rule's 1e-3).
    EXPECT_GT(binomial_tail(1, 5, 1.0 / 65), 1e-3);
    EXPECT_LT(binomial_tail(3, 5, 1.0 / 65), 1e-3);
}

BirthMeasured agreeing_birth() {
    BirthMeasured m;
    m.paper_scale = true;
    m.score_acc = m.score2_acc = m.score2_acc_random = 0.97;
    m.rise_wo = 50, m.rise_wk2 = 100, m.rise_wk1 = 200, m.rise_wk1_64 = 150;
    m.acc_before_thaw_wo_only = 0.1;
    m.reach_none = 200, m.reach_wo_frozen = 400, m.reach_wk1_frozen = 350, m.reach_wk2_frozen = 500;
    m.bigram_floor_iter = 30, m.head_drop_iter = 200, m.loss_bigram_final = 2.2;
    m.reach_fixed = 200, m.reach_rare = 300, m.reach_random = 400, m.reach_k1 = 500;
    m.acc_uu = 0.9, m.acc_bu = 0.6;
    m.rise_ff = 10, m.rise_wo4 = 50, m.rise_wk2_4 = 100, m.rise_wk1_4 = 200;
    m.onset3 = {10, 40, 60}, m.onset4 = {20, 50, 90};
    m.fig2_run = true;
    m.g_acc_fixed = 0.95, m.g_loss_bigram_fixed = 2.23, m.g_acc_random = 0.92, m.g_loss_bigram_random = 2.3;
    m.g_prev_l0_fixed = 0.95, m.g_ind_l1_fixed = 0.4, m.g_prev_l0_random = 0.93, m.g_ind_l1_random = 0.6;
    m.base_acc = 0.2, m.base_loss_bigram = 2.25;
    m.abl_acc = 0.95, m.abl_loss = 2.23, m.abl_acc_zero = 0.05, m.abl_loss_zero = 2.5, m.abl_acc_mean = 0.1,
    m.abl_loss_mean = 2.28;
    return m;
}

TEST(Claims, BirthVerdictsFollowTheMeasurements) {
    BirthMeasured m = agreeing_birth();
    for (const auto &c : birth_claims(m)) {
        std::printf("%-34s %s\n", c.id.c_str(), verdict_name(c.verdict).c_str());
        if (c.verdict != Verdict::NotRun) {
            EXPECT_EQ(c.verdict, Verdict::Holds) << c.id << ": " << c.measured;
        }
    }
    // The quick-scale finding: W_K^2 saturates before W_O^2.
    m.rise_wk2 = 25;
    EXPECT_EQ(find(birth_claims(m), "fig3.top_down").verdict, Verdict::Contradicted);
    // Onsets: W_K^2 starting before W_O^2, or W_K^1 never starting, contradicts the top-down start.
    m = agreeing_birth();
    m.onset3 = {40, 10, 60};
    EXPECT_EQ(find(birth_claims(m), "fig3.top_down_onset").verdict, Verdict::Contradicted);
    m.onset4 = {20, 50, NAN};
    EXPECT_EQ(find(birth_claims(m), "fig4.top_down_onset").verdict, Verdict::Contradicted);
    // K = 1 learning fastest contradicts "fewer triggers slow in-context learning"; never learning counts as
    // slowest.
    m = agreeing_birth();
    m.reach_k1 = 100;
    EXPECT_EQ(find(birth_claims(m), "fig4.fewer_triggers_slower").verdict, Verdict::Contradicted);
    m.reach_k1 = NAN;
    EXPECT_EQ(find(birth_claims(m), "fig4.fewer_triggers_slower").verdict, Verdict::Holds);
    // The generic transformer: each of its rules can fail on its own number; without the runs, not run.
    m = agreeing_birth();
    m.g_prev_l0_fixed = 0.6;
    EXPECT_EQ(find(birth_claims(m), "fig2.generic_transformer").verdict, Verdict::Contradicted);
    m = agreeing_birth();
    m.g_acc_random = 0.46; // random triggers not converged: said, but the fixed-trigger rule decides
    EXPECT_EQ(find(birth_claims(m), "fig2.generic_transformer").verdict, Verdict::Holds);
    EXPECT_NE(find(birth_claims(m), "fig2.generic_transformer").measured.find("not converged"), std::string::npos);
    m.base_loss_bigram = 2.30; // 0.07 nats above the 2-layer floor
    EXPECT_EQ(find(birth_claims(m), "baseline.one_layer").verdict, Verdict::Contradicted);
    m = agreeing_birth();
    m.base_acc = 0.6;
    EXPECT_EQ(find(birth_claims(m), "baseline.one_layer").verdict, Verdict::Contradicted);
    m = agreeing_birth();
    m.abl_loss_mean = 2.4; // the bigram loss moved by 0.17 nats
    EXPECT_EQ(find(birth_claims(m), "ablation.induction_head").verdict, Verdict::Contradicted);
    m = agreeing_birth();
    m.abl_acc_mean = 0.5;
    EXPECT_EQ(find(birth_claims(m), "ablation.induction_head").verdict, Verdict::Contradicted);
    m = agreeing_birth();
    m.abl_acc = 0.05, m.abl_acc_mean = 0.05; // nothing learned, nothing to remove
    EXPECT_EQ(find(birth_claims(m), "ablation.induction_head").verdict, Verdict::Contradicted);
    m.fig2_run = false;
    for (const char *id : {"fig2.generic_transformer", "baseline.one_layer", "ablation.induction_head"})
        EXPECT_EQ(find(birth_claims(m), id).verdict, Verdict::NotRun) << id;
    // Sec. 6 is judged on the theory run (it said "no birth theory command yet" while the report had the run);
    // not run only without one.
    m = agreeing_birth();
    EXPECT_EQ(find(birth_claims(m), "sec6.top_down_steps").verdict, Verdict::NotRun);
    m.theory_d = 512, m.theory_wk0 = 0.9, m.theory_acc_scaled = 0.95;
    EXPECT_EQ(find(birth_claims(m), "sec6.top_down_steps").verdict, Verdict::Holds);
    m.theory_wk0 = 0.004; // W_K^1 at chance after its step (docs/birth_theory.md, check 4)
    EXPECT_EQ(find(birth_claims(m), "sec6.top_down_steps").verdict, Verdict::Contradicted);
    m.theory_wk0 = 0.9, m.theory_acc_scaled = 0.31; // accuracy levels off (check 5)
    EXPECT_EQ(find(birth_claims(m), "sec6.top_down_steps").verdict, Verdict::Contradicted);
}

ScansnapMeasured agreeing_scansnap() {
    ScansnapMeasured m;
    m.paper_scale = true;
    m.t0 = {276.3, 138.2, 69.1, 27.6}, m.chi_end = {600, 300, 100, 40};
    m.fig8_gap_over_bound = 0.8, m.fig8_gap_shrinks = 1, m.fig9_spread = 1e-15;
    m.common_mass_start = 0.5, m.common_mass_end = 0.05, m.distinct_order = 0.9;
    m.entropy_ratio1 = 1.5, m.entropy_ratio10 = 2.0, m.fig5_distinct_top_sets = 3;
    m.scan_rms_sgd = 0.03, m.scan_rms_population = 0.005, m.frequency_ordered = m.common_fell = true;
    m.fig6_monotone_ratio = 1, m.fig6_monotone_lr = 1, m.fig6_within3 = 0.97, m.fig6_mean_z = 0.3;
    m.recall_monotone_lr = 0.9;
    m.fig7_run = true, m.fig7_loss_falling = true, m.fig7_entropy_start = 2.5, m.fig7_entropy_end = 0.3;
    m.fig7_last_change = 0.01, m.fig7_last_argmax_same = 0.95, m.fig7_last_iter = 3000;
    m.fig10_lrs = {1, 3, 5}, m.fig10_means = {2.4, 2.2, 1.7};
    return m;
}

TEST(Claims, ScansnapVerdictsFollowTheMeasurements) {
    ScansnapMeasured m = agreeing_scansnap();
    for (const auto &c : scansnap_claims(m)) {
        std::printf("%-34s %s\n", c.id.c_str(), verdict_name(c.verdict).c_str());
        if (c.verdict != Verdict::NotRun) {
            EXPECT_EQ(c.verdict, Verdict::Holds) << c.id << ": " << c.measured;
        }
    }
    m.fig6_within3 = 0.5;
    EXPECT_EQ(find(scansnap_claims(m), "fig6.published_values").verdict, Verdict::Contradicted);
    // The measured quick-scale Fig 7: sparse but still moving (map change 0.43 per checkpoint).
    m = agreeing_scansnap();
    m.fig7_last_change = 0.43;
    EXPECT_EQ(find(scansnap_claims(m), "fig7.attention_freezes").verdict, Verdict::Contradicted);
    m.fig7_run = false;
    EXPECT_EQ(find(scansnap_claims(m), "fig7.attention_freezes").verdict, Verdict::NotRun);
    m = agreeing_scansnap();
    m.t0[1] = 150;
    EXPECT_EQ(find(scansnap_claims(m), "fig3.t0").verdict, Verdict::Contradicted);
}

TEST(Claims, IndexGathersThePapersAndRefusesAForeignIndex) {
    const fs::path root = fs::temp_directory_path() / "tdlab_claims_index";
    fs::remove_all(root);
    fs::create_directories(root / "dmft");
    fs::create_directories(root / "birth");
    const auto d = dmft_claims(agreeing_dmft());
    const auto b = birth_claims(agreeing_birth());
    const auto s = scansnap_claims(agreeing_scansnap());
    EXPECT_GE(d.size() + b.size() + s.size(), 25u);
    write_claims(root / "dmft" / "claims.json", "dmft", d);
    write_claims(root / "birth" / "claims.json", "birth", b);
    write_claims_index(root, {{"dmft", root / "dmft"}, {"birth", root / "birth"}, {"scansnap", root / "scansnap"}},
                       "quick", 1.0);
    const auto all = nlohmann::json::parse(read_file(root / "claims.json"));
    EXPECT_EQ(all.size(), d.size() + b.size());
    EXPECT_EQ(all[0]["paper"], "dmft");
    EXPECT_EQ(all[0]["verdict"], "holds");
    const std::string html = read_file(root / "index.html");
    EXPECT_NE(html.find("dmft/report.html"), std::string::npos);
    EXPECT_NE(html.find("Not reproduced in this folder"), std::string::npos); // scansnap
    // A second run replaces tdlab's own index; a user's index.html is never overwritten.
    write_claims_index(root, {{"dmft", root / "dmft"}}, "quick", 1.0);
    write_file_atomic(root / "index.html", "<html>mine</html>\n");
    write_claims_index(root, {{"dmft", root / "dmft"}}, "quick", 1.0);
    EXPECT_EQ(read_file(root / "index.html"), "<html>mine</html>\n");
    fs::remove_all(root);
}

} // namespace
} // namespace tdlab::repro
