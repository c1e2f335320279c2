#include "birth/theory.h"

#include "birth/char_stats.h"
#include "birth/param_matrix.h"
#include "birth/probes.h"
#include "core/atomic_file.h"
#include "core/error.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::birth {
namespace {

nn::Parameter &param(SimplifiedModel &m, TheoryMatrix which) {
    switch (which) {
    case TheoryMatrix::WO2: return m.WO(1);
    case TheoryMatrix::WK2: return m.WK(1);
    default: return m.WK(0);
    }
}

// Sequences [b0, b0 + n) of `batch` as their own batch (chunked forward passes).
Batch slice(const Batch &batch, int b0, int n) {
    Batch s;
    s.B = n, s.T = batch.T, s.K = batch.K;
    const auto rows = [&](const std::vector<int32_t> &v, size_t width) {
        return std::vector<int32_t>(v.begin() + ptrdiff_t(size_t(b0) * width),
                                    v.begin() + ptrdiff_t(size_t(b0 + n) * width));
    };
    s.x = rows(batch.x, size_t(batch.T));
    s.y = rows(batch.y, size_t(batch.T));
    s.outs = rows(batch.outs, size_t(batch.T));
    s.triggers = rows(batch.triggers, size_t(batch.K));
    s.outputs = rows(batch.outputs, size_t(batch.K));
    return s;
}

std::vector<uint8_t> in_context_mask(const Batch &b, size_t &count) {
    std::vector<uint8_t> m(b.outs.size());
    count = 0;
    for (size_t i = 0; i < m.size(); ++i) count += (m[i] = b.outs[i] >= 2);
    return m;
}

// Calls fn(chunk, mask, count) for each chunk of `chunk` sequences that has in-context positions (mask:
// outs >= 2, count: its number of ones). Gradients and metrics weight each chunk's mean by its count.
template <typename Fn> void for_each_chunk(const Batch &batch, int chunk, Fn fn) {
    for (int b0 = 0; b0 < batch.B; b0 += chunk) {
        const Batch s = slice(batch, b0, chunk);
        size_t count = 0;
        const std::vector<uint8_t> mask = in_context_mask(s, count);
        if (count > 0) fn(s, mask, count);
    }
}

double rms(const MatD &m) {
    return std::sqrt(m.squaredNorm() / double(m.size()));
}

} // namespace

const char *theory_matrix_name(TheoryMatrix m) {
    switch (m) {
    case TheoryMatrix::WO2: return "W_O^2";
    case TheoryMatrix::WK2: return "W_K^2";
    default: return "W_K^1";
    }
}

TopDownSteps::TopDownSteps(const TheoryOptions &opt)
    : opt_(opt), data_(shakespeare_stats(), opt.data), model_(opt.model) {
    if (!opt.data.fixed_triggers || opt.data.k < 1)
        throw UsageError("birth theory: the three steps need fixed triggers (birth.data.k >= 1)");
    if (opt.chunk < 1 || opt.batch_size % opt.chunk != 0 || opt.eval_batch_size % opt.chunk != 0)
        throw UsageError(fmt::format("config key 'birth.theory.chunk' = {} must divide 'birth.theory.batch_size' = {} "
                                     "and 'birth.theory.eval_batch_size' = {}",
                                     opt.chunk, opt.batch_size, opt.eval_batch_size));
    model_.init(opt.seed);
    reset();
    population_ = data_.gen_batch(opt.seed, StreamPurpose::Train, 0, opt.batch_size);
    held_out_ = data_.gen_batch(opt.seed, StreamPurpose::Test, 0, opt.eval_batch_size);
    acts_ = model_.make_activations(opt.chunk, opt.data.seq_length);
}

std::vector<double> TopDownSteps::population_gradient(TheoryMatrix which) {
    // Only the chosen matrix asks for a gradient, so the backward pass stops as early as it can.
    for (auto &p : model_.params().all()) p.requires_grad = false;
    nn::Parameter &target = param(model_, which);
    target.requires_grad = true;
    std::vector<double> grad(target.size, 0.0);
    size_t total = 0;
    // Each chunk's loss is the mean over its own in-context positions; weighting its gradient by that
    // count gives the gradient of the mean over the whole batch.
    for_each_chunk(population_, opt_.chunk, [&](const Batch &s, const std::vector<uint8_t> &mask, size_t count) {
        model_.params().zero_grad();
        model_.forward(acts_, s.x.data(), s.y.data(), mask.data());
        model_.backward(acts_);
        for (size_t i = 0; i < grad.size(); ++i) grad[i] += double(count) * double(target.grad[i]);
        total += count;
    });
    if (total == 0) throw RuntimeError("birth theory: the population batch has no in-context position");
    for (double &g : grad) g /= double(total);
    for (auto &p : model_.params().all()) p.requires_grad = p.trainable;
    return grad;
}

