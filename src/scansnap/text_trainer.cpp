#include "scansnap/text_trainer.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/paths.h"
#include "nn/checkpoint_store.h"
#include "nn/grad_clip.h"
#include "nn/optimizer.h"
#include "scansnap/text_corpus.h"
#include "scansnap/text_metrics.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace tdlab::scansnap {

namespace fs = std::filesystem;

ConfigSchema text_schema() {
    ConfigSchema s;
    s.add_string("data.train_path", "scansnap/brown.txt", {},
                 "training text (a relative path: the current directory, then tdlab's data/)")
        .add_string("data.valid_path", "scansnap/wikitext-2/valid.txt", {},
                    "validation text, OOV words -> <unk> (a relative path: the current directory, then data/)")
        .add_int("data.train_tokens", 0, 0, int64_t(1) << 40,
                 "keep this prefix of the training tokens before building the vocabulary (0 = all)")
        .add_int("data.valid_tokens", 0, 0, int64_t(1) << 40, "keep this prefix of the validation tokens (0 = all)")
        .add_bool("data.cache", true, "cache tokenised texts in $TDLAB_CACHE_DIR or $XDG_CACHE_HOME/tdlab")
        .add_int("model.nlayers", 1, 1, 64, "post-LN encoder layers")
        .add_int("model.d_model", 200, 2, 4096, "embedding width (even)")
        .add_int("model.d_hid", 200, 1, 16384, "FFN hidden width")
        .add_int("model.nhead", 1, 1, 64, "attention heads")
        .add_double("model.dropout", 0.3, 0.0, 0.99, "dropout probability (every site)")
        .add_double("train.lr", 5.0, 0.0, 1e6, "SGD learning rate of everything but the FFN")
        .add_double("train.lr_ffn", 10.0, 0.0, 1e6, "SGD learning rate of linear1/linear2 (weights and biases)")
        .add_double("train.clip", 0.5, 0.0, 1e9, "gradient-norm clipping bound (0 = none)")
        .add_int("train.batch", 20, 1, 100000, "training columns")
        .add_int("train.eval_batch", 10, 1, 100000, "validation columns")
        .add_int("train.bptt", 35, 2, 4096, "sequence length of a chunk")
        .add_int("train.niter", 1500, 0, int64_t(1) << 30, "training steps (one chunk each)")
        .add_int("train.eval_every", 100, 1, int64_t(1) << 30, "steps between checkpoints")
        .add_int("train.attn_row", 3500, 0, int64_t(1) << 40, "first row of the fixed attention chunk")
        .add_int("train.attn_col", 0, 0, 100000, "column of the fixed attention chunk")
        .add_int("train.stop_after", 0, 0, int64_t(1) << 30,
                 "test hook: stop with an error after this many steps, leaving the checkpoint (0 = never)")
        .add_int("seed", 1, 0, int64_t(1) << 62, "seed of the initialisation and the dropout masks");
    return s;
}

namespace {
std::string resolve_text(const Config &cfg, const std::string &key) {
    const std::string v = cfg.get_string(key);
    std::error_code ec;
    // The user's own file first: a relative path names a file under the current directory if there is one
    // (a new user's ./README.md was silently replaced by the shipped data/README.md), else a shipped text
    // under data/ (the configs' scansnap/brown.txt). The manifest records the path used.
    if (fs::is_regular_file(v, ec)) return fs::absolute(v).lexically_normal().string();
    const fs::path in_data = data_dir() / v;
    if (fs::path(v).is_relative() && fs::is_regular_file(in_data, ec)) return in_data.lexically_normal().string();
    throw UsageError(fmt::format("config key '{}' = '{}': no such file (looked in the current directory and {})", key,
                                 v, data_dir().string()));
}
} // namespace

