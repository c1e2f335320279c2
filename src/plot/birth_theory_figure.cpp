#include "plot/birth_theory_figure.h"

#include "plot/birth_figures.h"
#include "plot/gnuplot.h"
#include "plot/style.h"

#include <fmt/format.h>
#include <set>

namespace tdlab::plot {

namespace {
const std::vector<std::string> kTheoryKeys{"scale",   "temperature", "acc_end",   "wo1_acc",
                                           "wk1_acc", "wk0_acc",     "wk0_64_acc"};
int theory_column(const std::string &key) {
    for (size_t i = 0; i < kTheoryKeys.size(); ++i)
        if (kTheoryKeys[i] == key) return int(i) + 2; // column 1 is write_birth_columns' "iter" (unused here)
    return 0;
}
} // namespace

void draw_birth_theory(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records,
                       double chance_token, double chance_trigger) {
    std::set<int> dims;
    for (const auto &r : records) dims.insert(r.value("d", 0));
    // Per d: the rows after the last step (the x axis is the step-size multiplier) and the temperature rows.
    std::vector<std::pair<int, std::string>> files;
    for (int d : dims) {
        std::vector<nlohmann::json> steps, temps;
        for (const auto &r : records) {
            if (r.value("d", 0) != d) continue;
            const std::string step = r.value("step", "");
            if (step == "W_K^1") steps.push_back(r);
            if (step == "scaled") temps.push_back(r);
        }
        const std::string name = fmt::format("theory_d{}", d);
        write_birth_columns(dir / (name + ".dat"), steps, kTheoryKeys);
        write_birth_columns(dir / fmt::format("theory_temp_d{}.dat", d), temps, kTheoryKeys);
        files.push_back({d, name});
    }
    auto curves = [&](const std::string &key, const std::string &xkey, const std::string &prefix) {
        std::string p = "plot ";
        for (size_t i = 0; i < files.size(); ++i) {
            const std::string file = prefix + std::to_string(files[i].first) + ".dat";
            p += fmt::format("{}'{}' u {}:{} w lp lt {} t 'd = {}'", i ? ", " : "", file, theory_column(xkey),
                             theory_column(key), i + 1, files[i].first);
        }
        return p + "\n";
    };
    const std::string token = chance_level(1, chance_token, "chance 1/N");
    std::string body = "set multiplot layout 2,3 title 'Top-down gradient steps from zero (W_O^2, then W_K^2, then "
                       "W_K^1), fixed triggers' noenhanced\nset grid\nset yrange [0:1.05]\n" +
                       log_axis("x") + legend_below();
    struct Panel {
        const char *key, *title;
        std::string chance;
    };
    const Panel panels[] = {
        {"acc_end", "in-context accuracy acc\\_end", token},
        {"wo1_acc", "R(W_O^2): wo1\\_acc", token},
        {"wk1_acc", "R(W_K^2): wk1\\_acc", chance_trigger > 0 ? chance_level(1, chance_trigger, "chance 1/K") : ""},
        {"wk0_acc", "R(W_K^1), all positions: wk0\\_acc", ""},
        {"wk0_64_acc", "R(W_K^1), t < 64: wk0\\_64\\_acc", ""},
    };
    for (const auto &p : panels)
        body += clear_references() + p.chance +
                fmt::format("set title '{}'\nset xlabel 'step-size multiplier'\n", p.title) +
                curves(p.key, "scale", "theory_d");
    body += clear_references() + token +
            "set title 'acc\\_end, memories multiplied by a factor'\nset xlabel 'factor (multiplier 1)'\n" +
            curves("acc_end", "temperature", "theory_temp_d") + "unset multiplot\n";
    render_figure(dir, "birth_theory", body, {1500, 950});
}

} // namespace tdlab::plot
