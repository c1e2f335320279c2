// `sweep.lyapunov: spectrum` (issue 15): every value of a sweep also gets the full Lyapunov spectrum
// (QR on the analytic tangent map) and its Kaplan-Yorke dimension. Its first exponent is the sweep's
// lambda_1 column (1e-6: the same window from the same start, scalar kernel); its sum is the delay map's
// mean ln|det J| computed independently from dense Jacobians (1e-8, at gamma = 10 where double precision
// resolves every step: map_spectrum.h); shards gathered give the same bytes as one run.
#include "core/atomic_file.h"
#include "core/npy.h"
#include "dmft/context.h"
#include "dmft/map_spectrum.h"

#include "cli_test_support.h"
#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <sstream>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("sweep_spectrum", name);
}
int run(const std::string &args) {
    return tdlab_test::run_tdlab(args);
}
// gamma = 10: chaotic at beta = 3, periodic or quasi-periodic below; three values.
const std::string kArgs = "dmft sweep --set dmft.gamma=10 --set sweep.min=2.2 --set sweep.max=3.0 "
                          "--set sweep.count=3 --set dmft.steps=4000 --set dmft.transient=2000 "
                          "--set sweep.lyap_align=500 --set sweep.simd=scalar --set sweep.chaos01=false "
                          "--set sweep.keep=16 --set sweep.lyapunov=spectrum";

std::vector<std::vector<std::string>> read_csv(const fs::path &p) {
    std::istringstream in(read_file(p));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
        rows.push_back(f);
    }
    return rows;
}
size_t column(const std::vector<std::string> &header, const std::string &name) {
    for (size_t k = 0; k < header.size(); ++k)
        if (header[k] == name) return k;
    ADD_FAILURE() << "no column " << name;
    return 0;
}
} // namespace

TEST(SweepSpectrum, FirstExponentIsLambda1AndSumIsVolumeGrowth) {
    const auto out = tmp("one");
    ASSERT_EQ(run(kArgs + " --out " + out.string()), 0);
    const auto s = read_npy(out / "lyapunov_spectrum.npy");
    ASSERT_EQ(s.shape, (std::vector<size_t>{3, 12}));
    const auto spec = s.to_double();
    const auto rows = read_csv(out / "summary.csv");
    ASSERT_EQ(rows.size(), 4u);
    const size_t lyap = column(rows[0], "lyapunov"), ky = column(rows[0], "kaplan_yorke");
    EXPECT_EQ(ky, rows[0].size() - 1); // appended: the columns before it are those of a plain sweep
    auto model = dmft::DmftModel::build(dmft::ModelParams{});
    for (size_t i = 0; i < 3; ++i) {
        const double beta = std::stod(rows[i + 1][0]);
        EXPECT_NEAR(std::stod(rows[i + 1][lyap]), spec[i * 12], 1e-6) << "beta " << beta;
        // The identity, from dense Jacobians and the delay embedding (not the QR).
        dmft::DynamicsParams dyn;
        dyn.beta = beta;
        dyn.gamma = 10;
        dmft::MeanFieldMap map(model, dyn);
        dmft::Context start = dmft::start_context("zoom", map);
        start.t %= start.L; // the sweep's checkpoint protocol restarts at the same forcing phase
        dmft::MapSpectrumOptions o;
        o.steps = 4000, o.transient = 2000, o.align = 500, o.volume_check = true;
        const auto check = dmft::map_spectrum(map, start, o);
        double sum = 0;
        for (size_t j = 0; j < 12; ++j) sum += spec[i * 12 + j];
        EXPECT_NEAR(sum, check.mean_log_det + check.boundary, 1e-8) << "beta " << beta;
        EXPECT_NEAR(std::stod(rows[i + 1][ky]), check.kaplan_yorke, 1e-9) << "beta " << beta;
    }
    // beta = 3 is chaotic at gamma = 10: a positive leading exponent, so a Kaplan-Yorke dimension >= 1.
    EXPECT_GT(spec[2 * 12], 0.01);
    EXPECT_GE(std::stod(rows[3][ky]), 1.0);
    const auto npz = read_npz(out / "results.npz");
    EXPECT_EQ(npz.at("lyapunov_spectrum").bytes, s.bytes);
    EXPECT_EQ(npz.at("kaplan_yorke").shape, (std::vector<size_t>{3}));
}

TEST(SweepSpectrum, GatheredShardsEqualOneRun) {
    const auto one = tmp("whole"), s1 = tmp("s1"), s2 = tmp("s2"), merged = tmp("merged");
    ASSERT_EQ(run(kArgs + " --out " + one.string()), 0);
    ASSERT_EQ(run(kArgs + " --threads 1 --shard 1/2 --out " + s1.string()), 0);
    ASSERT_EQ(run(kArgs + " --threads 2 --shard 2/2 --out " + s2.string()), 0);
    ASSERT_EQ(run("gather " + s2.string() + " " + s1.string() + " --out " + merged.string()), 0);
    for (const char *f : {"lyapunov_spectrum.npy", "summary.csv", "results.npz"})
        EXPECT_EQ(read_file(merged / f), read_file(one / f)) << f;
}

TEST(SweepSpectrum, PlainSweepsKeepTheirColumns) {
    const auto out = tmp("plain");
    ASSERT_EQ(run("dmft sweep --set sweep.min=1.27 --set sweep.max=1.28 --set sweep.count=2 --set dmft.steps=3000 "
                  "--set dmft.transient=2000 --set sweep.keep=4 --out " +
                  out.string()),
              0);
    EXPECT_FALSE(fs::exists(out / "lyapunov_spectrum.npy"));
    const auto rows = read_csv(out / "summary.csv");
    EXPECT_EQ(rows[0].back(), "flags");
    EXPECT_EQ(run("dmft sweep --set sweep.lyapunov=all --out " + tmp("bad").string()), 2);
    EXPECT_FALSE(fs::exists(tmp("bad")));
}
