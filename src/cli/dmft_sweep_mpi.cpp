// MPI master-worker driver of the checkpoint-protocol sweep: `mpirun -n K tdlab dmft sweep ...` hands
// work out dynamically (a queue, not a static split, because per-value cost varies: chaotic values with
// Lyapunov exponents and censuses are slower; see docs/dmft.md, "Clusters: shards, gather, MPI").
//
//   rank 0      scans the resume store, then answers work requests (MPI_ANY_SOURCE) with the next
//               missing chunk begin, or -1 when none is left; when every worker has been told to stop,
//               it reads all chunks back from the store and writes the run directory (the same
//               GridJob::finish as the plain path, so summary.csv / points.npy are byte-identical).
//   rank 1..K-1 request a chunk, compute it with OpenMP threads, save it to DIR.chunks/ (atomic
//               rename), and request the next; the request carries the chunk just finished.
// DIR.chunks/ must be on a file system every rank sees (as the --out directory is on a cluster).
// A killed MPI run resumes under mpirun or without it: the store key is the same as the plain run's.
// The neighbour protocol is sequential and is refused under MPI with more than one rank.
#include "cli/dmft_sweep_mpi.h"

#include "core/error.h"
#include "core/progress.h"
#include "plot/dmft_sweep_figures.h"

#include <cstdlib>
#include <fmt/format.h>

#ifdef TDLAB_HAVE_MPI
#include <chrono>
#include <cstdio>
#include <mpi.h>
#include <thread>
#endif

