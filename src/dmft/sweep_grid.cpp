// The grid of `dmft sweep` and `dmft phase` from their config: the keys (grid_schema), the values of the
// swept parameter(s) (make_grid), the per-value analysis options (sweep_options_from) and the whole
// GridSpec with its memory check (grid_spec_from). Running a grid is sweep_runner.cpp's job.
#include "dmft/sweep_runner.h"

#include "core/error.h"
#include "core/memory_budget.h"
#include "dmft/window.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::dmft {

const char *grid_command(GridKind k) {
    return k == GridKind::Sweep ? "dmft sweep" : "dmft phase";
}

ConfigSchema grid_schema() {
    ConfigSchema s = dmft_model_schema();
    s.merge(dmft_window_schema(/*with_save_every=*/false));
    s.add_string("sweep.param", "beta", {"beta", "gamma", "epsilon"}, "swept parameter")
        .add_double("sweep.min", 0.0, -1e9, 1e9, "first value of the grid")
        .add_double("sweep.max", 3.0, -1e9, 1e9, "last value of the grid (linspace, both ends included)")
        .add_int("sweep.count", 4001, 1, 100000000, "number of grid values")
        .add_string("sweep.seed_from", "checkpoint", {"checkpoint", "neighbour"},
                    "checkpoint: every value from the start context; neighbour: from the previous value's final "
                    "context (sequential)")
        .add_string("sweep.direction", "up", {"up", "down"}, "neighbour protocol direction")
        .add_string("sweep.lyapunov", "true", {"true", "false", "spectrum"},
                    "largest Lyapunov exponent from the tangent map; spectrum: also the full spectrum (QR) and the "
                    "Kaplan-Yorke dimension of every value")
        .add_int("sweep.lyap_align", 2000, 0, int64_t(1) << 40, "tangent steps before the window (alignment)")
        .add_bool("sweep.chaos01", true, "0-1 test for chaos on m^o_1 sampled every L steps")
        .add_int("sweep.census", 0, 0, 100000, "attractor census: perturbed starts per value (0: none)")
        .add_double("sweep.census_perturb", 1e-14, 0.0, 1.0, "A-hat perturbation amplitude of census starts")
        .add_int("sweep.keep", 2000, 0, 100000000, "last m^o_1 samples per value kept in points.npy")
        .add_int("sweep.raster_rows", 7001, 0, 32767,
                 "R_im of the Fig 3 background: unique bins of m^o_1 over the whole window (0: none)")
        .add_double("sweep.max_y", 0.0, 0.0, 1e6,
                    "scale of the paper's quantised count (0: the value's own max |m^o|; paper: diagram-wide max)")
        .add_double("sweep.period_tol", 1e-8, 0.0, 1.0, "return tolerance of the exact period test")
        .add_int("sweep.max_period", 2000, 1, 1000000, "largest period tried")
        .add_string("sweep.simd", "auto", {"auto", "scalar", "sse2", "avx", "avx2", "avx512"}, "map kernel")
        .add_int("sweep.chunk", 64, 1, 1000000, "values per resumable chunk file")
        .add_string("phase.y", "gamma", {"gamma", "epsilon"}, "phase diagram: y parameter (x is beta)")
        .add_double("phase.x_min", 1.0, 0.0, 1e6, "phase diagram: first beta")
        .add_double("phase.x_max", 2.0, 0.0, 1e6, "phase diagram: last beta")
        .add_int("phase.x_count", 100, 1, 100000, "phase diagram: beta values")
        .add_double("phase.y_min", 100.0, 0.0, 1e9, "phase diagram: first y value")
        .add_double("phase.y_max", 300.0, 0.0, 1e9, "phase diagram: last y value")
        .add_int("phase.y_count", 100, 1, 100000, "phase diagram: y values");
    return s;
}

namespace {
std::vector<double> linspace(double a, double b, int64_t n) {
    // As numpy.linspace: k * step + start with step = (stop - start) / (n - 1), the last value exactly stop.
    std::vector<double> v(static_cast<size_t>(n), a);
    const double step = n > 1 ? (b - a) / double(n - 1) : 0.0;
    for (int64_t k = 1; k < n; ++k) v[size_t(k)] = double(k) * step + a;
    if (n > 1) v.back() = b;
    return v;
}
void set_param(DynamicsParams &d, const std::string &p, double v) {
    if (p == "beta")
        d.beta = v;
    else if (p == "gamma")
        d.gamma = v;
    else
        d.epsilon = v;
}
} // namespace

