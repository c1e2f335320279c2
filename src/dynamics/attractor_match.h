// Identifying the attractor a run ended on, and matching attractors between runs (the role of
// Attractors.jl's AttractorsViaFeaturizing / its matchers, with the rule stated):
//  * periodic (an exact period p was detected on the recorded observable, dim values per step): two
//    runs are on the same orbit iff their periods are equal and one period of one equals one period of
//    the other shifted by a multiple of `shift_multiple` steps, every value within `orbit_tol`
//    (max-norm). For a map forced with period L pass shift_multiple = L: both windows end at the same
//    forcing phase, so a shift that is not a multiple of L compares different phases;
//  * otherwise (quasi-periodic, chaotic, unconverged): a feature vector (the caller's: ranges, means,
//    lambda_1, section statistics), and a run joins the first known non-periodic attractor whose
//    features are all within `feature_tol` (max-norm, features pre-scaled by the caller); else it is new.
// Registration is in call order, so the ids are deterministic when the runs are visited in a fixed order.
#pragma once

#include <cstddef>
#include <vector>

namespace tdlab::dynamics {

struct AttractorSignature {
    size_t period = 0;            // 0: not periodic
    std::vector<double> orbit;    // [period][dim]: the last period of the window (periodic only)
    std::vector<double> features; // non-periodic only
};

struct MatchOptions {
    size_t dim = 1;
    size_t shift_multiple = 1;
    double orbit_tol = 1e-6;
    double feature_tol = 1e-2;
};

bool same_attractor(const AttractorSignature &a, const AttractorSignature &b, const MatchOptions &opt);
// A distance between signatures for matching across parameters: for equal periods the smallest
// max-norm orbit distance over allowed shifts; for two non-periodic the feature max-norm distance;
// infinity otherwise.
double signature_distance(const AttractorSignature &a, const AttractorSignature &b, const MatchOptions &opt);

class AttractorRegistry {
  public:
    explicit AttractorRegistry(const MatchOptions &opt) : opt_(opt) {}
    // The id of s's attractor (registering s as the representative of a new one if none matches).
    int identify(const AttractorSignature &s);
    // The id of a matching known attractor, or -1.
    int find(const AttractorSignature &s) const;
    const std::vector<AttractorSignature> &representatives() const { return reps_; }
    size_t size() const { return reps_.size(); }

  private:
    MatchOptions opt_;
    std::vector<AttractorSignature> reps_;
};

} // namespace tdlab::dynamics
