#include "birth/trainer.h"

#include "birth/char_stats.h"
#include "birth/full_model.h"
#include "birth/probes.h"
#include "birth/train_model.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "nn/capture.h"
#include "nn/checkpoint_store.h"
#include "nn/freeze_schedule.h"
#include "nn/head_detectors.h"
#include "nn/optimizer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace tdlab::birth {

ConfigSchema train_schema() {
    ConfigSchema s;
    s.add_int("birth.seed", 0, 0, int64_t(1) << 62, "seed of the initialisation and of the data streams")
        .add_int("birth.data.k", 5, 0, 65, "number of triggers K (data_args.k)")
        .add_bool("birth.data.fixed_triggers", true,
                  "fixed triggers (most frequent after the offset) or random per sequence")
        .add_int("birth.data.trigger_offset", 0, 0, 64,
                 "fixed triggers skip this many most frequent tokens (rare triggers)")
        .add_bool("birth.data.bigram_outs_train", false, "training outputs o_k ~ pi_b(.|q_k) instead of uniform")
        .add_bool("birth.data.bigram_outs_test", false, "test-batch outputs o_k ~ pi_b(.|q_k) instead of uniform")
        .add_bool("birth.data.no_repeat", false, "forbid o_k = q_k")
        .add_int("birth.data.seq_length", 256, 2, 4096, "T (sequences hold T+1 tokens)")
        .add_bool("birth.data.train_test", false,
                  "out-of-distribution outputs: training o_k uniform over the first 48 tokens, test-batch o_k over "
                  "the other 17 (the official Dataset's train_test)")
        .add_int("birth.model.dim", 256, 1, 8192, "d")
        .add_int("birth.model.max_length", 256, 1, 4096, "rows of the positional table P (>= seq_length)")
        .add_bool("birth.model.final_ffn", false, "linear W_F after layer 2")
        .add_bool("birth.model.no_sqrtd", false, "drop the 1/sqrt(d) attention scaling")
        .add_bool("birth.model.sqrtd_embeddings", false, "E, P ~ N(0, 1/d) instead of N(0, 1)")
        .add_bool("birth.model.freeze_embeddings", true, "E frozen")
        .add_bool("birth.model.freeze_output", true, "W_U frozen")
        .add_string("birth.model.kind", "simplified", {"simplified", "full"},
                    "the simplified 2-layer model, or the generic transformer (the keys below)")
        .add_int("birth.model.n_layers", 2, 1, 64, "full: number of layers")
        .add_int("birth.model.n_heads", 4, 1, 1024, "full: heads per layer (dim % n_heads == 0)")
        .add_string("birth.model.pos", "learned", {"learned", "sin_cos"}, "full: learned or fixed sin/cos positions")
        .add_string("birth.model.norm", "pre", {"pre", "post"},
                    "full: pre-norm (the code's parallel block, final norm) or post-norm (sequential)")
        .add_string("birth.model.ffn", "relu", {"relu", "linear", "none"},
                    "full: FFN of every layer (ReLU 4d, linear d x d, none), or a comma list, one per layer", true)
        .add_bool("birth.model.freeze_wv", false, "full: W_V frozen")
        .add_bool("birth.model.freeze_wo", false, "full: W_O frozen")
        .add_bool("birth.model.no_wv", false, "full: W_V = identity")
        .add_bool("birth.model.no_wo", false, "full: W_O = identity")
        .add_bool("birth.model.tie_output", false, "full: W_U shares E (unless freeze_output)")
        .add_string("birth.optim.optimizer", "sgd", {"sgd", "adamw"}, "SGD with momentum or AdamW")
        .add_double("birth.optim.lr", 0.03, 0.0, 1e3, "learning rate")
        .add_double("birth.optim.momentum", 0.9, 0.0, 1.0, "SGD momentum")
        .add_double("birth.optim.weight_decay", 1e-4, 0.0, 1e3, "weight decay (AdamW: decoupled)")
        .add_double("birth.optim.beta1", 0.9, 0.0, 1.0, "AdamW beta1")
        .add_double("birth.optim.beta2", 0.95, 0.0, 1.0, "AdamW beta2")
        .add_int("birth.optim.batch_size", 512, 1, 1 << 20, "fresh sequences per iteration")
        .add_int("birth.optim.max_iters", 1000, 1, int64_t(1) << 40, "number of updates")
        .add_string("birth.optim.freeze_until", "none", {"none"},
                    "none, or ITER:PARAM,... frozen until ITER (e.g. 300:layers.1.attention.wo.weight)", true)
        .add_bool("birth.train.loss_head_only", true, "loss on outs >= 2 positions only (else on all)")
        .add_int("birth.train.eval_delta", 5, 1, int64_t(1) << 30, "log metrics every this many iterations")
        .add_int("birth.train.test_batch_size", 512, 1, 1 << 20, "sequences of the fixed test batch")
        .add_bool("birth.train.test_both_outs", false,
                  "also log acc_end_test_unif and acc_end_test_bigram (test batches with both output laws)")
        .add_int("birth.train.exp_sequences", 4, 0, 128, "experiment sequences whose attention maps are saved")
        .add_string("birth.train.ablate_head", "none", {"none"},
                    "full model: LAYER:HEAD (0-based) ablated in a final evaluation of the test batch (ablation.json)",
                    true)
        .add_string("birth.train.ablation", "zero", {"zero", "mean", "both"},
                    "how ablate_head removes the head's output z: zero (z = 0), mean (z replaced by its mean over the "
                    "batch's positions), or "
                    "both (one after the other on the same final model)")
        .add_string("birth.train.capture", "none", {"none"},
                    "none, or comma-separated hook globs (blocks.0.attn.hook_pattern, blocks.*.hook_resid_post, "
                    "...) recorded by one test-batch forward after training into activations/NAME.npy",
                    true)
        .add_int("birth.train.checkpoint_every", 0, 0, int64_t(1) << 40,
                 "write a checkpoint (OUT.ckpt/) every this many iterations; 0: none. A rerun resumes from it")
        .add_int("birth.train.stop_after", 0, 0, int64_t(1) << 40,
                 "stop (exit 1, no output) after this many iterations, leaving the checkpoint: a kill for tests");
    return s;
}

