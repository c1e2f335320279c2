// The MPI driver of `tdlab dmft sweep|phase` (built with -DTDLAB_MPI=ON): under mpirun/srun, rank 0 hands
// chunks of the grid out dynamically to the other ranks, which compute them into the same resume store
// (DIR.chunks/) as the OpenMP and --shard paths; rank 0 then writes the run directory from the store.
#pragma once

#include "core/config.h"
#include "core/parallel.h"
#include "dmft/sweep_runner.h"

#include <filesystem>

namespace tdlab::cli {

enum class MpiOutcome {
    NotMpi, // no MPI launcher (or built without MPI, or one rank): run the plain driver
    Master, // this process was rank 0 and wrote the run directory; `info` is filled
    Worker  // this process was a worker rank; print nothing
};

// Runs the grid over MPI when the process was started by an MPI launcher with more than one rank.
MpiOutcome run_grid_mpi(const dmft::GridSpec &spec, const std::filesystem::path &out, const Shard &shard,
                        dmft::GridRunInfo &info);

} // namespace tdlab::cli
