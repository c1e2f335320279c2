// Continuation benchmark (issue 15 acceptance: the Fig 3b window, >= 401 values x 1000 starts, under
// 3 minutes on 2 cores): attractor continuation over beta in [1.24, 1.28] from a ball of radius 0.1
// around the zoom checkpoint, seeded from the previous value's attractors, with the SIMD kernel.
// Prints wall time, process CPU time and the load average (on a shared machine CPU / threads estimates
// the quiet wall time), the number of tracks (all, and those spanning >= 5 values) and the most
// attractors at one value.
// --chains also runs the upward and downward neighbour chains (the sweep's neighbour protocol from the
// zoom checkpoint, same grid and window) and compares: at how many values the chain's attractor is one
// of the continuation's (periodic: its last period within basins.orbit_tol of an attractor's, up to
// shifts by multiples of L; otherwise the mean and standard deviation of m^o_1 over the window within
// 0.01 of a non-periodic attractor's), and, where the chain stays on one attractor from a value to the
// next (both found, same period, orbit or m^o_1 mean/std moved by at most match_distance), at how many
// of those steps the continuation carries the two on one track.
//   build/bench/bench_dmft_continuation [--values 401] [--starts 1000] [--steps 12000] [--transient 10000]
//                                        [--threads 2] [--no-lyapunov] [--chains]
#include "bench_common.h"

#include "core/parallel.h"
#include "dmft/context.h"
#include "dmft/continuation.h"
#include "dmft/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

// Mean and standard deviation of m^o_1 over a chain value's kept window.
std::pair<double, double> m1_stats(const PointResult &p) {
    double sum = 0, sq = 0;
    for (float v : p.points) sum += v;
    const double mean = sum / double(p.points.size());
    for (float v : p.points) sq += (v - mean) * (v - mean);
    return {mean, std::sqrt(sq / double(p.points.size()))};
}

// The continuation's attractor at value k that the chain sits on, or -1.
int find_chain_attractor(const PointResult &c, const BasinsResult &at, const dynamics::MatchOptions &mo, int M) {
    if (c.period > 0) {
        const dynamics::AttractorSignature s{size_t(c.period), c.orbit, {}};
        for (const auto &a : at.attractors)
            if (dynamics::signature_distance(a.signature, s, mo) <= mo.orbit_tol) return a.id;
        return -1;
    }
    const auto [mean, sd] = m1_stats(c);
    for (const auto &a : at.attractors) {
        if (a.signature.period > 0) continue;
        const auto f = track_features(a, M);
        if (std::fabs(f[0] - mean) <= 0.01 && std::fabs(f[1] - sd) <= 0.01) return a.id;
    }
    return -1;
}

struct ChainAgreement {
    size_t values = 0, found = 0, stays = 0, same_track = 0;
};