DataOptions data_options_from(const Config &cfg, bool test) {
    DataOptions d;
    d.k = int(cfg.get_int("birth.data.k"));
    d.fixed_triggers = cfg.get_bool("birth.data.fixed_triggers");
    d.trigger_offset = int(cfg.get_int("birth.data.trigger_offset"));
    d.bigram_outs = cfg.get_bool(test ? "birth.data.bigram_outs_test" : "birth.data.bigram_outs_train");
    d.no_repeat = cfg.get_bool("birth.data.no_repeat");
    d.seq_length = int(cfg.get_int("birth.data.seq_length"));
    if (cfg.get_bool("birth.data.train_test")) d.split = test ? OutputSplit::Test : OutputSplit::Train;
    return d;
}

namespace {
// "a, b,c" -> {"a", "b", "c"}: the items of a comma-separated config value, blanks trimmed.
std::vector<std::string> comma_items(const std::string &text) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        const size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        out.push_back(item);
        if (comma == std::string::npos) return out;
        pos = comma + 1;
    }
}
} // namespace

std::vector<nn::FfnKind> parse_ffn_kinds(const std::string &text) {
    std::vector<nn::FfnKind> kinds;
    for (const std::string &item : comma_items(text)) {
        if (item == "relu")
            kinds.push_back(nn::FfnKind::Relu);
        else if (item == "linear")
            kinds.push_back(nn::FfnKind::Linear);
        else if (item == "none")
            kinds.push_back(nn::FfnKind::None);
        else
            throw UsageError(
                fmt::format("config key 'birth.model.ffn' = '{}': '{}' is not relu, linear or none", text, item));
    }
    return kinds;
}

