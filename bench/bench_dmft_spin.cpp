// Steps per second of the finite-N network: the explicit sampler (N = ~1e3 .. 1e6) against its naive scalar
// reference (per-unit field, tanh, uniform, double sums; bit-identical output), and the site-type sampler
// (N up to ~1e9) against the explicit one. Single thread, beta = 1.27, paper weights. Best of 3 repeats.
#include "bench_common.h"

#include "dmft/network.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace tdlab::dmft;

namespace {
template <class F> double best_rate(F &&f, int reps, int inner) {
    double best = 0;
    for (int r = 0; r < reps; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < inner; ++i) f();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, inner / s);
    }
    return best;
}
} // namespace

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(
            argc, argv, "usage: bench_dmft_spin (no options: single thread, beta = 1.27, paper weights, best of 3)"))
        return 0;
    tdlab::bench::print_host("finite-N network samplers (scalar double code)");
    ModelParams p;
    DynamicsParams dyn;
    const std::vector<double> att{0.1, -0.2, 0.05};
    std::vector<double> mse(12);
    std::printf("%-12s %-10s %14s %14s %10s\n", "N", "sampler", "steps/s", "ref steps/s", "ratio");
    for (int64_t N : {990LL, 9900LL, 99000LL, 990000LL}) {
        FiniteNetwork net = FiniteNetwork::build(p, N, Sampler::Explicit);
        NetworkSampler s(net, dyn, 1, 1);
        const int inner = int(std::max<int64_t>(3, 20000000 / N));
        double fast = best_rate([&] { s.sample_semantic(att, mse.data()); }, 3, inner);
        double naive = best_rate([&] { s.sample_semantic_naive(att, mse.data()); }, 3, std::max(2, inner / 4));
        std::printf("%-12lld %-10s %14.1f %14.1f %9.2fx  (naive scalar)\n", (long long)N, "explicit", fast, naive,
                    fast / naive);
    }
    double explicit_1e6 = 0;
    {
        FiniteNetwork net = FiniteNetwork::build(p, 990000, Sampler::Explicit);
        NetworkSampler s(net, dyn, 1, 1);
        explicit_1e6 = best_rate([&] { s.sample_semantic(att, mse.data()); }, 3, 20);
    }
    for (int64_t N : {990LL, 990000LL, 990000000LL}) {
        FiniteNetwork net = FiniteNetwork::build(p, N, Sampler::Types);
        NetworkSampler s(net, dyn, 1, 1);
        double rate = best_rate([&] { s.sample_semantic(att, mse.data()); }, 3, 200000);
        std::printf("%-12lld %-10s %14.1f %14.1f %9.0fx  (explicit at N = 990000)\n", (long long)N, "types", rate,
                    explicit_1e6, rate / explicit_1e6);
    }
    // A full step (sampling + attention) of the types sampler, for the sweep-length estimate.
    FiniteNetwork net = FiniteNetwork::build(p, 990000000, Sampler::Types);
    NetworkSampler s(net, dyn, 1, 1);
    MeanFieldMap map(net.mean_field, dyn);
    Context c = map.cold_start();
    double full = best_rate([&] { s.step(c); }, 3, 200000);
    std::printf("types sampler, full network step at N = 990000000: %.0f steps/s (120 000 steps in %.2f s)\n", full,
                120000.0 / full);
    tdlab::bench::print_load_end();
}