void TopDownSteps::reset() {
    for (TheoryMatrix m : {TheoryMatrix::WO2, TheoryMatrix::WK2, TheoryMatrix::WK1}) {
        nn::Parameter &p = param(model_, m);
        std::fill(p.value, p.value + p.size, 0.0f);
    }
}

void TopDownSteps::set_from_gradient(TheoryMatrix which, const std::vector<double> &g, double eta) {
    reset();
    nn::Parameter &p = param(model_, which);
    for (size_t i = 0; i < p.size; ++i) p.value[i] = float(-eta * g[i]);
}

std::vector<double> TopDownSteps::step(TheoryMatrix which, double eta) {
    std::vector<double> g = population_gradient(which);
    nn::Parameter &p = param(model_, which);
    for (size_t i = 0; i < p.size; ++i) p.value[i] = float(double(p.value[i]) - eta * g[i]);
    return g;
}

nlohmann::json TopDownSteps::record(const std::string &step_name) {
    nlohmann::json rec;
    rec["step"] = step_name;
    const int V = model_.options().vocab;
    double correct = 0, loss = 0, score2 = 0;
    size_t total = 0;
    for_each_chunk(held_out_, opt_.chunk, [&](const Batch &s, const std::vector<uint8_t> &mask, size_t count) {
        loss += double(count) * model_.forward(acts_, s.x.data(), s.y.data(), mask.data());
        correct += double(count) * in_context_accuracy(s, acts_.logits, V);
        // score2_acc averages over the same in-context positions: does layer 2 attend right after an
        // earlier occurrence of the current token?
        nlohmann::json m;
        batch_metrics(s, acts_, V, m);
        score2 += double(count) * m["score2_acc"].get<double>();
        total += count;
    });
    rec["acc_end"] = total ? correct / double(total) : -1.0;
    rec["loss_head"] = total ? loss / double(total) : -1.0;
    rec["score2_acc"] = total ? score2 / double(total) : -1.0;
    add_probes(memory_probes(model_, triggers(), shakespeare_stats()), rec);
    rec.erase("ff1_loss"); // no W_F in the theory's model
    rec["wo2_diag_z"] = wo2_diagonal_z(model_);
    rec["wk2_margin"] = wk2_margin(model_, triggers());
    const int n = std::min(256, model_.options().max_length);
    const std::vector<double> m = wk1_margins(model_, n);
    double early = 0, late = 0;
    int ne = 0, nl = 0;
    for (size_t t = 1; t < m.size(); ++t) (t < 64 ? (early += m[t], ++ne) : (late += m[t], ++nl));
    rec["wk1_margin_lt64"] = ne ? early / ne : -1.0;
    rec["wk1_margin_ge64"] = nl ? late / nl : -1.0;
    return rec;
}

double wo2_diagonal_z(const SimplifiedModel &model) {
    const MatD M = output_readout(model); // (N, N): column k = readout of input token k
    const Eigen::Index N = M.rows();
    double z = 0;
    for (Eigen::Index k = 0; k < N; ++k) {
        double mean = 0, sq = 0;
        for (Eigen::Index j = 0; j < N; ++j)
            if (j != k) mean += M(j, k), sq += M(j, k) * M(j, k);
        mean /= double(N - 1);
        const double sd = std::sqrt(std::max(sq / double(N - 1) - mean * mean, 0.0));
        z += sd > 0 ? (M(k, k) - mean) / sd : 0.0;
    }
    return z / double(N);
}

double wk2_margin(const SimplifiedModel &model, const std::vector<int> &triggers) {
    const MatD W = trigger_key_scores(model);
    const Eigen::Index K = Eigen::Index(triggers.size());
    if (K < 2) return -1.0;
    MatD A(K, K);
    for (Eigen::Index a = 0; a < K; ++a)
        for (Eigen::Index b = 0; b < K; ++b) A(a, b) = W(triggers[size_t(a)], triggers[size_t(b)]);
    const double r = rms(A);
    if (r == 0) return 0.0;
    double sum = 0;
    for (Eigen::Index a = 0; a < K; ++a) {
        double best = -INFINITY;
        for (Eigen::Index b = 0; b < K; ++b)
            if (b != a) best = std::max(best, A(a, b));
        sum += (A(a, a) - best) / r;
    }
    return sum / double(K);
}