ModelOptions model_options_from(const Config &cfg) {
    ModelOptions m;
    m.vocab = shakespeare_stats().N;
    m.dim = int(cfg.get_int("birth.model.dim"));
    m.max_length = int(cfg.get_int("birth.model.max_length"));
    m.final_ffn = cfg.get_bool("birth.model.final_ffn");
    m.no_sqrtd = cfg.get_bool("birth.model.no_sqrtd");
    m.sqrtd_embeddings = cfg.get_bool("birth.model.sqrtd_embeddings");
    m.freeze_embeddings = cfg.get_bool("birth.model.freeze_embeddings");
    m.freeze_output = cfg.get_bool("birth.model.freeze_output");
    m.kind = cfg.get_string("birth.model.kind");
    m.n_layers = int(cfg.get_int("birth.model.n_layers"));
    m.n_heads = int(cfg.get_int("birth.model.n_heads"));
    m.sin_cos = cfg.get_string("birth.model.pos") == "sin_cos";
    m.pre_norm = cfg.get_string("birth.model.norm") == "pre";
    m.ffn = parse_ffn_kinds(cfg.get_string("birth.model.ffn"));
    m.freeze_wv = cfg.get_bool("birth.model.freeze_wv");
    m.freeze_wo = cfg.get_bool("birth.model.freeze_wo");
    m.no_wv = cfg.get_bool("birth.model.no_wv");
    m.no_wo = cfg.get_bool("birth.model.no_wo");
    m.tie_output = cfg.get_bool("birth.model.tie_output");
    if (m.kind == "full") full_transformer_config(m); // refuses bad combinations before any output
    if (m.max_length < cfg.get_int("birth.data.seq_length"))
        throw UsageError(fmt::format("config key 'birth.model.max_length' = {} must be >= 'birth.data.seq_length' = {}",
                                     m.max_length, cfg.get_int("birth.data.seq_length")));
    return m;
}

namespace {

// "a, b,c" -> {"a", "b", "c"}; empty items are refused.
std::vector<std::string> split_globs(const std::string &text) {
    std::vector<std::string> out = comma_items(text);
    for (const std::string &item : out)
        if (item.empty()) throw UsageError(fmt::format("config key 'birth.train.capture' = '{}': empty pattern", text));
    return out;
}

} // namespace

std::vector<std::string> model_hook_names(const ModelOptions &model, int T) {
    // One forward of a single sequence with every hook wanted: the names are those the model records.
    const std::unique_ptr<TrainModel> m = make_train_model(model, 0, 1, T);
    Batch b;
    b.B = 1;
    b.T = T;
    b.x.assign(size_t(T), 0);
    b.y.assign(size_t(T), 0);
    nn::ActivationCapture cap({"*"});
    m->capture(b, cap);
    return cap.names();
}

