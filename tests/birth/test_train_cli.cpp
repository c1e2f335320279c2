// `tdlab birth train` end to end on a tiny model (about a second): the run directory's files, the
// metrics.jsonl rows and keys (the official ihead code's, Bietti et al. 2023, arXiv 2306.00802), and
// exit code 2 with no output for bad input.
#include "cli_test_support.h"
#include "core/npy.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using tdlab_test::run_tdlab;
using tdlab_test::scratch_path;

namespace {

const std::string kTiny = " --set birth.model.dim=32 --set birth.data.seq_length=32 --set birth.model.max_length=32"
                          " --set birth.optim.batch_size=8 --set birth.optim.max_iters=12"
                          " --set birth.train.eval_delta=5 --set birth.train.test_batch_size=8"
                          " --set birth.train.exp_sequences=1";

std::vector<nlohmann::json> read_jsonl(const fs::path &p) {
    std::ifstream in(p);
    std::vector<nlohmann::json> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
    return rows;
}

// Nothing named like the run directory (or its staging folder) exists beside it.
bool left_nothing(const fs::path &out) {
    if (fs::exists(out)) return false;
    for (const auto &e : fs::directory_iterator(out.parent_path()))
        if (e.path().filename().string().rfind(out.filename().string(), 0) == 0) return false;
    return true;
}

} // namespace

TEST(BirthTrainCli, TinyRunWritesMetricsRowsAndKeys) {
    const fs::path out = scratch_path("birth_cli", "tiny");
    ASSERT_EQ(run_tdlab("birth train" + kTiny + " --out '" + out.string() + "'"), 0);
    for (const char *f : {"metrics.jsonl", "params.npz", "attn_layer0.npy", "attn_layer1.npy", "exp_tokens.npy",
                          "config.yaml", "manifest.json"})
        EXPECT_TRUE(fs::exists(out / f)) << f;
    const auto rows = read_jsonl(out / "metrics.jsonl");
    // Logged at iterations 0, 5, 10 (every eval_delta) and at the last one, 11.
    ASSERT_EQ(rows.size(), 4u);
    const std::vector<int64_t> iters{0, 5, 10, 11};
    for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i]["iter"].get<int64_t>(), iters[i]);
    for (const auto &r : rows) {
        for (const char *k :
             {"loss", "loss_bigram", "loss_head", "acc_end", "acc_end_test", "acc_tot", "wo1_acc", "wk1_acc", "wk0_acc",
              "wk0_64_acc", "norm_layers.1.attention.wo.weight", "gradnorm_layers.1.attention.wo.weight"})
            EXPECT_TRUE(r.contains(k)) << "iter " << r["iter"] << ": " << k;
        // The batch loss of a 65-token vocabulary starts near ln 65 and stays finite.
        EXPECT_TRUE(std::isfinite(r["loss"].get<double>()));
    }
    EXPECT_NEAR(rows[0]["loss"].get<double>(), std::log(65.0), 1.0);
    const auto manifest = nlohmann::json::parse(std::ifstream(out / "manifest.json"));
    EXPECT_EQ(manifest["command"], "birth train");
    EXPECT_EQ(manifest["final"]["iter"].get<int64_t>(), 11);
}

TEST(BirthTrainCli, BadInputIsExit2WithoutOutput) {
    const fs::path dir = scratch_path("birth_cli", "bad");
    fs::create_directories(dir);
    struct Case {
        const char *what;
        std::string args;
    };
    const std::vector<Case> cases{
        {"unknown key", " --set birth.optim.nope=1"},
        {"out of range", " --set birth.optim.max_iters=0"},
        {"not a choice", " --set birth.optim.optimizer=lbfgs"},
        {"max_length < seq_length", " --set birth.model.max_length=16"},
        {"unknown frozen parameter", " --set birth.optim.freeze_until=3:layers.9.nope.weight"},
        {"missing config file", " --config '" + (dir / "none.yaml").string() + "'"},
    };
    int k = 0;
    for (const auto &c : cases) {
        const fs::path out = dir / ("run" + std::to_string(k++));
        EXPECT_EQ(run_tdlab("birth train" + kTiny + c.args + " --out '" + out.string() + "'"), 2) << c.what;
        EXPECT_TRUE(left_nothing(out)) << c.what;
    }
    EXPECT_EQ(run_tdlab("birth train" + kTiny), 2) << "no --out";
    // --out naming a file
    const fs::path file = dir / "a_file";
    std::ofstream(file) << "user data\n";
    EXPECT_EQ(run_tdlab("birth train" + kTiny + " --out '" + file.string() + "'"), 2);
    std::ifstream in(file);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "user data");
}

