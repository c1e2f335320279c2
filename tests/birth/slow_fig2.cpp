// Acceptance runs of the generic transformer at the quick CPU scale (configs/birth/fig2-quick.yaml and
// baseline1l-quick.yaml: d = 64, T = 128, B = 64, 600 iterations, one head per layer; about 25 minutes per
// 2-layer run on 2 shared cores), with fixed triggers (K = 5), where the 2-layer model converges at this scale.
// `ctest -L slow` only. Bietti et al. 2023 (arXiv 2306.00802), Sec. 5; docs/birth.md "Fig 2: the generic
// transformer".
//  1. The 1-layer baseline fails at the in-context task while learning the global bigrams: 2-layer acc_end
//     >= 0.9, 1-layer acc_end <= 0.5, loss_bigram within 0.05 nats (means of the last five evaluations).
//  2. Mean-ablating the layer-2 head of the trained 2-layer model drops acc_end_test to <= 0.3 while
//     loss_bigram_test moves by <= 0.1 nats: on the paper-scale weights of data/birth/fig2_paper_fixed,
//     since it does not hold at quick scale (below).
// Measured with the same configs through `tdlab birth train` (docs/birth.md, seed 0): 2 layers acc_end 0.934,
// 1 layer 0.364, loss_bigram 2.229 vs 2.246 (test 1 passes on these numbers); ablation acc_end_test 0.952 ->
// 0.329 (mean) / 0.322 (zero), loss_bigram_test 2.222 -> 2.217: the ablation rule fails by 0.03 at this scale
// (the accuracy falls to the 1-layer level, not to chance); the rule was fixed before the run and is kept,
// and test 2 checks it at the paper's scale.
#include "birth/evaluate.h"
#include "birth/trainer.h"
#include "core/paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace tdlab::birth {
namespace {

struct SlowRun {
    std::vector<nlohmann::json> records;
    double seconds = 0;
};

SlowRun train_config(const char *config, const std::vector<std::string> &overrides, const std::string &tag) {
    // The configs checkpoint every 100 iterations; a test run has no store to put them in.
    std::vector<std::string> sets = overrides;
    sets.push_back("birth.train.checkpoint_every=0");
    const auto cfg = Config::load(train_schema(), resolve_config_path(config), sets);
    std::printf("%s: %s with", tag.c_str(), config);
    for (const auto &o : overrides) std::printf(" %s", o.c_str());
    std::printf("\n");
    const auto dir =
        std::filesystem::temp_directory_path() / ("tdlab_birth_slow_fig2_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    TrainResult r = train(train_options_from(cfg), dir, nullptr);
    std::filesystem::remove_all(dir);
    return {std::move(r.records), r.seconds};
}

const SlowRun &two_layers() {
    static const std::unique_ptr<SlowRun> run = std::make_unique<SlowRun>(
        train_config("configs/birth/fig2-quick.yaml", {"birth.data.fixed_triggers=true"}, "2 layers"));
    return *run;
}

double tail_mean(const std::vector<nlohmann::json> &recs, const char *key) {
    double s = 0;
    for (size_t i = recs.size() - 5; i < recs.size(); ++i) s += recs[i][key].get<double>() / 5;
    return s;
}

TEST(BirthSlowFig2, OneLayerFailsInContextAtTheSameBigramLoss) {
    const SlowRun &two = two_layers();
    const SlowRun one =
        train_config("configs/birth/baseline1l-quick.yaml", {"birth.data.fixed_triggers=true"}, "1 layer");
    const double acc2 = tail_mean(two.records, "acc_end"), acc1 = tail_mean(one.records, "acc_end");
    const double bg2 = tail_mean(two.records, "loss_bigram"), bg1 = tail_mean(one.records, "loss_bigram");
    std::printf("acc_end (mean of the last 5 evaluations): 2 layers %.3f, 1 layer %.3f; loss_bigram %.3f vs %.3f; "
                "train seconds %.0f and %.0f\n",
                acc2, acc1, bg2, bg1, two.seconds, one.seconds);
    EXPECT_GE(acc2, 0.9);
    EXPECT_LE(acc1, 0.5);
    EXPECT_LE(std::fabs(bg2 - bg1), 0.05);
}

// Ablating the layer-2 head drops the in-context accuracy to <= 0.3 while loss_bigram moves by <= 0.1 nats
// (the rule fixed before any run). It does not hold at quick scale (fig2-quick, fixed triggers, seed 0:
// 0.952 -> 0.329 mean / 0.322 zero ablation, down to the 1-layer model's level; docs/birth.md), and it does at
// the paper's scale, checked here on the weights of that 2-hour run shipped in data/birth/fig2_paper_fixed
// (d = 128, T = 256, 2,000 steps of 512 sequences): `birth eval` under the run's config recomputes the test
// batch and both ablations. The training run's ablation.json: acc_end_test 0.99313 -> 0.22283 (mean) /
// 0.22418 (zero), loss_bigram_test 2.15932 -> 2.16100 / 2.17690; the recomputed values must agree to 1e-3
// (another BLAS kernel may round a few logits differently; one in-context position is 3e-5).
TEST(BirthSlowFig2, AblatingTheLayerTwoHeadOfThePaperScaleModelRemovesInContextPrediction) {
    const auto dir = data_file("birth/fig2_paper_fixed");
    const auto cfg = Config::load(eval_schema(), dir / "config.yaml", {});
    const auto out = std::filesystem::temp_directory_path() / ("tdlab_birth_slow_eval_" + std::to_string(::getpid()));
    std::filesystem::create_directories(out);
    TrainResult r;
    const nlohmann::json ev = evaluate(train_options_from(cfg), dir, out, r);
    std::filesystem::remove_all(out);
    const nlohmann::json &a = r.ablation;
    std::printf("paper-scale weights, ablation of layer 2, head 0 (test batch of 512): %s\n", a.dump().c_str());
    const double acc = a["acc_end_test"], acc_mean = a["acc_end_test_ablated_mean"];
    const double loss = a["loss_bigram_test"], loss_mean = a["loss_bigram_test_ablated_mean"];
    EXPECT_EQ(ev["acc_end_test"], a["acc_end_test"]);
    EXPECT_GE(acc, 0.9);
    EXPECT_LE(acc_mean, 0.3);
    EXPECT_LE(std::fabs(loss_mean - loss), 0.1);
    EXPECT_NEAR(acc, 0.99313, 1e-3);
    EXPECT_NEAR(acc_mean, 0.22283, 1e-3);
    EXPECT_NEAR(a["acc_end_test_ablated_zero"].get<double>(), 0.22418, 1e-3);
    EXPECT_NEAR(loss, 2.15932, 1e-3);
    EXPECT_NEAR(loss_mean, 2.16100, 1e-3);
}

} // namespace
} // namespace tdlab::birth
