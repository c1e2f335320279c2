// What the parts of `tdlab reproduce birth` share (repro/birth.cpp: Figs 3 and 4, the maps of the
// simplified model; repro/birth_fig2.cpp: Fig 2 of the generic transformer, the 1-layer baseline, head
// ablation): one training variant as a `birth train` run directory, the attention maps of one experiment
// sequence, and the values read from metrics records.
#pragma once

#include "birth/experiments.h"
#include "birth/trainer.h"
#include "plot/report.h"
#include "repro/paper_claims.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tdlab::repro {

struct BirthRun {
    std::vector<nlohmann::json> records;
    std::filesystem::path dir;
    birth::TrainResult result; // attention maps of the experiment sequences, ablation (records moved out)
};

// One variant = one `birth train` run directory (config.yaml, manifest.json) inside the reproduction.
BirthRun run_birth_variant(const std::filesystem::path &base_config, const birth::Variant &v,
                           const std::filesystem::path &dir);

struct AttentionMaps {
    std::vector<std::string> files;
    double prev_all = 0, prev_window = 0; // previous_token_fraction of layer 1: whole sequence, the window
    int begin = 0, end = 0;
    // The window of layer 1 whose previous-token fraction is nearest the whole sequence's (prev_typical).
    double prev_typical = 0;
    int typical_begin = 0, typical_end = 0;
};

// The layer-1 and layer-2 maps (head 0) of the run's first experiment sequence on a window of up to 40
// positions, as FIG_DIR/attn_TAG_layer{1,2}.png, and layer 1's previous-token fraction. The window is the one
// where layer 2's in-context rows show (the paper's Fig 2 view, usually early in the sequence); a third map,
// attn_TAG_layer1_typical.png, draws layer 1 on the window whose previous-token fraction is nearest the whole
// sequence's, so that what layer 1 does on most positions is seen too.
AttentionMaps draw_birth_maps(const birth::TrainResult &run, const std::filesystem::path &fig_dir,
                              const std::string &tag, const std::string &what);

// "WHAT: x% of all queries of the sequence, y% inside the drawn window (positions a-b), z% in the typical
// window drawn third (positions c-d)": layer 1's previous-token fractions for a report.
std::string previous_token_text(const std::string &what, const AttentionMaps &maps);

// A metric's value in a record (NaN when absent: missing, null, or the code's -1).
double record_value(const nlohmann::json &rec, const std::string &key);
double final_record_value(const std::vector<nlohmann::json> &rec, const std::string &key);

// Fig 2 of the generic transformer (fixed and random triggers), the 1-layer baseline and the ablation of the
// layer-2 head (repro/birth_fig2.cpp): runs under ROOT/fig2/, fills the Fig 2 fields of `m`.
ReportSection birth_fig2_section(const std::filesystem::path &root, bool quick, BirthMeasured &m);

} // namespace tdlab::repro
