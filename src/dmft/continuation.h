// Attractor continuation over a parameter grid (Attractors.jl's global_continuation with
// AttractorSeedContinueMatch): at each value, basins from fresh starts of a fixed region plus one
// seed per attractor of the previous value (its final state), and attractors matched from one value
// to the next into tracks.
//
// Matching rule, at value k:
//   1. seeded: the previous attractor p continues into the attractor its seed reached. When several
//      seeds reach one attractor (a merger) the track of the nearest previous attractor
//      (dynamics::signature_distance) continues and the others end at k-1.
//   2. otherwise an attractor joins the nearest previous attractor whose track was not continued,
//      when their signature distance is at most `match_distance` (same period; orbit or feature
//      max-norm);
//   3. otherwise it starts a new track (a birth at value k). A track not continued ends at k-1.
// Fractions are those of the fresh starts only (the seeds are not a sample of the region); an
// attractor reached only by a seed has count 0: it coexists, with a basin the sample did not hit.
// Deterministic for any thread count: fresh start i of value k is CounterRng(seed, k * 2^32 + i).
#pragma once

#include "dmft/basins.h"

#include <functional>
#include <string>
#include <vector>

namespace tdlab::dmft {

struct ContinuationOptions {
    BasinsOptions basins;         // samples = fresh starts per value
    double match_distance = 0.05; // rule 2
};

struct TrackPoint {
    size_t value = 0;  // index into the grid
    int attractor = 0; // id at that value
};

struct Track {
    int id = 0;
    std::vector<TrackPoint> points; // consecutive values
};

struct ContinuationResult {
    std::vector<double> values;
    std::vector<BasinsResult> per_value;    // attractors (with counts of fresh starts) per value
    std::vector<std::vector<int>> track_of; // [value][attractor id] -> track id
    std::vector<Track> tracks;
};

// `param` is "beta", "gamma" or "epsilon" (UsageError otherwise); `base` gives the other two.
// `progress(k)` is called after each value.
ContinuationResult continuation(const DmftModel &model, const DynamicsParams &base, const std::string &param,
                                const std::vector<double> &values, const StartRegion &region,
                                const ContinuationOptions &opt, const std::function<void(size_t)> &progress = {});

} // namespace tdlab::dmft
