// Attractor continuation over a parameter grid (Attractors.jl's global_continuation with
// AttractorSeedContinueMatch): at each value, basins from fresh starts of a fixed region plus one
// seed per attractor of the previous value (its final state), and attractors matched from one value
// to the next into tracks.
//
// Matching rule, at value k (a track is a chain of attractors, one per value but for rule 2b):
//   1. seeded: the previous attractor p continues into the attractor its seed reached. When several
//      seeds reach one attractor (a merger) the track of the nearest previous attractor
//      (track_distance) continues and the others are not continued at k.
//   2. otherwise an attractor joins the nearest track not continued at k whose last attractor is at
//      most `gap` values back (k-1 .. k-gap), when their track_distance is within `match_distance`;
//   2b. otherwise a non-periodic attractor joins the track of the non-periodic attractor of the same
//      value whose m^o_1 range (both ends) is nearest, within `match_distance`: both are taken as one
//      chaotic or quasi-periodic attractor that the identification split (2000-step windows scatter the
//      mean, standard deviation and lambda_1 of one chaotic attractor beyond basins.feature_tol, while
//      the range over all its runs is stable), so that track holds two attractors at k. This can join
//      two distinct attractors that share a range (a symmetric pair); the basins of each stay separate
//      in attractors.csv;
//   3. otherwise it starts a new track (a birth at value k). A track that is not continued for more
//      than `gap` values has died at its last value.
// track_distance tolerates what a bifurcation does to an attractor between neighbouring values: it is
// the smaller of the orbit distance (equal periods: max-norm over shifts by multiples of L) and the
// distance of the features, the mean and the standard deviation of each m^o_a over the attractor (a
// periodic orbit's over one period, other attractors' over their window), which move continuously
// through a period doubling (28 -> 56 points), a periodic orbit turning quasi-periodic or chaotic, and
// small shifts, where periods and orbits jump. The gap lets an attractor that one value's starts
// missed (its seed fell into another basin at a crisis) or that a slow transient hid keep its track.
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
    double match_distance = 0.02; // rule 2 (track_distance)
    size_t gap = 3;               // rule 2: values a track may skip
};

// The features of track_distance: [mean_0, std_0, mean_1, std_1, ...] of m^o over the attractor.
std::vector<double> track_features(const BasinAttractor &a, int M);
// min(orbit distance for equal periods, feature max-norm distance) (rule 2 above).
double track_distance(const BasinAttractor &a, const std::vector<double> &fa, const BasinAttractor &b,
                      const std::vector<double> &fb, const dynamics::MatchOptions &mo);

struct TrackPoint {
    size_t value = 0;  // index into the grid
    int attractor = 0; // id at that value
};

struct Track {
    int id = 0;
    std::vector<TrackPoint> points; // non-decreasing values, at most `gap` apart (rule 2b: repeats)
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