TextRunParams text_params_from(const Config &cfg) {
    TextRunParams p;
    p.train_path = resolve_text(cfg, "data.train_path");
    p.valid_path = resolve_text(cfg, "data.valid_path");
    p.train_tokens = cfg.get_int("data.train_tokens");
    p.valid_tokens = cfg.get_int("data.valid_tokens");
    p.cache = cfg.get_bool("data.cache");
    p.model.n_layers = int(cfg.get_int("model.nlayers"));
    p.model.dim = int(cfg.get_int("model.d_model"));
    p.model.ffn_hidden = int(cfg.get_int("model.d_hid"));
    p.model.n_heads = int(cfg.get_int("model.nhead"));
    p.model.dropout = float(cfg.get_double("model.dropout"));
    if (p.model.dim % 2 != 0 || p.model.dim % p.model.n_heads != 0)
        throw UsageError(
            fmt::format("config key 'model.d_model' = {} must be even and a multiple of 'model.nhead' = {}",
                        p.model.dim, p.model.n_heads));
    p.lr = cfg.get_double("train.lr");
    p.lr_ffn = cfg.get_double("train.lr_ffn");
    p.clip = cfg.get_double("train.clip");
    p.batch = int(cfg.get_int("train.batch"));
    p.eval_batch = int(cfg.get_int("train.eval_batch"));
    p.bptt = int(cfg.get_int("train.bptt"));
    p.niter = int(cfg.get_int("train.niter"));
    p.eval_every = int(cfg.get_int("train.eval_every"));
    p.attn_row = cfg.get_int("train.attn_row");
    p.attn_col = int(cfg.get_int("train.attn_col"));
    if (p.attn_col >= p.batch)
        throw UsageError(
            fmt::format("config key 'train.attn_col' = {} must be < 'train.batch' = {}", p.attn_col, p.batch));
    p.seed = uint64_t(cfg.get_int("seed"));
    p.stop_after = cfg.get_int("train.stop_after");
    // the checkpoint key: neither the stop nor the token cache changes the result
    Config key = cfg;
    key.set("train.stop_after", "0", "checkpoint key");
    key.set("data.cache", "true", "checkpoint key");
    p.record = key.to_yaml();
    return p;
}

