#include "dmft/trajectory_tables.h"

#include "core/error.h"
#include "core/npy.h"
#include "dmft/network_run.h"

#include <fmt/format.h>

namespace tdlab::dmft {

void write_trajectory_tables(const std::filesystem::path &dir, const Trajectory &traj) {
    const std::vector<size_t> shape{traj.size(), size_t(traj.M)};
    write_npy(dir / "mo_se.npy", traj.mo_se, shape);
    write_npy(dir / "mo.npy", traj.mo, shape);
    write_npy(dir / "mv.npy", traj.mv, shape);
    write_npy(dir / "mq.npy", traj.mq, shape);
    write_npy(dir / "mk.npy", traj.mk, shape);
    write_npy(dir / "att.npy", traj.att, shape);
    write_npy(dir / "t.npy", traj.t, {traj.size()});
}

void write_stacked_tables(const std::filesystem::path &dir, const std::vector<Trajectory> &runs) {
    const size_t R = runs.size(), T = runs[0].size(), M = size_t(runs[0].M);
    const std::vector<size_t> shape{R, T, M};
    auto stack = [&](auto member, const char *name) {
        std::vector<double> flat;
        flat.reserve(R * T * M);
        for (const auto &tr : runs) flat.insert(flat.end(), (tr.*member).begin(), (tr.*member).end());
        write_npy(dir / name, flat, shape);
    };
    stack(&Trajectory::mo_se, "mo_se.npy");
    stack(&Trajectory::mo, "mo.npy");
    stack(&Trajectory::mv, "mv.npy");
    stack(&Trajectory::mq, "mq.npy");
    stack(&Trajectory::mk, "mk.npy");
    stack(&Trajectory::att, "att.npy");
    write_npy(dir / "t.npy", runs[0].t, {T});
}

void write_spin_tables(const std::filesystem::path &dir, const std::vector<Trajectory> &runs, const Trajectory &mf,
                       const std::vector<Context> &finals) {
    if (runs[0].size() > 0) {
        write_stacked_tables(dir, runs);
        write_npy(dir / "mf_mo_se.npy", mf.mo_se, {mf.size(), size_t(mf.M)});
    }
    std::vector<double> final_att;
    for (const auto &c : finals) final_att.insert(final_att.end(), c.att.begin(), c.att.end());
    write_npy(dir / "final_att.npy", final_att, {finals.size(), size_t(runs[0].M)});
}

void check_recorded_memory(int runs, int64_t saved, int M) {
    const double out_bytes = 6.0 * 8.0 * double(runs) * double(saved) * double(M);
    if (out_bytes > double(physical_memory_bytes()) / 2) {
        throw UsageError(fmt::format("config keys 'dmft.runs' = {} and 'dmft.steps'/'dmft.save_every': the recorded "
                                     "window needs {:.1f} GiB; record fewer steps or runs",
                                     runs, out_bytes / 1073741824.0));
    }
}

} // namespace tdlab::dmft
