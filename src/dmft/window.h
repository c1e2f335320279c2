// The recorded window of a DMFT run, parsed once from the dmft.* window keys (dmft/params.h): the map
// runs t = 0 .. steps - 1 and records every save_every-th step t >= transient. This struct owns the
// one check that the window is not empty (transient < steps), for `dmft run`, `dmft spin` and sweeps.
#pragma once

#include "core/config.h"
#include "dmft/trajectory.h"

#include <cstdint>

namespace tdlab::dmft {

struct Window {
    int64_t steps = 120000;
    int64_t transient = 100000;
    int64_t save_every = 1;

    // Reads dmft.steps, dmft.transient and (if the schema has it) dmft.save_every; UsageError naming
    // both keys unless transient < steps.
    static Window from(const Config &cfg);
    void check() const;
    TrajectoryOptions trajectory() const { return {steps, transient, save_every}; }
};

} // namespace tdlab::dmft
