#include "birth/evaluate.h"

#include "birth/char_stats.h"
#include "birth/probes.h"
#include "birth/train_model.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "nn/head_detectors.h"

#include <algorithm>

namespace tdlab::birth {
namespace {

// Layer 1 (head 0) over every experiment sequence: the share of queries 1 <= t < t_max whose largest weight
// (first maximum) is on t - 1, and their mean weight on t - 1 (the whole sequence, and t < 32 where the
// previous-token head forms first; the measure of scripts/birth_fig2_summary.py).
nlohmann::json previous_token_share(const NpyArray &att) {
    nlohmann::json out;
    if (att.shape.size() != 4 || att.shape[0] == 0) return out;
    const size_t n = att.shape[0], H = att.shape[1], T = att.shape[2];
    const std::vector<double> a = att.to_double();
    for (const auto &[t_max, name] : {std::pair<size_t, const char *>{T, "all"}, {32, "t_lt_32"}}) {
        double hits = 0, weight = 0, count = 0;
        for (size_t s = 0; s < n; ++s)
            for (size_t t = 1; t < std::min(t_max, T); ++t) {
                const double *row = a.data() + (s * H * T + t) * T; // head 0
                hits += size_t(std::max_element(row, row + t + 1) - row) == t - 1;
                weight += row[t - 1];
                ++count;
            }
        out[std::string("argmax_") + name] = hits / count;
        out[std::string("weight_") + name] = weight / count;
    }
    out["sequences"] = n;
    return out;
}

} // namespace

ConfigSchema eval_schema() {
    ConfigSchema s = train_schema();
    s.add_string("birth.eval.params", "none", {"none"},
                 "birth eval: the trained weights, a params.npz of `birth train` or a folder of NAME.npy (required)",
                 /*open_choices=*/true);
    return s;
}

nlohmann::json evaluate(const TrainOptions &o, const std::filesystem::path &params, const std::filesystem::path &dir,
                        TrainResult &result) {
    const CharStats &stats = shakespeare_stats();
    const TriggerData train_data(stats, o.train_data);
    const Batch test = TriggerData(stats, o.test_data).gen_batch(o.seed, StreamPurpose::Test, 0, o.test_batch_size);
    const int T = o.train_data.seq_length;
    // Initialised from the seed first: every parameter is then overwritten (exact), so the initialisation only
    // fixes the shapes.
    const std::unique_ptr<TrainModel> model = make_train_model(o.model, o.seed, test.B, T);
    model->params().load(params, /*exact=*/true);
    const int V = model->vocab();

    nlohmann::json rec;
    // The training forward (loss on the configured positions) gives the batch keys with the attention
    // probes; acc_end_test is the evaluation forward that train() logs, so that both agree bit for bit.
    std::vector<uint8_t> mask;
    if (o.loss_head_only) {
        mask.resize(test.outs.size());
        for (size_t i = 0; i < mask.size(); ++i) mask[i] = test.outs[i] >= 2;
    }
    rec["loss"] = model->forward(test, o.loss_head_only ? mask.data() : nullptr);
    batch_metrics(test, model->view(), V, rec);
    rec["acc_end_test"] = in_context_accuracy(test, model->eval_logits(test), V);
    const std::vector<const float *> patterns = model->eval_patterns(test.B);
    nlohmann::json heads = nlohmann::json::array();
    for (size_t l = 0; l < patterns.size(); ++l) {
        if (!patterns[l]) continue;
        std::vector<std::vector<double>> by_kind;
        for (nn::HeadKind kind : {nn::HeadKind::PreviousToken, nn::HeadKind::DuplicateToken, nn::HeadKind::Induction})
            by_kind.push_back(nn::head_scores(patterns[l], test.x.data(), test.B, model->heads(), test.T, kind));
        for (int h = 0; h < model->heads(); ++h)
            heads.push_back({{"layer", l},
                             {"head", h},
                             {"previous_token", by_kind[0][size_t(h)]},
                             {"duplicate_token", by_kind[1][size_t(h)]},
                             {"induction", by_kind[2][size_t(h)]}});
    }
    const int n_out = o.train_data.split == OutputSplit::All ? V : split_point(V);
    add_probes(model->probes(train_data.fixed_triggers(), stats, n_out), rec);
    mark_absent(rec);
    rec["heads"] = heads;
    rec["params"] = params.string();
    rec["test_batch_size"] = test.B;
    rec["evaluated_on"] = "the fixed test batch"; // the batch keys above are not a training batch's
    write_model_outputs(*model, o, train_data, test, dir, result);
    rec["layer1_previous_token"] = previous_token_share(result.attn_layer0);
    write_file_atomic(dir / "eval.json", rec.dump(2) + "\n");
    return rec;
}

} // namespace tdlab::birth
