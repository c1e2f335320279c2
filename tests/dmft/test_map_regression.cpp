// The mean-field map against the authors' code: the first steps of the authors' published code
// (docs/dmft_map.md section 5; seed-1 weights, cold start, beta = 1.27, t <= 11) to 1e-12, for both forms of the sum.
#include "dmft/mean_field_map.h"
#include "dmft/trajectory.h"

#include <gtest/gtest.h>
#include <map>

using namespace tdlab::dmft;

namespace {
struct Row {
    double mo_se[3];
    double att[3];
};
// t -> (mo_se(t), A-hat(t)) as printed by the authors' code (numpy 1.24).
const std::map<int, Row> kAppendix = {
    {0, {{1.0, 1.0 / 3, 1.0 / 3}, {0.3465346534653465, 0.32673267326732675, 0.9801980198019802}}},
    {1,
     {{0.4843514401457925, -0.08484699529103637, 0.7318111095591877},
      {-0.08315005538521564, -0.1793604206399116, 0.4946644113428767}}},
    {2,
     {{0.05899276105477184, -0.3646032823070215, 0.5556561533365758},
      {-0.0831500632308146, -0.17936041599586441, 0.49466439728010114}}},
    {5,
     {{0.05899270385424514, -0.36460328623109095, 0.555656086035889},
      {-0.36902298006867806, -0.1346409444094997, 0.06303491866975415}}},
    {6,
     {{-0.4462158546700884, -0.3033893680778039, -0.03506378262679401},
      {-0.2973215807162479, -0.08560744988618083, -0.45729153757668506}}},
    {8,
     {{-0.17168074483796028, 0.22305710499757006, -0.5424976583352683},
      {0.23190549190165913, 0.14268670788367327, -0.17556956532019688}}},
    {11,
     {{0.25897487330326374, 0.32188254263102156, -0.14418748278084711},
      {0.05338592925633999, 0.0813544451012768, -0.3404361700059278}}},
};
} // namespace

class DmftRegression : public ::testing::TestWithParam<const char *> {};

TEST_P(DmftRegression, ColdStartBeta127MatchesAuthorsCode) {
    ModelParams p;
    p.form = GetParam();
    DmftModel model = DmftModel::build(p);
    MeanFieldMap map(model, DynamicsParams{1.27, 220.0, 0.02});
    Context c = map.cold_start();
    TrajectoryOptions opt;
    opt.steps = 12;
    opt.transient = 0;
    Trajectory traj = run_trajectory(map, c, opt);
    ASSERT_EQ(traj.size(), 12u);
    for (const auto &[t, row] : kAppendix) {
        ASSERT_EQ(traj.t[size_t(t)], t);
        for (int a = 0; a < 3; ++a) {
            EXPECT_NEAR(traj.mo_se[size_t(3 * t + a)], row.mo_se[a], 1e-12) << "mo_se t=" << t << " a=" << a;
            EXPECT_NEAR(traj.att[size_t(3 * t + a)], row.att[a], 1e-12) << "att t=" << t << " a=" << a;
        }
    }
    // Cold-start overlaps (docs/dmft_map.md section 5): m^v(0) = (35,33,99)/101, m^q(0) = (-99,-35,-31)/101, m^k(0) =
    // (-31,35,33)/101.
    const double v0[3] = {35, 33, 99}, q0[3] = {-99, -35, -31}, k0[3] = {-31, 35, 33};
    for (int a = 0; a < 3; ++a) {
        EXPECT_DOUBLE_EQ(traj.mv[size_t(a)], v0[a] / 101);
        EXPECT_DOUBLE_EQ(traj.mq[size_t(a)], q0[a] / 101);
        EXPECT_DOUBLE_EQ(traj.mk[size_t(a)], k0[a] / 101);
    }
}

INSTANTIATE_TEST_SUITE_P(BothForms, DmftRegression, ::testing::Values("correlations", "site_types"));

// The recorded mo mixes the positional term in, mo_se does not: mo = (1-eps) mo_se + eps PE^o(t mod 4).
TEST(DmftMap, MoIsEpsMixedMoSe) {
    DmftModel model = DmftModel::build(ModelParams{});
    MeanFieldMap map(model, DynamicsParams{1.27, 220.0, 0.02});
    Context c = map.cold_start();
    for (int step = 1; step < 40; ++step) {
        StepRecord r = map.step(c);
        for (int a = 0; a < 3; ++a) {
            double pe = model.pe_at(kO, int(c.t % 4), a);
            EXPECT_NEAR(r.mo[a], 0.98 * r.mo_se[a] + 0.02 * pe, 1e-15);
        }
        // A-hat is a convex combination of the stored m^v: inside their componentwise range.
        for (int a = 0; a < 3; ++a) {
            double lo = 1e9, hi = -1e9;
            for (int slot = 0; slot < c.filled; ++slot) {
                lo = std::min(lo, c.mv[size_t(slot * 3 + a)]);
                hi = std::max(hi, c.mv[size_t(slot * 3 + a)]);
            }
            EXPECT_GE(r.att[a], lo - 1e-15);
            EXPECT_LE(r.att[a], hi + 1e-15);
        }
    }
}
// The fixed-size path against the generic one: test_map_paths.cpp (FixedVsGeneric_*).
