// `dmft run` split into its two halves so that a front end can keep the result in memory: the job (the
// model, the map and the start context, built from the config before anything runs) and its trajectory.
// The CLI body (repro/run_commands.h) runs the job and writes the tables; the Python module runs it and
// hands the vectors to NumPy without a copy.
#pragma once

#include "core/config.h"
#include "core/progress.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"
#include "dmft/mean_field_map.h"
#include "dmft/params.h"
#include "dmft/tangent_map.h"
#include "dmft/trajectory.h"

#include <memory>

namespace tdlab::repro {

struct DmftRunJob {
    dmft::TrajectoryOptions window;
    dmft::DynamicsParams dyn;
    std::shared_ptr<dmft::DmftModel> model;
    std::shared_ptr<dmft::MeanFieldMap> map;
    std::shared_ptr<dmft::Context> ctx; // the start; run() advances it to the final context
    bool spectrum = false;              // spectrum.enabled: the full Lyapunov spectrum of the same window
    dmft::MapSpectrumOptions spectrum_options;

    // Parses the config (UsageError naming the key) and builds the start context.
    static DmftRunJob prepare(const Config &cfg);
    // Steps the remaining to run (for a Progress bar).
    uint64_t remaining_steps() const;
    // Runs the window from the start context (RuntimeError on a non-finite state).
    dmft::Trajectory run(Progress *progress) const;
};

} // namespace tdlab::repro