TrainOptions train_options_from(const Config &cfg) {
    TrainOptions o;
    o.seed = uint64_t(cfg.get_int("birth.seed"));
    o.train_data = data_options_from(cfg, false);
    o.test_data = data_options_from(cfg, true);
    o.model = model_options_from(cfg);
    o.optimizer = cfg.get_string("birth.optim.optimizer");
    o.sgd = nn::SgdOptions{cfg.get_double("birth.optim.lr"), cfg.get_double("birth.optim.momentum"),
                           cfg.get_double("birth.optim.weight_decay")};
    o.adamw.lr = cfg.get_double("birth.optim.lr");
    o.adamw.beta1 = cfg.get_double("birth.optim.beta1");
    o.adamw.beta2 = cfg.get_double("birth.optim.beta2");
    o.adamw.weight_decay = cfg.get_double("birth.optim.weight_decay");
    o.batch_size = int(cfg.get_int("birth.optim.batch_size"));
    o.max_iters = cfg.get_int("birth.optim.max_iters");
    const std::string freeze = cfg.get_string("birth.optim.freeze_until");
    o.freeze_until = freeze == "none" ? "" : freeze;
    o.loss_head_only = cfg.get_bool("birth.train.loss_head_only");
    o.eval_delta = cfg.get_int("birth.train.eval_delta");
    o.test_batch_size = int(cfg.get_int("birth.train.test_batch_size"));
    o.test_both_outs = cfg.get_bool("birth.train.test_both_outs");
    o.exp_sequences = int(cfg.get_int("birth.train.exp_sequences"));
    o.checkpoint_every = cfg.get_int("birth.train.checkpoint_every");
    o.stop_after = cfg.get_int("birth.train.stop_after");
    if (o.stop_after > 0 && o.checkpoint_every == 0)
        throw UsageError("config key 'birth.train.stop_after' needs 'birth.train.checkpoint_every' > 0 (it leaves a "
                         "checkpoint to resume from)");
    if (o.train_data.split != OutputSplit::All &&
        (o.train_data.bigram_outs || o.test_data.bigram_outs || o.test_both_outs))
        throw UsageError("config key 'birth.data.train_test' draws uniform outputs: it excludes "
                         "birth.data.bigram_outs_train/test and birth.train.test_both_outs");
    const std::string ablate = cfg.get_string("birth.train.ablate_head");
    if (ablate != "none") {
        if (o.model.kind != "full")
            throw UsageError(fmt::format("config key 'birth.train.ablate_head' = '{}' needs birth.model.kind = full "
                                         "(the simplified model has no heads to ablate); set it to none",
                                         ablate));
        int layer = -1, head = -1;
        char extra = 0;
        if (std::sscanf(ablate.c_str(), "%d:%d%c", &layer, &head, &extra) != 2 || layer < 0 ||
            layer >= o.model.n_layers || head < 0 || head >= o.model.n_heads)
            throw UsageError(
                fmt::format("config key 'birth.train.ablate_head' = '{}' must be none or LAYER:HEAD of the "
                            "full model (layers 0..{}, heads 0..{})",
                            ablate, o.model.n_layers - 1, o.model.n_heads - 1));
        o.ablate_layer = layer;
        o.ablate_head = head;
        const std::string mode = cfg.get_string("birth.train.ablation");
        o.ablation = mode == "mean" ? nn::Ablation::Mean : nn::Ablation::Zero;
        o.ablation_both = mode == "both";
    }
    const std::string capture = cfg.get_string("birth.train.capture");
    if (capture != "none") {
        o.capture = split_globs(capture);
        // A glob that matches nothing is a typo: refuse it before training, naming what exists.
        const std::vector<std::string> names = model_hook_names(o.model, o.train_data.seq_length);
        for (const std::string &g : o.capture) {
            bool hit = false;
            for (const std::string &n : names) hit = hit || nn::glob_match(g, n);
            if (!hit) {
                std::string known;
                for (const std::string &n : names) known += (known.empty() ? "" : ", ") + n;
                throw UsageError(fmt::format("config key 'birth.train.capture': pattern '{}' matches no hook of "
                                             "this model (known hooks: {})",
                                             g, known));
            }
        }
    }
    // The checkpoint key: the config without the keys that do not change the result.
    Config key = cfg;
    key.set("birth.train.checkpoint_every", "0", "checkpoint key");
    key.set("birth.train.stop_after", "0", "checkpoint key");
    key.set("birth.train.capture", "none", "checkpoint key"); // read after training only
    o.record = key.to_yaml();
    return o;
}

namespace {

// heads.csv rows of every layer and head for the patterns of the last evaluation forward on `test`.
std::string head_rows(TrainModel &model, const Batch &test, int64_t iter) {
    std::ostringstream out;
    const std::vector<const float *> patterns = model.eval_patterns(test.B);
    for (size_t l = 0; l < patterns.size(); ++l)
        if (patterns[l])
            nn::write_heads_csv_rows(out, iter, int(l), patterns[l], test.x.data(), test.B, model.heads(), test.T);
    return out.str();
}

std::vector<uint8_t> head_mask(const Batch &b) {
    std::vector<uint8_t> m(b.outs.size());
    for (size_t i = 0; i < m.size(); ++i) m[i] = b.outs[i] >= 2;
    return m;
}

} // namespace

void mark_absent(nlohmann::json &rec) {
    for (auto it = rec.begin(); it != rec.end(); ++it)
        if (it->is_number_float() && it->get<double>() == -1.0) *it = nullptr;
}

