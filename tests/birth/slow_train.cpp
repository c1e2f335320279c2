// Acceptance runs at the quick CPU scale (configs/birth/fig4-quick.yaml: d = 128, T = 128, B = 64;
// a few minutes on 2 cores). `ctest -L slow` (not in the fast suite).
//  1. Fixed triggers (K = 5), W_F, loss on all tokens: in-context accuracy >= 0.9, and the global loss
//     reaches its plateau near the bigram floor before the in-context accuracy reaches 0.9 (Bietti et
//     al. 2023, arXiv 2306.00802, Sec. 6 and Fig. 4 left; docs/birth.md "Top-down learning").
//  2. Random triggers (the paper's default; Fig. 4 right): the recall probes rise in the order W_O^2,
//     W_K^2, W_K^1, where "rises" = first logged iteration with recall >= chance + 0.25 (1 - chance).
#include "birth/char_stats.h"
#include "birth/trainer.h"
#include "core/paths.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tdlab::birth {
namespace {

std::vector<nlohmann::json> run(const std::vector<std::string> &overrides, const std::string &tag) {
    const auto cfg = Config::load(train_schema(), resolve_config_path("configs/birth/fig4-quick.yaml"), overrides);
    const auto dir = std::filesystem::temp_directory_path() / ("tdlab_birth_slow_" + tag);
    std::filesystem::create_directories(dir);
    auto r = train(train_options_from(cfg), dir, nullptr).records;
    std::filesystem::remove_all(dir);
    return r;
}

int64_t first_iter(const std::vector<nlohmann::json> &recs, const std::string &key, double threshold, bool above) {
    for (const auto &r : recs) {
        const double v = r[key].get<double>();
        if (above ? v >= threshold : v <= threshold) return r["iter"].get<int64_t>();
    }
    return std::numeric_limits<int64_t>::max();
}

TEST(BirthSlow, FixedTriggersInContextAfterBigramFloor) {
    const auto recs = run({"birth.data.fixed_triggers=true", "birth.optim.max_iters=600"}, "fixed");
    double acc = 0;
    for (size_t i = recs.size() - 5; i < recs.size(); ++i) acc += recs[i]["acc_end"].get<double>() / 5;
    // The global loss "reaches its floor" = first logged iteration within 0.1 nats of its final plateau
    // (mean of the last 5 logs); the plateau must be near the Bayes floor of the non-trigger positions
    // (2.134 nats for K = 5 fixed, docs/birth.md "Data"): a linear W_F with frozen random E and W_U at d = 128
    // does not fit the 65 x 65 bigram table exactly (ff1_loss stays ~0.9), hence the 0.35 allowance.
    double plateau = 0;
    for (size_t i = recs.size() - 5; i < recs.size(); ++i) plateau += recs[i]["loss_bigram"].get<double>() / 5;
    const int64_t t_bigram = first_iter(recs, "loss_bigram", plateau + 0.1, false);
    const int64_t t_icl = first_iter(recs, "acc_end", 0.9, true);
    std::printf("fixed: final acc_end %.3f; loss_bigram plateau %.3f reached at %lld; acc_end >= 0.9 at %lld\n", acc,
                plateau, (long long)t_bigram, (long long)t_icl);
    EXPECT_LT(plateau, 2.134 + 0.35);
    EXPECT_GE(acc, 0.9);
    EXPECT_LT(t_bigram, t_icl);
}

TEST(BirthSlow, ProbesRiseTopDown) {
    const auto recs = run({"birth.optim.max_iters=600"}, "random");
    auto onset = [&](const char *key, double chance) {
        return first_iter(recs, key, chance + 0.25 * (1 - chance), true);
    };
    const int64_t wo = onset("wo1_acc", 1.0 / 65), wk2 = onset("wk1_acc", 1.0 / 65), wk1 = onset("wk0_acc", 1.0 / 127);
    std::printf("random: onset W_O^2 %lld, W_K^2 %lld, W_K^1 %lld\n", (long long)wo, (long long)wk2, (long long)wk1);
    EXPECT_LT(wo, wk2);
    EXPECT_LT(wk2, wk1);
    EXPECT_LT(wk1, std::numeric_limits<int64_t>::max());
}

} // namespace
} // namespace tdlab::birth
