// Iterating the mean-field map over a window and recording the authors' observables.
#pragma once

#include "dmft/mean_field_map.h"

#include <cstdint>
#include <vector>

namespace tdlab {
class Progress;
}

namespace tdlab::dmft {

struct TrajectoryOptions {
    int64_t steps = 120000;     // time indices run up to steps - 1 (paper code: 120 000)
    int64_t transient = 100000; // steps t >= transient are recorded (paper code: 100 000 -> 20 000 points)
    int64_t save_every = 1;     // record every k-th step of the window
};

// Recorded window, each observable [saved][M] row-major, t [saved].
struct Trajectory {
    int M = 0;
    std::vector<int64_t> t;
    std::vector<double> mo_se, mo, mv, mq, mk, att;
    size_t size() const { return t.size(); }
    void record(int64_t step, const StepRecord &r);
};

// Number of points a window records when started after step t_start.
int64_t saved_points(const TrajectoryOptions &opt, int64_t t_start);

// Runs from `c` (updated in place to the final context) over t = c.t + 1 .. steps - 1, recording
// every save_every-th step t >= transient (and the cold-start step 0 itself if c is a fresh cold start
// and transient == 0). RuntimeError if the state becomes non-finite.
Trajectory run_trajectory(MeanFieldMap &map, Context &c, const TrajectoryOptions &opt, Progress *progress = nullptr);

// A-hat += amplitude * U(-1, 1) per component, from CounterRng(seed, stream): the ensemble starts of
// the multistability tests and the attractor census.
void perturb_context(Context &c, double amplitude, uint64_t seed, uint64_t stream);

} // namespace tdlab::dmft
