// The full Lyapunov spectrum of the mean-field map (issue 15): lambda_1 of the QR spectrum equals the
// batched kernel's tangent lambda_1 on the same window (1e-6), the spectrum's sum equals the volume
// growth computed independently in delay coordinates (1e-8), and exponents beyond L*M are -infinity
// (the map overwrites a slot every step).
#include "core/error.h"
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"

#include <cmath>
#include <gtest/gtest.h>
#include <utility>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
Context phase0(Context c) {
    c.t %= c.L;
    return c;
}

double batched_lambda1(const DmftModel &model, const DynamicsParams &dyn, const Context &start,
                       const MapSpectrumOptions &o) {
    BatchOptions bo;
    bo.steps = o.steps;
    bo.transient = o.transient;
    bo.lyap_align = o.align;
    bo.lyapunov = true;
    bo.record = false;
    bo.path = SimdPath::Scalar; // bit-identical to MeanFieldMap::step, which map_spectrum iterates
    return run_batch(model, {LaneSpec{dyn, start}}, bo)[0].lyapunov;
}
} // namespace

TEST(MapSpectrum, Lambda1EqualsTangentLambda1) {
    auto model = DmftModel::build(ModelParams{});
    for (double beta : {1.28, 1.27, 2.2}) {
        DynamicsParams dyn;
        dyn.beta = beta;
        MeanFieldMap map(model, dyn);
        const Context start = phase0(start_context(beta < 1.3 ? "zoom" : "fig3a", map));
        MapSpectrumOptions o;
        o.steps = 12000;
        o.transient = 2000;
        o.align = 2000;
        auto s = map_spectrum(map, start, o);
        ASSERT_EQ(s.exponents.size(), 12u);
        for (size_t j = 1; j < s.exponents.size(); ++j) EXPECT_LE(s.exponents[j], s.exponents[j - 1] + 1e-9) << j;
        EXPECT_NEAR(s.exponents[0], batched_lambda1(model, dyn, start, o), 1e-6) << "beta " << beta;
    }
}

TEST(MapSpectrum, SumIsDelayMapVolumeGrowth) {
    // The identity holds wherever double precision resolves every step's contraction: at attention
    // gains up to ~20 (chaotic at beta = 3 for gamma = 10) it holds to ~1e-13. At the paper's gamma = 220
    // a saturated softmax makes single steps contract by more than 1e-16 (ln|det J_y| < -100 at some
    // steps), and the QR floors the trailing exponents: the map_spectrum.h caveat, measured in the
    // report's volume defect.
    auto model = DmftModel::build(ModelParams{});
    for (auto [gamma, beta] : {std::pair{10.0, 3.0}, std::pair{10.0, 2.2}, std::pair{20.0, 1.28}}) {
        DynamicsParams dyn;
        dyn.beta = beta;
        dyn.gamma = gamma;
        MeanFieldMap map(model, dyn);
        MapSpectrumOptions o;
        o.steps = 4000;
        o.transient = 2000;
        o.align = 500;
        o.volume_check = true;
        auto s = map_spectrum(map, phase0(start_context("zoom", map)), o);
        double sum = 0;
        for (double l : s.exponents) sum += l;
        ASSERT_TRUE(std::isfinite(s.mean_log_det));
        EXPECT_NEAR(sum, s.mean_log_det + s.boundary, 1e-8) << "gamma " << gamma << " beta " << beta;
        // The boundary term is O(1/N), not a fudge: the sum is the delay map's mean ln|det|.
        EXPECT_LT(std::fabs(s.boundary), 0.01 * std::fabs(s.mean_log_det));
    }
}

TEST(MapSpectrum, BeyondLMTheExponentsAreMinusInfinity) {
    auto model = DmftModel::build(ModelParams{});
    DynamicsParams dyn;
    dyn.beta = 1.28;
    MeanFieldMap map(model, dyn);
    MapSpectrumOptions o;
    o.steps = 600;
    o.transient = 300;
    o.align = 100;
    o.k = 13;
    auto s = map_spectrum(map, phase0(start_context("zoom", map)), o);
    EXPECT_GT(s.exponents[11], -10.0);
    // Only rounding keeps a 13th direction alive: ~1e-16 per L steps, ln(2^-52) / 4 = -9.0 per step.
    EXPECT_LT(s.exponents[12], -7.0);
    o.k = 28;
    EXPECT_THROW(map_spectrum(map, phase0(start_context("zoom", map)), o), UsageError);
    o.k = 0;
    o.steps = 200;
    EXPECT_THROW(map_spectrum(map, phase0(start_context("zoom", map)), o), UsageError);
}
