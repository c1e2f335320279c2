// The house figure style (plot/style.h): the rule checker finds each kind of defect, and every figure
// type of plot/ drawn from small fixed data follows every rule. One harness, many declarative cases
// (each prints its name); the scripts are written with TDLAB_NO_FIGURES=1, so gnuplot is not needed.
#include "core/atomic_file.h"
#include "dmft/sweep_store.h"
#include "plot/birth_figures.h"
#include "plot/chaos_figures.h"
#include "plot/dmft_convergence.h"
#include "plot/dmft_figures.h"
#include "plot/dmft_multistate_figures.h"
#include "plot/dmft_paper_figures.h"
#include "plot/dmft_sweep_figures.h"
#include "plot/gnuplot.h"
#include "plot/scansnap_figures.h"
#include "plot/scansnap_text_figures.h"
#include "plot/style.h"
#include "scansnap/outputs.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <gtest/gtest.h>
#include <unistd.h>

namespace tdlab::plot {
namespace {

namespace fs = std::filesystem;

// --- the checker itself: each rule fires on a script that breaks it, and not on its fixed form ---
struct RuleCase {
    const char *name, *bad, *good;
};

TEST(FigureStyle, CheckerFindsEachDefect) {
    const RuleCase cases[] = {
        {"log axis without powers of ten", "set logscale y\nplot x\n",
         "set logscale y\nset format y '10^{%L}'\nplot x\n"},
        {"legend inside the data", "set key top right\nplot x\n", "set key below center horizontal\nplot x\n"},
        {"tiny font", "set xtics font ',7'\n", "set xtics font ',10'\n"},
        {"rotated tick labels", "set xtics rotate by 45 right\n", "set xtics 5\n"},
        {"fixed-point ticks", "set format x '%.4f'\n", "set format x '%g'\n"},
        {"heat map without a range", "set palette rgbformulae 7,5,15\nplot 'a' matrix with image\n",
         "set palette rgbformulae 7,5,15\nset cbrange [0:1]\nplot 'a' matrix with image\n"},
        {"panels with different ranges",
         "set palette rgbformulae 7,5,15\nset cbrange [0:1]\nplot 'a' matrix with image\nset cbrange "
         "[0:0.5]\nplot 'b' matrix with image\n",
         "set palette rgbformulae 7,5,15\nset cbrange [0:1]\nplot 'a' matrix with image\nplot 'b' matrix with "
         "image\n"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        std::printf("rule: %s\n", c.name);
        EXPECT_FALSE(style_violations(c.bad).empty());
        EXPECT_TRUE(style_violations(c.good).empty()) << style_violations(c.good).front();
    }
    // The house style itself follows the rules.
    EXPECT_TRUE(style_violations(house_style() + log_axis("xy") + legend_right()).empty());
}

TEST(FigureStyle, NiceTicSteps) {
    EXPECT_DOUBLE_EQ(nice_tic_step(300, 4), 100);
    EXPECT_DOUBLE_EQ(nice_tic_step(1000, 4), 250);
    EXPECT_DOUBLE_EQ(nice_tic_step(38, 3), 20);
    EXPECT_DOUBLE_EQ(nice_tic_step(0.9, 3), 0.5);
}

// --- every figure type from small fixed data ---
struct FigureCase {
    const char *name;
    std::function<void(const fs::path &)> draw;
};

std::vector<nlohmann::json> birth_records() {
    std::vector<nlohmann::json> r;
    for (int t = 0; t <= 50; t += 10)
        r.push_back({{"iter", t},
                     {"acc_end", t / 60.0},
                     {"acc_end_test", t / 70.0},
                     {"loss", 3.0},
                     {"loss_bigram", 2.5},
                     {"loss_head", 4 - t / 20.0},
                     {"wo1_acc", t / 50.0},
                     {"wk1_acc", -1.0},
                     {"wk0_acc", 0.1},
                     {"wk0_64_acc", 0.2},
                     {"ff1_loss", 1.0}});
    return r;
}

dmft::Trajectory toy_trajectory(size_t n) {
    dmft::Trajectory t;
    t.M = 3;
    for (size_t k = 0; k < n; ++k) {
        t.t.push_back(int64_t(k));
        for (int a = 0; a < 3; ++a) t.mo_se.push_back(0.1 * std::sin(0.3 * double(k) + a));
    }
    return t;
}

std::vector<double> ramp(size_t n, double scale = 1.0) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * double(i + 1) / double(n);
    return v;
}

// A curve of one run (no seed band), optionally with an event marked on it.
BirthCurve curve(const std::string &label, const std::string &file, double event_iter = -1,
                 const std::string &event_label = "") {
    BirthCurve c;
    c.label = label, c.file = file, c.records = birth_records(), c.event_iter = event_iter, c.event_label = event_label;
    return c;
}

const std::vector<FigureCase> &figure_cases() {
    static const std::vector<FigureCase> cases{
        {"birth run",
         [](const fs::path &d) {
             draw_birth_run(d, birth_records(), "toy", {1.0 / 65, 0.2});
         }},
        {"birth fig3",
         [](const fs::path &d) {
             const BirthCurve a = curve("none", "a.dat"), b = curve("frozen", "b.dat", 20, "thaw");
             draw_birth_fig3(d, {a, b}, 20, {1.0 / 65, 0.2});
         }},
        {"birth fig4",
         [](const fs::path &d) {
             const BirthCurve a = curve("random", "a.dat"), b = curve("fixed", "b.dat");
             draw_birth_fig4(d, {a, b}, {a, b}, a, {1.0 / 65, 0});
         }},
        {"birth attention",
         [](const fs::path &d) {
             const int T = 8;
             std::vector<float> att(size_t(T * T), 0.125f);
             draw_birth_attention(d, "attn", "toy", att, {0, 1, 2, 0, 1, 2, 3, 0}, {1, 2, 0, 1, 2, 3, 0, -1},
                                  {"a", "'", "\\n", "sp"}, T, 0, T);
         }},
        {"dmft planes",
         [](const fs::path &d) {
             const auto t = toy_trajectory(50);
             draw_planes(d, "planes", {1.0, 2.0}, {t.mo_se, t.mo_se}, 3);
         }},
        {"dmft fig5",
         [](const fs::path &d) {
             Fig5Column c;
             c.beta = 1.266, c.label = "chaotic", c.x = ramp(400), c.power = ramp(201), c.acf = ramp(100);
             c.paper_offset = 10, c.rule_offset = 20, c.window = 50, c.rule = "toy";
             draw_fig5(d, "fig5", {c, c});
         }},
        {"dmft trajectory", [](const fs::path &d) { draw_dmft_trajectory(d, toy_trajectory(100), "toy", 50); }},
        {"dmft spin vs mean field",
         [](const fs::path &d) { draw_spin_vs_mean_field(d, {toy_trajectory(30)}, toy_trajectory(30), "toy"); }},
        {"finite-N convergence",
         [](const fs::path &d) {
             FiniteNConvergence c;
             c.N = {1e2, 1e3};
             c.periodic_rms = {{"β = 1", {0.1, 0.03}}};
             c.chaotic_label = "β = 1.4";
             c.hist_x = ramp(4), c.hist = {{"N = 100", ramp(4)}, {"mean field", ramp(4)}};
             c.w1 = {0.1, 0.05}, c.spec = {0.2, 0.1}, c.w1_floor = 0.01, c.spec_floor = 0.02;
             c.freq = ramp(4, 0.5), c.spectra = {{"N = 100", ramp(4)}, {"mean field", ramp(4)}};
             draw_finite_n_convergence(d, c);
         }},
        {"multistate weak field",
         [](const fs::path &d) {
             draw_weak_field(d, "weak", {0.5, 1.0}, {{"ternary", {0.1, 0.2}}, {"binary", {0.1, 0.2}}},
                             {{"feature 1", {1e-9, 1e-7}}}, 2.0 / 3.0);
         }},
        {"multistate convergence",
         [](const fs::path &d) {
             draw_token_convergence(d, "conv", {1e2, 1e3}, {{"ternary", {0.1, 0.03}}}, "toy");
         }},
        {"basin fractions",
         [](const fs::path &d) {
             draw_basin_fractions(d, "basins", "toy", {{"#0 period 4", 0.6, 0.5, 0.7}});
         }},
        {"multistability",
         [](const fs::path &d) {
             draw_multistability(d, "ms", "toy", "β", {{1.0, 0, 0, 1.0, {0.1, -0.1}}, {1.1, 1, 2, 0.5, {0.2, 0.3}}});
         }},
        {"lyapunov spectrum",
         [](const fs::path &d) {
             draw_lyapunov_spectrum(d, "spec", "toy", "β", {1.0, 1.1}, {{0.1, -0.5}, {0.05, -0.6}}, {1.2, 1.1});
         }},
        {"correlation sum",
         [](const fs::path &d) { draw_correlation_sum(d, "d2", "toy", ramp(5), ramp(5), 0.2, 0.8, 1.1); }},
        {"bifurcation",
         [](const fs::path &d) {
             dmft::SweepResults r;
             for (int k = 0; k < 3; ++k) {
                 dmft::PointResult p;
                 p.beta = 1 + 0.1 * k, p.label = k, p.paper_label = k, p.points = {0.1f, -0.1f};
                 p.raster_bins = {100, 200}, p.raster_scale = 0.5, p.poincare = {0.1};
                 r.points.push_back(p);
             }
             draw_bifurcation(d, "bif", r, {1.0, 1.1, 1.2}, "β", "toy", 0.5, true);
         }},
        {"phase diagram",
         [](const fs::path &d) {
             draw_phase_diagram(d, "phase", {1, 2}, {3, 4}, {0.1, -0.1, 0.2, 0}, {0, 1, 2, 0}, "β", "γ", "toy");
         }},
        {"scansnap train",
         [](const fs::path &d) {
             const scansnap::SeqClasses data(scansnap::DataParams::syn_small());
             scansnap::TrainResult r;
             r.niter = 3, r.loss = {1.0, 0.1, 0.0};
             const size_t cells = size_t(r.niter + 1) * size_t(data.K()) * size_t(data.M());
             std::vector<double> c(cells, 1.0 / data.M());
             std::vector<std::vector<double>> entropy(size_t(data.K()), ramp(size_t(r.niter) + 1));
             draw_train_figures(d, data, r, c, entropy);
         }},
        {"scansnap theory",
         [](const fs::path &d) {
             scansnap::TheoryCurveParams p;
             p.t_max = 10, p.points = 11;
             draw_theory_figures(d, p, scansnap::write_theory_outputs(d, p));
         }},
        {"scansnap text run and Figs 7, 10",
         [](const fs::path &d) {
             scansnap::TextRunParams p;
             p.bptt = 4;
             std::vector<scansnap::TextCheckpoint> cks;
             for (int it = 0; it <= 100; it += 50) {
                 scansnap::TextCheckpoint c;
                 c.iter = it, c.train_loss = 5.0 - it / 100.0, c.valid_loss = 5.0, c.entropy = {1.0};
                 c.maps.assign(16, 0.25f);
                 cks.push_back(c);
             }
             draw_text_run(d, p, cks);
             draw_fig7(d, {{"1 layer", &cks, 4}}, {0, 50, 100});
             draw_fig10(d, {1, 3, 5}, {2.4, 2.2, 1.7}, {0.1, 0.1, 0.2}, 3);
         }},
        {"scansnap sweep",
         [](const fs::path &d) {
             scansnap::SweepGrid g;
             g.num_last = {1}, g.lr_z = {0.5, 1}, g.ratio = {1, 10};
             scansnap::SweepResult r;
             for (double z : g.lr_z)
                 for (double q : g.ratio) {
                     scansnap::SweepCell c;
                     c.num_last = 1, c.lr_z = z, c.ratio = q, c.mean = 2, c.std = 0.1;
                     c.thetas = {0.03, 0.035}, c.recall = {1, 0.5};
                     r.cells.push_back(c);
                 }
             draw_sweep_figures(d, g, r);
         }},
    };
    return cases;
}

TEST(FigureStyle, EveryFigureTypeFollowsTheRules) {
    setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path root = fs::temp_directory_path() / "tdlab_figure_style";
    fs::remove_all(root);
    for (const auto &c : figure_cases()) {
        SCOPED_TRACE(c.name);
        std::printf("figure: %s\n", c.name);
        const fs::path dir = root / c.name;
        fs::create_directories(dir);
        c.draw(dir);
        int scripts = 0;
        for (const auto &e : fs::directory_iterator(dir)) {
            if (e.path().extension() != ".gp") continue;
            ++scripts;
            for (const auto &v : style_violations(read_file(e.path())))
                ADD_FAILURE() << e.path().filename() << ": " << v;
        }
        EXPECT_GT(scripts, 0);
    }
    unsetenv("TDLAB_NO_FIGURES");
    fs::remove_all(root);
}

// Where gnuplot is installed, every figure type also renders: gnuplot accepts each script (a failure
// leaves NAME.gnuplot.log behind, plot/gnuplot.h) and writes the PNG.
TEST(FigureStyle, EveryFigureTypeRenders) {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot not on PATH";
    unsetenv("TDLAB_NO_FIGURES");
    const fs::path root = fs::temp_directory_path() / "tdlab_figure_render";
    fs::remove_all(root);
    for (const auto &c : figure_cases()) {
        SCOPED_TRACE(c.name);
        const fs::path dir = root / c.name;
        fs::create_directories(dir);
        c.draw(dir);
        for (const auto &e : fs::directory_iterator(dir)) {
            if (e.path().extension() == ".log") ADD_FAILURE() << read_file(e.path());
            if (e.path().extension() == ".gp") {
                EXPECT_TRUE(fs::exists(fs::path(e.path()).replace_extension(".png"))) << e.path();
            }
        }
    }
    fs::remove_all(root);
}

// The apostrophe token is a visible gnuplot tick label: in double quotes. The doubled quote inside a
// single-quoted string ('''') parses, but gnuplot 5.4 draws that tic label empty (a new user's finding on a
// paper-scale attention map).
TEST(FigureStyle, ApostropheTickLabelIsEscaped) {
    setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path dir = fs::temp_directory_path() / "tdlab_figure_apostrophe";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::vector<float> att(4, 0.5f);
    draw_birth_attention(dir, "attn", "toy", att, {0, 1}, {}, {"a", "'"}, 2, 0, 2);
    const std::string gp = read_file(dir / "attn.gp");
    EXPECT_NE(gp.find("\"'\" 1"), std::string::npos) << gp;
    EXPECT_EQ(gp.find("''''"), std::string::npos) << gp;
    unsetenv("TDLAB_NO_FIGURES");
    fs::remove_all(dir);
}

// Fig 2's squares: keys right after an earlier occurrence of the query token, split by whether the key is
// the query's target (the correct copy). Tokens 0 1 2 0 1 2 3 0 with targets 1 2 0 1 2 3 0 ?: the queries at
// 3 and 4 find their targets at keys 1 and 2; the query at 5 (token 2, target 3) finds key 3 (token 0), and
// the last query (target unknown) finds keys 1 and 4.
TEST(FigureStyle, AttentionSquaresSplitCorrectCopies) {
    setenv("TDLAB_NO_FIGURES", "1", 1);
    const fs::path dir = fs::temp_directory_path() / "tdlab_figure_correct";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::vector<float> att(64, 0.125f);
    draw_birth_attention(dir, "attn", "toy", att, {0, 1, 2, 0, 1, 2, 3, 0}, {1, 2, 0, 1, 2, 3, 0, -1},
                         {"a", "b", "c", "d"}, 8, 0, 8);
    EXPECT_EQ(read_file(dir / "attn_correct.dat"), "1 3\n2 4\n");
    EXPECT_EQ(read_file(dir / "attn_boxes.dat"), "3 5\n1 7\n4 7\n");
    unsetenv("TDLAB_NO_FIGURES");
    fs::remove_all(dir);
}

// A probe the run does not define (wk1_acc with K = 1: null in metrics.jsonl) is not drawn: it was listed in
// the legend with no line.
TEST(FigureStyle, UndefinedProbeIsLeftOutOfTheLegend) {
    const fs::path dir = fs::temp_directory_path() / ("tdlab_probe_legend_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto records = birth_records(); // wk1_acc = -1 throughout
    records[2]["wk0_acc"] = nullptr;
    draw_birth_run(dir, records, "toy", {1.0 / 65, 0});
    const std::string gp = read_file(dir / "probes.gp");
    EXPECT_EQ(gp.find("wk1"), std::string::npos) << gp;
    EXPECT_NE(gp.find("wo1\\_acc"), std::string::npos) << gp;
    EXPECT_NE(gp.find("wk0\\_acc"), std::string::npos) << gp; // null at one evaluation only: drawn
    fs::remove_all(dir);
}

} // namespace
} // namespace tdlab::plot
