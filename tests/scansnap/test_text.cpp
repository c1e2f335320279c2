// The real-text pipeline of the Scan and Snap Fig 7 / Fig 10 runs (scansnap/text_tokenize.h,
// text_corpus.h, text_metrics.h): torchtext's basic_english rules, the vocabulary order, batchify and
// chunks as torch's view(bsz, -1).t() and the tutorial's get_batch, the hash-keyed cache, and the
// attention measures.
#include "core/atomic_file.h"
#include "core/error.h"
#include "scansnap/text_corpus.h"
#include "scansnap/text_metrics.h"
#include "scansnap/text_tokenize.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;
using namespace tdlab::scansnap;

namespace {
fs::path scratch(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_text_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
using Words = std::vector<std::string>;
} // namespace

TEST(BasicEnglish, TorchtextRulesInOrder) {
    // Python: torchtext.data.utils.get_tokenizer("basic_english") on the same line gives this list.
    EXPECT_EQ(basic_english("Don't STOP, (he said)! \"Yes\"; ok: a<BR />b end. 3.5?"),
              (Words{"don", "'",  "t", "stop", ",",   "(", "he", "said", ")", "!",
                     "yes", "ok", "a", "b",    "end", ".", "3",  ".",    "5", "?"}));
    EXPECT_EQ(basic_english("  \t "), Words{});
    EXPECT_EQ(basic_english("ab\"cd <unk> @-@ x"), (Words{"abcd", "<unk>", "@-@", "x"}));
    EXPECT_EQ(basic_english("<br>"), Words{"<br>"}); // only the full tag is a separator
}

TEST(Vocabulary, UnkFirstThenDescendingCountTiesByBytes) {
    const Vocabulary v = Vocabulary::build({"b", "a", "c", "a", "b", "d", "<unk>", "b", "Z"});
    EXPECT_EQ(v.words(), (Words{"<unk>", "b", "a", "Z", "c", "d"})); // b:3, a:2, then Z < c < d (byte order)
    EXPECT_EQ(v.id("a"), 2);
    EXPECT_EQ(v.id("never-seen"), Vocabulary::kUnk);
    EXPECT_EQ(v.encode({"d", "<unk>", "q"}), (std::vector<int32_t>{5, 0, 0}));
}

TEST(TextCorpus, BatchifyIsViewTransposeAndChunksShiftTargets) {
    std::vector<int32_t> ids(11);
    for (int i = 0; i < 11; ++i) ids[size_t(i)] = i;
    const Batched b = batchify(ids, 3); // 9 kept: columns [0 1 2], [3 4 5], [6 7 8]
    ASSERT_EQ(b.rows, 3);
    EXPECT_EQ(b.at(0, 1), 3);
    EXPECT_EQ(b.at(2, 2), 8);
    EXPECT_EQ(full_chunks(b, 2), 1);
    EXPECT_EQ(full_chunks(b, 3), 0); // a chunk needs bptt + 1 rows for its targets
    std::vector<int32_t> tok(6), tgt(6);
    chunk(b, 0, 2, tok.data(), tgt.data());
    EXPECT_EQ(tok, (std::vector<int32_t>{0, 1, 3, 4, 6, 7}));
    EXPECT_EQ(tgt, (std::vector<int32_t>{1, 2, 4, 5, 7, 8}));
    EXPECT_EQ(column_chunk(b, 1, 2, 2), (std::vector<int32_t>{7, 8}));
    EXPECT_THROW(column_chunk(b, 2, 0, 2), RuntimeError);
}

// A scratch folder with a small training and validation text, and the token cache pointed inside it.
static fs::path two_texts(const std::string &name) {
    const fs::path d = scratch(name);
    ::setenv("TDLAB_CACHE_DIR", (d / "cache").c_str(), 1);
    write_file_atomic(d / "train.txt", "The cat sat.\n\nthe dog sat\n");
    write_file_atomic(d / "valid.txt", "the bird sat .\n");
    return d;
}

TEST(TextCorpus, LoadsEncodesEvalOovAndCachesByContentHash) {
    const fs::path d = two_texts("cache");
    const fs::path cache = d / "cache";
    for (int pass = 0; pass < 2; ++pass) { // pass 1 reads the cache
        const TextCorpus c = load_text_corpus(d / "train.txt", {d / "valid.txt"}, 0, 0);
        EXPECT_EQ(c.vocab.words(), (Words{"<unk>", "sat", "the", ".", "cat", "dog"}));
        EXPECT_EQ(c.train, (std::vector<int32_t>{2, 4, 1, 3, 2, 5, 1}));
        ASSERT_EQ(c.evals.size(), 1u);
        EXPECT_EQ(c.evals[0], (std::vector<int32_t>{2, 0, 1, 3}));
    }
    size_t files = 0;
    for (const auto &e : fs::directory_iterator(cache / "text")) files += e.is_regular_file();
    EXPECT_EQ(files, 3u); // vocab, train ids, eval ids; nothing written beside the texts
    size_t beside = 0;
    for (const auto &e : fs::directory_iterator(d)) beside += e.is_regular_file();
    EXPECT_EQ(beside, 2u);
    // A changed training text has a new key: never a stale vocabulary
    write_file_atomic(d / "train.txt", "dog dog cat\n");
    const TextCorpus c2 = load_text_corpus(d / "train.txt", {}, 0, 0);
    EXPECT_EQ(c2.vocab.words(), (Words{"<unk>", "dog", "cat"}));
    // Prefixes: of the training tokens before the vocabulary, of the evaluation ids after encoding
    const TextCorpus c3 = load_text_corpus(d / "train.txt", {d / "valid.txt"}, 2, 3);
    EXPECT_EQ(c3.vocab.words(), (Words{"<unk>", "dog"}));
    EXPECT_EQ(c3.evals[0].size(), 3u);
    EXPECT_THROW(load_text_corpus(d / "missing.txt", {}, 0, 0), UsageError);
    ::unsetenv("TDLAB_CACHE_DIR");
}

TEST(TextCorpus, DamagedCacheEntriesAreRebuilt) {
    // (a new user's finding: a damaged entry made every run fail with exit 1 instead of being rebuilt)
    const fs::path d = two_texts("damaged");
    const fs::path cache = d / "cache";
    const TextCorpus fresh = load_text_corpus(d / "train.txt", {d / "valid.txt"}, 0, 0);
    for (const std::string damage : {"truncate", "duplicate", "no unk"}) {
        for (const auto &e : fs::directory_iterator(cache / "text"))
            if (e.path().extension() == ".vocab") {
                const std::string v = read_file(e.path());
                write_file_atomic(e.path(), damage == "truncate"    ? v.substr(0, 10)
                                            : damage == "duplicate" ? v + "cat\n"
                                                                    : v.substr(v.find('\n') + 1));
            }
        const TextCorpus c = load_text_corpus(d / "train.txt", {d / "valid.txt"}, 0, 0);
        EXPECT_EQ(c.vocab.words(), fresh.vocab.words()) << damage;
        EXPECT_EQ(c.train, fresh.train) << damage;
        EXPECT_EQ(c.evals, fresh.evals) << damage;
    }
    ::unsetenv("TDLAB_CACHE_DIR");
}

TEST(TextMetrics, EntropyOfUniformCausalRowsAndFreezing) {
    // Uniform causal rows: row t has entropy ln(t+1) (up to the 1e-8 inside the log).
    const int T = 4;
    std::vector<float> att(T * T, 0.0f);
    for (int t = 0; t < T; ++t)
        for (int s = 0; s <= t; ++s) att[size_t(t * T + s)] = 1.0f / float(t + 1);
    const double want = (0.0 + std::log(2.0) + std::log(3.0) + std::log(4.0)) / 4.0;
    EXPECT_NEAR(attention_entropy(att.data(), 1, T), want, 1e-6);
    // One-hot rows on the diagonal have entropy 0; switching row 3 to key 0 changes its TV by 1.
    std::vector<float> a(T * T, 0.0f), b;
    for (int t = 0; t < T; ++t) a[size_t(t * T + t)] = 1.0f;
    b = a;
    b[3 * T + 3] = 0.0f;
    b[3 * T + 0] = 1.0f;
    EXPECT_NEAR(attention_entropy(a.data(), 1, T), 0.0, 1e-6);
    const auto f = freeze_stats({a, b, b}, T);
    EXPECT_DOUBLE_EQ(f[1].tv_change, 0.25); // one row of four moved all its mass
    EXPECT_DOUBLE_EQ(f[1].argmax_same, 0.75);
    EXPECT_DOUBLE_EQ(f[0].argmax_frozen, 0.75); // row 3 changes later
    EXPECT_DOUBLE_EQ(f[1].argmax_frozen, 1.0);
    EXPECT_DOUBLE_EQ(f[2].tv_change, 0.0);
    EXPECT_DOUBLE_EQ(f[2].row_max, 1.0);
}
