#include "dmft/basins.h"

#include "core/error.h"
#include "core/rng.h"
#include "dmft/tangent_map.h"
#include "dynamics/period.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <fmt/format.h>
#include <map>

namespace tdlab::dmft {

std::string StartRegion::describe() const {
    switch (kind) {
    case Kind::Box: return fmt::format("box [{}, {}]^D at phase {}", lo, hi, phase);
    case Kind::Ball: return fmt::format("ball of radius {} around a context at t = {}", radius, center.t);
    case Kind::Starts: return fmt::format("user starts at phase {}", phase);
    }
    return "";
}

int64_t region_samples(const StartRegion &region, size_t state_dim, int64_t requested) {
    if (region.kind != StartRegion::Kind::Starts) return requested;
    if (state_dim == 0 || region.starts.size() % state_dim != 0 || region.starts.empty())
        throw UsageError(fmt::format("basins: the starts array has {} values, not a positive multiple of the state "
                                     "dimension {}",
                                     region.starts.size(), state_dim));
    return int64_t(region.starts.size() / state_dim);
}

Context sample_start(const StartRegion &region, const Context &templ, uint64_t seed, uint64_t index) {
    Context c = templ;
    c.filled = c.L;
    std::fill(c.mq.begin(), c.mq.end(), 0.0); // m^q is recomputed by the step, not state
    const size_t D = state_dim(c);
    std::vector<double> x(D);
    CounterRng rng(seed, index);
    switch (region.kind) {
    case StartRegion::Kind::Box:
        for (auto &v : x) v = region.lo + (region.hi - region.lo) * rng.uniform();
        c.t = region.phase;
        break;
    case StartRegion::Kind::Ball: {
        // Uniform in the ball: an isotropic direction (normal coordinates) times radius * U^(1/D).
        double n2 = 0;
        for (auto &v : x) { // two statements: `(v = draw) * v` reads v unsequenced with its write
            v = rng.normal();
            n2 += v * v;
        }
        const double scale = region.radius * std::pow(rng.uniform(), 1.0 / double(D)) / std::sqrt(n2);
        const auto centre = pack_state(region.center);
        for (size_t i = 0; i < D; ++i) x[i] = centre[i] + scale * x[i];
        c.t = region.center.t % c.L;
        break;
    }
    case StartRegion::Kind::Starts:
        if ((index + 1) * D > region.starts.size()) throw UsageError("basins: start index beyond the starts array");
        std::copy_n(region.starts.begin() + long(index * D), D, x.begin());
        c.t = region.phase;
        break;
    }
    unpack_state(x, c);
    return c;
}

BasinRun analyse_basin_run(const LaneOutput &lane, int M, int L, const BasinsOptions &opt) {
    BasinRun r;
    r.final = lane.final;
    r.lyapunov = lane.lyapunov;
    const auto &x = lane.mo_se;
    const size_t n = x.size() / size_t(M);
    if (n == 0) throw UsageError("basins: empty window (dmft.transient >= dmft.steps)");
    dynamics::PeriodOptions popt;
    popt.max_period = opt.max_period;
    popt.multiple_of = size_t(L);
    popt.tol = opt.period_tol;
    const size_t p = dynamics::detect_period(x, size_t(M), popt);
    r.signature.period = p;
    if (p > 0) {
        r.signature.orbit.assign(x.end() - long(p) * M, x.end());
    } else {
        // Features: mean and standard deviation of each m^o_a over the window (stable statistics: the
        // extremes of a chaotic window scatter from run to run), and lambda_1 / 10 (its finite-window
        // scatter on one chaotic attractor is ~10x that of the means).
        for (int a = 0; a < M; ++a) {
            double sum = 0, sq = 0;
            for (size_t k = 0; k < n; ++k) sum += x[k * size_t(M) + size_t(a)];
            const double mean = sum / double(n);
            for (size_t k = 0; k < n; ++k)
                sq += (x[k * size_t(M) + size_t(a)] - mean) * (x[k * size_t(M) + size_t(a)] - mean);
            r.signature.features.insert(r.signature.features.end(), {mean, std::sqrt(sq / double(n))});
        }
        if (opt.lyapunov) r.signature.features.push_back(lane.lyapunov / 10.0);
    }
    r.m1_min = r.m1_max = x[0];
    for (size_t k = 0; k < n; ++k)
        r.m1_min = std::min(r.m1_min, x[k * size_t(M)]), r.m1_max = std::max(r.m1_max, x[k * size_t(M)]);
    dynamics::Indicators ind;
    ind.period = p;
    if (opt.lyapunov) ind.lyapunov = lane.lyapunov;
    r.label = dynamics::combine_indicators(ind).label;
    if (r.label == dynamics::Label::Unknown) r.label = dynamics::Label::QuasiPeriodic; // no lambda_1, no period
    return r;
}

std::vector<BasinRun> run_starts(const DmftModel &model, const DynamicsParams &dyn, const std::vector<Context> &starts,
                                 const BasinsOptions &opt) {
    const int M = model.params.M, L = model.params.L;
    BatchOptions bo;
    bo.path = opt.path;
    bo.lyapunov = opt.lyapunov;
    bo.record = true;
    // Starts grouped by their t (a batch shares it): blocks of kLanes indices of one group.
    std::map<int64_t, std::vector<size_t>> groups;
    for (size_t i = 0; i < starts.size(); ++i) groups[starts[i].t].push_back(i);
    std::vector<std::vector<size_t>> blocks;
    for (auto &[t, idx] : groups)
        for (size_t b = 0; b < idx.size(); b += kLanes)
            blocks.emplace_back(idx.begin() + long(b), idx.begin() + long(std::min(idx.size(), b + kLanes)));
    std::vector<BasinRun> runs(starts.size());
    std::exception_ptr error;
#pragma omp parallel
    {
        std::vector<LaneOutput> out;
        std::vector<LaneSpec> lanes;
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < int64_t(blocks.size()); ++b) {
            try {
                const auto &blk = blocks[size_t(b)];
                const int64_t t0 = starts[blk[0]].t;
                // Every run's window ends at the same forcing phase, (steps - 1) mod L, whatever its start
                // phase t0 in 0..L-1, so that periodic orbits compare at equal phases (shifts by k L).
                BatchOptions o = bo;
                const int64_t extra = t0 % L == 0 ? 0 : L;
                o.steps = (t0 - t0 % L) + opt.steps + extra;
                o.transient = (t0 - t0 % L) + opt.transient + extra;
                o.lyap_align = std::min<int64_t>(2000, opt.transient);
                lanes.clear();
                for (size_t i : blk) lanes.push_back({dyn, starts[i]});
                run_batch(model, lanes, o, out);
                for (size_t j = 0; j < blk.size(); ++j) runs[blk[j]] = analyse_basin_run(out[j], M, L, opt);
            } catch (...) {
#pragma omp critical(tdlab_basins_error)
                if (!error) error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
    return runs;
}

dynamics::MatchOptions basin_match_options(int M, int L, const BasinsOptions &opt) {
    dynamics::MatchOptions mo;
    mo.dim = size_t(M);
    mo.shift_multiple = size_t(L);
    mo.orbit_tol = opt.orbit_tol;
    mo.feature_tol = opt.feature_tol;
    return mo;
}

BasinsResult collect_basins(const std::vector<BasinRun> &runs, int M, dynamics::AttractorRegistry &registry) {
    BasinsResult res;
    for (const auto &r : runs) {
        const int id = registry.identify(r.signature);
        res.ids.push_back(id);
        if (id >= int(res.attractors.size())) res.attractors.resize(size_t(id) + 1);
        auto &a = res.attractors[size_t(id)];
        if (a.count == 0) {
            a.id = id;
            a.label = r.label;
            a.period = r.signature.period;
            a.representative = r.final;
            a.signature = registry.representatives()[size_t(id)];
            a.m1_min = INFINITY, a.m1_max = -INFINITY;
        }
        a.count += 1;
        a.lyapunov += r.lyapunov;
        a.m1_min = std::min(a.m1_min, r.m1_min);
        a.m1_max = std::max(a.m1_max, r.m1_max);
    }
    // Attractors pre-loaded in the registry but reached by no start keep count 0.
    for (size_t k = 0; k < res.attractors.size(); ++k) {
        auto &a = res.attractors[k];
        a.id = int(k);
        if (a.count > 0) a.lyapunov /= double(a.count);
    }
    if (!res.ids.empty()) res.fractions = dynamics::basins_fractions(res.ids);
    return res;
}

BasinsResult basins(const DmftModel &model, const DynamicsParams &dyn, const StartRegion &region,
                    const BasinsOptions &opt) {
    const int M = model.params.M, L = model.params.L;
    MeanFieldMap map(model, dyn);
    const Context templ = map.cold_start();
    const int64_t n = region_samples(region, state_dim(templ), opt.samples);
    if (n <= 0) throw UsageError("basins: basins.samples must be positive");
    std::vector<Context> starts;
    starts.reserve(size_t(n));
    for (int64_t i = 0; i < n; ++i) starts.push_back(sample_start(region, templ, opt.seed, uint64_t(i)));
    auto runs = run_starts(model, dyn, starts, opt);
    dynamics::AttractorRegistry reg(basin_match_options(M, L, opt));
    return collect_basins(runs, M, reg);
}

} // namespace tdlab::dmft
