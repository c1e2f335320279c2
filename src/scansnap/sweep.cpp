#include "scansnap/sweep.h"

#include "core/error.h"
#include "nn/blas_threads.h"
#include "scansnap/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <omp.h>

namespace tdlab::scansnap {

ConfigSchema sweep_schema() {
    ConfigSchema s = train_schema();
    s.add_int_list("sweep.num_last", "[1, 3, 5, 10]", "num_last values (one Fig 6 panel each)")
        .add_double_list("sweep.lr_z", "[0.5, 1, 2, 3]", "eta_Z values (one line each)")
        .add_double_list("sweep.ratio", "[1, 2, 5, 10]", "eta_Y / eta_Z values (x axis)")
        .add_int("sweep.seeds", 10, 1, 100000, "seeds 1..N per grid point")
        .add_int("sweep.thresholds", 21, 1, 10000, "threshold points of the recall curves (Figs 11/12)");
    return s;
}

SweepGrid sweep_grid_from(const Config &cfg) {
    SweepGrid grid;
    grid.num_last.clear();
    for (int64_t v : cfg.get_int_list("sweep.num_last")) {
        if (v < 1) throw UsageError(fmt::format("config key 'sweep.num_last': value {} must be >= 1", v));
        grid.num_last.push_back(int(v));
    }
    grid.lr_z = cfg.get_double_list("sweep.lr_z");
    grid.ratio = cfg.get_double_list("sweep.ratio");
    grid.seeds = int(cfg.get_int("sweep.seeds"));
    grid.num_thresholds = int(cfg.get_int("sweep.thresholds"));
    if (grid.num_last.empty() || grid.lr_z.empty() || grid.ratio.empty())
        throw UsageError("scansnap sweep: sweep.num_last, sweep.lr_z and sweep.ratio must be non-empty lists");
    return grid;
}

std::vector<double> recall_thresholds(int M, int count) {
    double lo = 0.92 / M, hi = 1.25 / M;
    if (M == 33) lo = 0.028, hi = 0.038;
    if (M == 79) lo = 0.012, hi = 0.016;
    if (M == 125) lo = 0.0075, hi = 0.0105;
    if (M == 240) lo = 0.0040, hi = 0.0050;
    std::vector<double> t(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) t[size_t(i)] = count == 1 ? lo : lo + (hi - lo) * i / (count - 1);
    return t;
}

SweepResult run_sweep(const TrainParams &base, const SweepGrid &grid, Progress *progress) {
    const auto start = std::chrono::steady_clock::now();
    // Small per-class GEMMs: BLAS threading would only add overhead (and we parallelise over runs). The
    // policy itself is set once at the edge; this keeps library callers (tests, benches) under it too.
    nn::ensure_blas_single_thread();
    SweepResult res;
    const size_t nL = grid.num_last.size(), nZ = grid.lr_z.size(), nR = grid.ratio.size(), nS = size_t(grid.seeds);
    res.z_final.resize(nL);
    res.M.resize(nL);
    struct Job {
        size_t il, iz, ir, is;
    };
    std::vector<Job> jobs;
    for (size_t il = 0; il < nL; ++il) {
        DataParams d = base.data;
        d.num_last = grid.num_last[il];
        const SeqClasses data(d);
        res.M[il] = data.M();
        res.z_final[il].assign(nZ * nR * nS * size_t(d.num_last) * size_t(data.M()), 0.0);
        for (size_t iz = 0; iz < nZ; ++iz)
            for (size_t ir = 0; ir < nR; ++ir)
                for (size_t is = 0; is < nS; ++is) jobs.push_back({il, iz, ir, is});
    }
    // Largest vocabularies first, so that the dynamic schedule ends with short runs.
    std::stable_sort(jobs.begin(), jobs.end(), [&](const Job &a, const Job &b) { return res.M[a.il] > res.M[b.il]; });
    std::vector<double> ent(jobs.size()), full(jobs.size());
    std::vector<size_t> slot(jobs.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t j = 0; j < jobs.size(); ++j) {
        const Job &job = jobs[j];
        TrainParams p = base;
        p.data.num_last = grid.num_last[job.il];
        p.lr_z = grid.lr_z[job.iz];
        p.ratio = grid.ratio[job.ir];
        p.seed = uint64_t(job.is + 1);
        p.record_z = false;
        p.gamma_proxy = false;
        TrainResult r = train(p);
        const SeqClasses data(p.data);
        const int M = data.M(), Q = data.num_queries();
        const size_t cell = (job.iz * nR + job.ir) * nS + job.is;
        std::copy_n(&r.final_params.Z[size_t(data.last_offset()) * M], size_t(Q) * M,
                    &res.z_final[job.il][cell * size_t(Q) * M]);
        ent[j] = mean_distinct_entropy(data, r.final_params.Z.data());
        double f = 0;
        for (int n = 0; n < data.K(); ++n) {
            const SeqClass &c = data.cls(n);
            f += full_entropy(c, &r.final_params.Z[size_t(c.query) * M], M);
        }
        full[j] = f / data.K();
        if (progress) progress->add();
    }
    // Gather in grid order.
    std::vector<size_t> index_of(jobs.size());
    for (size_t j = 0; j < jobs.size(); ++j) {
        const Job &b = jobs[j];
        size_t flat = ((b.il * nZ + b.iz) * nR + b.ir) * nS + b.is;
        index_of[flat] = j;
    }
    for (size_t il = 0; il < nL; ++il) {
        DataParams d = base.data;
        d.num_last = grid.num_last[il];
        const SeqClasses data(d);
        const int M = data.M(), Q = data.num_queries();
        for (size_t iz = 0; iz < nZ; ++iz) {
            for (size_t ir = 0; ir < nR; ++ir) {
                SweepCell c;
                c.num_last = grid.num_last[il];
                c.lr_z = grid.lr_z[iz];
                c.ratio = grid.ratio[ir];
                c.thetas = recall_thresholds(M, grid.num_thresholds);
                c.recall.assign(c.thetas.size(), 0.0);
                std::vector<double> Z(size_t(M) * M, 0.0);
                for (size_t is = 0; is < nS; ++is) {
                    const size_t j = index_of[((il * nZ + iz) * nR + ir) * nS + is];
                    c.entropy.push_back(ent[j]);
                    c.full_entropy.push_back(full[j]);
                    const size_t cell = (iz * nR + ir) * nS + is;
                    std::copy_n(&res.z_final[il][cell * size_t(Q) * M], size_t(Q) * M,
                                &Z[size_t(data.last_offset()) * M]);
                    const auto rc = recall_curve(data, Z, c.thetas);
                    for (size_t k = 0; k < rc.size(); ++k) c.recall[k] += rc[k] / double(nS);
                }
                double mean = 0;
                for (double x : c.entropy) mean += x;
                mean /= double(nS);
                double var = 0;
                for (double x : c.entropy) var += (x - mean) * (x - mean);
                c.mean = mean;
                c.std = nS > 1 ? std::sqrt(var / double(nS - 1)) : 0.0;
                res.cells.push_back(std::move(c));
            }
        }
    }
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

} // namespace tdlab::scansnap
