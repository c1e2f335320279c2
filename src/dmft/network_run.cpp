#include "dmft/network_run.h"

#include "core/progress.h"

#include <exception>
#include <omp.h>

namespace tdlab::dmft {

Trajectory run_network_trajectory(NetworkSampler &sampler, Context &c, const TrajectoryOptions &opt,
                                  Progress *progress) {
    Trajectory traj;
    traj.M = c.M;
    const int64_t expected = saved_points(opt, c.t) + 1;
    for (auto *v : {&traj.mo_se, &traj.mo, &traj.mv, &traj.mq, &traj.mk, &traj.att}) {
        v->reserve(size_t(expected) * size_t(c.M));
    }
    traj.t.reserve(size_t(expected));
    if (c.t == 0 && c.filled == 1 && opt.transient == 0) {
        // The t = 0 token is the (replicated) cold-start token; its overlaps are the template's (docs/dmft_map.md
        // section 5).
        MeanFieldMap map(sampler.network().mean_field, DynamicsParams{});
        std::vector<double> mo_se, mo;
        map.cold_start_record(mo_se, mo);
        traj.record(0, StepRecord{mo_se.data(), mo.data(), c.mv.data(), c.mq.data(), c.mk.data(), c.att.data()});
    }
    // Report progress about every 2^20 unit draws so that large N shows movement.
    const int64_t chunk = std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(1, sampler.network().N));
    int64_t since_report = 0;
    while (c.t + 1 < opt.steps) {
        StepRecord r = sampler.step(c);
        if (c.t >= opt.transient && (c.t - opt.transient) % opt.save_every == 0) traj.record(c.t, r);
        if (progress && ++since_report == chunk) {
            progress->add(uint64_t(chunk));
            since_report = 0;
        }
    }
    if (progress) progress->add(uint64_t(since_report));
    return traj;
}

std::vector<Trajectory> run_network(const FiniteNetwork &net, const DynamicsParams &dyn, const Context &start,
                                    const SpinOptions &opt, Progress *progress, std::vector<Context> *finals) {
    std::vector<Trajectory> out(static_cast<size_t>(opt.runs));
    if (finals) finals->assign(size_t(opt.runs), Context{});
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = 0; r < opt.runs; ++r) {
        try {
            Context c = start;
            perturb_context(c, opt.perturb, opt.seed, uint64_t(r));
            NetworkSampler sampler(net, dyn, opt.seed, kSpinNoiseStream + uint64_t(r));
            out[size_t(r)] = run_network_trajectory(sampler, c, opt.window, progress);
            if (finals) (*finals)[size_t(r)] = c;
        } catch (...) {
#pragma omp critical
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
    return out;
}

} // namespace tdlab::dmft
