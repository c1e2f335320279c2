#include "repro/birth_seeds.h"

#include "core/error.h"
#include "plot/report.h"

#include <algorithm>

#include <cmath>
#include <fmt/format.h>
#include <map>

namespace tdlab::repro {

SeedStats seed_stats(const std::vector<std::vector<nlohmann::json>> &runs) {
    SeedStats s;
    if (runs.empty()) return s;
    const size_t n = runs[0].size();
    for (const auto &r : runs) {
        if (r.size() != n)
            throw RuntimeError(fmt::format("seed statistics: runs have {} and {} evaluations", n, r.size()));
    }
    for (size_t i = 0; i < n; ++i) {
        const double iter = runs[0][i].value("iter", 0.0);
        nlohmann::json mean = nlohmann::json::object(), lo = mean, hi = mean;
        // Every numeric key of any run, in the records' key order (std::map: sorted, deterministic).
        std::map<std::string, std::vector<double>> values;
        for (const auto &r : runs) {
            if (r[i].value("iter", 0.0) != iter)
                throw RuntimeError(fmt::format("seed statistics: evaluation {} is at iteration {} in one run and {} "
                                               "in another",
                                               i, iter, r[i].value("iter", 0.0)));
            for (const auto &[k, v] : r[i].items()) {
                auto &vals = values[k];
                if (k != "iter" && v.is_number() && v.get<double>() != -1.0 && std::isfinite(v.get<double>()))
                    vals.push_back(v.get<double>());
            }
        }
        for (const auto &[k, vals] : values) {
            if (k == "iter") continue;
            if (vals.empty()) {
                mean[k] = lo[k] = hi[k] = nullptr;
                continue;
            }
            double sum = 0, mn = vals[0], mx = vals[0];
            for (double v : vals) sum += v, mn = std::min(mn, v), mx = std::max(mx, v);
            mean[k] = sum / double(vals.size()), lo[k] = mn, hi[k] = mx;
        }
        mean["iter"] = lo["iter"] = hi["iter"] = runs[0][i]["iter"];
        s.mean.push_back(std::move(mean)), s.lo.push_back(std::move(lo)), s.hi.push_back(std::move(hi));
    }
    return s;
}

std::vector<std::vector<nlohmann::json>> SeededRuns::records() const {
    std::vector<std::vector<nlohmann::json>> out;
    for (const auto &r : runs) out.push_back(r.records);
    return out;
}

SeededRuns run_seeded_variant(const std::filesystem::path &base_config, const birth::Variant &v,
                              const std::filesystem::path &dir, int seeds, int64_t base_seed) {
    SeededRuns s;
    for (int k = 0; k < seeds; ++k) {
        birth::Variant vk = v;
        std::filesystem::path d = dir;
        if (k > 0) {
            vk.overrides.push_back(fmt::format("birth.seed={}", base_seed + k));
            vk.label += fmt::format(" (seed {})", base_seed + k);
            d = dir.parent_path() / fmt::format("{}_seed{}", dir.filename().string(), base_seed + k);
        }
        s.runs.push_back(run_birth_variant(base_config, vk, d));
    }
    s.stats = seed_stats(s.records());
    return s;
}

// A final value over seeds: "v" for one run, "mean (min-max)" for several; "n/a" when no run has it.
std::string seeds_cell(const SeededRuns &s, const std::string &key) {
    std::vector<double> v;
    for (const auto &r : s.runs)
        if (!std::isnan(final_record_value(r.records, key))) v.push_back(final_record_value(r.records, key));
    if (v.empty()) return "n/a";
    if (s.runs.size() == 1) return fmt::format("{:.3f}", v[0]);
    double sum = 0;
    for (double x : v) sum += x;
    return fmt::format("{:.3f} ({:.3f}-{:.3f})", sum / double(v.size()), *std::min_element(v.begin(), v.end()),
                       *std::max_element(v.begin(), v.end()));
}

// Fig 4 centre as the two runs it is: rows = training output law, columns = test output law.
std::string output_law_table(const SeededRuns &unif, const SeededRuns &bigram) {
    std::string h = "<table><tr><th>trained on</th><th>acc_end_test, uniform test outputs</th>"
                    "<th>acc_end_test, bigram test outputs</th></tr>";
    for (const auto &[label, r] : {std::pair<const char *, const SeededRuns *>{"uniform outputs", &unif},
                                   std::pair<const char *, const SeededRuns *>{"bigram outputs", &bigram}})
        h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", label, seeds_cell(*r, "acc_end_test_unif"),
                         seeds_cell(*r, "acc_end_test_bigram"));
    return h + "</table>";
}

std::string final_table(const std::vector<std::pair<std::string, const SeededRuns *>> &runs) {
    std::string h = "<table border=1 cellpadding=3><tr><th>run</th><th>acc_end</th><th>acc_end_test</th>"
                    "<th>loss_bigram</th><th>loss_head</th><th>wo1_acc</th><th>wk1_acc</th><th>wk0_acc</th>"
                    "<th>wk0_64_acc</th><th>ff1_loss</th></tr>";
    for (const auto &[label, r] : runs) {
        h += "<tr><td>" + html_escape(label) + "</td>";
        for (const char *k : {"acc_end", "acc_end_test", "loss_bigram", "loss_head", "wo1_acc", "wk1_acc", "wk0_acc",
                              "wk0_64_acc", "ff1_loss"})
            h += "<td>" + seeds_cell(*r, k) + "</td>";
        h += "</tr>";
    }
    return h + "</table>";
}

// The curve a figure draws for a seeded variant: the run itself, or the seeds' mean inside their min-max band.
plot::BirthCurve seed_curve(const std::string &label, const std::string &file, const SeededRuns &s) {
    plot::BirthCurve c;
    c.label = label, c.file = file, c.records = s.runs[0].records;
    if (s.runs.size() > 1) {
        c.label = fmt::format("{} (mean of {} seeds)", label, s.runs.size());
        c.records = s.stats.mean, c.lo = s.stats.lo, c.hi = s.stats.hi;
    }
    return c;
}

} // namespace tdlab::repro