ChainAgreement compare_chain(const std::vector<PointResult> &chain, const ContinuationResult &res,
                             const dynamics::MatchOptions &mo, double match_distance, int M) {
    ChainAgreement g;
    std::vector<int> found(chain.size());
    for (size_t k = 0; k < chain.size(); ++k) {
        found[k] = find_chain_attractor(chain[k], res.per_value[k], mo, M);
        g.values += 1;
        g.found += found[k] >= 0;
    }
    for (size_t k = 0; k + 1 < chain.size(); ++k) {
        if (found[k] < 0 || found[k + 1] < 0 || chain[k].period != chain[k + 1].period) continue;
        double moved = 0;
        if (chain[k].period > 0) {
            moved = dynamics::signature_distance({size_t(chain[k].period), chain[k].orbit, {}},
                                                 {size_t(chain[k + 1].period), chain[k + 1].orbit, {}}, mo);
        } else {
            const auto a = m1_stats(chain[k]), b = m1_stats(chain[k + 1]);
            moved = std::max(std::fabs(a.first - b.first), std::fabs(a.second - b.second));
        }
        if (!(moved <= match_distance)) continue;
        g.stays += 1;
        g.same_track += res.track_of[k][size_t(found[k])] == res.track_of[k + 1][size_t(found[k + 1])];
    }
    return g;
}

} // namespace

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(
            argc, argv,
            "usage: bench_dmft_continuation [--values 401] [--starts 1000] [--steps 12000] [--transient 10000]\n       "
            "                       [--threads 2] [--no-lyapunov] [--chains]"))
        return 0;
    tdlab::bench::print_host(tdlab::dmft::simd_path_name(tdlab::dmft::best_simd_path()));
    int64_t values = 401, starts = 1000, steps = 12000, transient = 10000;
    int threads = 2;
    bool lyapunov = true, chains = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--values")
            values = next();
        else if (a == "--starts")
            starts = next();
        else if (a == "--steps")
            steps = next();
        else if (a == "--transient")
            transient = next();
        else if (a == "--threads")
            threads = int(next());
        else if (a == "--no-lyapunov")
            lyapunov = false;
        else if (a == "--chains")
            chains = true;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    configure_threads(threads);
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams base;
    MeanFieldMap map(model, base);
    StartRegion ball;
    ball.kind = StartRegion::Kind::Ball;
    ball.center = start_context("zoom", map);
    ball.radius = 0.1;
    ContinuationOptions opt;
    opt.basins.samples = starts;
    opt.basins.steps = steps;
    opt.basins.transient = transient;
    opt.basins.max_period = size_t(std::min<int64_t>(1000, (steps - transient) / 2));
    opt.basins.lyapunov = lyapunov;
    opt.basins.path = best_simd_path();
    std::vector<double> grid;
    for (int64_t k = 0; k < values; ++k)
        grid.push_back(1.24 + (1.28 - 1.24) * double(k) / double(std::max<int64_t>(1, values - 1))); // as the CLI
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    auto res = continuation(model, base, "beta", grid, ball, opt);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    size_t most = 0, long_tracks = 0;
    for (const auto &v : res.per_value) most = std::max(most, v.attractors.size());
    for (const auto &t : res.tracks) long_tracks += t.points.size() >= 5;
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::printf("continuation: %lld values x %lld starts x %lld steps (%s, %d threads, %s): wall %.1f s, CPU %.1f s "
                "(CPU / threads %.1f s), load average %.2f %.2f %.2f; %zu tracks (%zu over >= 5 values), at most "
                "%zu attractors at one value\n",
                (long long)values, (long long)starts, (long long)steps, simd_path_name(opt.basins.path), threads,
                lyapunov ? "lambda_1 on" : "lambda_1 off", wall, cpu, cpu / threads, load[0], load[1], load[2],
                res.tracks.size(), long_tracks, most);
    if (chains) {
        const auto mo = basin_match_options(model.params.M, model.params.L, opt.basins);
        std::vector<DynamicsParams> pts;
        for (double b : grid) {
            DynamicsParams d = base;
            d.beta = b;
            pts.push_back(d);
        }
        for (bool down : {false, true}) {
            SweepOptions so;
            so.batch.steps = steps;
            so.batch.transient = transient;
            so.batch.path = opt.basins.path;
            so.chaos01 = false;
            so.keep = steps - transient;
            so.period.max_period = opt.basins.max_period;
            so.period.tol = opt.basins.period_tol;
            so.downward = down;
            std::vector<PointResult> chain(pts.size());
            run_points_neighbour(model, pts, ball.center, so,
                                 [&](size_t k, PointResult &&r) { chain[k] = std::move(r); });
            const auto g = compare_chain(chain, res, mo, opt.match_distance, model.params.M);
            std::printf("%s chain: its attractor is one of the continuation's at %zu of %zu values; it stays on one "
                        "attractor over %zu steps between neighbouring values, %zu of them on one track\n",
                        down ? "downward" : "upward", g.found, g.values, g.stays, g.same_track);
        }
    }
    tdlab::bench::print_load_end();
    return 0;
}
