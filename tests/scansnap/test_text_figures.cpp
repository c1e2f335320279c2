// Figs 7 and 10 of the real-text runs (plot/scansnap_text_figures.h): the panels show the checkpoints
// nearest the requested iterations, and the data files carry the numbers the figures plot.
#include "core/atomic_file.h"
#include "plot/scansnap_text_figures.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;
using scansnap::TextCheckpoint;

namespace {
fs::path scratch(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_textfig_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
// Checkpoints at 0, 100, ..., 500 of a 2 x 2 layer-0 map whose (1,0) entry is iter / 1000.
std::vector<TextCheckpoint> checkpoints() {
    std::vector<TextCheckpoint> cks;
    for (int it = 0; it <= 500; it += 100) {
        TextCheckpoint c;
        c.iter = it;
        c.train_loss = it ? 10.0 - it / 100.0 : NAN;
        c.valid_loss = 9.0;
        c.entropy = {0.5};
        const float a = float(it) / 1000.0f;
        c.maps = {1.0f, 0.0f, a, 1.0f - a};
        cks.push_back(c);
    }
    return cks;
}
} // namespace

TEST(TextFigures, Fig7PanelsAreTheNearestCheckpointsAndFreezingColumns) {
    ::setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path d = scratch("fig7");
    const auto cks = checkpoints();
    plot::draw_fig7(d, {{"1 layer", &cks, 2}}, {0, 240, 260, 500});
    EXPECT_EQ(read_file(d / "fig7_r0_1.dat"), "1 0\n0.2 0.8\n"); // 240 -> checkpoint 200
    EXPECT_EQ(read_file(d / "fig7_r0_2.dat"), "1 0\n0.3 0.7\n"); // 260 -> checkpoint 300
    EXPECT_EQ(read_file(d / "fig7_r0_3.dat"), "1 0\n0.5 0.5\n");
    // iter, train_loss, valid_loss, entropy, tv_change, argmax_same, row_max: row 1 moves 0.1 per checkpoint
    std::istringstream in(read_file(d / "fig7_r0_freeze.dat"));
    std::string header, line;
    std::getline(in, header);
    std::getline(in, line); // iter 0
    std::getline(in, line); // iter 100
    double it, tl, vl, h, tv, fr, rm;
    std::istringstream(line) >> it >> tl >> vl >> h >> tv >> fr >> rm;
    EXPECT_EQ(it, 100);
    EXPECT_DOUBLE_EQ(tl, 9.0);
    EXPECT_NEAR(tv, 0.05, 1e-7); // (0 + 0.1) / 2 rows
    // row 1's argmax is key 1 while a < 0.5 and key 0 at the tie a = 0.5 (iteration 500): both rows keep
    // their argmax at 100, one of two changes it at 500
    EXPECT_DOUBLE_EQ(fr, 1.0);
    while (std::getline(in, line) && line.rfind("500", 0) != 0) {
    }
    std::istringstream(line) >> it >> tl >> vl >> h >> tv >> fr >> rm;
    EXPECT_EQ(it, 500);
    EXPECT_DOUBLE_EQ(fr, 0.5);
    EXPECT_TRUE(fs::exists(d / "fig7.gp"));
    ::unsetenv("TDLAB_NO_FIGURES");
}

TEST(TextFigures, Fig10DataAreMeanAndStdPerLearningRate) {
    ::setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path d = scratch("fig10");
    plot::draw_fig10(d, {1, 3, 5}, {1.5, 1.0, 0.25}, {0.1, 0.2, 0.05}, 3);
    std::istringstream in(read_file(d / "fig10.dat"));
    std::string header, line;
    std::getline(in, header);
    EXPECT_EQ(header, "# lr entropy_mean entropy_std");
    std::getline(in, line);
    std::getline(in, line);
    EXPECT_EQ(line, "3 1 0.2");
    ::unsetenv("TDLAB_NO_FIGURES");
}

TEST(TextFigures, RunMapPanelsAreDistinctCheckpoints) {
    // (a new user's finding: three checkpoints drew "iteration 50" twice) iterations 0, 100, 200: the four
    // targets 0, 66, 133, 200 fall on three checkpoints, drawn once each
    ::setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path d = scratch("run_panels");
    auto cks = checkpoints();
    cks.resize(3);
    scansnap::TextRunParams p;
    p.bptt = 2;
    plot::draw_text_run(d, p, cks);
    EXPECT_EQ(read_file(d / "text_attention_1.dat"), "1 0\n0.1 0.9\n");
    EXPECT_EQ(read_file(d / "text_attention_2.dat"), "1 0\n0.2 0.8\n");
    EXPECT_FALSE(fs::exists(d / "text_attention_3.dat"));
    ::unsetenv("TDLAB_NO_FIGURES");
}
