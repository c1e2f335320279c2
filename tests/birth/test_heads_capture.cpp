// heads.csv and --capture of `tdlab birth train` on a tiny generic transformer (seconds):
//  - heads.csv holds, at every evaluation, one row per layer and head whose scores are the head detectors
//    (nn/head_detectors.h, TransformerLens's "mul" measure) of that evaluation's test-batch patterns: the
//    last rows equal the detectors applied to the captured final patterns of the same batch;
//  - --capture writes the hooks it names as activations/NAME.npy: the captured pattern of the test batch is
//    the pattern of the saved parameters on that batch, and the same capture on the experiment sequences
//    gives attn_layer0.npy;
//  - a glob that matches no hook exits 2 naming it, before anything is written.
#include "birth/char_stats.h"
#include "birth/train_model.h"
#include "birth/trainer.h"
#include "cli_test_support.h"
#include "core/blas_kernels.h"
#include "core/error.h"
#include "core/npy.h"
#include "nn/capture.h"
#include "nn/head_detectors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using tdlab_test::run_tdlab;
using tdlab_test::scratch_path;

namespace tdlab::birth {
namespace {

const std::vector<std::string> kSets{"birth.model.kind=full",
                                     "birth.model.dim=32",
                                     "birth.model.n_heads=2",
                                     "birth.data.seq_length=32",
                                     "birth.model.max_length=32",
                                     "birth.optim.batch_size=16",
                                     "birth.optim.max_iters=12",
                                     "birth.optim.optimizer=adamw",
                                     "birth.optim.lr=0.01",
                                     "birth.train.loss_head_only=false",
                                     "birth.train.eval_delta=5",
                                     "birth.train.test_batch_size=8",
                                     "birth.train.exp_sequences=2",
                                     "birth.model.freeze_embeddings=false",
                                     "birth.model.freeze_output=false"};

std::string args_of(const std::vector<std::string> &sets) {
    std::string a;
    for (const auto &s : sets) a += " --set " + s;
    return a;
}

std::vector<std::string> lines_of(const fs::path &p) {
    std::ifstream in(p);
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(line);
    return rows;
}

TEST(BirthHeadsCapture, HeadsCsvRowsAreTheDetectorsOfTheCapturedPatterns) {
    const fs::path out = scratch_path("birth_heads", "run");
    // The CLI runs with this process's OpenBLAS kernels (it would otherwise restart itself with better ones
    // where OpenBLAS falls back to Prescott, core/blas_kernels.h): the byte comparisons below need the same.
    ASSERT_EQ(run_tdlab("birth train" + args_of(kSets) +
                            " --capture 'blocks.*.attn.hook_pattern' --capture blocks.0.hook_resid_post --out '" +
                            out.string() + "'",
                        "OPENBLAS_CORETYPE=" + blas_core_name()),
              0);
    // Evaluations at 0, 5, 10 and the last (11); 2 layers x 2 heads each.
    const auto rows = lines_of(out / "heads.csv");
    ASSERT_EQ(rows.size(), 1u + 4 * 2 * 2);
    EXPECT_EQ(rows[0], "iter,layer,head,previous_token,duplicate_token,induction");
    const Config cfg = Config::load(train_schema(), std::nullopt, kSets);
    const TrainOptions opt = train_options_from(cfg);
    const Batch test = TriggerData(shakespeare_stats(), opt.test_data)
                           .gen_batch(opt.seed, StreamPurpose::Test, 0, opt.test_batch_size);
    for (int l = 0; l < 2; ++l) {
        const NpyArray p = read_npy(out / "activations" / ("blocks." + std::to_string(l) + ".attn.hook_pattern.npy"));
        ASSERT_EQ(p.shape, (std::vector<size_t>{8, 2, 32, 32}));
        const std::vector<double> d = p.to_double();
        const std::vector<float> f(d.begin(), d.end());
        std::vector<std::vector<double>> s;
        for (auto k : {nn::HeadKind::PreviousToken, nn::HeadKind::DuplicateToken, nn::HeadKind::Induction})
            s.push_back(nn::head_scores(f.data(), test.x.data(), 8, 2, 32, k));
        for (int h = 0; h < 2; ++h) {
            long long iter = -1;
            int layer = -1, head = -1;
            double prev = -1, dup = -1, ind = -1;
            const std::string &row = rows[size_t(1 + 3 * 4 + l * 2 + h)];
            ASSERT_EQ(std::sscanf(row.c_str(), "%lld,%d,%d,%lf,%lf,%lf", &iter, &layer, &head, &prev, &dup, &ind), 6)
                << row;
            EXPECT_EQ(iter, 11);
            EXPECT_EQ(layer, l);
            EXPECT_EQ(head, h);
            // fmt's shortest round-trip text: the same doubles, not approximately
            EXPECT_EQ(prev, s[0][size_t(h)]) << row;
            EXPECT_EQ(dup, s[1][size_t(h)]) << row;
            EXPECT_EQ(ind, s[2][size_t(h)]) << row;
            EXPECT_GE(prev, 0.0);
            EXPECT_LE(prev, 1.0);
        }
    }
    // Only the hooks asked for, with nn/capture.h's shapes.
    std::vector<std::string> files;
    for (const auto &e : fs::directory_iterator(out / "activations")) files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files, (std::vector<std::string>{"blocks.0.attn.hook_pattern.npy", "blocks.0.hook_resid_post.npy",
                                               "blocks.1.attn.hook_pattern.npy"}));
    EXPECT_EQ(read_npy(out / "activations" / "blocks.0.hook_resid_post.npy").shape, (std::vector<size_t>{8, 32, 32}));

    // The saved parameters reproduce the captured test-batch pattern, and on the experiment sequences the same
    // capture is attn_layer0.npy.
    auto model = make_train_model(opt.model, opt.seed, opt.batch_size, 32);
    model->params().load_npz(out / "params.npz");
    nn::ActivationCapture cap({"blocks.0.attn.hook_pattern"});
    model->capture(test, cap);
    EXPECT_EQ(cap.get("blocks.0.attn.hook_pattern").bytes,
              read_npy(out / "activations" / "blocks.0.attn.hook_pattern.npy").bytes);
    const Batch exp = TriggerData(shakespeare_stats(), opt.train_data)
                          .gen_batch(opt.seed, StreamPurpose::Experiment, 0, opt.exp_sequences);
    model->capture(exp, cap);
    EXPECT_EQ(cap.get("blocks.0.attn.hook_pattern").bytes, read_npy(out / "attn_layer0.npy").bytes);
    fs::remove_all(out);
}

TEST(BirthHeadsCapture, UnknownGlobExits2BeforeAnyOutput) {
    const fs::path out = scratch_path("birth_heads", "bad");
    EXPECT_EQ(run_tdlab("birth train" + args_of(kSets) + " --capture 'blocks.*.attn.hook_patern' --out '" +
                        out.string() + "'"),
              2);
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".ckpt"));
    // the message names the pattern and lists the hooks that exist
    try {
        auto sets = kSets;
        sets.push_back("birth.train.capture=blocks.9.*");
        train_options_from(Config::load(train_schema(), std::nullopt, sets));
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError &e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'blocks.9.*'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("blocks.1.attn.hook_pattern"), std::string::npos) << msg;
    }
    // the simplified model records its own hooks: its two patterns are capturable
    EXPECT_NO_THROW(
        train_options_from(Config::load(train_schema(), std::nullopt,
                                        {"birth.model.dim=32", "birth.data.seq_length=32", "birth.model.max_length=32",
                                         "birth.train.capture=blocks.1.attn.hook_pattern"})));
}

} // namespace
} // namespace tdlab::birth
