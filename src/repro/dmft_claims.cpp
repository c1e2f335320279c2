// The claims of Poc-Lopez & Aguilera 2024 (arXiv 2406.07247) about Figs 3-5 and the mean-field limit,
// judged on a reproduction's measured numbers (paper_claims.h, docs/claims.md).
#include "repro/paper_claims.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::repro {

namespace {

const char *kLabel[] = {"periodic", "quasi-periodic", "chaotic", "unknown"};

const DmftMeasured::Column *first_above(const std::vector<DmftMeasured::Column> &cols, double beta, int label) {
    for (const auto &c : cols)
        if (c.beta > beta && c.label == label) return &c;
    return nullptr;
}

// Label changes along beta, ignoring unknown columns.
int label_switches(const std::vector<DmftMeasured::Column> &cols) {
    int last = -1, n = 0;
    for (const auto &c : cols) {
        if (c.label == 3) continue;
        n += last >= 0 && c.label != last;
        last = c.label;
    }
    return n;
}

const DmftMeasured::Trajectory *at(const DmftMeasured &m, double beta) {
    for (const auto &t : m.trajectories)
        if (std::fabs(t.beta - beta) < 1e-9) return &t;
    return nullptr;
}

} // namespace

std::vector<Claim> dmft_claims(const DmftMeasured &m) {
    std::vector<Claim> out;
    const bool full = m.paper_scale;
    // Fig 3a: the route periodic -> quasi-periodic -> chaos.
    {
        int n = 0, ok = 0;
        double amp = 0, diagram = 0; // the orbit's largest |m^o|, and the whole diagram's
        for (const auto &c : m.fig3a) diagram = std::max(diagram, c.max_abs);
        for (const auto &c : m.fig3a)
            if (c.beta >= 0.1 && c.beta <= 1.2) {
                ++n;
                ok += c.label == 0 && c.period == 4;
                amp = std::max(amp, c.max_abs);
            }
        const double share = n ? double(ok) / n : 0;
        out.push_back({"fig3a.period4_low_beta", "Fig 3a",
                       "For small β (0.1 to 1.2) the network settles on a period-4 orbit of tiny amplitude.",
                       fmt::format("{} of {} columns in [0.1, 1.2] periodic with period 4; max |m^o| = {:.2g} ({:.2g}% "
                                   "of the diagram's largest)",
                                   ok, n, amp, diagram > 0 ? 100 * amp / diagram : 0.0),
                       "at least 95% of those columns periodic with period 4, amplitude below 1% of the diagram's "
                       "largest |m^o|",
                       judge(n > 0 && share >= 0.95 && amp < 0.01 * diagram, full), share});
    }
    const auto *qp = first_above(m.fig3a, 1.2, 1), *ch = first_above(m.fig3a, 1.2, 2);
    {
        const DmftMeasured::Column *first_np = nullptr;
        for (const auto &c : m.fig3a)
            if (c.beta > 1.2 && c.label != 0 && c.label != 3) {
                first_np = &c;
                break;
            }
        out.push_back({"fig3a.quasi_periodic_band", "Fig 3a", "Past the periodic regime a quasi-periodic band appears.",
                       first_np ? fmt::format("first non-periodic column above β = 1.2: β = {:.4g}, {}", first_np->beta,
                                              kLabel[first_np->label])
                                : "no non-periodic column above β = 1.2",
                       "the first non-periodic column above β = 1.2 is quasi-periodic",
                       judge(first_np && first_np->label == 1, full),
                       first_np ? std::optional<double>(first_np->beta) : std::nullopt});
    }
    out.push_back({"fig3a.jump_to_chaos", "Fig 3a", "The quasi-periodic band ends in an abrupt jump to chaos.",
                   ch ? fmt::format("first chaotic column β = {:.4g} (λ_1 = {:.3f}); first quasi-periodic β = {}",
                                    ch->beta, ch->lyapunov, qp ? fmt::format("{:.4g}", qp->beta) : "none")
                      : "no chaotic column",
                   "a chaotic column with λ_1 > 0.01 after the first quasi-periodic one",
                   judge(ch && qp && ch->beta > qp->beta && ch->lyapunov > 0.01, full),
                   ch ? std::optional<double>(ch->beta) : std::nullopt});
    {
        const int s = label_switches(m.fig3a);
        out.push_back({"fig3a.multiple_transitions", "Fig 3a",
                       "Three features and a context of four tokens already give several phase transitions as β "
                       "varies.",
                       fmt::format("{} label changes along β over {} columns", s, m.fig3a.size()),
                       "at least 3 changes of the combined label along β", judge(s >= 3, full), double(s)});
    }
    // Fig 3b: the zoom window.
    {
        int c[4] = {0, 0, 0, 0};
        for (const auto &x : m.fig3b) c[x.label] += 1;
        out.push_back({"fig3b.three_regimes", "Fig 3b",
                       "The window β ∈ [1.24, 1.28] holds periodic, quasi-periodic and chaotic columns.",
                       fmt::format("{} periodic, {} quasi-periodic, {} chaotic, {} unknown", c[0], c[1], c[2], c[3]),
                       "each of the three labels on at least one column", judge(c[0] && c[1] && c[2], full),
                       std::nullopt});
        const int s = label_switches(m.fig3b);
        const double step = m.fig3b.size() > 1 ? m.fig3b[1].beta - m.fig3b[0].beta : 0;
        out.push_back({"fig3b.regimes_unstable", "Fig 3b",
                       "The regimes are unstable: tiny changes of β switch the behaviour.",
                       fmt::format("{} label changes at a β step of {:.2g}", s, step),
                       "at least 5 label changes inside the window", judge(s >= 5, full), double(s)});
    }
    // Figs 4 and 5: the six trajectories (the paper's window sizes at both scales).
    struct Expect {
        double beta;
        int label;
        const char *what;
    };
    for (Expect e : {Expect{1.255, 1, "a closed curve (quasi-periodic)"}, Expect{1.26405, 1, "quasi-periodic"},
                     Expect{1.266, 2, "chaotic"}, Expect{1.28, 2, "chaotic"}, Expect{1.4, 2, "chaotic"}}) {
        const auto *t = at(m, e.beta);
        out.push_back({fmt::format("fig4.beta_{}", e.beta), "Fig 4",
                       fmt::format("At β = {} the trajectory in the (m^o_1, m^o_2) plane is {}.", e.beta, e.what),
                       t ? fmt::format("combined label {}", kLabel[t->label]) : "not run",
                       fmt::format("combined label {}", kLabel[e.label]),
                       t ? judge(t->label == e.label, true) : Verdict::NotRun, std::nullopt});
    }
    if (const auto *t = at(m, 1.27))
        out.push_back({"fig4.beta_1.27", "Fig 4", "At β = 1.27 the orbit is periodic with 28 isolated points.",
                       fmt::format("{}, {} distinct points (from the zoom checkpoint; β = 1.27 is multistable, see the "
                                   "census)",
                                   kLabel[t->label], t->distinct_points),
                       "periodic with exactly 28 distinct points",
                       judge(t->label == 0 && t->distinct_points == 28, true), double(t->distinct_points)});
    const auto *q = at(m, 1.26405), *c = at(m, 1.266);
    if (q)
        out.push_back({"fig5.quasi_periodic_low_frequency", "Fig 5",
                       "The quasi-periodic trajectory has spectral components below f = 1/L = 0.25.",
                       fmt::format("β = 1.26405: highest bin in 0 < f < 0.25 at f = {:.4f}, {:.3g} times the median "
                                   "spectral level",
                                   q->peak_frequency, q->low_peak_over_median),
                       "a peak in 0 < f < 0.25 at least 100 times the median level",
                       judge(q->low_peak_over_median >= 100, true), q->low_peak_over_median});
    if (q && c) {
        out.push_back({"fig5.memory_beyond_context", "Fig 5",
                       "Correlations reach beyond the context window of L = 4 tokens.",
                       fmt::format("mean |R_l/R_0| over l = 5..99: {:.3f} (quasi-periodic), {:.3f} (chaotic)",
                                   q->acf_beyond_l, c->acf_beyond_l),
                       "mean |R_l/R_0| over l = 5..99 above 0.05 for both",
                       judge(q->acf_beyond_l > 0.05 && c->acf_beyond_l > 0.05, true), c->acf_beyond_l});
        out.push_back({"fig5.stronger_in_chaos", "Fig 5", "The long correlations are stronger in the chaotic case.",
                       fmt::format("mean |R_l/R_0| over l = 5..99: chaotic (β = 1.266) {:.3f} vs quasi-periodic "
                                   "(β = 1.26405) {:.3f}",
                                   c->acf_beyond_l, q->acf_beyond_l),
                       "chaotic value above the quasi-periodic one", judge(c->acf_beyond_l > q->acf_beyond_l, true),
                       c->acf_beyond_l - q->acf_beyond_l});
    }
    // The mean field is exact as N -> infinity (the finite-N network).
    out.push_back(
        {"meanfield.periodic_rate", "Sec. 3 (N → ∞)",
         "The mean-field equations are exact as N → ∞ (finite-N fluctuations vanish like N^-1/2).",
         fmt::format("period-4 orbit at β = 1: slope of log RMS deviation vs log N = {:.3f}", m.finite_n_slope),
         "slope within 0.1 of -0.5", judge(std::fabs(m.finite_n_slope + 0.5) <= 0.1, full), m.finite_n_slope});
    out.push_back({"meanfield.chaotic_statistics", "Sec. 3 (N → ∞)",
                   "In the chaotic regime the network's invariant statistics approach the mean field's.",
                   fmt::format("β = 1.4: Wasserstein-1 of m^o_1 to the mean field {:.3g} at the smallest N, {:.3g} at "
                               "the largest",
                               m.finite_n_w1_first, m.finite_n_w1_last),
                   "the distance at the largest N is below a third of that at the smallest",
                   judge(m.finite_n_w1_last < m.finite_n_w1_first / 3, full), m.finite_n_w1_last});
    return out;
}

} // namespace tdlab::repro
