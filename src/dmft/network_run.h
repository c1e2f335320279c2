// Independent runs of the finite-N network (`tdlab dmft spin`): the same recorded window as the mean-field
// trajectory (trajectory.h), one Trajectory per run.
//
// Run r draws its noise from CounterRng(seed, kSpinNoiseStream + r) and its start perturbation from
// CounterRng(seed, r) (as `dmft run` with stream 0), so every run is a pure function of (config, seed, r):
// the runs are spread over OpenMP threads and the bytes do not depend on the thread count.
#pragma once

#include "dmft/network.h"
#include "dmft/trajectory.h"

#include <cstdint>
#include <vector>

namespace tdlab {
class Progress;
}

namespace tdlab::dmft {

inline constexpr uint64_t kSpinNoiseStream = uint64_t(0x5350494E) << 32; // "SPIN"

struct SpinOptions {
    TrajectoryOptions window;
    int runs = 1;
    uint64_t seed = 0;
    double perturb = 0.0; // amplitude of the uniform A-hat perturbation of each run's start
};

// One trajectory of the network from `c` (updated to the final context), recording like run_trajectory
// (including the cold-start step 0 when c is a fresh cold start and transient == 0).
Trajectory run_network_trajectory(NetworkSampler &sampler, Context &c, const TrajectoryOptions &opt,
                                  Progress *progress = nullptr);

// `runs` independent trajectories from `start`, in parallel over runs. finals (optional) gets each run's
// final context.
std::vector<Trajectory> run_network(const FiniteNetwork &net, const DynamicsParams &dyn, const Context &start,
                                    const SpinOptions &opt, Progress *progress = nullptr,
                                    std::vector<Context> *finals = nullptr);

} // namespace tdlab::dmft
