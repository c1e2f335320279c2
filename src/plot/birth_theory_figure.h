// The figure of `tdlab birth theory` (Bietti et al. 2023, arXiv 2306.00802, Sec. 6; docs/birth_theory.md):
// after the three top-down gradient steps, the in-context accuracy and the memory recalls against the
// step-size multiplier (log axis), one curve per d, and the accuracy against the factor applied to the
// three memories afterwards.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace tdlab::plot {

// records: run_theory_sweep's (keys d, scale, temperature, step, acc_end, wo1_acc, wk1_acc, wk0_acc,
// wk0_64_acc). Writes theory_d<d>.dat, theory_temp_d<d>.dat and birth_theory.{gp,png,svg} into DIR.
// chance_token = 1/N, chance_trigger = 1/K (dashed reference lines).
void draw_birth_theory(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records,
                       double chance_token, double chance_trigger);

} // namespace tdlab::plot
