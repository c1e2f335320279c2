// Head ablation at evaluation (nn::Transformer::ablate_head): zero-ablating head h of layer l is exactly
// the model with the W_O columns of that head set to zero (it removes that head's contribution and
// nothing else: the other heads' patterns and layer l's own patterns are untouched); mean ablation puts
// the batch mean of the head's z at every position; restoring the model gives back its logits.
#include "core/error.h"
#include "golden_io.h"
#include "nn/capture.h"
#include "nn/transformer.h"

#include <gtest/gtest.h>

#include <vector>

using namespace tdlab;
using namespace tdlab::nn;
using namespace tdlab::nn::testing;

namespace {

TransformerConfig config() {
    TransformerConfig c;
    c.vocab = 13;
    c.max_seq = 10;
    c.dim = 24;
    c.n_layers = 2;
    c.n_heads = 3;
    return c;
}

std::vector<int32_t> tokens(int n) {
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) t[size_t(i)] = (7 * i + 3) % 13;
    return t;
}

std::vector<float> logits_of(Transformer &m, const std::vector<int32_t> &x) {
    m.forward(x.data(), nullptr, nullptr);
    return std::vector<float>(m.logits(), m.logits() + x.size() * 13);
}

TEST(HeadAblation, ZeroAblationEqualsZeroingTheHeadsWoColumns) {
    const int B = 2, T = 10, HS = 8;
    const auto x = tokens(B * T);
    for (int layer = 0; layer < 2; ++layer) {
        const int head = 1;
        Transformer m(config(), B, T);
        m.init(3);
        const std::vector<float> plain = logits_of(m, x);
        m.ablate_head(layer, head, Ablation::Zero);
        const std::vector<float> ablated = logits_of(m, x);
        const std::vector<float> att1(m.pattern(1), m.pattern(1) + size_t(B) * 3 * T * T);
        m.ablate_head(0, 0, Ablation::None);
        EXPECT_EQ(logits_of(m, x), plain) << "restored";
        EXPECT_GT(rel_error(ablated.data(), plain.data(), plain.size()), 1e-3) << "the head contributes";

        Transformer z(config(), B, T);
        z.init(3);
        Parameter &wo = z.params().at("layers." + std::to_string(layer) + ".attention.wo.weight"); // (C, C)
        for (int r = 0; r < 24; ++r)
            for (int i = 0; i < HS; ++i) wo.value[size_t(r) * 24 + size_t(head * HS + i)] = 0.0f;
        const std::vector<float> zeroed = logits_of(z, x);
        EXPECT_TENSOR_NEAR(ablated.data(), zeroed.data(), zeroed.size(), 1e-6, "ablated vs zeroed W_O columns");
        EXPECT_TENSOR_NEAR(att1.data(), z.pattern(1), att1.size(), 1e-6, "layer-2 patterns");
    }
}

TEST(HeadAblation, MeanAblationPutsTheBatchMeanOfZEverywhere) {
    const int B = 2, T = 10, HS = 8, head = 2;
    const auto x = tokens(B * T);
    Transformer m(config(), B, T);
    m.init(4);
    ActivationCapture before({"blocks.1.attn.hook_z"}), after({"blocks.1.attn.hook_z"});
    m.forward(x.data(), nullptr, nullptr, &before);
    m.ablate_head(1, head, Ablation::Mean);
    m.forward(x.data(), nullptr, nullptr, &after);
    const std::vector<double> z0 = before.get("blocks.1.attn.hook_z").to_double();
    const std::vector<double> z1 = after.get("blocks.1.attn.hook_z").to_double();
    for (int i = 0; i < HS; ++i) {
        double mean = 0;
        for (int r = 0; r < B * T; ++r) mean += z0[size_t(r) * 24 + size_t(head * HS + i)];
        mean /= B * T;
        for (int r = 0; r < B * T; ++r) EXPECT_NEAR(z1[size_t(r) * 24 + size_t(head * HS + i)], mean, 1e-6);
    }
    for (int r = 0; r < B * T; ++r) // the other heads are untouched
        for (int c = 0; c < head * HS; ++c) EXPECT_EQ(z1[size_t(r) * 24 + size_t(c)], z0[size_t(r) * 24 + size_t(c)]);
    EXPECT_THROW(m.ablate_head(2, 0, Ablation::Zero), UsageError);
}

} // namespace
