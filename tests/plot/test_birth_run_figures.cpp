// draw_birth_run draws the recall-probe figure only when some probe was measured: a 1-layer model defines
// none (every probe is null in metrics.jsonl) and its probes.png used to be an empty axis with four legend
// entries and two chance lines (new-user trial).
#include "plot/birth_figures.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {
std::vector<nlohmann::json> records(bool probes) {
    std::vector<nlohmann::json> r;
    for (int t = 0; t <= 30; t += 10) {
        nlohmann::json j{
            {"iter", t}, {"acc_end", 0.1}, {"acc_end_test", 0.1}, {"loss_bigram", 2.5}, {"loss_head", 3.0}};
        for (const char *k : {"wo1_acc", "wk1_acc", "wk0_acc", "wk0_64_acc"})
            j[k] = probes ? nlohmann::json(t / 30.0) : nlohmann::json(nullptr);
        r.push_back(j);
    }
    return r;
}
} // namespace

TEST(BirthRunFigures, ProbesOnlyWhereSomeProbeWasMeasured) {
    setenv("TDLAB_NO_FIGURES", "1", 1); // the scripts are written, gnuplot is not run
    const fs::path dir = fs::temp_directory_path() / ("tdlab_test_birth_run_fig_" + std::to_string(::getpid()));
    for (bool probes : {true, false}) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        tdlab::plot::draw_birth_run(dir, records(probes), "toy", {1.0 / 65, 0.2});
        EXPECT_TRUE(fs::exists(dir / "curves.gp"));
        EXPECT_EQ(fs::exists(dir / "probes.gp"), probes) << (probes ? "probes measured" : "no probe measured");
    }
    fs::remove_all(dir);
    unsetenv("TDLAB_NO_FIGURES");
}