void write_model_outputs(TrainModel &model, const TrainOptions &o, const TriggerData &train_data, const Batch &test,
                         const std::filesystem::path &dir, TrainResult &result) {
    const uint64_t seed = o.seed;
    const int T = train_data.options().seq_length, V = model.vocab();
    // Attention maps of the experiment sequences (x_exp in the code), TransformerLens hook names.
    const int n_exp = o.exp_sequences;
    if (n_exp > 0) {
        const Batch exp = train_data.gen_batch(seed, StreamPurpose::Experiment, 0, n_exp);
        std::vector<NpyArray> maps = model.attention_maps(exp);
        for (size_t l = 0; l < maps.size(); ++l) write_npy(dir / fmt::format("attn_layer{}.npy", l), maps[l]);
        write_npy(dir / "exp_tokens.npy", exp.x, {size_t(n_exp), size_t(T)});
        write_npy(dir / "exp_targets.npy", exp.y, {size_t(n_exp), size_t(T)});
        write_npy(dir / "exp_outs.npy", exp.outs, {size_t(n_exp), size_t(T)});
        result.attn_layer0 = maps[0];
        if (maps.size() > 1) result.attn_layer1 = maps[1];
        result.exp_tokens = exp.x;
        result.exp_outs = exp.outs;
    }
    if (!o.capture.empty()) {
        // The final model on the fixed test batch, before any ablation.
        nn::ActivationCapture cap(o.capture);
        model.capture(test, cap);
        cap.write(dir / "activations");
    }
    if (o.ablate_layer >= 0) {
        // The final model on the test batch, whole and with one head's output removed.
        nlohmann::json &a = result.ablation;
        a["layer"] = o.ablate_layer;
        a["head"] = o.ablate_head;
        a["mode"] = o.ablation_both ? "both" : o.ablation == nn::Ablation::Mean ? "mean" : "zero";
        const float *lg = model.eval_logits(test);
        a["acc_end_test"] = in_context_accuracy(test, lg, V);
        a["loss_bigram_test"] = global_loss(test, lg, V);
        const std::vector<std::pair<nn::Ablation, std::string>> modes =
            o.ablation_both ? std::vector<std::pair<nn::Ablation, std::string>>{{nn::Ablation::Zero, "_zero"},
                                                                                {nn::Ablation::Mean, "_mean"}}
                            : std::vector<std::pair<nn::Ablation, std::string>>{{o.ablation, ""}};
        for (const auto &[mode, suffix] : modes) {
            model.ablate_head(o.ablate_layer, o.ablate_head, mode);
            lg = model.eval_logits(test);
            a["acc_end_test_ablated" + suffix] = in_context_accuracy(test, lg, V);
            a["loss_bigram_test_ablated" + suffix] = global_loss(test, lg, V);
        }
        mark_absent(a);
        write_file_atomic(dir / "ablation.json", a.dump(2) + "\n");
    }
}

