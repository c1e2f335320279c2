#include "dmft/continuation.h"

#include "core/error.h"
#include "dmft/tangent_map.h"

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
        // Matching.
        std::vector<int> track(br.attractors.size(), -1);
        std::vector<bool> continued(nseeds, false);
        for (size_t a = 0; a < br.attractors.size(); ++a) {
            int best = -1;
            double best_d = std::numeric_limits<double>::infinity();
            for (size_t p = 0; p < nseeds; ++p) {
                if (seed_to[p] != int(a)) continue;
                const double d = dynamics::signature_distance(res.per_value[k - 1].attractors[p].signature,
                                                              br.attractors[a].signature, mo);
                if (best < 0 || d < best_d) best = int(p), best_d = d;
            }
            if (best >= 0) {
                track[a] = res.track_of[k - 1][size_t(best)];
                continued[size_t(best)] = true;
            }
        }
        for (size_t a = 0; a < br.attractors.size(); ++a) {
            if (track[a] >= 0) continue;
            int best = -1;
            double best_d = opt.match_distance;
            for (size_t p = 0; p < nseeds; ++p) {
                if (continued[p]) continue;
                const double d = dynamics::signature_distance(res.per_value[k - 1].attractors[p].signature,
                                                              br.attractors[a].signature, mo);
                if (d <= best_d) best = int(p), best_d = d;
            }
            if (best >= 0) {
                track[a] = res.track_of[k - 1][size_t(best)];
                continued[size_t(best)] = true;
            } else {
                track[a] = int(res.tracks.size());
                res.tracks.push_back({track[a], {}});
            }
        }
        for (size_t a = 0; a < br.attractors.size(); ++a) res.tracks[size_t(track[a])].points.push_back({k, int(a)});
        res.track_of.push_back(track);
        res.per_value.push_back(std::move(br));
        if (progress) progress(k);
    }
    return res;
}

} // namespace tdlab::dmft
