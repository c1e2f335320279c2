// YAML is read one strict way by the config loader and the checkpoint reader: a repeated key (in one
// mapping, in a repeated section, or as a dotted key beside the nested one) and extra documents are
// exit-2 errors naming the key, the file and the line, instead of one copy winning silently.
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "dmft/context.h"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <unistd.h>

using namespace tdlab;
namespace fs = std::filesystem;

namespace {

ConfigSchema schema() {
    ConfigSchema s;
    s.add_double("dmft.beta", 1.0, 0.0, 10.0, "a number").add_int("dmft.steps", 100, 1, 1000, "an int");
    return s;
}

fs::path write_tmp(const std::string &name, const std::string &text) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_strict_" + std::to_string(::getpid()));
    fs::create_directories(d);
    write_file_atomic(d / name, text);
    return d / name;
}

std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const UsageError &e) {
        return e.what();
    }
    return "";
}

void expect_names(const std::string &msg, std::initializer_list<std::string> parts) {
    EXPECT_FALSE(msg.empty()) << "accepted silently";
    for (const auto &p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

const std::string kContext = "t: 3\nM: 1\nL: 2\natt: [0.5]\nmq: [-0.25]\nmv:\n  - [0.1]\n  - [0.2]\nmk:\n  - [0.3]\n"
                             "  - [0.4]\n";

} // namespace

TEST(ConfigStrict, DuplicateKeyInOneMapping) {
    const fs::path f = write_tmp("dup.yaml", "dmft:\n  beta: 1.5\n  beta: 2.5\n");
    expect_names(error_of([&] { Config::load(schema(), f, {}); }), {"'beta'", "dup.yaml", "line 3", "line 2"});
}

TEST(ConfigStrict, RepeatedSection) {
    const fs::path f = write_tmp("sections.yaml", "dmft:\n  beta: 1.5\nother: 1\ndmft:\n  steps: 3\n");
    expect_names(error_of([&] { Config::load(schema(), f, {}); }), {"'dmft'", "sections.yaml", "line 4"});
}

TEST(ConfigStrict, DottedKeyBesideNestedOne) {
    const fs::path f = write_tmp("dotted.yaml", "dmft.beta: 1.5\ndmft:\n  beta: 2.5\n");
    expect_names(error_of([&] { Config::load(schema(), f, {}); }), {"'dmft.beta'", "dotted.yaml", "line 3"});
}

TEST(ConfigStrict, ExtraDocument) {
    const fs::path f = write_tmp("docs.yaml", "dmft:\n  beta: 1.5\n---\ndmft:\n  beta: 2.5\n");
    expect_names(error_of([&] { Config::load(schema(), f, {}); }), {"docs.yaml", "more than one document", "line 3"});
}

// A directory given as --config was read as an empty file: every key silently at its default.
// yaml-cpp's LoadAll never returned on this (memory grew until the OOM killer came): found by the fuzz test.
TEST(ConfigStrict, StrayCommaAtTopLevelIsRefusedNotEndless) {
    const fs::path f = write_tmp("comma.yaml", ",# x\ndmft:\n  beta: 1.5\n");
    expect_names(error_of([&] { Config::load(schema(), f, {}); }), {"comma.yaml"});
}

TEST(ConfigStrict, DirectoryIsNotAConfig) {
    const fs::path d = write_tmp("x.yaml", "").parent_path();
    expect_names(error_of([&] { Config::load(schema(), d, {}); }), {d.string(), "directory"});
}

TEST(ConfigStrict, HelpPrintsReadableRanges) {
    ConfigSchema s;
    s.add_double("x.c0", 1.0, 1e-12, 1e12, "a constant")
        .add_int("x.n", 5, 1, std::numeric_limits<int64_t>::max(), "a count")
        .add_double("x.lr", 1.0, 0.0, INFINITY, "a rate");
    const std::string help = s.describe();
    EXPECT_NE(help.find("in [1e-12, 1e+12]"), std::string::npos) << help;
    EXPECT_NE(help.find("in [1, max]"), std::string::npos) << help;
    EXPECT_NE(help.find("in [0, inf]"), std::string::npos) << help;
    EXPECT_EQ(help.find("1000000000000"), std::string::npos) << help;
    EXPECT_EQ(readable_number(0.001), "0.001");
    EXPECT_EQ(readable_number(1e8), "1e+08");
    EXPECT_EQ(readable_number(100000), "100000");
    // Integer bounds exactly: 1 << 40 read "1.09951e+12", 1 << 62 "4.61169e+18".
    EXPECT_EQ(readable_number(double(int64_t(1) << 40), ValueType::Int), "2^40");
    EXPECT_EQ(readable_number(double(int64_t(1) << 62), ValueType::Int), "2^62");
    EXPECT_EQ(readable_number(12345678.0, ValueType::Int), "12345678");
}

TEST(ConfigStrict, HelpColumnsFitTheLongestKey) {
    ConfigSchema s;
    s.add_int("a", 1, 0, 9, "short").add_int("birth.data.bigram_outs_train_long", 2, 0, 9, "long");
    const std::string help = s.describe();
    // "default" starts in the same column on both lines.
    const size_t l1 = help.find("default"), nl = help.find('\n'), l2 = help.find("default", nl);
    EXPECT_EQ(l1, l2 - (nl + 1)) << help;
}

TEST(CheckpointReader, ValidFileLoads) {
    const auto c = dmft::load_context(write_tmp("ok.yaml", kContext), 1, 2);
    EXPECT_EQ(c.t, 3);
    EXPECT_EQ(c.mk, (std::vector<double>{0.3, 0.4}));
}

// The context reader took the first copy of a repeated key while the config loader took the last.
TEST(CheckpointReader, DuplicateKeyAndExtraDocument) {
    expect_names(error_of([&] { dmft::load_context(write_tmp("dup.yaml", "t: 5\n" + kContext), 1, 2); }),
                 {"'t'", "dup.yaml", "line 2"});
    expect_names(error_of([&] { dmft::load_context(write_tmp("two.yaml", kContext + "---\nt: 9\n"), 1, 2); }),
                 {"two.yaml", "more than one document"});
}

TEST(CheckpointReader, UnknownKeyIsRefused) {
    expect_names(error_of([&] { dmft::load_context(write_tmp("unk.yaml", kContext + "steps: 4\n"), 1, 2); }),
                 {"'steps'", "unk.yaml"});
}

TEST(CheckpointReader, NegativeStepIsRefused) {
    std::string text = kContext;
    text.replace(0, 4, "t: -7");
    expect_names(error_of([&] { dmft::load_context(write_tmp("neg.yaml", text), 1, 2); }), {"'t'", "neg.yaml"});
}

TEST(CheckpointReader, AbsurdOrNonFiniteValuesAreRefused) {
    for (const std::string v : {"1e300", "-3.5", ".nan", ".inf"}) {
        std::string text = kContext;
        text.replace(text.find("[0.5]"), 5, "[" + v + "]");
        expect_names(error_of([&] { dmft::load_context(write_tmp("abs.yaml", text), 1, 2); }), {"'att'", "abs.yaml"});
    }
}
