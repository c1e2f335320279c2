// Figures of the Birth reproduction (Bietti et al. 2023, arXiv 2306.00802, Figs 2-4; docs/birth.md),
// drawn with gnuplot from metrics.jsonl records and attention patterns.
#pragma once

#include "birth/trigger_data.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tdlab::plot {

// One named training run for multi-run figures.
struct BirthCurve {
    std::string label; // legend / column title
    std::string file;  // .dat file name (relative to the figure dir)
    std::vector<nlohmann::json> records;
    double event_iter = -1;  // an event marked on the curves (e.g. the thaw of frozen matrices); < 0: none
    std::string event_label; // its label
    // Several seeds: `records` is their pointwise mean and lo / hi their min / max (one record per evaluation,
    // the same keys); the figures shade the band between them (file's stem + "_band.dat"). Empty: one run.
    std::vector<nlohmann::json> lo, hi;
};

// Chance levels drawn as dashed reference lines: a uniform guess over the vocabulary (accuracy,
// R(W_O^2)) and over the K fixed triggers (R(W_K^2); <= 0 when the triggers are random).
struct BirthChance {
    double token = 0;   // 1 / N
    double trigger = 0; // 1 / K
};
// The chance levels of runs on a vocabulary of VOCAB tokens with the given data options.
BirthChance birth_chance(int vocab, const birth::DataOptions &data);

// Writes NAME.dat with the given keys (first column iter) from records (missing keys -> NaN).
void write_birth_columns(const std::filesystem::path &path, const std::vector<nlohmann::json> &records,
                         const std::vector<std::string> &keys);

// A single run: curves.png (acc_end, acc_end_test, losses) and probes.png (wo1, wk1, wk0, wk0_64, ff1).
void draw_birth_run(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records,
                    const std::string &title, const BirthChance &chance);

// Fig 3: one column per freezing variant; top acc_end, bottom the four recall probes.
void draw_birth_fig3(const std::filesystem::path &dir, const std::vector<BirthCurve> &variants, int freeze_iter,
                     const BirthChance &chance);

// Fig 4: (left) loss_bigram dashed and loss_head solid per data variant; (center) acc_end_test per
// train/test output law; (right) ff1_loss and the probes of one run.
void draw_birth_fig4(const std::filesystem::path &dir, const std::vector<BirthCurve> &data_variants,
                     const std::vector<BirthCurve> &output_variants, const BirthCurve &probe_run,
                     const BirthChance &chance);

// Attention map of one layer on a window of a test sequence, as Bietti et al. 2023 (arXiv 2306.00802) Fig 2:
// rows = queries, columns = keys, tokens as tick labels. att (T,T) row-major; x tokens (T); y the target
// (next token) of each query (T; -1 or an empty vector: unknown). Squares mark keys that follow an earlier
// occurrence of the query token; those whose token is the query's target (the correct copy) in a second
// colour.
void draw_birth_attention(const std::filesystem::path &dir, const std::string &name, const std::string &title,
                          const std::vector<float> &att, const std::vector<int> &x, const std::vector<int> &y,
                          const std::vector<std::string> &labels, int T, int begin, int end);

} // namespace tdlab::plot
