// --help-config and --show-config on `reproduce` and `gather` (every command that takes a config), and
// --shard numbering as the README's Slurm example uses it (`#SBATCH --array=1-16`, `--shard
// $SLURM_ARRAY_TASK_ID/16`: 1-based, 0 refused with the rule in the message).
#include "cli_test_support.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using tdlab_test::run_tdlab;
using tdlab_test::scratch_path;

namespace {

struct Output {
    int rc;
    std::string out, err;
};

// Runs tdlab and captures stdout and stderr.
Output capture(const std::string &args) {
    const fs::path o = scratch_path("config_help_cli", "stdout"), e = scratch_path("config_help_cli", "stderr");
    const std::string cmd = "TDLAB_QUIET=1 TDLAB_NO_FIGURES=1 " + std::string(TDLAB_BIN) + " " + args + " > '" +
                            o.string() + "' 2> '" + e.string() + "'";
    const int rc = std::system(cmd.c_str());
    auto slurp = [](const fs::path &p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(o), slurp(e)};
}

// Six betas, short windows, no census: a sweep of a second or two.
const std::string kSweep = "dmft sweep --set dmft.start=zoom --set sweep.min=1.24 --set sweep.max=1.3 "
                           "--set sweep.count=6 --set dmft.steps=3000 --set dmft.transient=2000 --set sweep.chunk=2 "
                           "--set sweep.keep=100";

nlohmann::json manifest(const fs::path &dir) {
    return nlohmann::json::parse(std::ifstream(dir / "manifest.json"));
}

} // namespace

TEST(ConfigHelpCli, ReproduceHelpAndShowConfig) {
    const Output help = capture("reproduce --help-config");
    ASSERT_EQ(help.rc, 0) << help.err;
    EXPECT_NE(help.out.find("scale"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("paper"), std::string::npos) << help.out;
    const Output show = capture("reproduce dmft --scale paper --show-config");
    ASSERT_EQ(show.rc, 0) << show.err;
    EXPECT_EQ(show.out, "scale: paper\n");
    // A dry run refuses what the run refuses (it printed "scale: quick" and exited 0 for a misspelt paper).
    const Output bad = capture("reproduce birthh --show-config");
    EXPECT_EQ(bad.rc, 2) << bad.out;
    EXPECT_NE(bad.err.find("unknown paper 'birthh'"), std::string::npos) << bad.err;
}

TEST(ConfigHelpCli, HelpConfigNamesTheBaseConfigUsedWithoutConfig) {
    // `birth train` without --config starts from fig3-quick.yaml, whose values differ from the schema's
    // defaults (d 128 against 256): --help-config listed only the latter.
    const Output help = capture("birth train --help-config");
    ASSERT_EQ(help.rc, 0) << help.err;
    EXPECT_EQ(help.out.rfind("without --config the base is configs/birth/fig3-quick.yaml", 0), 0u) << help.out;
}

TEST(ConfigHelpCli, GatherHelpAndShowConfigAndSlurmShards) {
    const Output help = capture("gather --help-config");
    ASSERT_EQ(help.rc, 0) << help.err;
    EXPECT_NE(help.out.find("sweep.count"), std::string::npos);

    // Slurm array indices 1..n are the shard numbers; 0 is refused and the message gives the rule.
    const fs::path bad = scratch_path("config_help_cli", "s0");
    const Output zero = capture(kSweep + " --shard 0/2 --out '" + bad.string() + "'");
    EXPECT_EQ(zero.rc, 2);
    EXPECT_NE(zero.err.find("1 <= i <= n"), std::string::npos) << zero.err;
    EXPECT_FALSE(fs::exists(bad));
    const fs::path s1 = scratch_path("config_help_cli", "s1"), s2 = scratch_path("config_help_cli", "s2");
    ASSERT_EQ(run_tdlab(kSweep + " --shard 1/2 --out '" + s1.string() + "'"), 0);
    ASSERT_EQ(run_tdlab(kSweep + " --shard 2/2 --out '" + s2.string() + "'"), 0);
    EXPECT_EQ(manifest(s1)["shard"], "1/2");
    EXPECT_EQ(manifest(s1)["points_begin"], 0);
    EXPECT_EQ(manifest(s1)["points_end"], 3);
    EXPECT_EQ(manifest(s2)["shard"], "2/2");
    EXPECT_EQ(manifest(s2)["points_begin"], 3);
    EXPECT_EQ(manifest(s2)["points_end"], 6);

    // --show-config prints what the merged run will record (the shards' config.yaml) and writes nothing.
    const fs::path merged = scratch_path("config_help_cli", "merged");
    const Output show =
        capture("gather '" + s1.string() + "' '" + s2.string() + "' --show-config --out '" + merged.string() + "'");
    ASSERT_EQ(show.rc, 0) << show.err;
    std::ifstream in(s1 / "config.yaml");
    std::stringstream cfg;
    cfg << in.rdbuf();
    EXPECT_EQ(show.out, cfg.str());
    EXPECT_FALSE(fs::exists(merged));
    ASSERT_EQ(run_tdlab("gather '" + s1.string() + "' '" + s2.string() + "' --out '" + merged.string() + "'"), 0);
    EXPECT_EQ(manifest(merged)["points_total"], 6);
}

TEST(ConfigHelpCli, ShowConfigRefusesWhatTheRunRefuses) {
    // --show-config is a dry run: it printed these configs and exited 0, while the run exits 2 at once.
    const std::string base = "birth train -c configs/birth/fig2-quick.yaml ";
    for (const std::string bad :
         {"--set birth.model.n_heads=3", "--capture 'blocks.9.*'", "--set birth.train.ablate_head=5:0",
          "--set birth.data.seq_length=256", "--threads -3"}) {
        const Output o = capture(base + bad + " --show-config");
        EXPECT_EQ(o.rc, 2) << bad << ": " << o.out;
        EXPECT_TRUE(o.out.empty()) << bad;
    }
    const Output ok = capture(base + "--show-config");
    EXPECT_EQ(ok.rc, 0) << ok.err;
    EXPECT_NE(ok.out.find("kind: full"), std::string::npos) << ok.out;
}
