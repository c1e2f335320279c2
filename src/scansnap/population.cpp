#include "scansnap/population.h"

#include "core/error.h"
#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::scansnap {

PopulationResult simulate_population(const PopulationParams &p) {
    const SeqClasses data(p.data);
    const int M = data.M(), K = data.K(), Q = data.num_queries(), S = data.S();
    if (p.steps < 0 || p.record_every < 1) throw UsageError("population: need steps >= 0 and record_every >= 1");
    PopulationResult r;
    r.M = M;
    r.num_queries = Q;
    std::vector<double> Y(size_t(M) * M, 0.0), Z(size_t(M) * M, 0.0), dY(size_t(M) * M), dZ(size_t(M) * M);
    const size_t Ss = size_t(S), Ms = size_t(M);
    std::vector<double> c(Ss), f(Ss), logits(Ms), res(Ms), u(Ss);
    CounterRng rng(p.seed, 7);
    double err_sum = 0;
    auto record = [&](int t) {
        r.t.push_back(double(t));
        const double *src = &Z[size_t(data.last_offset()) * M];
        r.z_rows.insert(r.z_rows.end(), src, src + size_t(Q) * M);
    };
    // One class's contribution (weight w) to dY, dZ; returns ||e_n - alpha_n||.
    auto accumulate = [&](int n, double w) {
        const SeqClass &cl = data.cls(n);
        const double *z = &Z[size_t(cl.query) * M];
        double zmax = -INFINITY, sum = 0, sq = 0;
        for (int s = 0; s < S; ++s) zmax = std::max(zmax, z[cl.support[size_t(s)]]);
        for (int s = 0; s < S; ++s) {
            c[size_t(s)] = cl.prob[size_t(s)] * std::exp(z[cl.support[size_t(s)]] - zmax);
            sum += c[size_t(s)];
        }
        for (int s = 0; s < S; ++s) {
            c[size_t(s)] /= sum;
            sq += c[size_t(s)] * c[size_t(s)];
        }
        const double norm = std::sqrt(sq);
        for (int s = 0; s < S; ++s) f[size_t(s)] = c[size_t(s)] / norm;
        std::fill(logits.begin(), logits.end(), 0.0);
        for (int s = 0; s < S; ++s) {
            const double *y = &Y[size_t(cl.support[size_t(s)]) * M];
            for (int k = 0; k < M; ++k) logits[size_t(k)] += f[size_t(s)] * y[k];
        }
        const double lmax = *std::max_element(logits.begin(), logits.end());
        double den = 0;
        for (int k = 0; k < M; ++k) den += (res[size_t(k)] = std::exp(logits[size_t(k)] - lmax));
        double e2 = 0;
        for (int k = 0; k < M; ++k) {
            res[size_t(k)] = (k == cl.label ? 1.0 : 0.0) - res[size_t(k)] / den; // e_n - alpha_n
            e2 += res[size_t(k)] * res[size_t(k)];
        }
        double fu = 0;
        for (int s = 0; s < S; ++s) {
            const double *y = &Y[size_t(cl.support[size_t(s)]) * M];
            double acc = 0;
            for (int k = 0; k < M; ++k) acc += y[k] * res[size_t(k)];
            u[size_t(s)] = acc;
            fu += f[size_t(s)] * acc;
        }
        double *dz = &dZ[size_t(cl.query) * M];
        for (int s = 0; s < S; ++s) {
            const int l = cl.support[size_t(s)];
            double *dy = &dY[size_t(l) * M];
            for (int k = 0; k < M; ++k) dy[k] += w * f[size_t(s)] * res[size_t(k)];
            dz[l] += w * c[size_t(s)] * (u[size_t(s)] - f[size_t(s)] * fu) / norm;
        }
        return std::sqrt(e2);
    };
    for (int t = 0; t <= p.steps; ++t) {
        std::fill(dY.begin(), dY.end(), 0.0);
        std::fill(dZ.begin(), dZ.end(), 0.0);
        err_sum = 0;
        if (p.sampled) {
            err_sum = accumulate(int(rng.uniform_int(uint64_t(K))), 1.0) * K;
        } else {
            for (int n = 0; n < K; ++n) err_sum += accumulate(n, 1.0 / double(K));
        }
        if (t % p.record_every == 0 || t == p.steps) {
            record(t);
            r.err.push_back(err_sum / double(K));
        }
        if (t == p.steps) break;
        for (size_t i = 0; i < Y.size(); ++i) Y[i] += p.eta_y * dY[i];
        for (size_t i = 0; i < Z.size(); ++i) Z[i] += p.eta_z * dZ[i];
        if (!std::isfinite(Z[size_t(data.last_offset()) * M]))
            throw RuntimeError(fmt::format("population: non-finite Z at step {}", t));
    }
    r.Y = std::move(Y);
    return r;
}

} // namespace tdlab::scansnap
