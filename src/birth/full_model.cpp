#include "birth/full_model.h"

#include "core/error.h"
#include "nn/capture.h"

#include <cstring>
#include <fmt/format.h>
#include <map>

namespace tdlab::birth {

nn::TransformerConfig full_transformer_config(const ModelOptions &o) {
    nn::TransformerConfig c;
    c.vocab = o.vocab;
    c.max_seq = o.max_length;
    c.dim = o.dim;
    c.n_layers = o.n_layers;
    c.n_heads = o.n_heads;
    c.pre_norm = o.pre_norm;
    c.sin_cos = o.sin_cos;
    if (o.ffn.size() == 1)
        c.layer_ffn.assign(size_t(o.n_layers), o.ffn[0]);
    else if (!o.ffn.empty())
        c.layer_ffn = o.ffn;
    if (!c.layer_ffn.empty() && int(c.layer_ffn.size()) != o.n_layers)
        throw UsageError(fmt::format("config key 'birth.model.ffn' lists {} FFN kinds for birth.model.n_layers = {}",
                                     c.layer_ffn.size(), o.n_layers));
    c.freeze_embeddings = o.freeze_embeddings;
    c.freeze_output = o.freeze_output;
    c.no_wv = o.no_wv;
    c.no_wo = o.no_wo;
    c.freeze_wv = o.freeze_wv;
    c.freeze_wo = o.freeze_wo;
    c.tie_output = o.tie_output;
    if (o.dim % o.n_heads != 0)
        throw UsageError(fmt::format(
            "config key 'birth.model.dim' = {} must be a multiple of 'birth.model.n_heads' = {}", o.dim, o.n_heads));
    if (o.sin_cos && o.dim % 2 != 0)
        throw UsageError(
            fmt::format("config key 'birth.model.dim' = {} must be even with birth.model.pos = sin_cos", o.dim));
    return c;
}

namespace {

// The transformer plans its activations for one batch shape, so evaluation batches of other sizes run on
// copies that take the training model's current weights before each forward (parameters are a few
// hundred thousand floats: the copy is negligible next to a forward).
class FullTrainModel : public TrainModel {
  public:
    FullTrainModel(const ModelOptions &opt, uint64_t seed, int B, int T)
        : cfg_(full_transformer_config(opt)), T_(T), model_(cfg_, B, T) {
        model_.init(seed);
    }
    nn::ParameterSet &params() override { return model_.params(); }
    int vocab() const override { return cfg_.vocab; }
    float forward(const Batch &b, const uint8_t *mask) override { return model_.forward(b.x.data(), b.y.data(), mask); }
    void backward() override { model_.backward(); }
    BatchView view() const override {
        const size_t stride = size_t(cfg_.n_heads) * size_t(T_) * size_t(T_);
        if (cfg_.n_layers < 1) return {model_.logits(), nullptr, nullptr, stride};
        return {model_.logits(), model_.pattern(0), cfg_.n_layers >= 2 ? model_.pattern(1) : nullptr, stride};
    }
    const float *eval_logits(const Batch &b) override {
        nn::Transformer &m = eval_model(b.B);
        m.forward(b.x.data(), nullptr, nullptr);
        return m.logits();
    }
    std::vector<NpyArray> attention_maps(const Batch &b) override {
        nn::Transformer &m = eval_model(b.B);
        nn::ActivationCapture cap({"blocks.*.attn.hook_pattern"});
        m.forward(b.x.data(), nullptr, nullptr, &cap);
        std::vector<NpyArray> maps;
        for (int l = 0; l < cfg_.n_layers; ++l) maps.push_back(cap.get(fmt::format("blocks.{}.attn.hook_pattern", l)));
        return maps;
    }
    std::vector<const float *> eval_patterns(int B) override {
        const nn::Transformer &m = *eval_.at(B);
        std::vector<const float *> p;
        for (int l = 0; l < cfg_.n_layers; ++l) p.push_back(m.pattern(l));
        return p;
    }
    int heads() const override { return cfg_.n_heads; }
    void capture(const Batch &b, nn::ActivationCapture &cap) override {
        eval_model(b.B).forward(b.x.data(), b.y.data(), nullptr, &cap);
    }
    void ablate_head(int layer, int head, nn::Ablation mode) override {
        ablation_ = {layer, head, mode};
        for (auto &[b, m] : eval_) m->ablate_head(layer, head, mode);
    }
    ProbeValues probes(const std::vector<int> &fixed, const CharStats &stats, int n_out_tokens) const override {
        return memory_probes(model_, fixed, stats, n_out_tokens);
    }

  private:
    nn::Transformer &eval_model(int B) {
        auto it = eval_.find(B);
        if (it == eval_.end()) {
            it = eval_.emplace(B, std::make_unique<nn::Transformer>(cfg_, B, T_)).first;
            it->second->ablate_head(ablation_.layer, ablation_.head, ablation_.mode);
        }
        nn::ParameterSet &dst = it->second->params();
        const nn::ParameterSet &src = model_.params();
        for (size_t i = 0; i < src.count(); ++i) std::memcpy(dst[i].value, src[i].value, src[i].size * sizeof(float));
        return *it->second;
    }
    nn::TransformerConfig cfg_;
    int T_;
    nn::Transformer model_;
    std::map<int, std::unique_ptr<nn::Transformer>> eval_;
    struct {
        int layer = -1, head = -1;
        nn::Ablation mode = nn::Ablation::None;
    } ablation_;
};

} // namespace

std::unique_ptr<TrainModel> make_full_model(const ModelOptions &opt, uint64_t seed, int B, int T) {
    return std::make_unique<FullTrainModel>(opt, seed, B, T);
}

} // namespace tdlab::birth
