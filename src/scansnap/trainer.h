// One training run of the Y/Z model on fresh batches (the official `decoder_only.py` main loop):
// each iteration draws a batch, computes loss and gradients, and steps both optimisers
// (lr_z on Z, lr_y = ratio * lr_z on Y). Randomness: init from CounterRng(seed, 0), data from
// CounterRng(seed, 1), so a run's bytes depend only on its config and seed (never on threads), and
// runs with the same seed share init and data across learning rates (common random numbers).
#pragma once

#include "core/config.h"
#include "scansnap/dataset.h"
#include "scansnap/model.h"
#include "scansnap/optimizer.h"

#include <cstdint>
#include <vector>

namespace tdlab::scansnap {

struct TrainParams {
    DataParams data;
    bool zero_init = true;
    bool normalize = true;
    bool float32 = true; // train in float32 (the official PyTorch code's dtype); false: float64
    OptMethod method = OptMethod::Sgd;
    double lr_z = 1.0;
    double ratio = 1.0; // lr_y = ratio * lr_z
    double momentum = 0.9;
    int batch = 128;
    int niter = 100;
    uint64_t seed = 1;
    bool record_z = true;     // keep the query rows of Z before every update (and the final state)
    bool gamma_proxy = false; // log mean ||Y(e - a)|| per iteration (an extra M x M x B product)
};

struct TrainResult {
    int M = 0, num_queries = 0, niter = 0;
    std::vector<double> loss;        // niter: batch-mean loss at iteration t (before its update)
    std::vector<double> gamma_proxy; // niter (empty unless requested)
    // (niter + 1) x num_queries x M: Z rows of the queries before update t; index niter = final state.
    std::vector<double> z_rows;
    YZParams final_params; // converted to double whatever the training dtype
};

TrainResult train(const TrainParams &p);

// Config keys of the generator (data.*) and their reader.
ConfigSchema data_schema();
DataParams data_params_from(const Config &cfg);
// Config keys shared by `scansnap train` and `scansnap sweep` (data.*, model.*, opt.*, seed).
ConfigSchema train_schema();
TrainParams train_params_from(const Config &cfg);

} // namespace tdlab::scansnap
