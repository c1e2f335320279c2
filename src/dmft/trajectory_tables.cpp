#include "dmft/trajectory_tables.h"

#include "core/npy.h"

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

} // namespace tdlab::dmft
