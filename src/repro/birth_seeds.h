// Several training seeds of one Birth variant (`tdlab reproduce birth --seeds N`): the runs, and the
// pointwise mean and min-max over them of every metric, which the figures draw as a line inside a band.
// Seed k uses birth.seed = base + k; the first run keeps the variant's folder, so a one-seed reproduction
// has the layout and bytes it always had.
#pragma once

#include "plot/birth_figures.h"
#include "repro/birth_runs.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tdlab::repro {

// Pointwise statistics of several runs' metrics.jsonl records, one record per evaluation: "iter" and, for
// every numeric metric, the mean / min / max over the runs where it is present (null and the code's -1 are
// absent; null when no run has it). RuntimeError when the runs were not evaluated at the same iterations.
struct SeedStats {
    std::vector<nlohmann::json> mean, lo, hi;
};
SeedStats seed_stats(const std::vector<std::vector<nlohmann::json>> &runs);

struct SeededRuns {
    std::vector<BirthRun> runs; // runs[k]: birth.seed = base + k
    SeedStats stats;            // over runs (one run: mean = lo = hi = its records)
    std::vector<std::vector<nlohmann::json>> records() const;
};

// The variant trained with `seeds` seeds: seed 0 in DIR, seed k > 0 in DIR_seed<base + k>.
SeededRuns run_seeded_variant(const std::filesystem::path &base_config, const birth::Variant &v,
                              const std::filesystem::path &dir, int seeds, int64_t base_seed);

// A run's final value of KEY: "v" for one seed, "mean (min-max)" over several; "n/a" when no run has it.
std::string seeds_cell(const SeededRuns &s, const std::string &key);
// Report tables of final values: one row per (label, runs); Fig 4 centre's train x test output laws.
std::string final_table(const std::vector<std::pair<std::string, const SeededRuns *>> &runs);
std::string output_law_table(const SeededRuns &unif, const SeededRuns &bigram);
// The curve a figure draws for a seeded variant: its one run, or the seeds' mean inside their min-max band.
plot::BirthCurve seed_curve(const std::string &label, const std::string &file, const SeededRuns &s);

} // namespace tdlab::repro
