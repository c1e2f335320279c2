// `dmft run` and `dmft spin` split into their two halves so that a front end can keep the result in
// memory: the job (the model, the map and the start context, built from the config before anything
// runs) and its trajectories. The CLI bodies (repro/run_commands.h) run the job and write the tables;
// the Python module runs it and hands the vectors to NumPy without a copy.
#pragma once

#include "core/config.h"
#include "core/progress.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"
#include "dmft/mean_field_map.h"
#include "dmft/network.h"
#include "dmft/network_run.h"
#include "dmft/params.h"
#include "dmft/run_dimensions.h"
#include "dmft/tangent_map.h"
#include "dmft/trajectory.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::repro {

struct DmftRunJob {
    dmft::TrajectoryOptions window;
    dmft::DynamicsParams dyn;
    std::shared_ptr<dmft::DmftModel> model;
    std::shared_ptr<dmft::MeanFieldMap> map;
    std::shared_ptr<dmft::Context> ctx; // the start; run() advances it to the final context
    bool spectrum = false;              // spectrum.enabled: the full Lyapunov spectrum of the same window
    dmft::MapSpectrumOptions spectrum_options;
    dmft::DimensionOptions dimension; // dimension.enabled: D2 of the window and of its Poincare section

    // Parses the config (UsageError naming the key) and builds the start context.
    static DmftRunJob prepare(const Config &cfg);
    // Steps the remaining to run (for a Progress bar).
    uint64_t remaining_steps() const;
    // Runs the window from the start context (RuntimeError on a non-finite state).
    dmft::Trajectory run(Progress *progress) const;
};

// `dmft spin`: dmft.N is the network's size, the model keys describe its weight template.
struct DmftSpinJob {
    dmft::SpinOptions options;
    int64_t N = 0;
    dmft::Sampler sampler = dmft::Sampler::Explicit;
    dmft::DynamicsParams dyn;
    std::shared_ptr<dmft::FiniteNetwork> net;
    std::shared_ptr<dmft::MeanFieldMap> map; // the network's mean field
    dmft::Context start;

    struct Result {
        std::vector<dmft::Trajectory> runs; // one per network run
        dmft::Trajectory mean_field;        // the mean field from the same (unperturbed) start
        std::vector<dmft::Context> finals;  // each run's final context
    };

    static DmftSpinJob prepare(const Config &cfg);
    uint64_t total_steps() const; // network steps, for a Progress bar
    // The manifest entries of a run (saved_steps, runs, N, template_N, replicas, site_types, sampler).
    nlohmann::json manifest(size_t saved_steps) const;
    Result run(Progress *progress) const;
};

} // namespace tdlab::repro
