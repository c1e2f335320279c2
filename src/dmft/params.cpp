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
                    "mean-field sum: sign-pattern correlations (authors) or site types (binary tokens only)")
        .add_string("dmft.tokens", "binary", {"binary", "ternary", "scalar", "potts"},
                    "token alphabet: binary {-1,1} (paper), ternary {-1,0,1}, scalar (dmft.values), potts (dmft.q)")
        .add_double_list("dmft.values", "[]", "tokens=scalar: the value set S (2 to 16 distinct values)")
        .add_int("dmft.q", 3, 2, 16, "tokens=potts: number of states q")
        .add_string("dmft.potts_weights", "scalar_embedding", {"scalar_embedding", "segments"},
                    "tokens=potts: W_{i,a,k} = state_values[k] W_{i,a}, or random segments with one sign per state")
        .add_double_list("dmft.state_values", "[]",
                         "tokens=potts, scalar_embedding: value of each state (default evenly spaced in [-1, 1])")
        .add_string("dmft.pe_code", "binary", {"binary", "base_q"},
                    "positional code: N_P-bit binary (+-1 / extreme states) or base-q digits");
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

namespace {
// The token keys of docs/dmft_multistate.md; each error names its key (exit 2).
void validate_tokens(const Config &cfg, ModelParams &p) {
    p.tokens = cfg.get_string("dmft.tokens");
    p.values = cfg.get_double_list("dmft.values");
    p.q = int(cfg.get_int("dmft.q"));
    p.potts_weights = cfg.get_string("dmft.potts_weights");
    p.state_values = cfg.get_double_list("dmft.state_values");
    p.pe_code = cfg.get_string("dmft.pe_code");
    auto check_set = [](const std::vector<double> &v, const char *key) {
        if (v.size() < 2 || v.size() > 16)
            throw UsageError(fmt::format("config key '{}': expected 2 to 16 values, got {}", key, v.size()));
        for (size_t i = 0; i < v.size(); ++i) {
            if (!std::isfinite(v[i])) throw UsageError(fmt::format("config key '{}': value {} is not finite", key, i));
            for (size_t j = 0; j < i; ++j) {
                if (v[i] == v[j]) throw UsageError(fmt::format("config key '{}': value {} appears twice", key, v[i]));
            }
        }
    };
    if (p.tokens == "scalar") {
        check_set(p.values, "dmft.values");
    } else if (!p.values.empty()) {
        throw UsageError("config key 'dmft.values' is used only with dmft.tokens = scalar");
    }
    if (p.tokens == "potts") {
        if (!p.state_values.empty()) {
            check_set(p.state_values, "dmft.state_values");
            if (int(p.state_values.size()) != p.q)
                throw UsageError(fmt::format("config key 'dmft.state_values': {} values for q = {} states",
                                             p.state_values.size(), p.q));
        }
        if (p.potts_weights == "segments" && p.weights != "segments")
            throw UsageError("config key 'dmft.potts_weights' = segments needs dmft.weights = segments");
    } else if (!p.state_values.empty()) {
        throw UsageError("config key 'dmft.state_values' is used only with dmft.tokens = potts");
    }
    if (p.tokens == "binary" && p.pe_code != "binary")
        throw UsageError("config key 'dmft.pe_code': binary tokens use the binary positional code");
}
} // namespace

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
    validate_tokens(cfg, p);
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
