#include "dmft/basins_config.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "dmft/context.h"
#include "dmft/tangent_map.h"

#include <fmt/format.h>
#include <set>

namespace tdlab::dmft {

ConfigSchema basins_schema() {
    ConfigSchema s;
    s.add_string("basins.region", "ball", {"ball", "box", "starts"}, "where starts are sampled")
        .add_string("basins.center", "zoom", {"cold", "fig3a", "zoom"},
                    "ball centre: a checkpoint name or a context file", true)
        .add_double("basins.radius", 1e-3, 0.0, 1e6, "ball radius (Euclidean, in the packed state)")
        .add_double("basins.lo", -1.0, -1e6, 1e6, "box: lower bound of every state coordinate")
        .add_double("basins.hi", 1.0, -1e6, 1e6, "box: upper bound of every state coordinate")
        .add_int("basins.phase", 0, 0, 65535, "box / starts: forcing phase t of the starts (0 .. L-1)")
        .add_string("basins.starts", "none", {}, "starts: a .npy [n][M + 2 L M] of packed states (none: not used)")
        .add_int("basins.samples", 1000, 1, int64_t(1) << 32, "starts (box, ball; per value in a continuation)")
        .add_int("basins.seed", 1, 0, int64_t(1) << 62, "seed of the start sampler (CounterRng)")
        .add_bool("basins.lyapunov", true, "lambda_1 of every run (feature and label)")
        .add_int("basins.max_period", 2000, 1, 1000000, "longest period looked for")
        .add_double("basins.period_tol", 1e-8, 0.0, 1.0, "return distance of an exact period")
        .add_double("basins.orbit_tol", 1e-6, 0.0, 1.0, "two periodic orbits are one attractor within this")
        .add_double("basins.feature_tol", 5e-2, 0.0, 10.0,
                    "two non-periodic runs are one attractor within this (features max-norm)")
        .add_string("basins.simd", "auto", {"auto", "scalar", "sse2", "avx", "avx2", "avx512"}, "batched kernel path");
    return s;
}

ConfigSchema continuation_schema() {
    ConfigSchema s;
    s.add_string("continuation.param", "beta", {"beta", "gamma", "epsilon"}, "the continued parameter")
        .add_double("continuation.min", 1.24, -1e9, 1e9, "first value")
        .add_double("continuation.max", 1.28, -1e9, 1e9, "last value")
        .add_int("continuation.count", 401, 1, 10000000, "values, evenly spaced (both ends included)")
        .add_double("continuation.match_distance", 0.02, 0.0, 10.0,
                    "unseeded matching: largest track distance (orbit or mean/std features, max-norm) to a track's "
                    "last attractor")
        .add_int("continuation.gap", 3, 0, 1000000, "unseeded matching: values a track may skip");
    return s;
}

BasinsOptions basins_options_from(const Config &cfg) {
    BasinsOptions o;
    o.steps = cfg.get_int("dmft.steps");
    o.transient = cfg.get_int("dmft.transient");
    if (o.transient >= o.steps)
        throw UsageError(fmt::format("config key 'dmft.transient' = {} must be smaller than 'dmft.steps' = {}",
                                     o.transient, o.steps));
    o.samples = cfg.get_int("basins.samples");
    o.seed = uint64_t(cfg.get_int("basins.seed"));
    o.lyapunov = cfg.get_bool("basins.lyapunov");
    o.max_period = size_t(cfg.get_int("basins.max_period"));
    o.period_tol = cfg.get_double("basins.period_tol");
    o.orbit_tol = cfg.get_double("basins.orbit_tol");
    o.feature_tol = cfg.get_double("basins.feature_tol");
    o.path = simd_path_from_name(cfg.get_string("basins.simd"));
    return o;
}

StartRegion region_from(const Config &cfg, MeanFieldMap &map) {
    StartRegion r;
    const std::string kind = cfg.get_string("basins.region");
    const int L = map.model().params.L;
    r.phase = cfg.get_int("basins.phase");
    if (r.phase >= L)
        throw UsageError(fmt::format("config key 'basins.phase' = {} must be below dmft.L = {}", r.phase, L));
    if (kind == "ball") {
        r.kind = StartRegion::Kind::Ball;
        r.center = start_context(cfg.get_string("basins.center"), map);
        r.radius = cfg.get_double("basins.radius");
    } else if (kind == "box") {
        r.kind = StartRegion::Kind::Box;
        r.lo = cfg.get_double("basins.lo");
        r.hi = cfg.get_double("basins.hi");
        if (!(r.lo < r.hi))
            throw UsageError(
                fmt::format("config keys 'basins.lo' = {} and 'basins.hi' = {}: need lo < hi", r.lo, r.hi));
    } else {
        r.kind = StartRegion::Kind::Starts;
        const std::string file = cfg.get_string("basins.starts");
        if (file.empty())
            throw UsageError("config key 'basins.starts' must name a .npy file when basins.region = starts");
        if (!std::filesystem::exists(file)) throw UsageError("basins.starts: no such file: " + file);
        const auto arr = read_npy(file);
        const size_t D = state_dim(map.cold_start());
        if (arr.shape.size() != 2 || arr.shape[1] != D)
            throw UsageError(fmt::format("basins.starts: {} must have shape [n][{}] (packed states), not {}", file, D,
                                         fmt::join(arr.shape, "x")));
        r.starts = arr.to_double();
        for (double v : r.starts)
            if (!std::isfinite(v)) throw UsageError("basins.starts: " + file + " holds a non-finite value");
        region_samples(r, D, 1); // validates the shape
    }
    return r;
}

namespace {
std::string attractor_row(const BasinAttractor &a) {
    return fmt::format("{},{},{},{:.10g},{},{:.10g},{:.10g},attractor_{}.yaml", a.id, dynamics::label_name(a.label),
                       a.period, a.lyapunov, a.count, a.m1_min, a.m1_max, a.id);
}
std::string fraction_row(const dynamics::BasinFraction &f) {
    return fmt::format("{},{},{:.10g},{:.10g},{:.10g}", f.id, f.count, f.fraction, f.ci.lo, f.ci.hi);
}
} // namespace

void write_basins(const std::filesystem::path &dir, const BasinsResult &r) {
    std::string a = "id,label,period,lambda_1,count,m1_min,m1_max,state\n";
    for (const auto &at : r.attractors) {
        a += attractor_row(at) + "\n";
        save_context(dir / fmt::format("attractor_{}.yaml", at.id), at.representative,
                     fmt::format("attractor {}: {} (period {}), the final state of its first start", at.id,
                                 dynamics::label_name(at.label), at.period));
    }
    write_file_atomic(dir / "attractors.csv", a);
    std::string f = "id,count,fraction,wilson_lo,wilson_hi\n";
    for (const auto &fr : r.fractions) f += fraction_row(fr) + "\n";
    write_file_atomic(dir / "fractions.csv", f);
}

void write_continuation(const std::filesystem::path &dir, const ContinuationResult &r, const std::string &param) {
    std::string a = param + ",id,track,label,period,lambda_1,count,fraction,wilson_lo,wilson_hi,m1_min,m1_max\n";
    const int64_t n = r.per_value.empty() ? 0 : int64_t(r.per_value[0].ids.size());
    for (size_t k = 0; k < r.per_value.size(); ++k) {
        for (const auto &at : r.per_value[k].attractors) {
            const auto ci = dynamics::wilson_interval(at.count, std::max<int64_t>(1, n));
            a +=
                fmt::format("{:.10g},{},{},{},{},{:.10g},{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g}\n", r.values[k],
                            at.id, r.track_of[k][size_t(at.id)], dynamics::label_name(at.label), at.period, at.lyapunov,
                            at.count, n ? double(at.count) / double(n) : 0.0, ci.lo, ci.hi, at.m1_min, at.m1_max);
        }
    }
    write_file_atomic(dir / "attractors.csv", a);
    // Tracks: births and deaths are the first and last values (a track at the grid's end is open there).
    std::string t = "track,first_value,last_value,values,periods,labels,born,died\n";
    for (const auto &tr : r.tracks) {
        std::set<size_t> periods, on_values;
        std::set<std::string> labels;
        for (const auto &p : tr.points) {
            on_values.insert(p.value);
            const auto &at = r.per_value[p.value].attractors[size_t(p.attractor)];
            periods.insert(at.period);
            labels.insert(dynamics::label_name(at.label));
        }
        const size_t first = tr.points.front().value, last = tr.points.back().value;
        t += fmt::format("{},{:.10g},{:.10g},{},{},{},{},{}\n", tr.id, r.values[first], r.values[last],
                         on_values.size(), fmt::join(periods, "|"), fmt::join(labels, "|"),
                         first == 0 ? "grid_start" : "birth", last + 1 == r.values.size() ? "grid_end" : "death");
    }
    write_file_atomic(dir / "tracks.csv", t);
}

} // namespace tdlab::dmft
