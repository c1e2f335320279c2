// A tiny training run (seconds): the loss falls, the in-context loss is learned, the W_O^2 memory
// rises above chance, and the run is byte-identical for 1 and 2 threads (same config and seed give the same bytes for
// any thread count), metrics.jsonl and heads.csv alike.
#include "birth/trainer.h"
#include "core/parallel.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace tdlab::birth {
namespace {

std::string run_tiny(int threads, const std::string &tag) {
    configure_threads(threads);
    const auto cfg =
        Config::load(train_schema(), std::nullopt,
                     {"birth.model.dim=48", "birth.data.seq_length=64", "birth.model.max_length=64",
                      "birth.optim.batch_size=32", "birth.optim.max_iters=120", "birth.optim.lr=0.2",
                      "birth.train.eval_delta=10", "birth.train.test_batch_size=32", "birth.train.exp_sequences=1",
                      "birth.optim.freeze_until=20:layers.0.attention.wk.weight"});
    // The pid keeps concurrent test runs (other checkouts on the same machine) out of each other's way.
    const auto dir =
        std::filesystem::temp_directory_path() / ("tdlab_birth_tiny_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    train(train_options_from(cfg), dir, nullptr);
    std::ifstream in(dir / "metrics.jsonl"), heads(dir / "heads.csv");
    std::stringstream ss, hs;
    ss << in.rdbuf();
    hs << heads.rdbuf();
    std::filesystem::remove_all(dir);
    return ss.str() + "heads.csv:" + hs.str();
}

TEST(BirthTrain, TinyRunLearnsAndIsThreadCountInvariant) {
    const std::string a = run_tiny(1, "t1"), b = run_tiny(2, "t2");
    configure_threads(0);
    EXPECT_EQ(a, b);
    std::vector<nlohmann::json> recs;
    std::istringstream in(a.substr(0, a.find("heads.csv:")));
    for (std::string line; std::getline(in, line);) recs.push_back(nlohmann::json::parse(line));
    // heads.csv: the header and one row per evaluation and layer (the simplified model has one head)
    std::istringstream heads(a.substr(a.find("heads.csv:") + 10));
    std::vector<std::string> rows;
    for (std::string line; std::getline(heads, line);) rows.push_back(line);
    ASSERT_EQ(rows.size(), 1 + 13 * 2u);
    EXPECT_EQ(rows[0], "iter,layer,head,previous_token,duplicate_token,induction");
    EXPECT_EQ(rows.back().rfind("119,1,0,", 0), 0u) << rows.back();
    ASSERT_EQ(recs.size(), 13u); // iterations 0, 10, ..., 110 and the last (119)
    const auto &first = recs.front(), &last = recs.back();
    EXPECT_LT(last["loss_head"].get<double>(), first["loss_head"].get<double>() - 1.0);
    EXPECT_GT(last["wo1_acc"].get<double>(), 3.0 / 65);
    // W_K^1 frozen until iteration 20: its norm (logged after each step) does not move before (no update,
    // no weight decay), and the step of iteration 20 moves it
    EXPECT_EQ(recs[0]["norm_layers.0.attention.wk.weight"], recs[1]["norm_layers.0.attention.wk.weight"]);
    EXPECT_NE(recs[1]["norm_layers.0.attention.wk.weight"], recs[2]["norm_layers.0.attention.wk.weight"]);
    for (const char *k : {"iter", "loss", "loss_bigram", "loss_head", "acc_end", "acc_end_test", "wo1_acc", "wk1_acc",
                          "wk0_acc", "wk0_64_acc", "ff1_loss", "acc_tot", "acc_start", "repeat_frac", "score_acc",
                          "score_start_acc", "score2_acc", "score_cond_acc", "pred_attended_acc"})
        EXPECT_TRUE(last.contains(k)) << k;
}

} // namespace
} // namespace tdlab::birth