namespace tdlab::cli {

#ifndef TDLAB_HAVE_MPI

MpiOutcome run_grid_mpi(const dmft::GridSpec &, const std::filesystem::path &, const Shard &, dmft::GridRunInfo &) {
    return MpiOutcome::NotMpi;
}

#else

namespace {

constexpr int kTagRequest = 1; // worker -> master: int64 {chunk just finished or -1}
constexpr int kTagWork = 2;    // master -> worker: int64 chunk begin, or -1: stop
constexpr int kTagStatus = 3;  // master -> all: int64 {exit code, 0 ok} of setup and of the final write

// True when an MPI launcher started this process (Open MPI's mpirun, MPICH/Hydra or Slurm PMI, PMIx):
// a plain `tdlab dmft sweep` never initialises MPI.
bool launched_by_mpi() {
    for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
        if (std::getenv(v)) return true;
    }
    return false;
}

// Waits for a message without spinning a core (Open MPI's blocking receive busy-polls; the master and
// idle workers would otherwise steal CPU from the ranks that compute on the same node).
void wait_quietly(MPI_Request &req) {
    int done = 0;
    while (true) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

struct MpiSession {
    MpiSession() {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
    ~MpiSession() {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized) MPI_Finalize();
    }
    int rank = 0, size = 1;
};

// Rank 0 tells every worker `code` (0: go on; 2: usage error; 1: runtime error) with `message`.
void broadcast_status(int64_t &code, std::string &message) {
    MPI_Bcast(&code, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    int64_t len = int64_t(message.size());
    MPI_Bcast(&len, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    message.resize(size_t(len));
    MPI_Bcast(message.data(), int(len), MPI_CHAR, 0, MPI_COMM_WORLD);
}

[[noreturn]] void rethrow_status(int64_t code, const std::string &message) {
    if (code == 2) throw UsageError(message);
    throw RuntimeError(message);
}

void serve(dmft::GridJob &job, const std::vector<size_t> &missing, int workers, const char *label,
           std::vector<int64_t> &per_rank) {
    Progress progress(fmt::format("{} (MPI, {} workers)", label, workers), missing.size(), "chunks");
    size_t next = 0;
    int active = workers;
    while (active > 0) {
        int64_t finished = -1;
        MPI_Request req;
        MPI_Status st;
        MPI_Irecv(&finished, 1, MPI_INT64_T, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &req);
        int done = 0;
        while (!done) {
            MPI_Test(&req, &done, &st);
            if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (finished >= 0) {
            progress.add(1);
            per_rank[size_t(st.MPI_SOURCE)] += 1;
        }
        const int64_t work = next < missing.size() ? int64_t(missing[next++]) : -1;
        MPI_Send(&work, 1, MPI_INT64_T, st.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
        if (work < 0) --active;
    }
    progress.finish();
}

void work(dmft::GridJob &job) {
    int64_t finished = -1;
    while (true) {
        MPI_Send(&finished, 1, MPI_INT64_T, 0, kTagRequest, MPI_COMM_WORLD);
        int64_t c0 = -1;
        MPI_Request req;
        MPI_Irecv(&c0, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, &req);
        wait_quietly(req);
        if (c0 < 0) return;
        try {
            job.compute_chunk(size_t(c0));
        } catch (const std::exception &e) {
            // The chunks saved so far stay in the store: rerunning resumes.
            int rank = 0;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            std::fprintf(stderr, "tdlab: MPI rank %d, chunk at %lld: %s\n", rank, (long long)c0, e.what());
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        finished = c0;
    }
}

} // namespace

MpiOutcome run_grid_mpi(const dmft::GridSpec &spec, const std::filesystem::path &out, const Shard &shard,
                        dmft::GridRunInfo &info) {
    if (!launched_by_mpi()) return MpiOutcome::NotMpi;
    MpiSession mpi;
    if (mpi.size == 1) return MpiOutcome::NotMpi;
    const char *label = dmft::grid_command(spec.kind);
    if (spec.sweep.seed_from == "neighbour")
        throw UsageError(fmt::format("{}: sweep.seed_from=neighbour is sequential (each value starts from the "
                                     "previous one's final context); run it without mpirun",
                                     label));
    // Every rank builds the same job (model, grid, start context: deterministic); only rank 0 creates
    // or checks the store, and tells the workers whether that worked before they open it.
    dmft::GridJob job(spec, out, shard, /*open_store=*/false);
    std::vector<size_t> missing;
    int64_t code = 0;
    std::string message;
    if (mpi.rank == 0) {
        try {
            missing = job.scan();
        } catch (const UsageError &e) {
            code = 2, message = e.what();
        } catch (const std::exception &e) {
            code = 1, message = e.what();
        }
    }
    broadcast_status(code, message);
    if (code != 0) rethrow_status(code, message);
    if (mpi.rank != 0) {
        job.open_store();
        work(job);
        // Wait (without spinning) for rank 0 to write the run directory, then leave with its status.
        int64_t status[1] = {0};
        MPI_Request req;
        MPI_Irecv(status, 1, MPI_INT64_T, 0, kTagStatus, MPI_COMM_WORLD, &req);
        wait_quietly(req);
        if (status[0] != 0) throw RuntimeError(fmt::format("{}: rank 0 failed to write the run directory", label));
        return MpiOutcome::Worker;
    }
    std::vector<int64_t> per_rank(size_t(mpi.size), 0);
    serve(job, missing, mpi.size - 1, label, per_rank);
    int64_t status = 0;
    try {
        job.manifest_extra()["mpi_ranks"] = mpi.size;
        job.manifest_extra()["mpi_chunks_per_rank"] = per_rank;
        info = job.finish(plot::draw_grid_figures);
        info.computed_chunks = int64_t(missing.size());
    } catch (...) {
        status = 1;
        for (int r = 1; r < mpi.size; ++r) MPI_Send(&status, 1, MPI_INT64_T, r, kTagStatus, MPI_COMM_WORLD);
        throw;
    }
    for (int r = 1; r < mpi.size; ++r) MPI_Send(&status, 1, MPI_INT64_T, r, kTagStatus, MPI_COMM_WORLD);
    return MpiOutcome::Master;
}

#endif

} // namespace tdlab::cli