// The official ihead code logs norm_<param> after optimizer.step(): the last row's norm is then the
// norm of the saved final weights, and a parameter frozen until iteration 5 has moved at the row of
// iteration 5 (before the fix both rows showed the pre-step norm: equal at 0 and 5, stale at the end).
TEST(BirthTrainCli, NormsAreLoggedAfterTheStep) {
    const fs::path out = scratch_path("birth_cli", "norms");
    const std::string wo = "layers.1.attention.wo.weight";
    ASSERT_EQ(
        run_tdlab("birth train" + kTiny + " --set birth.optim.freeze_until=5:" + wo + " --out '" + out.string() + "'"),
        0);
    const auto rows = read_jsonl(out / "metrics.jsonl");
    ASSERT_EQ(rows.size(), 4u);
    const std::string key = "norm_" + wo;
    EXPECT_NE(rows[1][key].get<double>(), rows[0][key].get<double>()) << "iteration 5's update is in its row";
    const auto params = tdlab::read_npz(out / "params.npz");
    ASSERT_TRUE(params.count(wo));
    double s2 = 0;
    for (double v : params.at(wo).to_double()) s2 += v * v;
    EXPECT_DOUBLE_EQ(rows.back()[key].get<double>(), std::sqrt(s2));
}

// With K = 0 there is no in-context position: acc_end has no value. It is null in metrics.jsonl and
// n/a in the summary line, never the sentinel -1 printed as an accuracy.
TEST(BirthTrainCli, EmptyProbesAreNullNotMinusOne) {
    const fs::path out = scratch_path("birth_cli", "k0");
    const fs::path log = scratch_path("birth_cli", "k0.log");
    const std::string cmd = "TDLAB_QUIET=1 TDLAB_NO_FIGURES=1 " + std::string(TDLAB_BIN) + " birth train" + kTiny +
                            " --set birth.data.k=0 --out '" + out.string() + "' 2> '" + log.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(out / "metrics.jsonl");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("-1.0"), std::string::npos);
    EXPECT_EQ(text.str().find(":-1,"), std::string::npos);
    for (const auto &r : read_jsonl(out / "metrics.jsonl")) {
        EXPECT_TRUE(r.contains("acc_end"));
        EXPECT_TRUE(r["acc_end"].is_null()) << r["acc_end"];
        EXPECT_TRUE(r["loss"].is_number());
    }
    std::ifstream l(log);
    std::stringstream summary;
    summary << l.rdbuf();
    EXPECT_NE(summary.str().find("acc_end n/a"), std::string::npos) << summary.str();
    EXPECT_EQ(summary.str().find("-1.000"), std::string::npos) << summary.str();
}

// A run killed after 6 of 12 iterations (the test hook birth.train.stop_after) exits 1 with no run
// directory and its checkpoint in OUT.ckpt/; the same command run again resumes and writes the same
// metrics, parameters and attention maps as an uninterrupted run, and removes the checkpoint.
TEST(BirthTrainCli, KilledRunResumesFromItsCheckpointByteIdentical) {
    const std::string ck = " --set birth.train.checkpoint_every=4";
    const fs::path whole = scratch_path("birth_cli", "ck_whole"), cut = scratch_path("birth_cli", "ck_cut");
    ASSERT_EQ(run_tdlab("birth train" + kTiny + ck + " --out '" + whole.string() + "'"), 0);
    EXPECT_FALSE(fs::exists(whole.string() + ".ckpt"));
    const std::string cmd = "birth train" + kTiny + ck + " --set birth.train.stop_after=6 --out '" + cut.string() + "'";
    EXPECT_EQ(run_tdlab(cmd), 1);
    EXPECT_FALSE(fs::exists(cut));
    EXPECT_TRUE(fs::exists(cut.string() + ".ckpt/checkpoint.npz"));
    ASSERT_EQ(run_tdlab(cmd), 0);
    EXPECT_FALSE(fs::exists(cut.string() + ".ckpt"));
    auto bytes = [](const fs::path &p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    for (const char *f : {"metrics.jsonl", "params.npz", "attn_layer0.npy", "attn_layer1.npy"})
        EXPECT_EQ(bytes(cut / f), bytes(whole / f)) << f;
    // The manifest of the resumed run says where it resumed (its train_seconds cover only that part).
    const auto resumed = nlohmann::json::parse(bytes(cut / "manifest.json"));
    const auto uncut = nlohmann::json::parse(bytes(whole / "manifest.json"));
    EXPECT_EQ(resumed.value("resumed_from_iter", -1), 6); // stop_after checkpoints where it stops
    EXPECT_FALSE(uncut.contains("resumed_from_iter"));
}
