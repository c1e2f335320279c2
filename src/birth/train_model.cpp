#include "birth/train_model.h"

#include "birth/full_model.h"
#include "core/error.h"
#include "nn/capture.h"

#include <map>

namespace tdlab::birth {
namespace {

// The simplified model with its training activations and one set per evaluation batch size.
class SimplifiedTrainModel : public TrainModel {
  public:
    SimplifiedTrainModel(const ModelOptions &opt, uint64_t seed, int B, int T) : model_(opt), T_(T) {
        model_.init(seed);
        acts_ = model_.make_activations(B, T);
    }
    nn::ParameterSet &params() override { return model_.params(); }
    int vocab() const override { return model_.options().vocab; }
    float forward(const Batch &b, const uint8_t *mask) override {
        return model_.forward(acts_, b.x.data(), b.y.data(), mask);
    }
    void backward() override { model_.backward(acts_); }
    BatchView view() const override { return {acts_.logits, acts_.att1, acts_.att2, size_t(T_) * size_t(T_)}; }
    const float *eval_logits(const Batch &b) override {
        ModelActivations &a = eval_acts(b.B);
        model_.forward(a, b.x.data(), nullptr, nullptr);
        return a.logits;
    }
    std::vector<NpyArray> attention_maps(const Batch &b) override {
        nn::ActivationCapture cap({"blocks.*.attn.hook_pattern"});
        model_.forward(eval_acts(b.B), b.x.data(), b.y.data(), nullptr, &cap);
        return {cap.get("blocks.0.attn.hook_pattern"), cap.get("blocks.1.attn.hook_pattern")};
    }
    std::vector<const float *> eval_patterns(int B) override {
        const ModelActivations &a = eval_acts(B);
        return {a.att1, a.att2};
    }
    int heads() const override { return 1; }
    void capture(const Batch &b, nn::ActivationCapture &cap) override {
        model_.forward(eval_acts(b.B), b.x.data(), b.y.data(), nullptr, &cap);
    }
    void ablate_head(int, int, nn::Ablation) override {
        throw UsageError("head ablation needs birth.model.kind = full");
    }
    ProbeValues probes(const std::vector<int> &fixed, const CharStats &stats, int) const override {
        return memory_probes(model_, fixed, stats);
    }

  private:
    ModelActivations &eval_acts(int B) {
        auto it = eval_.find(B);
        if (it == eval_.end()) it = eval_.emplace(B, model_.make_activations(B, T_)).first;
        return it->second;
    }
    SimplifiedModel model_;
    int T_;
    ModelActivations acts_;
    std::map<int, ModelActivations> eval_;
};

} // namespace

std::unique_ptr<TrainModel> make_train_model(const ModelOptions &opt, uint64_t seed, int B, int T) {
    if (opt.kind == "simplified") return std::make_unique<SimplifiedTrainModel>(opt, seed, B, T);
    if (opt.kind == "full") return make_full_model(opt, seed, B, T);
    throw UsageError("birth.model.kind must be simplified or full, not '" + opt.kind + "'");
}

} // namespace tdlab::birth
