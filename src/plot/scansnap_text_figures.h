// gnuplot figures of the real-text Scan and Snap runs (Tian et al. 2023, arXiv 2305.16380, Fig 7 and
// Fig 10; docs/scansnap.md "Real text"). They draw the checkpoints they are given (scansnap/text_trainer.h).
#pragma once

#include "scansnap/text_trainer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::plot {

// One run: text_curves.png (train/valid loss, attention entropy per layer, map change per checkpoint)
// and text_attention.png (the lowest layer's map at up to 4 checkpoints spread over the run).
void draw_text_run(const std::filesystem::path &dir, const scansnap::TextRunParams &p,
                   const std::vector<scansnap::TextCheckpoint> &cks);

struct Fig7Row {
    std::string label; // "1 layer", "3 layers"
    const std::vector<scansnap::TextCheckpoint> *cks;
    int bptt;
};
// fig7.png: one row per run, the lowest layer's map at the checkpoints `iters` (nearest available), and a
// last column with the freezing measures (map change, argmax-frozen fraction) and the training loss.
void draw_fig7(const std::filesystem::path &dir, const std::vector<Fig7Row> &rows, const std::vector<int> &iters);

// fig10.png: final validation attention entropy (lowest layer) against lr, mean +- std over seeds.
void draw_fig10(const std::filesystem::path &dir, const std::vector<double> &lr, const std::vector<double> &mean,
                const std::vector<double> &std, int seeds);

} // namespace tdlab::plot
