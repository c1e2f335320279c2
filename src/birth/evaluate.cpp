#include "birth/evaluate.h"

#include "birth/char_stats.h"
#include "birth/probes.h"
#include "birth/train_model.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "nn/head_detectors.h"

namespace tdlab::birth {

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
    // Initialised from the seed first: every parameter is then overwritten (require_all), so the
    // initialisation only fixes the shapes.
    const std::unique_ptr<TrainModel> model = make_train_model(o.model, o.seed, test.B, T);
    model->params().load(params, /*require_all=*/true);
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
    write_model_outputs(*model, o, train_data, test, dir, result);
    write_file_atomic(dir / "eval.json", rec.dump(2) + "\n");
    return rec;
}

} // namespace tdlab::birth
