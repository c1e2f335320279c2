// The analytic Jacobian of the DMFT map against central finite differences, and the batched kernel's
// tangent (largest Lyapunov exponent) against the generic Benettin estimate built on that Jacobian.
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dmft/tangent_map.h"
#include "dynamics/lyapunov.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {
struct Fixture {
    DmftModel model = DmftModel::build(ModelParams{});
};
} // namespace

TEST(DmftJacobian, MatchesFiniteDifferences) {
    Fixture fx;
    for (double beta : {1.0, 1.27, 2.5}) {
        DynamicsParams dyn;
        dyn.beta = beta;
        MeanFieldMap map(fx.model, dyn);
        Context c = start_context("zoom", map);
        for (int k = 0; k < 37; ++k) map.step(c); // an arbitrary phase and state
        auto J = jacobian(map, c);
        auto f = [&](std::vector<double> &x) {
            Context cc = c;
            unpack_state(x, cc);
            MeanFieldMap m2(fx.model, dyn);
            m2.step(cc);
            x = pack_state(cc);
        };
        auto Jfd = dynamics::finite_difference_jacobian(f, pack_state(c), 1e-6);
        double maxabs = 0, maxerr = 0;
        for (size_t i = 0; i < J.size(); ++i) {
            maxabs = std::max(maxabs, std::fabs(J[i]));
            maxerr = std::max(maxerr, std::fabs(J[i] - Jfd[i]));
        }
        EXPECT_GE(maxabs, 1.0) << "beta " << beta; // slot copies give exact 1s
        EXPECT_LT(maxerr, 1e-5 * std::max(1.0, maxabs)) << "beta " << beta;
    }
}

TEST(DmftJacobian, BatchedTangentMatchesGenericBenettin) {
    Fixture fx;
    DynamicsParams dyn;
    dyn.beta = 1.4; // chaotic in the paper's Fig 4
    MeanFieldMap map(fx.model, dyn);
    Context c = start_context("zoom", map);
    BatchOptions opt;
    opt.steps = 30000;
    opt.transient = 10000;
    opt.lyapunov = true;
    opt.lyap_align = 2000;
    opt.path = SimdPath::Scalar;
    auto out = run_batch(fx.model, {LaneSpec{dyn, c}}, opt);
    // Same trajectory (the scalar path is bit-identical to MeanFieldMap) through the generic code.
    Context cc = c;
    for (int64_t t = c.t + 1; t < opt.transient - opt.lyap_align; ++t) map.step(cc);
    dynamics::MapSystem sys;
    sys.dim = state_dim(cc);
    Context *cur = &cc;
    sys.step = [&](std::vector<double> &x) {
        unpack_state(x, *cur);
        map.step(*cur);
        x = pack_state(*cur);
    };
    sys.jacobian = [&](const std::vector<double> &, std::vector<double> &J) { J = jacobian(map, *cur); };
    std::vector<double> x = pack_state(cc);
    const double ref = dynamics::largest_lyapunov(sys, x, {opt.lyap_align, opt.steps - opt.transient, 8});
    EXPECT_GT(ref, 0.01);
    EXPECT_NEAR(out[0].lyapunov, ref, 1e-9 + 1e-6 * std::fabs(ref));
}
