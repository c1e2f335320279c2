#include "dmft/continuation.h"

#include "core/error.h"
#include "dmft/tangent_map.h"

#include <cmath>
#include <limits>

namespace tdlab::dmft {

namespace {
DynamicsParams at_value(const DynamicsParams &base, const std::string &param, double v) {
    DynamicsParams d = base;
    if (param == "beta")
        d.beta = v;
    else if (param == "gamma")
        d.gamma = v;
    else if (param == "epsilon")
        d.epsilon = v;
    else
        throw UsageError("continuation: param must be beta, gamma or epsilon, not '" + param + "'");
    return d;
}
} // namespace

std::vector<double> track_features(const BasinAttractor &a, int M) {
    const auto &sig = a.signature;
    if (sig.period == 0) {
        // analyse_basin_run's features: (mean, std) per m^o_a, then lambda_1 / 10 (not a track feature:
        // it jumps at every bifurcation).
        const size_t n = std::min(sig.features.size(), 2 * size_t(M));
        return std::vector<double>(sig.features.begin(), sig.features.begin() + long(n));
    }
    std::vector<double> f;
    const size_t p = sig.period;
    for (int d = 0; d < M; ++d) {
        double sum = 0, sq = 0;
        for (size_t r = 0; r < p; ++r) sum += sig.orbit[r * size_t(M) + size_t(d)];
        const double mean = sum / double(p);
        for (size_t r = 0; r < p; ++r) sq += std::pow(sig.orbit[r * size_t(M) + size_t(d)] - mean, 2);
        f.insert(f.end(), {mean, std::sqrt(sq / double(p))});
    }
    return f;
}

double track_distance(const BasinAttractor &a, const std::vector<double> &fa, const BasinAttractor &b,
                      const std::vector<double> &fb, const dynamics::MatchOptions &mo) {
    double d = std::numeric_limits<double>::infinity();
    if (a.signature.period > 0 && a.signature.period == b.signature.period)
        d = dynamics::signature_distance(a.signature, b.signature, mo);
    if (fa.size() == fb.size() && !fa.empty()) {
        double e = 0;
        for (size_t k = 0; k < fa.size(); ++k) e = std::max(e, std::fabs(fa[k] - fb[k]));
        if (std::isfinite(e)) d = std::min(d, e);
    }
    return d;
}

ContinuationResult continuation(const DmftModel &model, const DynamicsParams &base, const std::string &param,
                                const std::vector<double> &values, const StartRegion &region,
                                const ContinuationOptions &opt, const std::function<void(size_t)> &progress) {
    const int M = model.params.M, L = model.params.L;
    if (values.empty()) throw UsageError("continuation: empty parameter grid");
    MeanFieldMap map0(model, at_value(base, param, values[0]));
    const Context templ = map0.cold_start();
    const int64_t fresh = region_samples(region, state_dim(templ), opt.basins.samples);
    if (fresh <= 0) throw UsageError("continuation: basins.samples must be positive");
    const auto mo = basin_match_options(M, L, opt.basins);
    ContinuationResult res;
    res.values = values;
    std::vector<std::vector<double>> last_feats; // per track: the features of its last attractor
    for (size_t k = 0; k < values.size(); ++k) {
        const DynamicsParams dyn = at_value(base, param, values[k]);
        std::vector<Context> starts;
        const size_t nseeds = k > 0 ? res.per_value[k - 1].attractors.size() : 0;
        for (size_t p = 0; p < nseeds; ++p) {
            Context c = res.per_value[k - 1].attractors[p].representative;
            c.t %= L;
            starts.push_back(c);
        }
        for (int64_t i = 0; i < fresh; ++i) {
            // The starts region's rows are the same at every value; sampled regions draw afresh.
            const uint64_t index =
                region.kind == StartRegion::Kind::Starts ? uint64_t(i) : (uint64_t(k) << 32) + uint64_t(i);
            starts.push_back(sample_start(region, templ, opt.basins.seed, index));
        }
        auto runs = run_starts(model, dyn, starts, opt.basins);
        dynamics::AttractorRegistry reg(mo);
        // Seeds first (so a seeded attractor's representative is its seed's final state), but only the
        // fresh starts count towards the fractions.
        BasinsResult br = collect_basins(runs, M, reg);
        std::vector<int> seed_to(br.ids.begin(), br.ids.begin() + long(nseeds));
        std::vector<int> fresh_ids(br.ids.begin() + long(nseeds), br.ids.end());
        for (auto &a : br.attractors) a.count = 0;
        for (int id : fresh_ids) br.attractors[size_t(id)].count += 1;
        br.ids = fresh_ids;
        br.fractions = dynamics::basins_fractions(fresh_ids);
        // Matching (continuation.h). feats[a]: this value's track features.
        std::vector<std::vector<double>> feats;
        for (const auto &at : br.attractors) feats.push_back(track_features(at, M));
        std::vector<int> track(br.attractors.size(), -1);
        std::vector<bool> claimed(res.tracks.size(), false);
        // Rule 1: seeds.
        for (size_t a = 0; a < br.attractors.size(); ++a) {
            int best = -1;
            double best_d = std::numeric_limits<double>::infinity();
            for (size_t p = 0; p < nseeds; ++p) {
                if (seed_to[p] != int(a)) continue;
                const int tr = res.track_of[k - 1][p];
                if (claimed[size_t(tr)]) continue;
                const double d = track_distance(res.per_value[k - 1].attractors[p], last_feats[size_t(tr)],
                                                br.attractors[a], feats[a], mo);
                if (best < 0 || d < best_d) best = tr, best_d = d;
            }
            if (best >= 0) {
                track[a] = best;
                claimed[size_t(best)] = true;
            }
        }
        // Rule 2: the nearest unclaimed track alive within the gap, in attractor order.
        for (size_t a = 0; a < br.attractors.size(); ++a) {
            if (track[a] >= 0) continue;
            int best = -1;
            double best_d = opt.match_distance;
            for (size_t tr = 0; tr < res.tracks.size(); ++tr) {
                // A track born at this value (claimed, still without points) is skipped before back().
                if (claimed[tr] || res.tracks[tr].points.empty()) continue;
                const auto &last = res.tracks[tr].points.back();
                if (last.value + opt.gap < k) continue;
                const double d = track_distance(res.per_value[last.value].attractors[size_t(last.attractor)],
                                                last_feats[tr], br.attractors[a], feats[a], mo);
                if (d <= best_d) best = int(tr), best_d = d;
            }
            if (best >= 0) {
                track[a] = best;
                claimed[size_t(best)] = true;
                continue;
            }
            // Rule 2b: a split of one non-periodic attractor at this value joins its sibling's track.
            best_d = opt.match_distance;
            for (size_t b = 0; b < br.attractors.size() && br.attractors[a].signature.period == 0; ++b) {
                if (track[b] < 0 || br.attractors[b].signature.period != 0) continue;
                const auto &x = br.attractors[b], &y = br.attractors[a];
                const double d = std::max(std::fabs(x.m1_min - y.m1_min), std::fabs(x.m1_max - y.m1_max));
                if (d <= best_d) best = track[b], best_d = d;
            }
            if (best >= 0) {
                track[a] = best;
            } else {
                track[a] = int(res.tracks.size());
                res.tracks.push_back({track[a], {}});
                last_feats.emplace_back();
                claimed.push_back(true);
            }
        }
        for (size_t a = 0; a < br.attractors.size(); ++a) last_feats[size_t(track[a])] = feats[a];
        for (size_t a = 0; a < br.attractors.size(); ++a) res.tracks[size_t(track[a])].points.push_back({k, int(a)});
        res.track_of.push_back(track);
        res.per_value.push_back(std::move(br));
        if (progress) progress(k);
    }
    return res;
}

} // namespace tdlab::dmft
