// Several training seeds of a Birth variant (repro/birth_seeds.h): the pointwise statistics the figures
// draw as a line and a band, and the table cells.
#include "core/error.h"
#include "repro/birth_seeds.h"

#include <gtest/gtest.h>

namespace tdlab::repro {
namespace {

using json = nlohmann::json;

TEST(BirthSeeds, PointwiseMeanMinMaxLeaveAbsentValuesOut) {
    // Three runs, two evaluations; wk1_acc is absent (-1, the code's convention) in one run and null in
    // another; ff1_loss exists in none.
    const std::vector<std::vector<json>> runs{
        {{{"iter", 0}, {"acc_end", 0.1}, {"wk1_acc", 0.2}, {"ff1_loss", nullptr}},
         {{"iter", 5}, {"acc_end", 0.4}, {"wk1_acc", -1}}},
        {{{"iter", 0}, {"acc_end", 0.3}, {"wk1_acc", 0.6}, {"ff1_loss", -1}},
         {{"iter", 5}, {"acc_end", 0.9}, {"wk1_acc", nullptr}}},
        {{{"iter", 0}, {"acc_end", 0.2}, {"wk1_acc", -1}}, {{"iter", 5}, {"acc_end", 0.5}, {"wk1_acc", 0.7}}},
    };
    const SeedStats s = seed_stats(runs);
    ASSERT_EQ(s.mean.size(), 2u);
    EXPECT_EQ(s.mean[1]["iter"], 5);
    EXPECT_NEAR(s.mean[0]["acc_end"].get<double>(), 0.2, 1e-15);
    EXPECT_EQ(s.lo[0]["acc_end"].get<double>(), 0.1);
    EXPECT_EQ(s.hi[1]["acc_end"].get<double>(), 0.9);
    EXPECT_NEAR(s.mean[0]["wk1_acc"].get<double>(), 0.4, 1e-15); // (0.2 + 0.6) / 2: the -1 is left out
    EXPECT_EQ(s.mean[1]["wk1_acc"].get<double>(), 0.7);          // the only run that has it
    EXPECT_EQ(s.lo[1]["wk1_acc"].get<double>(), 0.7);
    EXPECT_TRUE(s.mean[0]["ff1_loss"].is_null());
}

TEST(BirthSeeds, RunsEvaluatedAtOtherIterationsAreRefused) {
    const std::vector<std::vector<json>> shifted{{{{"iter", 0}, {"acc_end", 0.1}}, {{"iter", 5}, {"acc_end", 0.2}}},
                                                 {{{"iter", 0}, {"acc_end", 0.1}}, {{"iter", 6}, {"acc_end", 0.2}}}};
    EXPECT_THROW(seed_stats(shifted), RuntimeError);
    const std::vector<std::vector<json>> shorter{{{{"iter", 0}, {"acc_end", 0.1}}, {{"iter", 5}, {"acc_end", 0.2}}},
                                                 {{{"iter", 0}, {"acc_end", 0.1}}}};
    EXPECT_THROW(seed_stats(shorter), RuntimeError);
}

TEST(BirthSeeds, TableCellIsTheValueOrMeanMinMax) {
    auto run = [](double acc) {
        BirthRun r;
        r.records = {{{"iter", 0}, {"acc_end", 0.0}}, {{"iter", 5}, {"acc_end", acc}}};
        return r;
    };
    SeededRuns one;
    one.runs = {run(0.25)};
    EXPECT_EQ(seeds_cell(one, "acc_end"), "0.250");
    EXPECT_EQ(seeds_cell(one, "wk1_acc"), "n/a");
    SeededRuns three;
    three.runs = {run(0.25), run(0.5), run(0.9)};
    EXPECT_EQ(seeds_cell(three, "acc_end"), "0.550 (0.250-0.900)");
    // One seed draws its run as it is; several draw the mean with the band.
    one.stats = seed_stats(one.records()), three.stats = seed_stats(three.records());
    EXPECT_TRUE(seed_curve("x", "x.dat", one).lo.empty());
    const auto c = seed_curve("x", "x.dat", three);
    EXPECT_EQ(c.label, "x (mean of 3 seeds)");
    EXPECT_NEAR(c.records[1]["acc_end"].get<double>(), 0.55, 1e-15);
    EXPECT_EQ(c.hi[1]["acc_end"].get<double>(), 0.9);
}

} // namespace
} // namespace tdlab::repro
