#include "birth/experiments.h"

#include <fmt/format.h>

namespace tdlab::birth {

std::vector<Variant> fig3_variants(int f) {
    const std::string wo = fmt::format("{}:layers.1.attention.wo.weight", f);
    const std::string k1 = fmt::format("{}:layers.0.attention.wk.weight", f);
    const std::string k2 = fmt::format("{}:layers.1.attention.wk.weight", f);
    const std::string key = "birth.optim.freeze_until=";
    return {{"none", "none frozen", {}},
            {"wo2", "W_O^2 frozen", {key + wo}},
            {"wk1_wk2", "W_K^1, W_K^2 frozen", {key + k1 + "," + k2}},
            {"wk1", "W_K^1 frozen", {key + k1}},
            {"wk2", "W_K^2 frozen", {key + k2}}};
}

std::vector<Variant> fig4_data_variants() {
    // The random-trigger run (uniform training outputs) also evaluates both test output laws (Fig 4 center).
    return {
        {"random", "random q, K=5", {"birth.train.test_both_outs=true"}},
        {"fixed", "fixed frequent q, K=5", {"birth.data.fixed_triggers=true"}},
        {"rare", "fixed rare q (offset 10), K=5", {"birth.data.fixed_triggers=true", "birth.data.trigger_offset=10"}},
        {"k1", "K=1, q_1 = space", {"birth.data.fixed_triggers=true", "birth.data.k=1"}}};
}

std::vector<Variant> fig4_output_variants() {
    // Training on bigram outputs; the uniform-output training run is fig4_data_variants()[0]. Each run logs
    // acc_end_test_unif and acc_end_test_bigram, so two runs give the four {train, test} law pairs.
    return {{"out_b", "train bigram", {"birth.data.bigram_outs_train=true", "birth.train.test_both_outs=true"}}};
}

} // namespace tdlab::birth
