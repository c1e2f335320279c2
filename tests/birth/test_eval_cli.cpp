// `tdlab birth eval`: trained weights evaluated without training (Bietti et al. 2023, arXiv 2306.00802;
// docs/birth.md "Evaluating trained weights"). The identity that makes it trustworthy: a run's own weights,
// evaluated under the run's config, give back the run's last test-batch numbers to the bit (acc_end_test,
// the head detector scores of heads.csv, ablation.json, the attention maps), whether they are read from
// params.npz or from a folder of NAME.npy; bad input is exit 2 with no output.
#include "cli_test_support.h"
#include "core/npy.h"

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

// The generic model, fixed triggers, a test batch of another size than the training batch (the evaluation
// model is built for the test batch), the layer-2 head ablated both ways.
const std::string kFull = " --set birth.model.kind=full --set birth.model.dim=32 --set birth.model.n_heads=2"
                          " --set birth.data.seq_length=32 --set birth.model.max_length=32"
                          " --set birth.optim.batch_size=8 --set birth.optim.max_iters=30 --set birth.optim.lr=0.1"
                          " --set birth.train.eval_delta=10 --set birth.train.test_batch_size=12"
                          " --set birth.train.exp_sequences=2 --set birth.train.loss_head_only=false"
                          " --set birth.train.ablate_head=1:1 --set birth.train.ablation=both -j 1";
const std::string kSimplified = " --set birth.model.dim=32 --set birth.data.seq_length=32"
                                " --set birth.model.max_length=32 --set birth.optim.batch_size=8"
                                " --set birth.optim.max_iters=12 --set birth.train.eval_delta=5"
                                " --set birth.train.test_batch_size=8 --set birth.train.exp_sequences=1 -j 1";

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json last_metrics(const fs::path &run) {
    std::ifstream in(run / "metrics.jsonl");
    std::string line, last;
    while (std::getline(in, line)) last = line;
    return nlohmann::json::parse(last);
}

// heads.csv's rows of the last iteration as "layer,head,previous,duplicate,induction" (iter column dropped).
std::vector<std::string> last_head_rows(const fs::path &run) {
    std::ifstream in(run / "heads.csv");
    std::vector<std::string> rows;
    std::string line, last_iter;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        const std::string iter = line.substr(0, line.find(','));
        if (iter != last_iter) rows.clear(), last_iter = iter;
        rows.push_back(line.substr(line.find(',') + 1));
    }
    return rows;
}

std::vector<std::string> eval_head_rows(const nlohmann::json &ev) {
    std::vector<std::string> rows;
    // heads.csv writes the shortest round-trip form of each double, as nlohmann::json::dump does.
    for (const auto &h : ev["heads"])
        rows.push_back(h["layer"].dump() + "," + h["head"].dump() + "," + h["previous_token"].dump() + "," +
                       h["duplicate_token"].dump() + "," + h["induction"].dump());
    return rows;
}

TEST(BirthEvalCli, RunWeightsGiveBackTheRunsLastTestNumbersBitForBit) {
    const fs::path run = scratch_path("birth_eval", "run"), ev = scratch_path("birth_eval", "npz"),
                   ev_dir = scratch_path("birth_eval", "dir"), npy = scratch_path("birth_eval", "npy");
    for (const auto &p : {run, ev, ev_dir, npy}) fs::remove_all(p);
    ASSERT_EQ(run_tdlab("birth train" + kFull + " --out '" + run.string() + "'"), 0);
    // Without --config the run's config.yaml beside params.npz is used.
    ASSERT_EQ(run_tdlab("birth eval -j 1 --params '" + (run / "params.npz").string() + "' --out '" + ev.string() + "'"),
              0);
    const auto evj = nlohmann::json::parse(slurp(ev / "eval.json"));
    const auto last = last_metrics(run);
    std::printf("run: acc_end_test %s; eval: acc_end_test %s, loss_bigram %s, wo1_acc %s (run %s)\n",
                last["acc_end_test"].dump().c_str(), evj["acc_end_test"].dump().c_str(),
                evj["loss_bigram"].dump().c_str(), evj["wo1_acc"].dump().c_str(), last["wo1_acc"].dump().c_str());
    EXPECT_EQ(evj["acc_end_test"], last["acc_end_test"]);
    // The weight probes read the weights only.
    for (const char *k : {"wo1_acc", "wk1_acc", "wk0_acc", "wk0_64_acc"}) EXPECT_EQ(evj[k], last[k]) << k;
    EXPECT_EQ(eval_head_rows(evj), last_head_rows(run));
    EXPECT_EQ(evj["heads"].size(), 4u); // 2 layers x 2 heads
    EXPECT_EQ(evj["test_batch_size"], 12);
    EXPECT_EQ(evj["layer1_previous_token"]["sequences"], 2);
    for (const char *f : {"ablation.json", "attn_layer0.npy", "attn_layer1.npy", "exp_tokens.npy", "exp_outs.npy"})
        EXPECT_EQ(slurp(ev / f), slurp(run / f)) << f;

    // The same weights as a folder of NAME.npy (the form data/birth/ ships), with an explicit config.
    fs::create_directories(npy);
    for (const auto &[name, array] : tdlab::read_npz(run / "params.npz"))
        tdlab::write_npy(npy / (name + ".npy"), array);
    ASSERT_EQ(run_tdlab("birth eval -j 1 --config '" + (run / "config.yaml").string() + "' --params '" + npy.string() +
                        "' --out '" + ev_dir.string() + "'"),
              0);
    auto a = nlohmann::json::parse(slurp(ev_dir / "eval.json")), b = evj;
    a.erase("params"), b.erase("params");
    EXPECT_EQ(a, b);
    EXPECT_EQ(slurp(ev_dir / "ablation.json"), slurp(run / "ablation.json"));
    for (const auto &p : {run, ev, ev_dir, npy}) fs::remove_all(p);
}

