#include "scansnap/trainer.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <omp.h>

namespace tdlab::scansnap {

namespace {

template <class Real> TrainResult train_as(const TrainParams &p) {
    const SeqClasses data(p.data);
    const int M = data.M(), Q = data.num_queries();
    TrainResult r;
    r.M = M;
    r.num_queries = Q;
    r.niter = p.niter;
    YZParamsT<Real> params(M), grad(M);
    if (!p.zero_init) {
        CounterRng init_rng(p.seed, 0);
        params.init_uniform(init_rng);
    }
    CounterRng data_rng(p.seed, 1);
    // Y: only context-token rows ever receive gradient; Z: only the query rows.
    RowBlockOptimizer<Real> opt_y(p.method, p.lr_z * p.ratio, p.momentum, 0, data.num_context(), M);
    RowBlockOptimizer<Real> opt_z(p.method, p.lr_z, p.momentum, data.last_offset(), data.last_offset() + Q, M);
    YZWorkspaceT<Real> ws;
    Batch batch, next;
    r.loss.reserve(size_t(p.niter));
    // Batch t+1 does not depend on the parameters, so with a spare thread it is drawn while batch t trains
    // (the draws come in the same order from the same stream: the same batches for any thread count). Only
    // the sampler overlaps: OpenBLAS serialises concurrent small GEMMs on a lock. Large batches instead
    // share each iteration among the threads (batch_uses_threads), and runs inside a sweep are serial.
    const bool overlap = omp_get_max_threads() >= 2 && !omp_in_parallel() && !batch_uses_threads(data, p.batch);
    auto record = [&] {
        if (!p.record_z) return;
        const Real *src = &params.Z[size_t(data.last_offset()) * M];
        r.z_rows.insert(r.z_rows.end(), src, src + size_t(Q) * M);
    };
    sample_batch(data, p.batch, data_rng, batch);
    for (int t = 0; t < p.niter; ++t) {
        record();
        ForwardStats st;
        const bool more = t + 1 < p.niter;
        if (overlap) {
#pragma omp parallel num_threads(2)
            {
                if (omp_get_thread_num() == 0)
                    st = forward_backward(data, batch, params, p.normalize, grad, ws, p.gamma_proxy);
                // (a team of one, e.g. under OMP_THREAD_LIMIT=1, does both)
                if (more && (omp_get_num_threads() == 1 || omp_get_thread_num() == 1))
                    sample_batch(data, p.batch, data_rng, next);
            }
        } else {
            // Not inside a (team-of-one) region: forward_backward and sample_batch keep their own teams.
            st = forward_backward(data, batch, params, p.normalize, grad, ws, p.gamma_proxy);
            if (more) sample_batch(data, p.batch, data_rng, next);
        }
        std::swap(batch, next);
        if (!std::isfinite(st.loss))
            throw RuntimeError(
                fmt::format("scansnap train: loss is {} at iteration {} (lr_z={}, ratio={}); lower the rates", st.loss,
                            t, p.lr_z, p.ratio));
        r.loss.push_back(st.loss);
        if (p.gamma_proxy) r.gamma_proxy.push_back(st.gamma_proxy);
        opt_y.step(params.Y, grad.Y, false); // forward_backward sets dY (every context row), adds dZ
        opt_z.step(params.Z, grad.Z);
    }
    record();
    // Converted in one pass (a zeroed YZParams(M) then a copy wrote 0.9 MB twice: ~1% of a B = 128 run).
    r.final_params.M = M;
    r.final_params.Y.assign(params.Y.begin(), params.Y.end());
    r.final_params.Z.assign(params.Z.begin(), params.Z.end());
    return r;
}

} // namespace

TrainResult train(const TrainParams &p) {
    return p.float32 ? train_as<float>(p) : train_as<double>(p);
}

ConfigSchema data_schema() {
    ConfigSchema s;
    s.add_int("data.num_last", 2, 1, 1000, "number of query tokens (Syn-Small 2, Syn-Medium 1/3/5/10)")
        .add_int("data.num_next_per_last", 1, 1, 1000, "classes per query (Syn-Small 1, Syn-Medium 2)")
        .add_int("data.num_common", 10, 0, 100000, "global common tokens shared by every class")
        .add_int("data.num_common_per_last", 0, 0, 100000, "common tokens per query (0 in every experiment)")
        .add_int("data.num_unique_per_next", 10, 1, 100000, "distinct tokens per class")
        .add_double("data.common_prob", 1.0, 0.0, 1e9, "unnormalised weight of each common token")
        .add_double("data.unique_min", 0.1, 1e-12, 1e9, "smallest unnormalised distinct-token weight")
        .add_double("data.unique_max", 1.0, 1e-12, 1e9, "largest unnormalised distinct-token weight")
        .add_int("data.L", 128, 2, 1 << 24, "sequence length T including the query (L-1 contextual tokens)");
    return s;
}

ConfigSchema train_schema() {
    ConfigSchema s = data_schema();
    s.add_bool("model.zero_init", true, "Y = Z = 0 at start (else PyTorch nn.Linear default U(-1/sqrt M, 1/sqrt M))")
        .add_bool("model.normalize", true, "l2-normalise X^T b before the decoder (true in every experiment)")
        .add_string("model.dtype", "float32", {"float32", "float64"},
                    "parameter and activation type (float32 as the official PyTorch code; float64 for checks)")
        .add_string("opt.method", "sgd", {"sgd", "adam"}, "sgd (momentum opt.momentum) or adam (PyTorch defaults)")
        .add_double("opt.lr_z", 1.0, 0.0, 1e6, "attention learning rate eta_Z")
        .add_double("opt.ratio", 1.0, 0.0, 1e6, "eta_Y / eta_Z (the code's lr_y_multi_on_z)")
        .add_double("opt.momentum", 0.9, 0.0, 0.999999, "SGD momentum (PyTorch semantics)")
        .add_int("opt.batch", 128, 1, 1 << 24, "batch size (loss averaged over the batch)")
        .add_int("opt.niter", 100, 1, 1 << 30, "iterations (a fresh batch each)")
        .add_int("seed", 1, 0, int64_t(1) << 62, "seed: init stream 0, data stream 1")
        .add_bool("log.gamma_proxy", true, "log mean ||Y(e-a)|| each iteration (costs an M x M product)");
    return s;
}

DataParams data_params_from(const Config &cfg) {
    DataParams d;
    d.num_last = int(cfg.get_int("data.num_last"));
    d.num_next_per_last = int(cfg.get_int("data.num_next_per_last"));
    d.num_common = int(cfg.get_int("data.num_common"));
    d.num_common_per_last = int(cfg.get_int("data.num_common_per_last"));
    d.num_unique_per_next = int(cfg.get_int("data.num_unique_per_next"));
    d.common_prob = cfg.get_double("data.common_prob");
    d.unique_min = cfg.get_double("data.unique_min");
    d.unique_max = cfg.get_double("data.unique_max");
    d.L = int(cfg.get_int("data.L"));
    if (d.unique_max < d.unique_min)
        throw UsageError(fmt::format("config key 'data.unique_max' = {} must be >= 'data.unique_min' = {}",
                                     d.unique_max, d.unique_min));
    return d;
}

TrainParams train_params_from(const Config &cfg) {
    TrainParams p;
    p.data = data_params_from(cfg);
    p.zero_init = cfg.get_bool("model.zero_init");
    p.normalize = cfg.get_bool("model.normalize");
    p.float32 = cfg.get_string("model.dtype") == "float32";
    p.method = parse_opt_method(cfg.get_string("opt.method"));
    p.lr_z = cfg.get_double("opt.lr_z");
    p.ratio = cfg.get_double("opt.ratio");
    p.momentum = cfg.get_double("opt.momentum");
    p.batch = int(cfg.get_int("opt.batch"));
    p.niter = int(cfg.get_int("opt.niter"));
    p.seed = uint64_t(cfg.get_int("seed"));
    p.gamma_proxy = cfg.get_bool("log.gamma_proxy");
    return p;
}

} // namespace tdlab::scansnap
