// `tdlab reproduce dmft --scale quick` (about 20 s on 2 cores, figures off): the paper folder is one
// committed run directory (config.yaml with the scale, manifest.json, report.html) whose parts are run
// directories themselves. `ctest -L slow`.
#include "cli_test_support.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using tdlab_test::run_tdlab;
using tdlab_test::scratch_path;

TEST(ReproduceSlow, DmftIsOneCommittedRunDirectory) {
    const fs::path out = scratch_path("reproduce_slow", "r");
    ASSERT_EQ(run_tdlab("reproduce dmft --scale quick --out '" + out.string() + "'"), 0);
    const fs::path d = out / "dmft";
    for (const char *f : {"config.yaml", "manifest.json", "report.html", "fig3a/manifest.json", "fig3b/manifest.json",
                          "census_127/manifest.json", "trajectories/manifest.json", "finite_n/finite_n.md"})
        EXPECT_TRUE(fs::exists(d / f)) << f;
    const auto m = nlohmann::json::parse(std::ifstream(d / "manifest.json"));
    EXPECT_EQ(m["command"], "reproduce dmft");
    EXPECT_EQ(m["scale"], "quick");
    std::ifstream cfg(d / "config.yaml");
    std::string line;
    std::getline(cfg, line);
    EXPECT_EQ(line, "scale: quick");
    // Beside the paper's folder only the gathered index of every paper reproduced into OUT (README).
    for (const auto &e : fs::directory_iterator(out)) {
        const auto name = e.path().filename().string();
        EXPECT_TRUE(name == "dmft" || name == "index.html" || name == "claims.json")
            << "left beside the run: " << e.path();
    }
    EXPECT_TRUE(fs::exists(out / "index.html"));
}
