#include "dmft/trajectory.h"

#include "core/error.h"
#include "core/progress.h"
#include "core/rng.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::dmft {

void Trajectory::record(int64_t step, const StepRecord &r) {
    t.push_back(step);
    mo_se.insert(mo_se.end(), r.mo_se, r.mo_se + M);
    mo.insert(mo.end(), r.mo, r.mo + M);
    mv.insert(mv.end(), r.mv, r.mv + M);
    mq.insert(mq.end(), r.mq, r.mq + M);
    mk.insert(mk.end(), r.mk, r.mk + M);
    att.insert(att.end(), r.att, r.att + M);
}

int64_t saved_points(const TrajectoryOptions &opt, int64_t t_start) {
    int64_t first = std::max(opt.transient, t_start + 1);
    if (first >= opt.steps) return 0;
    return (opt.steps - 1 - first) / opt.save_every + 1;
}

Trajectory run_trajectory(MeanFieldMap &map, Context &c, const TrajectoryOptions &opt, Progress *progress) {
    Trajectory traj;
    traj.M = c.M;
    const size_t M = size_t(c.M);
    const int64_t expected = saved_points(opt, c.t) + 1;
    for (auto *v : {&traj.mo_se, &traj.mo, &traj.mv, &traj.mq, &traj.mk, &traj.att}) v->reserve(size_t(expected) * M);
    traj.t.reserve(size_t(expected));
    if (c.t == 0 && c.filled == 1 && opt.transient == 0) {
        std::vector<double> mo_se, mo;
        map.cold_start_record(mo_se, mo);
        traj.record(0, StepRecord{mo_se.data(), mo.data(), c.mv.data(), c.mq.data(), c.mk.data(), c.att.data()});
    }
    const int64_t chunk = 4096;
    int64_t since_report = 0;
    while (c.t + 1 < opt.steps) {
        StepRecord r = map.step(c);
        if (c.t >= opt.transient && (opt.save_every == 1 || (c.t - opt.transient) % opt.save_every == 0)) {
            traj.record(c.t, r);
        }
        double check = 0.0;
        for (size_t a = 0; a < M; ++a) check += c.att[a];
        if (!std::isfinite(check)) {
            throw RuntimeError(fmt::format("non-finite state (NaN or inf) in A-hat at step t = {} (beta = {})", c.t,
                                           map.dynamics().beta));
        }
        if (progress && ++since_report == chunk) {
            progress->add(uint64_t(chunk));
            since_report = 0;
        }
    }
    if (progress) progress->add(uint64_t(since_report));
    return traj;
}

void perturb_context(Context &c, double amplitude, uint64_t seed, uint64_t stream) {
    if (amplitude == 0.0) return;
    CounterRng rng(seed, stream);
    for (double &a : c.att) a += amplitude * (2.0 * rng.uniform() - 1.0);
}

} // namespace tdlab::dmft