namespace {
double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Validation loss and per-layer attention entropy, dropout off.
void evaluate(const nn::WordLm &m, nn::WordLmWorkspace &ws, const Batched &valid, int bptt, TextCheckpoint &ck) {
    const int64_t n = full_chunks(valid, bptt);
    const int L = m.config().n_layers;
    std::vector<int32_t> tok(size_t(ws.B) * bptt), tgt(tok.size());
    double loss = 0.0;
    ck.entropy.assign(size_t(L), 0.0);
    for (int64_t k = 0; k < n; ++k) {
        chunk(valid, k, bptt, tok.data(), tgt.data());
        loss += m.forward(ws, tok.data(), tgt.data(), false);
        for (int l = 0; l < L; ++l) {
            const int NH = m.config().n_heads;
            // heads averaged as torch's need_weights does: entropy of the mean map
            std::vector<float> mean(size_t(ws.B) * bptt * bptt, 0.0f);
            const float *a = m.pattern(ws, l);
            for (int b = 0; b < ws.B; ++b)
                for (int h = 0; h < NH; ++h)
                    for (size_t i = 0; i < size_t(bptt) * bptt; ++i)
                        mean[size_t(b) * bptt * bptt + i] += a[(size_t(b) * NH + h) * bptt * bptt + i] / float(NH);
            ck.entropy[size_t(l)] += attention_entropy(mean.data(), ws.B, bptt);
        }
    }
    ck.valid_loss = loss / double(n);
    for (auto &e : ck.entropy) e /= double(n);
}

void fixed_maps(const nn::WordLm &m, nn::WordLmWorkspace &ws1, const std::vector<int32_t> &seq, TextCheckpoint &ck) {
    const int L = m.config().n_layers, NH = m.config().n_heads, T = ws1.T;
    m.forward(ws1, seq.data(), nullptr, false);
    ck.maps.assign(size_t(L) * T * T, 0.0f);
    for (int l = 0; l < L; ++l) {
        const float *a = m.pattern(ws1, l);
        for (int h = 0; h < NH; ++h)
            for (size_t i = 0; i < size_t(T) * T; ++i) ck.maps[size_t(l) * T * T + i] += a[size_t(h) * T * T + i] / NH;
    }
}

nlohmann::json num_or_null(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

void write_outputs(const fs::path &dir, const TextRunParams &p, const std::vector<TextCheckpoint> &cks) {
    std::string jl, ent = "iter,layer,entropy\n", frz = "iter,layer,tv_change,argmax_same,argmax_frozen,row_max\n";
    const int L = p.model.n_layers, T = p.bptt;
    for (const auto &c : cks) {
        nlohmann::json j;
        j["iter"] = c.iter;
        j["train_loss"] = num_or_null(c.train_loss);
        j["valid_loss"] = c.valid_loss;
        j["valid_ppl"] = std::exp(c.valid_loss);
        j["lr"] = p.lr;
        j["grad_norm"] = num_or_null(c.grad_norm);
        jl += j.dump() + "\n";
        for (int l = 0; l < L; ++l) ent += fmt::format("{},{},{:.9g}\n", c.iter, l, c.entropy[size_t(l)]);
    }
    for (int l = 0; l < L; ++l) {
        std::vector<std::vector<float>> maps;
        for (const auto &c : cks)
            maps.emplace_back(c.maps.begin() + long(l) * T * T, c.maps.begin() + long(l + 1) * T * T);
        const auto fs_ = freeze_stats(maps, T);
        for (size_t k = 0; k < cks.size(); ++k)
            frz += fmt::format("{},{},{:.9g},{:.9g},{:.9g},{:.9g}\n", cks[k].iter, l, fs_[k].tv_change,
                               fs_[k].argmax_same, fs_[k].argmax_frozen, fs_[k].row_max);
    }
    write_file_atomic(dir / "metrics.jsonl", jl);
    write_file_atomic(dir / "attention_entropy.csv", ent);
    write_file_atomic(dir / "freezing.csv", frz);
    fs::create_directories(dir / "attn");
    const auto &c = cks.back();
    write_npy(dir / "attn" / fmt::format("iter_{}.npy", c.iter), c.maps, {size_t(L), size_t(T), size_t(T)});
}

// The evaluations so far as JSON for a checkpoint, and back (floats and doubles round-trip exactly through
// nlohmann's shortest representation; NaN, at step 0, as null).
std::string checkpoints_json(const std::vector<TextCheckpoint> &cks) {
    nlohmann::json a = nlohmann::json::array();
    auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    for (const auto &c : cks)
        a.push_back({{"iter", c.iter},
                     {"train_loss", num(c.train_loss)},
                     {"grad_norm", num(c.grad_norm)},
                     {"valid_loss", num(c.valid_loss)},
                     {"entropy", c.entropy},
                     {"maps", c.maps}});
    return a.dump();
}

std::vector<TextCheckpoint> checkpoints_from_json(const std::string &text, const fs::path &store) {
    std::vector<TextCheckpoint> out;
    try {
        auto num = [](const nlohmann::json &x) {
            return x.is_null() ? std::numeric_limits<double>::quiet_NaN() : x.get<double>();
        };
        for (const auto &j : nlohmann::json::parse(text)) {
            TextCheckpoint c;
            c.iter = j.at("iter").get<int>();
            c.train_loss = num(j.at("train_loss"));
            c.grad_norm = num(j.at("grad_norm"));
            c.valid_loss = num(j.at("valid_loss"));
            c.entropy = j.at("entropy").get<std::vector<double>>();
            c.maps = j.at("maps").get<std::vector<float>>();
            out.push_back(std::move(c));
        }
    } catch (const nlohmann::json::exception &e) {
        throw UsageError(fmt::format("checkpoint store '{}': unreadable evaluations ({}); delete it to start over",
                                     store.string(), e.what()));
    }
    return out;
}
} // namespace

TextRunResult run_text(const TextRunParams &p, const fs::path &dir, const std::function<void(int)> &on_step,
                       const fs::path &checkpoint_store, const std::function<void(int64_t)> &on_resume) {
    TextRunResult r;
    const TextCorpus corpus = load_text_corpus(p.train_path, {p.valid_path}, p.train_tokens, p.valid_tokens, p.cache);
    const Batched train = batchify(corpus.train, p.batch), valid = batchify(corpus.evals[0], p.eval_batch);
    const int64_t nchunks = full_chunks(train, p.bptt);
    if (nchunks < 1)
        throw UsageError(fmt::format("training text '{}' has {} tokens: too few for one {} x {} chunk", p.train_path,
                                     corpus.train.size(), p.batch, p.bptt + 1));
    if (full_chunks(valid, p.bptt) < 1)
        throw UsageError(fmt::format("validation text '{}' has {} tokens: too few for one {} x {} chunk", p.valid_path,
                                     corpus.evals[0].size(), p.eval_batch, p.bptt + 1));
    if (p.attn_row + p.bptt > train.rows)
        throw UsageError(fmt::format("config key 'train.attn_row' = {}: the training stream has only {} rows",
                                     p.attn_row, train.rows));
    r.vocab = int(corpus.vocab.size());
    r.train_tokens = int64_t(corpus.train.size());
    r.valid_tokens = int64_t(corpus.evals[0].size());
    nn::WordLmConfig mc = p.model;
    mc.vocab = r.vocab;
    mc.max_len = std::max(p.bptt, 64);
    nn::WordLm model(mc);
    model.init(p.seed);
    nn::WordLmWorkspace ws(model, p.batch, p.bptt), ws_eval(model, p.eval_batch, p.bptt), ws_one(model, 1, p.bptt);
    nn::Sgd opt(model.params(), {p.lr, 0.0, 0.0}, {{"ffn", {"*.linear1.*", "*.linear2.*"}, p.lr_ffn, std::nullopt}});
    const std::vector<int32_t> fixed = column_chunk(train, p.attn_row, p.attn_col, p.bptt);
    std::vector<int32_t> tok(size_t(p.batch) * p.bptt), tgt(tok.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();

    auto checkpoint = [&](int iter, double loss_sum, double norm_sum, int steps) {
        const double t0 = now_s();
        TextCheckpoint ck;
        ck.iter = iter;
        ck.train_loss = steps > 0 ? loss_sum / steps : nan;
        ck.grad_norm = steps > 0 ? norm_sum / steps : nan;
        evaluate(model, ws_eval, valid, p.bptt, ck);
        fixed_maps(model, ws_one, fixed, ck);
        r.checkpoints.push_back(std::move(ck));
        write_outputs(dir, p, r.checkpoints);
        r.eval_seconds += now_s() - t0;
    };
    std::optional<nn::CheckpointStore> store;
    int it0 = 1;
    if (!checkpoint_store.empty()) {
        store.emplace(checkpoint_store, p.record);
        if (auto ck = store->load(model.params(), opt)) {
            r.checkpoints = checkpoints_from_json(ck->texts["checkpoints"], checkpoint_store);
            if (r.checkpoints.empty() || r.checkpoints.back().iter != ck->next_iter - 1)
                throw UsageError(fmt::format("checkpoint store '{}' is inconsistent (next step {}); delete it to "
                                             "start over",
                                             checkpoint_store.string(), ck->next_iter));
            it0 = int(ck->next_iter);
            r.resumed_from = it0 - 1;
            // the outputs so far, rewritten into this run's directory: every attn/iter_N.npy and the tables
            std::vector<TextCheckpoint> so_far;
            for (auto &c : r.checkpoints) {
                so_far.push_back(c);
                write_outputs(dir, p, so_far);
            }
            if (on_resume) on_resume(r.resumed_from);
        }
    }
    if (it0 == 1) checkpoint(0, 0.0, 0.0, 0);
    double loss_sum = 0.0, norm_sum = 0.0;
    int steps = 0;
    for (int it = it0; it <= p.niter; ++it) {
        const double t0 = now_s();
        chunk(train, (it - 1) % nchunks, p.bptt, tok.data(), tgt.data());
        model.params().zero_grad();
        const float loss = model.forward(ws, tok.data(), tgt.data(), true, p.seed, uint64_t(it));
        if (!std::isfinite(loss)) throw RuntimeError(fmt::format("text run: training loss is {} at step {}", loss, it));
        model.backward(ws);
        norm_sum += p.clip > 0.0 ? nn::clip_grad_norm(model.params(), p.clip) : nn::grad_norm(model.params());
        opt.step();
        loss_sum += loss;
        ++steps;
        r.train_seconds += now_s() - t0;
        if (it % p.eval_every == 0 || it == p.niter) {
            checkpoint(it, loss_sum, norm_sum, steps);
            loss_sum = norm_sum = 0.0;
            steps = 0;
            // (the step sums restart at an evaluation, so the parameters and the evaluations are the state)
            if (store && it < p.niter)
                store->save(nn::TrainCheckpoint{it + 1, {{"checkpoints", checkpoints_json(r.checkpoints)}}},
                            model.params(), opt);
        }
        if (on_step) on_step(it);
        if (p.stop_after > 0 && it == p.stop_after && it < p.niter)
            throw RuntimeError(fmt::format("scansnap text: stopped after {} steps (train.stop_after); the same "
                                           "command resumes from the last evaluation's checkpoint{}",
                                           it, store ? " in " + store->dir().string() : std::string(" (none kept)")));
    }
    if (store) store->remove(); // the run is complete: nothing left to resume
    r.tokens_per_second = r.train_seconds > 0 ? double(p.niter - it0 + 1) * p.batch * p.bptt / r.train_seconds : 0.0;
    return r;
}

} // namespace tdlab::scansnap
