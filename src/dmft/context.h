// Saved contexts (checkpoints): the full state of the map after some step, as a small YAML text file
// with full-precision numbers. The two checkpoints published by Poc-Lopez & Aguilera (2024, arXiv
// 2406.07247) ship as data/dmft/context_fig3a.yaml and data/dmft/context_zoom.yaml; every run writes
// final_context.yaml. The reader refuses what no run writes: unknown or repeated keys, negative t,
// non-finite entries, overlaps outside [-1, 1].
#pragma once

#include "dmft/mean_field_map.h"

#include <filesystem>
#include <string>

namespace tdlab::dmft {

// Loads a context file; `M`, `L` must match the model. UsageError naming the file and key on a
// missing, truncated or non-finite entry.
Context load_context(const std::filesystem::path &path, int M, int L);
void save_context(const std::filesystem::path &path, const Context &c, const std::string &comment = "");
// The start named by `dmft.start`: "cold", "fig3a", "zoom" or a context file.
Context start_context(const std::string &start, MeanFieldMap &map);

} // namespace tdlab::dmft
