// `tdlab dmft basins`, `tdlab dmft continuation` and `tdlab analyze` end to end: the files they promise
// (attractors.csv, fractions.csv with fractions summing to 1, tracks.csv, analysis.json), and exit 2
// with no output directory on bad input.
#include "core/atomic_file.h"
#include "core/npy.h"

#include "cli_test_support.h"
#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("chaos", name);
}
int run(const std::string &args) {
    return tdlab_test::run_tdlab(args);
}
std::vector<std::vector<std::string>> read_csv(const fs::path &p) {
    std::istringstream in(tdlab::read_file(p));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
        rows.push_back(f);
    }
    return rows;
}
} // namespace

TEST(ChaosCli, BasinsWritesAttractorsAndFractions) {
    const auto out = tmp("basins");
    ASSERT_EQ(run("dmft basins --config " + std::string(TDLAB_SOURCE_DIR) +
                  "/configs/dmft/basins_127.yaml --set basins.samples=64 --out " + out.string()),
              0);
    const auto att = read_csv(out / "attractors.csv");
    ASSERT_GE(att.size(), 2u);
    EXPECT_EQ(att[0][0], "id");
    const auto fr = read_csv(out / "fractions.csv");
    double sum = 0;
    int64_t count = 0;
    for (size_t k = 1; k < fr.size(); ++k) sum += std::stod(fr[k][2]), count += std::stoll(fr[k][1]);
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_EQ(count, 64);
    for (size_t k = 1; k < att.size(); ++k) EXPECT_TRUE(fs::exists(out / att[k][7])) << att[k][7];
    EXPECT_TRUE(fs::exists(out / "manifest.json"));
}

TEST(ChaosCli, ContinuationWritesTracks) {
    const auto out = tmp("cont");
    ASSERT_EQ(run("dmft continuation --config " + std::string(TDLAB_SOURCE_DIR) +
                  "/configs/dmft/continuation_fig3b.yaml --set continuation.min=1.269 --set continuation.max=1.271 "
                  "--set continuation.count=3 --set basins.samples=32 --out " +
                  out.string()),
              0);
    const auto tr = read_csv(out / "tracks.csv");
    ASSERT_GE(tr.size(), 2u);
    EXPECT_EQ(tr[0][0], "track");
    const auto att = read_csv(out / "attractors.csv");
    EXPECT_EQ(att[0][0], "beta");
    EXPECT_GE(att.size(), 4u); // at least one attractor per value
}

TEST(ChaosCli, AnalyzeHenonSeries) {
    std::vector<double> x;
    double a = 0.1, b = 0.1;
    for (int t = 0; t < 5000; ++t) {
        const double a0 = a;
        a = 1.0 - 1.4 * a0 * a0 + b;
        b = 0.3 * a0;
        if (t >= 500) x.insert(x.end(), {a, b});
    }
    const auto series = tmp("henon.npy");
    tdlab::write_npy(series, x, {4500, 2});
    const auto out = tmp("analyze");
    ASSERT_EQ(run("analyze " + series.string() + " --out " + out.string()), 0);
    const auto j = nlohmann::json::parse(tdlab::read_file(out / "analysis.json"));
    EXPECT_EQ(j["period"], 0);
    EXPECT_EQ(j["label"], "chaotic");
    EXPECT_NEAR(j["correlation_dimension"].get<double>(), 1.21, 0.07);
}

TEST(ChaosCli, BadInputIsUsageErrorWithoutOutput) {
    const std::string cfg = " --config " + std::string(TDLAB_SOURCE_DIR) + "/configs/dmft/basins_127.yaml";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"dmft basins" + cfg + " --set basins.region=cube", "a"},
        {"dmft basins" + cfg + " --set basins.region=box --set basins.lo=1 --set basins.hi=0", "b"},
        {"dmft basins" + cfg + " --set basins.region=starts --set basins.starts=/nonexistent.npy", "c"},
        {"dmft basins" + cfg + " --set dmft.transient=30000", "d"},
        {"dmft basins" + cfg + " --set basins.phase=7", "e"},
        {"dmft continuation" + cfg + " --set continuation.min=1.3 --set continuation.max=1.2", "f"},
        {"dmft continuation" + cfg + " --set continuation.param=temperature", "g"},
        {"analyze /nonexistent.npy", "h"},
    };
    for (const auto &[args, name] : cases) {
        const auto out = tmp("bad_" + name);
        EXPECT_EQ(run(args + " --out " + out.string()), 2) << args;
        EXPECT_FALSE(fs::exists(out)) << args;
    }
    // A starts array of the wrong width names the file and its shape.
    const auto bad = tmp("bad_starts.npy");
    tdlab::write_npy(bad, std::vector<double>(10, 0.0), {2, 5});
    EXPECT_EQ(run("dmft basins" + cfg + " --set basins.region=starts --set basins.starts=" + bad.string() + " --out " +
                  tmp("bad_i").string()),
              2);
    EXPECT_FALSE(fs::exists(tmp("bad_i")));
}

TEST(ChaosCli, RunWritesTheSpectrum) {
    const auto out = tmp("run_spectrum");
    ASSERT_EQ(run("dmft run --set dmft.beta=1.28 --set dmft.steps=6000 --set dmft.transient=3000 "
                  "--set spectrum.enabled=true --out " +
                  out.string()),
              0);
    const auto s = tdlab::read_npy(out / "lyapunov_spectrum.npy");
    ASSERT_EQ(s.shape, (std::vector<size_t>{1, 12}));
    const auto v = s.to_double();
    EXPECT_GT(v[0], 0.05); // chaotic at beta = 1.28 (lambda_1 ~ 0.15)
    for (size_t k = 1; k < v.size(); ++k) EXPECT_LE(v[k], v[k - 1] + 1e-9);
    const auto m = nlohmann::json::parse(tdlab::read_file(out / "manifest.json"));
    EXPECT_GT(m["kaplan_yorke"].get<double>(), 1.0);
    EXPECT_EQ(run("dmft run --set dmft.steps=600 --set dmft.transient=300 --set spectrum.enabled=true "
                  "--set spectrum.k=28 --out " +
                  tmp("run_bad").string()),
              2);
    EXPECT_FALSE(fs::exists(tmp("run_bad")));
}
