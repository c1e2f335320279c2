// Config: YAML files, --set overrides and validation errors that name the key.
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace tdlab;
namespace fs = std::filesystem;

namespace {
ConfigSchema schema() {
    ConfigSchema s;
    s.add_double("a.beta", 1.0, 0.0, 10.0, "a number")
        .add_int("a.steps", 100, 1, 1000, "an int")
        .add_bool("b.flag", false, "a bool")
        .add_string("b.mode", "x", {"x", "y"}, "a choice")
        .add_string("b.start", "cold", {"cold"}, "open choice", true)
        .add_double_list("c.list", "[1, 2]", "a list");
    return s;
}
fs::path write_tmp(const std::string &name, const std::string &text) {
    fs::path p = fs::temp_directory_path() / ("tdlab_cfg_" + std::to_string(::getpid()) + name);
    write_file_atomic(p, text);
    return p;
}
std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const UsageError &e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(Config, DefaultsFileAndOverridesInOrder) {
    fs::path f = write_tmp("ok.yaml", "a:\n  beta: 2.5\n  steps: 1e2\nb: {flag: true, mode: y}\n");
    Config c = Config::load(schema(), f, {"a.beta=3", "c.list=[0.5, 1e-3]", "b.start=/some/file"});
    EXPECT_EQ(c.get_double("a.beta"), 3.0);
    EXPECT_EQ(c.get_int("a.steps"), 100);
    EXPECT_TRUE(c.get_bool("b.flag"));
    EXPECT_EQ(c.get_string("b.mode"), "y");
    EXPECT_EQ(c.get_string("b.start"), "/some/file");
    EXPECT_EQ(c.get_double_list("c.list"), (std::vector<double>{0.5, 1e-3}));
    // The resolved YAML reloads to the same values.
    fs::path g = write_tmp("resolved.yaml", c.to_yaml());
    Config d = Config::load(schema(), g, {});
    EXPECT_EQ(d.to_yaml(), c.to_yaml());
}

TEST(Config, ErrorsNameTheKey) {
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"a.bta=1"}); }).find("'a.bta'"), std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"a.beta=-1"}); }).find("out of range"),
              std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"a.steps=1.5"}); }).find("'a.steps'"),
              std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"b.mode=z"}); }).find("not one of"),
              std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"b.flag=maybe"}); }).find("'b.flag'"),
              std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"a.beta=nan"}); }).find("NaN"), std::string::npos);
    EXPECT_NE(error_of([] { Config::load(schema(), std::nullopt, {"novalue"}); }).find("KEY=VALUE"), std::string::npos);
    fs::path bad = write_tmp("bad.yaml", "a:\n  beta: [1,\n");
    EXPECT_NE(error_of([&] { Config::load(schema(), bad, {}); }).find("malformed YAML"), std::string::npos);
    fs::path unknown = write_tmp("unknown.yaml", "a:\n  gamma: 1\n");
    std::string msg = error_of([&] { Config::load(schema(), unknown, {}); });
    EXPECT_NE(msg.find("'a.gamma'"), std::string::npos);
    EXPECT_NE(msg.find("unknown.yaml"), std::string::npos) << "error must name the file";
    EXPECT_NE(error_of([] { Config::load(schema(), fs::path("/nonexistent/x.yaml"), {}); }).find("x.yaml"),
              std::string::npos);
}

// A misspelt key names its nearest keys: by leaf within a known section, by whole key otherwise.
TEST(Config, UnknownKeySuggestsTheNearestKeys) {
    const auto err = [](const std::string &set) {
        return error_of([&] { Config::load(schema(), std::nullopt, {set}); });
    };
    EXPECT_NE(err("a.bta=1").find("did you mean 'a.beta'?"), std::string::npos) << err("a.bta=1");
    EXPECT_NE(err("a.setps=1").find("did you mean 'a.steps'?"), std::string::npos) << err("a.setps=1");
    EXPECT_NE(err("bb.flag=true").find("did you mean 'b.flag'?"), std::string::npos) << err("bb.flag=true");
    // nothing near: no guess, the section's keys are still listed
    EXPECT_EQ(err("b.zzzz=1").find("did you mean"), std::string::npos) << err("b.zzzz=1");
    EXPECT_NE(err("b.zzzz=1").find("; keys under 'b.': b.flag, b.mode, b.start"), std::string::npos);
    EXPECT_NE(err("a.bet=1").find("did you mean 'a.beta'? (keys under 'a.': a.beta, a.steps)"), std::string::npos)
        << err("a.bet=1");
}
