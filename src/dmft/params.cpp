#include "dmft/params.h"

#include "core/error.h"

#include <fmt/format.h>

namespace tdlab::dmft {

ConfigSchema dmft_model_schema() {
    ConfigSchema s;
    s.add_double("dmft.beta", 1.27, 0.0, 1e6, "output inverse temperature beta")
        .add_double("dmft.gamma", 220.0, 0.0, 1e9, "attention gain gamma (logit gamma/sqrt(M) m^q.m^k)")
        .add_double("dmft.epsilon", 0.02, 0.0, 1.0, "weight of the positional part in the overlaps")
        .add_int("dmft.M", 3, 1, 20, "features per level M (2^(M-1) sign patterns)")
        .add_int("dmft.N", 99, 1, 100000000, "semantic units of the weight template")
        .add_int("dmft.NP", 2, 1, 16, "positional units N_P")
        .add_int("dmft.L", 4, 1, 65536, "context length L (must be 2^N_P)")
        .add_int("dmft.segments", 3, 1, 100000000, "segments per feature row of the random-segments weights")
        .add_string("dmft.weights", "segments", {"segments", "iid"},
                    "weights: segments (paper), iid (+-1), or a .npy file [4, M, N+N_P]", true)
        .add_int("dmft.weights_seed", 1, 0, 4294967295LL, "seed of the weight generator (paper: 1)")
        .add_string("dmft.form", "correlations", {"correlations", "site_types"},
                    "mean-field sum: sign-pattern correlations (authors) or site types");
    return s;
}

ConfigSchema dmft_window_schema(bool with_save_every) {
    // The one declaration of these keys (for `dmft run`, `dmft spin` and the sweeps). steps >= 1 and
    // transient >= 0 admit the shortest legal window (a cold start recording step 0 alone); the window
    // struct (dmft/window.h) checks transient < steps and the sweeps add their own lower bound (> L).
    // start defaults to the zoom checkpoint, the published state at the default beta = 1.27; every
    // shipped sweep config names its checkpoint explicitly.
    ConfigSchema s;
    s.add_int("dmft.steps", 120000, 1, int64_t(1) << 40, "time indices run up to steps - 1 (paper code: 120000)")
        .add_int("dmft.transient", 100000, 0, int64_t(1) << 40, "first recorded step (paper code: 100000)");
    if (with_save_every) s.add_int("dmft.save_every", 1, 1, int64_t(1) << 30, "record every k-th step of the window");
    s.add_string("dmft.start", "zoom", {"cold", "fig3a", "zoom"},
                 "initial context: cold start, a published checkpoint, or a context file", true)
        .add_int("dmft.seed", 0, 0, int64_t(1) << 62, "seed of the start perturbation (and of the network noise)")
        .add_double("dmft.perturb", 0.0, 0.0, 1.0, "amplitude of a uniform perturbation of A-hat at the start");
    return s;
}

ModelParams model_params_from(const Config &cfg) {
    ModelParams p;
    p.M = int(cfg.get_int("dmft.M"));
    p.N = int(cfg.get_int("dmft.N"));
    p.NP = int(cfg.get_int("dmft.NP"));
    p.L = int(cfg.get_int("dmft.L"));
    p.segments = int(cfg.get_int("dmft.segments"));
    p.weights = cfg.get_string("dmft.weights");
    p.weights_seed = uint32_t(cfg.get_int("dmft.weights_seed"));
    p.form = cfg.get_string("dmft.form");
    if (p.NP >= 31 || p.L != (1 << p.NP)) {
        throw UsageError(fmt::format("config keys 'dmft.L' and 'dmft.NP': the context must be L = 2^N_P "
                                     "(positions are N_P-bit codes of t mod L), got L = {} and N_P = {}",
                                     p.L, p.NP));
    }
    if (p.weights == "segments" && p.N % p.segments != 0) {
        throw UsageError(
            fmt::format("config key 'dmft.segments': N = {} is not divisible by {} segments", p.N, p.segments));
    }
    if (p.weights != "segments" && p.NP > p.N && p.weights == "iid") {
        throw UsageError("config key 'dmft.NP' must not exceed 'dmft.N'");
    }
    if (p.weights == "segments" && p.NP > p.N) {
        throw UsageError("config key 'dmft.NP': the segments generator copies the last N_P semantic columns, so "
                         "N_P must not exceed N");
    }
    // 2^(M-1) sign patterns times 4 projections: M = 20 is ~2M patterns, the largest we accept.
    return p;
}

DynamicsParams dynamics_params_from(const Config &cfg) {
    DynamicsParams d;
    d.beta = cfg.get_double("dmft.beta");
    d.gamma = cfg.get_double("dmft.gamma");
    d.epsilon = cfg.get_double("dmft.epsilon");
    return d;
}

} // namespace tdlab::dmft
