// The real-text part of `tdlab reproduce scansnap` (repro/scansnap_text.cpp): Figs 7 and 10 of Tian et al. 2023,
// "Scan and Snap" (arXiv 2305.16380, Section 7), the word transformer on the Brown corpus with the freezing
// measures. repro/scansnap.cpp runs the synthetic figures and calls these.
#pragma once

#include "plot/report.h"
#include "repro/paper_claims.h"

#include <filesystem>
#include <vector>

namespace tdlab::repro {

// Fig 7: the lowest layer's attention map on the fixed training chunk, 1 and 3 layers, with the freezing measures
// per checkpoint, into dir/fig7_1layer, dir/fig7_3layer and dir/fig7.png; `paper` picks the full corpus config
// (configs/scansnap/fig7.yaml) over the quick one.
void fig7_section(const std::filesystem::path &dir, bool paper, std::vector<ReportSection> &sections,
                  ScansnapMeasured &m);

// Fig 10: the final validation attention entropy against the learning rate (1 layer), mean +- std over seeds,
// into dir/fig10 (one run per lr and seed), dir/fig10.csv and dir/fig10.png.
void fig10_section(const std::filesystem::path &dir, bool paper, std::vector<ReportSection> &sections,
                   ScansnapMeasured &m);

} // namespace tdlab::repro