TrainResult train(const TrainOptions &o, const std::filesystem::path &dir, Progress *progress,
                  const std::filesystem::path &checkpoint_store) {
    const CharStats &stats = shakespeare_stats();
    const uint64_t seed = o.seed;
    const TriggerData train_data(stats, o.train_data);
    TriggerData test_data(stats, o.test_data);
    const int B = o.batch_size, T = o.train_data.seq_length;
    const std::unique_ptr<TrainModel> model = make_train_model(o.model, seed, B, T);
    const int V = model->vocab();
    // wo1_acc runs over the tokens that can be outputs in training (the official n_train_toks)
    const int n_out = o.train_data.split == OutputSplit::All ? V : split_point(V);
    const int64_t iters = o.max_iters, eval_delta = o.eval_delta;
    const bool head_only = o.loss_head_only;
    const nn::FreezeSchedule freeze = nn::FreezeSchedule::parse(o.freeze_until);
    freeze.apply(model->params(), 0); // validates the names before any work
    std::unique_ptr<nn::Optimizer> opt;
    if (o.optimizer == "sgd") {
        opt = std::make_unique<nn::Sgd>(model->params(), o.sgd);
    } else {
        opt = std::make_unique<nn::AdamW>(model->params(), o.adamw);
    }
    // The fixed test batch (default_rng(0) in the code) shares the trigger list with the train set.
    const Batch test = test_data.gen_batch(seed, StreamPurpose::Test, 0, o.test_batch_size);
    // Fig 4 (center) needs both test output laws for one training law: one run evaluates both instead of
    // training the same model twice (the training stream does not depend on the test law).
    const bool both = o.test_both_outs;
    // The other law's batch; the configured law's value is acc_end_test itself.
    const bool test_bigram = o.test_data.bigram_outs;
    Batch other_test;
    if (both) {
        DataOptions d = o.test_data;
        d.bigram_outs = !test_bigram;
        other_test = TriggerData(stats, d).gen_batch(seed, StreamPurpose::Test, 0, test.B);
    }

    TrainResult result;
    // Resume from a checkpoint of the same config: weights, optimiser state, data position, metrics so far.
    std::optional<nn::CheckpointStore> store;
    int64_t it0 = 0;
    std::string metrics_text, heads_text = nn::heads_csv_header() + "\n";
    if (o.checkpoint_every > 0) {
        if (checkpoint_store.empty()) throw UsageError("birth train: checkpoints need an output directory");
        store.emplace(checkpoint_store, o.record);
        if (auto ck = store->load(model->params(), *opt)) {
            it0 = ck->next_iter;
            metrics_text = std::move(ck->texts["metrics"]);
            // (a checkpoint written before heads.csv existed has none)
            if (!ck->texts["heads"].empty()) heads_text = std::move(ck->texts["heads"]);
            size_t pos = 0;
            for (size_t nl; (nl = metrics_text.find('\n', pos)) != std::string::npos; pos = nl + 1)
                result.records.push_back(nlohmann::json::parse(metrics_text.substr(pos, nl - pos)));
            if (progress) progress->resumed(uint64_t(it0));
            result.resumed_from = it0;
        }
    }
    std::ofstream jsonl(dir / "metrics.jsonl");
    if (!jsonl) throw RuntimeError("cannot write " + (dir / "metrics.jsonl").string());
    jsonl << metrics_text;
    std::ofstream heads_csv(dir / "heads.csv");
    if (!heads_csv) throw RuntimeError("cannot write " + (dir / "heads.csv").string());
    heads_csv << heads_text;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t it = it0; it < iters; ++it) {
        freeze.apply(model->params(), it);
        const Batch batch = train_data.gen_batch(seed, StreamPurpose::Train, uint64_t(it), B);
        const std::vector<uint8_t> mask = head_only ? head_mask(batch) : std::vector<uint8_t>{};
        model->params().zero_grad();
        const float loss = model->forward(batch, head_only ? mask.data() : nullptr);
        if (!std::isfinite(loss))
            throw RuntimeError(fmt::format("birth train: non-finite loss {} at iteration {}", loss, it));
        const bool log = it % eval_delta == 0 || it == iters - 1;
        nlohmann::json rec;
        if (log) {
            rec["iter"] = it;
            rec["loss"] = loss;
            batch_metrics(batch, model->view(), V, rec); // pre-step logits of this batch
        }
        model->backward();
        opt->step();
        if (log) {
            // After the step, as the official code logs them: norm_<param> of the updated weights and
            // gradnorm_<param> of this step's gradient (the optimisers leave the gradient as it was).
            add_norms(model->params(), rec);
            rec["acc_end_test"] = in_context_accuracy(test, model->eval_logits(test), V);
            const std::string rows = head_rows(*model, test, it); // the patterns of that forward
            heads_csv << rows;
            heads_csv.flush();
            if (store) heads_text += rows;
            if (both) {
                const double other = in_context_accuracy(other_test, model->eval_logits(other_test), V);
                rec["acc_end_test_unif"] = test_bigram ? other : rec["acc_end_test"].get<double>();
                rec["acc_end_test_bigram"] = test_bigram ? rec["acc_end_test"].get<double>() : other;
            }
            add_probes(model->probes(train_data.fixed_triggers(), stats, n_out), rec);
            mark_absent(rec);
            const std::string line = rec.dump() + '\n';
            jsonl << line;
            jsonl.flush();
            if (store) metrics_text += line;
            result.records.push_back(std::move(rec));
        }
        const int64_t done = it + 1;
        if (store && done < iters && (done % o.checkpoint_every == 0 || done == o.stop_after))
            store->save(nn::TrainCheckpoint{done, {{"metrics", metrics_text}, {"heads", heads_text}}}, model->params(),
                        *opt);
        if (o.stop_after > 0 && done == o.stop_after && done < iters)
            throw RuntimeError(fmt::format("birth train: stopped after {} iterations (birth.train.stop_after); the "
                                           "same command resumes from {}",
                                           done, store->dir().string()));
        if (progress) progress->add(1);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!jsonl) throw RuntimeError("write failed: " + (dir / "metrics.jsonl").string());
    if (!heads_csv) throw RuntimeError("write failed: " + (dir / "heads.csv").string());

    model->params().save_npz(dir / "params.npz");
    write_model_outputs(*model, o, train_data, test, dir, result);
    if (store) store->remove(); // the run is complete: nothing left to resume
    return result;
}

} // namespace tdlab::birth