std::vector<double> wk1_margins(const SimplifiedModel &model, int n) {
    const MatD S = position_key_scores(model, n); // S(t, s) = P[t]^T W_K^1 P[s]
    const double r = rms(S);
    std::vector<double> m(size_t(n), 0.0);
    if (r == 0) return m;
    for (int t = 1; t < n; ++t) {
        double best = -INFINITY;
        for (int s = 0; s <= n - 2; ++s)
            if (s != t - 1) best = std::max(best, S(t, s));
        m[size_t(t)] = (S(t, t - 1) - best) / r;
    }
    return m;
}

std::vector<nlohmann::json> run_top_down(const TheoryOptions &opt, double scale) {
    TopDownSteps st(opt);
    std::vector<nlohmann::json> out{st.record("init")};
    st.step(TheoryMatrix::WO2, scale * opt.eta_wo2);
    out.push_back(st.record("W_O^2"));
    st.step(TheoryMatrix::WK2, scale * opt.eta_wk2);
    out.push_back(st.record("W_K^2"));
    st.step(TheoryMatrix::WK1, scale * opt.eta_wk1);
    out.push_back(st.record("W_K^1"));
    return out;
}

void scale_memories(SimplifiedModel &model, double lambda) {
    for (TheoryMatrix m : {TheoryMatrix::WO2, TheoryMatrix::WK2, TheoryMatrix::WK1}) {
        nn::Parameter &p = param(model, m);
        for (size_t i = 0; i < p.size; ++i) p.value[i] = float(lambda * double(p.value[i]));
    }
}

ConfigSchema theory_schema() {
    ConfigSchema s;
    s.add_int("birth.seed", 0, 0, int64_t(1) << 62, "seed of the initialisation and of the data streams")
        .add_int("birth.data.k", 5, 1, 65, "number of fixed triggers K")
        .add_int("birth.data.trigger_offset", 0, 0, 64, "fixed triggers skip this many most frequent tokens")
        .add_int("birth.data.seq_length", 256, 2, 4096, "T (also the rows of P)")
        .add_bool("birth.model.no_sqrtd", false, "drop the 1/sqrt(d) attention scaling")
        .add_bool("birth.model.sqrtd_embeddings", false, "E, P ~ N(0, 1/d) instead of N(0, 1)")
        .add_int_list("birth.theory.dims", "[32, 64, 128]", "embedding dimensions d (one curve each)")
        .add_int("birth.theory.batch_size", 512, 1, 1 << 20, "sequences of the population batch")
        .add_int("birth.theory.eval_batch_size", 256, 1, 1 << 20, "held-out sequences for acc_end")
        .add_int("birth.theory.chunk", 32, 1, 1 << 20, "sequences per forward pass (divides both batch sizes)")
        .add_double("birth.theory.eta_wo2", TheoryOptions{}.eta_wo2, 0.0, 1e12, "step size of the W_O^2 step")
        .add_double("birth.theory.eta_wk2", TheoryOptions{}.eta_wk2, 0.0, 1e12, "step size of the W_K^2 step")
        .add_double("birth.theory.eta_wk1", TheoryOptions{}.eta_wk1, 0.0, 1e12, "step size of the W_K^1 step")
        .add_double_list("birth.theory.scales", "[0.1, 0.3, 1, 3, 10]",
                         "multipliers of the three step sizes (the figure's x axis)")
        .add_double_list("birth.theory.temperatures", "[1, 2, 4, 8, 16]",
                         "factors on the three memories after the steps at multiplier 1");
    return s;
}

