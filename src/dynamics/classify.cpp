#include "dynamics/classify.h"

namespace tdlab::dynamics {

namespace {
void add_flag(std::string &flags, const char *f) {
    if (!flags.empty()) flags += '|';
    flags += f;
}
} // namespace

Combined combine_indicators(const Indicators &ind, const CombineOptions &opt) {
    Combined out;
    const bool has_l = !std::isnan(ind.lyapunov), has_k = !std::isnan(ind.chaos01);
    Label by_l = Label::Unknown, by_k = Label::Unknown;
    if (has_l) {
        by_l = ind.lyapunov > opt.lyapunov_tol    ? Label::Chaotic
               : ind.lyapunov < -opt.lyapunov_tol ? Label::Periodic
                                                  : Label::QuasiPeriodic;
    }
    if (has_k) by_k = ind.chaos01 > opt.chaos01_threshold ? Label::Chaotic : Label::QuasiPeriodic;

    if (ind.period > 0) {
        out.label = Label::Periodic;
    } else if (has_l) {
        out.label = by_l;
        if (by_l == Label::Periodic) add_flag(out.flags, "unconverged");
    } else if (has_k) {
        out.label = by_k;
    } else if (ind.paper != Label::Unknown) {
        out.label = ind.paper;
    }
    if (has_l && by_l != out.label) add_flag(out.flags, "lyapunov");
    // The 0-1 test only separates regular (K ~ 0) from chaotic (K ~ 1).
    if (has_k && (by_k == Label::Chaotic) != (out.label == Label::Chaotic)) add_flag(out.flags, "chaos01");
    if (ind.paper != Label::Unknown && ind.paper != out.label) add_flag(out.flags, "paper");
    if (ind.short_window) add_flag(out.flags, "short");
    return out;
}

} // namespace tdlab::dynamics
