// The claims of each paper and the rules that judge them (docs/claims.md). Each reproduction fills a
// plain struct of measured numbers from its runs; the functions here turn it into the claims table, so
// that the rules are tested on their own (tests/repro): change one measured number and a verdict flips.
#pragma once

#include "repro/claims.h"

#include <array>
#include <cmath>
#include <vector>

namespace tdlab::repro {

// Poc-Lopez & Aguilera 2024 (arXiv 2406.07247), Figs 3-5 and the mean-field limit.
struct DmftMeasured {
    struct Column {
        double beta;
        int label; // dynamics::Label: 0 periodic, 1 quasi-periodic, 2 chaotic, 3 unknown
        int64_t period;
        double lyapunov; // NaN if not computed
        double max_abs;  // max |m^o| over the window
    };
    std::vector<Column> fig3a, fig3b; // one per beta, in beta order
    struct Trajectory {
        double beta;
        int label;
        int64_t distinct_points;     // distinct (m^o_1, m^o_2) points of the window (periodic orbits)
        double peak_frequency;       // the highest bin of |rfft(m^o_1)|^2 in 0 < f < 1/L = 0.25 (cycles per step)
        double low_peak_over_median; // its height over the median of the spectrum
        double acf_beyond_l;         // mean |R_l / R_0| over l = 5..99 (beyond the context L = 4)
    };
    std::vector<Trajectory> trajectories; // Figs 4 and 5: 1.255, 1.26405, 1.266, 1.27, 1.28, 1.4
    double finite_n_slope = 0;            // fitted slope of log RMS vs log N on the period-4 orbit at beta = 1
    double finite_n_w1_first = 0, finite_n_w1_last = 0; // chaotic beta: W1 to the mean field, smallest / largest N
    bool paper_scale = false;                           // every figure at the paper's sizes
};
std::vector<Claim> dmft_claims(const DmftMeasured &m);

// Bietti et al. 2023 (arXiv 2306.00802), Figs 2-4 and Sec. 6. Iterations are those at which a curve first
// reaches half of its final rise (NaN when it never rises).
struct BirthMeasured {
    double score_acc = 0, score2_acc = 0;                            // Fig 2 (fixed triggers, end of the no-freeze run)
    double score2_acc_random = 0;                                    // Fig 2, random triggers
    double rise_wo = 0, rise_wk2 = 0, rise_wk1 = 0, rise_wk1_64 = 0; // Fig 3, no freezing
    double acc_before_thaw_wo_only = 0; // Fig 3, W_K^1 and W_K^2 frozen: acc_end just before the thaw
    double reach_none = 0, reach_wo_frozen = 0, reach_wk1_frozen = 0, reach_wk2_frozen = 0; // acc_end >= 0.5
    double bigram_floor_iter = 0, head_drop_iter = 0, loss_bigram_final = 0; // Fig 4 left, random triggers
    double reach_fixed = 0, reach_rare = 0, reach_random = 0, reach_k1 = 0;  // Fig 4 left: acc_end >= 0.5
    double acc_uu = 0, acc_bu = 0;                                    // Fig 4 center: train unif / bigram, test unif
    double rise_ff = 0, rise_wo4 = 0, rise_wk2_4 = 0, rise_wk1_4 = 0; // Fig 4 right (random triggers)
    // First significant departure from chance of W_O^2, W_K^2 (all keys), W_K^1: Fig 3 no-freeze, Fig 4 random
    std::array<double, 3> onset3{NAN, NAN, NAN}, onset4{NAN, NAN, NAN};
    double max_iters = 0;
    // Fig 2 of the generic transformer (fig2[-quick].yaml), the 1-layer baseline and the layer-2 head ablation.
    // acc_end / loss_bigram: means of the last five evaluations; heads.csv scores: the last evaluation, best
    // head of the layer; ablation: the final model on the fixed test batch.
    bool fig2_run = false;
    double g_acc_fixed = NAN, g_loss_bigram_fixed = NAN, g_acc_random = NAN, g_loss_bigram_random = NAN;
    double g_prev_l0_fixed = NAN, g_ind_l1_fixed = NAN, g_prev_l0_random = NAN, g_ind_l1_random = NAN;
    double base_acc = NAN, base_loss_bigram = NAN; // 1 layer, the same data as the fixed-trigger run
    double abl_acc = NAN, abl_loss = NAN, abl_acc_zero = NAN, abl_loss_zero = NAN, abl_acc_mean = NAN,
           abl_loss_mean = NAN;
    // Sec. 6 (birth theory, the largest d of the sweep): W_K^1 recall after its step at multiplier 1, and
    // acc_end with the three memories scaled by the sweep's largest factor.
    double theory_d = NAN, theory_wk0 = NAN, theory_acc_scaled = NAN;
    bool paper_scale = false;
};
std::vector<Claim> birth_claims(const BirthMeasured &m);

// Tian et al. 2023 (arXiv 2305.16380), Figs 3-12.
struct ScansnapMeasured {
    std::vector<double> t0, chi_end;                   // Fig 3, eta_Y = 0.5, 1, 2, 5
    double fig8_gap_over_bound = 0;                    // max (h* - h) / (2 eta_Y / M) over Fig 8's curves
    double fig8_gap_shrinks = 0;                       // 1 if the gap at the end is below the gap at its maximum
    double fig9_spread = 0;                            // max spread of B_n(t_0) across eta_Z at fixed nu
    double common_mass_start = 0, common_mass_end = 0; // Fig 4, class 1, ratio 1
    double distinct_order = 0;                        // Fig 4: fraction of distinct-token pairs whose final c follows P
    double entropy_ratio1 = 0, entropy_ratio10 = 0;   // Fig 4: final distinct-token entropy of class 1
    double fig5_distinct_top_sets = 0;                // Fig 5: number of distinct top-token sets over the three rates
    double scan_rms_sgd = 0, scan_rms_population = 0; // Theorem 3: RMS(Delta z - prediction) / range
    bool frequency_ordered = false, common_fell = false;
    double fig6_monotone_ratio = 0;           // fraction of (num_last, eta_Z) lines higher at ratio 10 than at 2
    double fig6_monotone_lr = 0;              // fraction of (num_last, ratio) columns falling with eta_Z
    double fig6_within3 = 0, fig6_mean_z = 0; // share of published cells within 3 std; mean (ours - paper)/std
    double recall_monotone_lr = 0; // Figs 11/12: fraction of columns whose recall falls less at the largest eta_Z
    // Fig 7 (1-layer word model): layer-0 validation attention entropy at the first and last checkpoint,
    // the map's change (mean row total variation) and the share of rows with the same argmax key at the last
    // checkpoint, whether the validation loss still fell there.
    bool fig7_run = false, fig7_loss_falling = false;
    double fig7_entropy_start = 0, fig7_entropy_end = 0, fig7_last_change = 0, fig7_last_argmax_same = 0;
    int fig7_last_iter = 0;
    std::vector<double> fig10_lrs, fig10_means; // Fig 10: final entropy (mean over seeds) per learning rate
    // Sec. 6 (birth theory, the largest d of the sweep): W_K^1 recall after its step at multiplier 1, and
    // acc_end with the three memories scaled by the sweep's largest factor.
    double theory_d = NAN, theory_wk0 = NAN, theory_acc_scaled = NAN;
    bool paper_scale = false;
};
std::vector<Claim> scansnap_claims(const ScansnapMeasured &m);

} // namespace tdlab::repro
