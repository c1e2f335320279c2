#include "dmft/sweep.h"

#include "core/error.h"
#include "dmft/map_spectrum.h"
#include "dmft/trajectory.h"
#include "dynamics/chaos01.h"
#include "dynamics/quantize.h"

#include <algorithm>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <cmath>
#include <cstring>

namespace tdlab::dmft {

int flags_to_bits(const std::string &flags) {
    int bits = 0;
    if (flags.find("lyapunov") != std::string::npos) bits |= kFlagLyapunov;
    if (flags.find("chaos01") != std::string::npos) bits |= kFlagChaos01;
    if (flags.find("paper") != std::string::npos) bits |= kFlagPaper;
    if (flags.find("unconverged") != std::string::npos) bits |= kFlagUnconverged;
    if (flags.find("short") != std::string::npos) bits |= kFlagShort;
    return bits;
}

std::string bits_to_flags(int bits) {
    std::string s;
    const char *names[] = {"lyapunov", "chaos01", "paper", "unconverged", "short"};
    for (int k = 0; k < 5; ++k) {
        if (bits & (1 << k)) s += (s.empty() ? "" : "|") + std::string(names[k]);
    }
    return s;
}

namespace {
// True if the [n][dim] series x repeats with period p bit for bit (then every later value is one of its
// first period's, whatever the values: NaN, -0). memcmp: vectorised and stops at the first difference.
bool repeats_exactly(const std::vector<double> &x, size_t dim, size_t p) {
    const size_t lag = p * dim;
    if (lag == 0 || lag > x.size()) return false;
    return std::memcmp(x.data() + lag, x.data(), (x.size() - lag) * sizeof(double)) == 0;
}
} // namespace

PointResult analyse_lane(const LaneOutput &lane, const DynamicsParams &dyn, int M, int L, const SweepOptions &opt) {
    PointResult r;
    r.beta = dyn.beta;
    r.gamma = dyn.gamma;
    r.epsilon = dyn.epsilon;
    r.max_abs = lane.max_abs;
    r.lyapunov = lane.lyapunov;
    r.skipped_steps = lane.skipped_steps;
    const auto &x = lane.mo_se;
    const size_t n = x.size() / size_t(M);
    if (n == 0) throw UsageError("sweep: the saved window is empty (dmft.transient >= dmft.steps)");
    dynamics::PeriodOptions popt = opt.period;
    popt.multiple_of = size_t(L);
    r.period = int64_t(dynamics::detect_period(x, size_t(M), popt));
    double scale = opt.max_y > 0 ? opt.max_y : lane.max_abs;
    if (!(scale > 0)) scale = 1.0;
    // A window that repeats itself bit for bit with the detected period (every lane on an exact cycle,
    // two thirds of Fig 3a) holds no value its first period does not: its bins are those of that period.
    const size_t nb = r.period > 0 && repeats_exactly(x, size_t(M), size_t(r.period)) ? size_t(r.period) : n;
    r.unique_points = int64_t(dynamics::unique_bins(x.data(), nb, size_t(M), scale, opt.paper.resolution).size());
    if (opt.raster_resolution > 0) {
        // Bins of values beyond +-32767 rows (|v| > 9 max_y: a wrong sweep.max_y) are clamped, not wrapped.
        r.raster_scale = scale;
        const auto bins = dynamics::unique_bins(x.data(), nb, size_t(M), scale, opt.raster_resolution);
        r.raster_bins.reserve(bins.size());
        for (int64_t q : bins) r.raster_bins.push_back(int16_t(std::clamp<int64_t>(q, -32768, 32767)));
        r.raster_bins.erase(std::unique(r.raster_bins.begin(), r.raster_bins.end()), r.raster_bins.end());
    }
    // Indicators below their minimum window are set aside (docs/dmft_map.md section 8.6): a label from
    // one step of data is no label.
    bool short_window = false;
    if (n >= size_t(std::max(opt.paper.chaotic_from, 0))) {
        r.paper_label = int(dynamics::paper_label(size_t(r.unique_points), opt.paper));
    } else {
        r.paper_label = int(dynamics::Label::Unknown);
        short_window = true;
    }
    // The section's distinct values in order of first visit: the paper plots unique bins of it, and a
    // periodic column would otherwise store its few values ~20 000 times. A converged periodic orbit
    // repeats within the period test's tolerance, not bit for bit: one value per phase of the period.
    if (M >= 2) {
        if (r.period > 0)
            r.poincare = dynamics::periodic_poincare(x.data(), x.data() + 1, n, size_t(M), size_t(r.period),
                                                     opt.paper.poincare_tol, popt.tol);
        else
            r.poincare = dynamics::distinct_in_order(
                dynamics::poincare_filter(x.data(), x.data() + 1, n, size_t(M), opt.paper.poincare_tol));
    }
    const size_t keep = std::min(n, size_t(std::max<int64_t>(0, opt.keep)));
    r.points.resize(keep);
    for (size_t k = 0; k < keep; ++k) r.points[k] = float(x[(n - keep + k) * size_t(M)]);
    r.m1_min = r.m1_max = x[0];
    double sum = 0;
    for (size_t k = 0; k < n; ++k) {
        const double v = x[k * size_t(M)];
        r.m1_min = std::min(r.m1_min, v);
        r.m1_max = std::max(r.m1_max, v);
        sum += v;
    }
    r.m1_mean = sum / double(n);
    r.chaos01 = std::nan("");
    const size_t np = std::min(size_t(opt.chaos01_points), n / size_t(L));
    if (opt.chaos01 && np < opt.minimum.chaos01_points) short_window = true;
    if (opt.chaos01 && np >= std::max<size_t>(opt.minimum.chaos01_points, 1)) {
        std::vector<double> phi(np);
        for (size_t j = 0; j < np; ++j) phi[j] = x[(n - 1 - (np - 1 - j) * size_t(L)) * size_t(M)];
        dynamics::Chaos01Options copt;
        copt.num_c = 16;
        copt.num_n = 40;
        r.chaos01 = dynamics::chaos01(phi, copt);
    }
    if (r.period > 0) r.orbit.assign(x.end() - r.period * M, x.end());
    dynamics::Indicators ind;
    ind.period = size_t(r.period);
    // The exponent itself is kept in the results; only its verdict needs the minimum window.
    ind.lyapunov = r.lyapunov;
    if (!std::isnan(r.lyapunov) && n < opt.minimum.lyapunov_steps) {
        ind.lyapunov = std::nan("");
        short_window = true;
    }
    ind.chaos01 = r.chaos01;
    ind.paper = dynamics::Label(r.paper_label);
    ind.short_window = short_window;
    auto comb = dynamics::combine_indicators(ind, opt.combine);
    r.label = int(comb.label);
    r.flags = flags_to_bits(comb.flags);
    return r;
}

namespace {
// The spectrum of the window a point's lane ran (same start, steps, transient and alignment as the
// batched lambda_1, so spectrum[0] is that lambda_1 wherever the scalar map and the lane agree).
void add_spectrum(PointResult &r, const DmftModel &model, const DynamicsParams &dyn, const Context &start,
                  const SweepOptions &opt) {
    if (!opt.spectrum) return;
    MapSpectrumOptions so;
    so.steps = opt.batch.steps;
    so.transient = opt.batch.transient;
    so.align = opt.batch.lyap_align;
    const MeanFieldMap map(model, dyn);
    const MapSpectrum s = map_spectrum(map, start, so);
    r.spectrum = s.exponents;
    r.kaplan_yorke = s.kaplan_yorke;
}

Context phase_start(const Context &c, int L) {
    Context s = c;
    s.t = c.t % L; // same phase of the positional code (the authors restart a t = 119999 context at t = 3)
    return s;
}
} // namespace

void run_points_checkpoint(const DmftModel &model, const std::vector<DynamicsParams> &points, const Context &start,
                           size_t begin, size_t end, const SweepOptions &opt,
                           const std::function<void(size_t, PointResult &&)> &done,
                           const std::function<void(uint64_t)> &progress_steps) {
    const int M = model.params.M, L = model.params.L;
    const Context s0 = phase_start(start, L);
    // Lanes per block: 32 (four vector chains per step), halved down to 8 while there would be fewer
    // blocks than threads (a 64-point chunk on 16 cores). Lane results do not depend on the block
    // width (tests/dmft/test_batched_map.cpp), so neither does anything on the thread count.
    const size_t n = end - begin;
    size_t per = size_t(kLanes);
#ifdef _OPENMP
    const size_t threads = size_t(omp_get_max_threads());
#else
    const size_t threads = 1;
#endif
    while (per > 8 && (n + per - 1) / per < threads) per /= 2;
    const int64_t nblocks = int64_t((n + per - 1) / per);
    std::exception_ptr error;
#pragma omp parallel
    {
        // This thread's lane outputs: buffers reused block after block and call after call (OpenMP keeps
        // its threads), so the [saved][M] windows are not reallocated, page-faulted and cleared per chunk.
        thread_local std::vector<LaneOutput> out;
        std::vector<LaneSpec> lanes;
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < nblocks; ++b) {
            try {
                const size_t first = begin + size_t(b) * per, last = std::min(end, first + per);
                lanes.clear();
                for (size_t k = first; k < last; ++k) lanes.push_back({points[k], s0});
                run_batch(model, lanes, opt.batch, out);
                if (progress_steps) progress_steps(uint64_t(opt.batch.steps - 1 - s0.t) * (last - first));
                for (size_t k = first; k < last; ++k) {
                    PointResult r = analyse_lane(out[k - first], points[k], M, L, opt);
                    add_spectrum(r, model, points[k], s0, opt);
                    done(k, std::move(r));
                }
            } catch (...) {
#pragma omp critical(tdlab_sweep_error)
                if (!error) error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
}

void run_points_neighbour(const DmftModel &model, const std::vector<DynamicsParams> &points, const Context &start,
                          const SweepOptions &opt, const std::function<void(size_t, PointResult &&)> &done,
                          const std::function<void(uint64_t)> &progress_steps) {
    const int M = model.params.M, L = model.params.L;
    Context ctx = phase_start(start, L);
    const size_t n = points.size();
    for (size_t i = 0; i < n; ++i) {
        const size_t k = opt.downward ? n - 1 - i : i;
        auto out = run_batch(model, {LaneSpec{points[k], ctx}}, opt.batch);
        if (progress_steps) progress_steps(uint64_t(opt.batch.steps - 1 - ctx.t));
        PointResult r = analyse_lane(out[0], points[k], M, L, opt);
        add_spectrum(r, model, points[k], ctx, opt);
        ctx = phase_start(out[0].final, L);
        done(k, std::move(r));
    }
}

bool same_attractor(const PointResult &a, const PointResult &b, int M, double tol) {
    if (a.period > 0 || b.period > 0) {
        if (a.period != b.period || a.orbit.empty() || b.orbit.empty()) return false;
        for (int64_t r = 0; r < a.period; ++r) {
            bool match = true;
            for (int d = 0; d < M && match; ++d)
                match = std::fabs(a.orbit[size_t(r * M + d)] - b.orbit[size_t(d)]) <= tol;
            if (match) return true;
        }
        return false;
    }
    return a.label == b.label && std::fabs(a.m1_min - b.m1_min) < 1e-2 && std::fabs(a.m1_max - b.m1_max) < 1e-2;
}

std::vector<Attractor> attractor_census(const DmftModel &model, const DynamicsParams &dyn, const Context &start,
                                        const SweepOptions &opt, uint64_t stream_base) {
    const int M = model.params.M, L = model.params.L;
    const Context s0 = phase_start(start, L);
    std::vector<PointResult> runs;
    for (int64_t first = 0; first < opt.census; first += kLanes) {
        const int64_t last = std::min(opt.census, first + kLanes);
        std::vector<LaneSpec> lanes;
        for (int64_t k = first; k < last; ++k) {
            Context c = s0;
            perturb_context(c, opt.census_perturb, opt.census_seed, stream_base + uint64_t(k));
            lanes.push_back({dyn, c});
        }
        auto out = run_batch(model, lanes, opt.batch);
        for (auto &o : out) runs.push_back(analyse_lane(o, dyn, M, L, opt));
    }
    std::vector<Attractor> found;
    for (auto &r : runs) {
        auto it = std::find_if(found.begin(), found.end(),
                               [&](const Attractor &a) { return same_attractor(a.representative, r, M); });
        if (it == found.end()) {
            found.push_back({r, 1, r.lyapunov});
        } else {
            it->lyapunov_mean += r.lyapunov;
            it->starts += 1;
        }
    }
    for (auto &a : found) a.lyapunov_mean /= double(a.starts);
    return found;
}

} // namespace tdlab::dmft