Grid make_grid(const Config &cfg, GridKind kind) {
    Grid g;
    const DynamicsParams base = dynamics_params_from(cfg);
    if (kind == GridKind::Sweep) {
        g.param = cfg.get_string("sweep.param");
        if (cfg.get_double("sweep.min") > cfg.get_double("sweep.max"))
            throw UsageError(
                fmt::format("config keys 'sweep.min' = {} > 'sweep.max' = {}: the grid runs from min up to max "
                            "(for a downward neighbour chain set sweep.direction = down)",
                            cfg.get_double("sweep.min"), cfg.get_double("sweep.max")));
        g.values = linspace(cfg.get_double("sweep.min"), cfg.get_double("sweep.max"), cfg.get_int("sweep.count"));
        for (double v : g.values) {
            DynamicsParams d = base;
            set_param(d, g.param, v);
            g.points.push_back(d);
        }
    } else {
        g.param = cfg.get_string("phase.y");
        g.values = linspace(cfg.get_double("phase.x_min"), cfg.get_double("phase.x_max"), cfg.get_int("phase.x_count"));
        g.y_values =
            linspace(cfg.get_double("phase.y_min"), cfg.get_double("phase.y_max"), cfg.get_int("phase.y_count"));
        for (double y : g.y_values) {
            for (double x : g.values) {
                DynamicsParams d = base;
                d.beta = x;
                set_param(d, g.param, y);
                g.points.push_back(d);
            }
        }
    }
    for (const auto &d : g.points) {
        if (!(d.beta >= 0) || !(d.gamma >= 0) || !(d.epsilon >= 0 && d.epsilon <= 1))
            throw UsageError(fmt::format("sweep grid: invalid point beta = {}, gamma = {}, epsilon = {} (need beta, "
                                         "gamma >= 0 and 0 <= epsilon <= 1)",
                                         d.beta, d.gamma, d.epsilon));
    }
    return g;
}

SweepOptions sweep_options_from(const Config &cfg, int L) {
    SweepOptions o;
    const Window w = Window::from(cfg);
    o.batch.steps = w.steps;
    o.batch.transient = w.transient;
    if (o.batch.transient <= L)
        throw UsageError(fmt::format("config key 'dmft.transient' must exceed L = {} (the start context's step)", L));
    o.spectrum = cfg.get_string("sweep.lyapunov") == "spectrum";
    o.batch.lyapunov = cfg.get_string("sweep.lyapunov") != "false";
    o.batch.lyap_align = cfg.get_int("sweep.lyap_align");
    o.batch.path = simd_path_from_name(cfg.get_string("sweep.simd"));
    o.seed_from = cfg.get_string("sweep.seed_from");
    o.downward = cfg.get_string("sweep.direction") == "down";
    o.chaos01 = cfg.get_bool("sweep.chaos01");
    o.keep = cfg.get_int("sweep.keep");
    o.raster_resolution = int(cfg.get_int("sweep.raster_rows"));
    o.max_y = cfg.get_double("sweep.max_y");
    o.period.tol = cfg.get_double("sweep.period_tol");
    o.period.max_period = size_t(cfg.get_int("sweep.max_period"));
    o.census = cfg.get_int("sweep.census");
    o.census_perturb = cfg.get_double("sweep.census_perturb");
    o.census_seed = uint64_t(cfg.get_int("dmft.seed"));
    return o;
}

GridSpec grid_spec_from(const Config &cfg, GridKind kind) {
    GridSpec s;
    s.kind = kind;
    s.model = model_params_from(cfg);
    s.sweep = sweep_options_from(cfg, s.model.L);
    // Checked before the grid exists: what the whole grid holds until it is written is, per value, the
    // kept samples (float64), the raster's distinct bins (int16, at most one per recorded step), the
    // Poincare values and the point's record.
    const double values = kind == GridKind::Sweep
                              ? double(cfg.get_int("sweep.count"))
                              : double(cfg.get_int("phase.x_count")) * double(cfg.get_int("phase.y_count"));
    const double window = double(s.sweep.batch.steps - s.sweep.batch.transient);
    const double per_value =
        8.0 * double(s.sweep.keep) + 2.0 * std::min(window, double(s.sweep.raster_resolution)) + 8.0 * 64 + 256;
    check_memory_budget(values * per_value, "'sweep.count' (or 'phase.x_count' x 'phase.y_count') and 'sweep.keep'",
                        fmt::format("the results of {:.0f} grid values", values),
                        "lower sweep.keep or split the grid with --shard i/n");
    s.grid = make_grid(cfg, kind);
    s.start = cfg.get_string("dmft.start");
    s.perturb = cfg.get_double("dmft.perturb");
    s.seed = uint64_t(cfg.get_int("dmft.seed"));
    s.chunk = size_t(cfg.get_int("sweep.chunk"));
    s.record = cfg;
    return s;
}

} // namespace tdlab::dmft