TEST(BirthEvalCli, SimplifiedModelWeightsToo) {
    const fs::path run = scratch_path("birth_eval", "simple_run"), ev = scratch_path("birth_eval", "simple");
    fs::remove_all(run), fs::remove_all(ev);
    ASSERT_EQ(run_tdlab("birth train" + kSimplified + " --out '" + run.string() + "'"), 0);
    ASSERT_EQ(run_tdlab("birth eval -j 1 --params '" + (run / "params.npz").string() + "' --out '" + ev.string() + "'"),
              0);
    const auto evj = nlohmann::json::parse(slurp(ev / "eval.json"));
    EXPECT_EQ(evj["acc_end_test"], last_metrics(run)["acc_end_test"]);
    EXPECT_EQ(eval_head_rows(evj), last_head_rows(run));
    fs::remove_all(run), fs::remove_all(ev);
}

TEST(BirthEvalCli, BadInputIsExit2WithoutOutput) {
    const fs::path run = scratch_path("birth_eval", "bad_run"), out = scratch_path("birth_eval", "bad"),
                   npy = scratch_path("birth_eval", "bad_npy");
    for (const auto &p : {run, out, npy}) fs::remove_all(p);
    ASSERT_EQ(run_tdlab("birth train" + kFull + " --out '" + run.string() + "'"), 0);
    const std::string cfg = " --config '" + (run / "config.yaml").string() + "'";
    // no weights named
    EXPECT_EQ(run_tdlab("birth eval" + cfg + " --out '" + out.string() + "'"), 2);
    // weights that do not exist
    EXPECT_EQ(run_tdlab("birth eval" + cfg + " --params /nonexistent/params.npz --out '" + out.string() + "'"), 2);
    // weights of another model: the full run's params under a wider model
    EXPECT_EQ(run_tdlab("birth eval" + cfg + " --set birth.model.dim=64 --params '" + (run / "params.npz").string() +
                        "' --out '" + out.string() + "'"),
              2);
    // weights with arrays the model lacks: the 2-layer weights under a 1-layer model (the shapes of every
    // parameter it has match, so only the surplus arrays tell)
    EXPECT_EQ(run_tdlab("birth eval" + cfg +
                        " --set birth.model.n_layers=1 --set birth.train.ablate_head=none --params '" +
                        (run / "params.npz").string() + "' --out '" + out.string() + "'"),
              2);
    // a folder that lacks one parameter
    fs::create_directories(npy);
    for (const auto &[name, array] : tdlab::read_npz(run / "params.npz"))
        if (name != "norm.weight") tdlab::write_npy(npy / (name + ".npy"), array);
    EXPECT_EQ(run_tdlab("birth eval" + cfg + " --params '" + npy.string() + "' --out '" + out.string() + "'"), 2);
    EXPECT_FALSE(fs::exists(out));
    for (const auto &p : {run, out, npy}) fs::remove_all(p);
}

} // namespace