TheorySweep theory_sweep_from(const Config &cfg) {
    TheorySweep w;
    TheoryOptions &o = w.base;
    o.seed = uint64_t(cfg.get_int("birth.seed"));
    o.data.k = int(cfg.get_int("birth.data.k"));
    o.data.fixed_triggers = true;
    o.data.trigger_offset = int(cfg.get_int("birth.data.trigger_offset"));
    o.data.seq_length = int(cfg.get_int("birth.data.seq_length"));
    o.model.vocab = shakespeare_stats().N;
    o.model.max_length = o.data.seq_length;
    o.model.no_sqrtd = cfg.get_bool("birth.model.no_sqrtd");
    o.model.sqrtd_embeddings = cfg.get_bool("birth.model.sqrtd_embeddings");
    o.batch_size = int(cfg.get_int("birth.theory.batch_size"));
    o.eval_batch_size = int(cfg.get_int("birth.theory.eval_batch_size"));
    o.chunk = int(cfg.get_int("birth.theory.chunk"));
    o.eta_wo2 = cfg.get_double("birth.theory.eta_wo2");
    o.eta_wk2 = cfg.get_double("birth.theory.eta_wk2");
    o.eta_wk1 = cfg.get_double("birth.theory.eta_wk1");
    if (o.data.k + o.data.trigger_offset > o.model.vocab)
        throw UsageError(fmt::format("config keys 'birth.data.k' = {} + 'birth.data.trigger_offset' = {} exceed the "
                                     "vocabulary ({})",
                                     o.data.k, o.data.trigger_offset, o.model.vocab));
    if (o.batch_size % o.chunk != 0 || o.eval_batch_size % o.chunk != 0)
        throw UsageError(fmt::format("config key 'birth.theory.chunk' = {} must divide 'birth.theory.batch_size' = {} "
                                     "and 'birth.theory.eval_batch_size' = {}",
                                     o.chunk, o.batch_size, o.eval_batch_size));
    for (int64_t d : cfg.get_int_list("birth.theory.dims")) {
        if (d < 1 || d > 8192)
            throw UsageError(fmt::format("config key 'birth.theory.dims': {} is not in [1, 8192]", d));
        w.dims.push_back(int(d));
    }
    w.scales = cfg.get_double_list("birth.theory.scales");
    w.temperatures = cfg.get_double_list("birth.theory.temperatures");
    for (const auto &[key, list] :
         {std::pair<const char *, const std::vector<double> *>{"birth.theory.scales", &w.scales},
          {"birth.theory.temperatures", &w.temperatures}})
        for (double v : *list)
            if (!(v > 0) || !std::isfinite(v))
                throw UsageError(fmt::format("config key '{}': {} is not a positive number", key, v));
    if (w.dims.empty() || w.scales.empty())
        throw UsageError("config keys 'birth.theory.dims' and 'birth.theory.scales' must not be empty");
    return w;
}

uint64_t theory_sweep_gradients(const TheorySweep &w) {
    // per d: the W_O^2 gradient once, two per scale, two more for the temperature pass
    return uint64_t(w.dims.size()) * (1 + 2 * w.scales.size() + (w.temperatures.empty() ? 0 : 2));
}

std::vector<nlohmann::json> run_theory_sweep(const TheorySweep &w, Progress *progress) {
    std::vector<nlohmann::json> out;
    auto tick = [&] {
        if (progress) progress->add(1);
    };
    for (int d : w.dims) {
        TheoryOptions o = w.base;
        o.model.dim = d;
        TopDownSteps st(o);
        auto tagged = [&](nlohmann::json rec, double scale, double temperature) {
            rec["d"] = d, rec["scale"] = scale, rec["temperature"] = temperature;
            return rec;
        };
        const nlohmann::json init = st.record("init");
        const std::vector<double> g_wo2 = st.population_gradient(TheoryMatrix::WO2);
        tick();
        // The steps at multiplier s; the W_O^2 step from zero only needs the gradient above.
        auto steps = [&](double s, bool keep) {
            st.set_from_gradient(TheoryMatrix::WO2, g_wo2, s * o.eta_wo2);
            if (keep) out.push_back(tagged(init, s, 1.0)), out.push_back(tagged(st.record("W_O^2"), s, 1.0));
            st.step(TheoryMatrix::WK2, s * o.eta_wk2);
            tick();
            if (keep) out.push_back(tagged(st.record("W_K^2"), s, 1.0));
            st.step(TheoryMatrix::WK1, s * o.eta_wk1);
            tick();
            if (keep) out.push_back(tagged(st.record("W_K^1"), s, 1.0));
        };
        for (double s : w.scales) steps(s, true);
        if (w.temperatures.empty()) continue;
        steps(1.0, false);
        double applied = 1.0;
        for (double lambda : w.temperatures) {
            scale_memories(st.model(), lambda / applied);
            applied = lambda;
            out.push_back(tagged(st.record("scaled"), 1.0, lambda));
        }
    }
    return out;
}

void write_theory_outputs(const std::filesystem::path &dir, const std::vector<nlohmann::json> &records) {
    static const char *cols[] = {
        "d",         "scale",   "temperature", "step",       "acc_end",    "loss_head",       "wo1_acc",
        "wk1_acc",   "wk0_acc", "wk0_64_acc",  "wo2_diag_z", "wk2_margin", "wk1_margin_lt64", "wk1_margin_ge64",
        "score2_acc"};
    std::string jsonl, csv;
    for (const char *c : cols) csv += std::string(csv.empty() ? "" : ",") + c;
    csv += "\n";
    for (const auto &r : records) {
        jsonl += r.dump() + "\n";
        std::string line;
        for (const char *c : cols) {
            line += line.empty() && c == cols[0] ? "" : ",";
            if (!r.contains(c)) continue;
            line += r[c].is_string() ? r[c].get<std::string>() : r[c].dump();
        }
        csv += line + "\n";
    }
    write_file_atomic(dir / "theory.jsonl", jsonl);
    write_file_atomic(dir / "theory.csv", csv);
}

} // namespace tdlab::birth
