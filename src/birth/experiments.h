// The experiment variants behind Figs 3 and 4 of Bietti et al. 2023 (arXiv 2306.00802; described in
// docs/birth.md), as config overrides of the base configs. `tdlab reproduce birth` (repro/birth.cpp)
// runs them and draws the figures.
//   Fig 3: configs/birth/fig3[-quick].yaml with five freezing variants (frozen until 30% of the run,
//          iteration 300 of 1000 at paper scale): none; W_O^2; W_K^1+W_K^2; W_K^1; W_K^2.
//   Fig 4: configs/birth/fig4[-quick].yaml (random triggers, W_F, loss on all tokens) and its data
//          variants: fixed frequent triggers, fixed rare triggers (offset 10), K = 1 fixed; and the four
//          train/test output laws {uniform, bigram}^2 from two runs (uniform and bigram training outputs),
//          each evaluated on both test laws (birth.train.test_both_outs).
//   Attention maps of layer 1 and 2 on an experiment sequence of the Fig 3 (fixed triggers, no freezing)
//   and Fig 4 (random triggers) runs.
#pragma once

#include <string>
#include <vector>

namespace tdlab::birth {

struct Variant {
    std::string name;                   // folder name
    std::string label;                  // legend
    std::vector<std::string> overrides; // KEY=VALUE on top of the base config
};

std::vector<Variant> fig3_variants(int freeze_iter);
std::vector<Variant> fig4_data_variants();
std::vector<Variant> fig4_output_variants();

} // namespace tdlab::birth
