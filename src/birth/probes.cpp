#include "birth/probes.h"

#include "birth/param_matrix.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace tdlab::birth {
namespace {

template <typename T> int argmax(const T *v, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i)
        if (v[i] > v[best]) best = i;
    return best;
}

struct Mean {
    double sum = 0, count = 0;
    void add(double v) { sum += v, count += 1; }
    double value() const { return count > 0 ? sum / count : -1.0; }
};

// -log softmax(logits)[y] in double (log-sum-exp), robust to fp32 probabilities underflowing.
double cross_entropy_at(const float *logits, int y, int V) {
    double m = logits[0];
    for (int j = 1; j < V; ++j) m = std::max<double>(m, logits[j]);
    double s = 0;
    for (int j = 0; j < V; ++j) s += std::exp(double(logits[j]) - m);
    return m + std::log(s) - double(logits[y]);
}

// R(W_K^1) over n positions from Q(t,s) = query(P[t]) . key(P[s]): argmax over keys s in {0..n-2} (no causal
// mask) == t-1; n is capped at Q's size.
double position_recall(const MatD &Q, int n) {
    n = std::min(n, int(Q.rows()));
    if (n < 2) return -1.0;
    int hits = 0;
    for (int t = 1; t < n; ++t) {
        Eigen::Index s;
        Q.row(t).head(n - 1).maxCoeff(&s);
        hits += int(s) == t - 1;
    }
    return double(hits) / double(n - 1);
}

// R over a set S of queries/keys from M(a,b) = query(a) . key(b): argmax over keys b in S == a (all N tokens
// if S is empty). One trigger: the argmax runs over one key and is 1 whatever the weights, so the probe
// says nothing; it is reported as absent (-1) rather than as a perfect recall.
// The query set of a key probe: the fixed triggers, or all N tokens when triggers are random (S empty).
std::vector<int> query_set(const MatD &M, std::vector<int> S) {
    if (S.empty())
        for (int k = 0; k < int(M.rows()); ++k) S.push_back(k);
    return S;
}

double key_recall(const MatD &M, const std::vector<int> &fixed) {
    const std::vector<int> S = query_set(M, fixed);
    int hits = 0;
    for (int a : S) {
        int best = S[0];
        for (int b : S)
            if (M(a, b) > M(a, best)) best = b;
        hits += best == a;
    }
    return S.size() < 2 ? -1.0 : double(hits) / double(S.size());
}

// The queries of S (all N tokens if empty) against ALL N keys (tdlab's addition, wk1_all_acc): with K fixed
// triggers key_recall is an argmax over K keys (chance 1/K), which a weak signal already wins; this one has
// wo1_acc's chance 1/N, so the rise times can be compared (docs/birth.md "What holds at which scale").
double key_recall_all(const MatD &M, const std::vector<int> &fixed) {
    const std::vector<int> S = query_set(M, fixed);
    int hits = 0;
    for (int a : S) {
        Eigen::Index b;
        M.row(a).maxCoeff(&b);
        hits += int(b) == a;
    }
    return double(hits) / double(S.size());
}

// (1/n) sum_k 1[argmax_j M(j,k) = k] over the first n columns of M (column k = output logits for token k).
double output_recall(const MatD &M, int n) {
    int hits = 0;
    for (int k = 0; k < n; ++k) {
        Eigen::Index j;
        M.col(k).maxCoeff(&j); // first maximum: lowest index on ties
        hits += int(j) == k;
    }
    return double(hits) / n;
}

// KL(pi_b(.|i) || softmax(Lg.col(i))) averaged over non-trigger tokens (batchmean), 0 log 0 = 0.
double bigram_kl(const MatD &Lg, const std::vector<int> &fixed, const CharStats &stats) {
    const int N = int(Lg.cols());
    double kl = 0;
    int count = 0;
    for (int i = 0; i < N; ++i) {
        if (std::find(fixed.begin(), fixed.end(), i) != fixed.end()) continue;
        const double m = Lg.col(i).maxCoeff();
        const double lse = m + std::log((Lg.col(i).array() - m).exp().sum());
        for (int j = 0; j < N; ++j) {
            const double p = stats.pi_b[size_t(i) * size_t(N) + size_t(j)];
            if (p > 0) kl += p * (std::log(p) - (Lg(j, i) - lse));
        }
        ++count;
    }
    return kl / count;
}

} // namespace

double in_context_accuracy(const Batch &batch, const float *logits, int V) {
    Mean acc;
    for (size_t i = 0; i < batch.x.size(); ++i)
        if (batch.outs[i] >= 2) acc.add(argmax(logits + i * size_t(V), V) == batch.y[i]);
    return acc.value();
}

double global_loss(const Batch &batch, const float *logits, int V) {
    Mean loss;
    for (size_t i = 0; i < batch.x.size(); ++i)
        if (batch.outs[i] == 0) loss.add(cross_entropy_at(logits + i * size_t(V), batch.y[i], V));
    return loss.value();
}

void batch_metrics(const Batch &batch, const ModelActivations &a, int V, nlohmann::json &out) {
    batch_metrics(batch, BatchView{a.logits, a.att1, a.att2, size_t(batch.T) * size_t(batch.T)}, V, out);
}

void batch_metrics(const Batch &batch, const BatchView &a, int V, nlohmann::json &out) {
    const int B = batch.B, T = batch.T;
    Mean loss_bigram, loss_head, acc_end, acc_tot, acc_start, repeat, score, score_start, score2, score2_next, pred_att,
        score_cond;
    for (int b = 0; b < B; ++b) {
        const float *att1 = a.att1 + size_t(b) * a.att_stride;
        const float *att2 = a.att2 ? a.att2 + size_t(b) * a.att_stride : nullptr;
        const int32_t *x = &batch.x[size_t(b) * size_t(T)], *y = &batch.y[size_t(b) * size_t(T)];
        const int32_t *outs = &batch.outs[size_t(b) * size_t(T)];
        for (int t = 0; t < T; ++t) {
            const float *lg = a.logits + (size_t(b) * size_t(T) + size_t(t)) * size_t(V);
            const int yhat = argmax(lg, V);
            if (outs[t] == 0) loss_bigram.add(cross_entropy_at(lg, y[t], V));
            if (outs[t] >= 1) {
                acc_tot.add(yhat == y[t]);
                if (t < 10) acc_start.add(yhat == y[t]);
                repeat.add(x[t] == y[t]);
                if (t <= T - 2) {
                    const bool hit = argmax(att1 + size_t(t + 1) * size_t(T), t + 2) == t;
                    score.add(hit);
                    if (outs[t] == 1) score_start.add(hit);
                }
            }
            if (outs[t] >= 2) {
                loss_head.add(cross_entropy_at(lg, y[t], V));
                acc_end.add(yhat == y[t]);
                if (!att2) continue;
                const int s = argmax(att2 + size_t(t) * size_t(T), t + 1);
                score2.add(s >= 1 && x[s - 1] == x[t]);
                pred_att.add(x[s] == yhat);
                score2_next.add(x[s] == y[t]);
                if (s >= 1) score_cond.add(argmax(att1 + size_t(s) * size_t(T), s + 1) == s - 1);
            }
        }
    }
    out["loss_bigram"] = loss_bigram.value();
    out["loss_head"] = loss_head.value();
    out["acc_tot"] = acc_tot.value();
    out["acc_start"] = acc_start.value();
    out["acc_end"] = acc_end.value();
    out["repeat_frac"] = repeat.value();
    out["score_acc"] = score.value();
    out["score_start_acc"] = score_start.value();
    out["score2_acc"] = score2.value();
    out["score2_next_acc"] = score2_next.value();
    out["pred_attended_acc"] = pred_att.value();
    out["score_cond_acc"] = score_cond.value();
}

Eigen::MatrixXd output_readout(const SimplifiedModel &model) {
    return as_matrix(model.WU()) * as_matrix(model.WO(1)) * as_matrix(model.WV(1)) * as_matrix(model.E()).transpose();
}

Eigen::MatrixXd trigger_key_scores(const SimplifiedModel &model) {
    const MatD E = as_matrix(model.E());
    return E * as_matrix(model.WK(1)) * as_matrix(model.WO(0)) * as_matrix(model.WV(0)) * E.transpose();
}

Eigen::MatrixXd position_key_scores(const SimplifiedModel &model, int n) {
    const MatD P = as_matrix(model.P()).topRows(n);
    return P * as_matrix(model.WK(0)) * P.transpose();
}

ProbeValues memory_probes(const SimplifiedModel &model, const std::vector<int> &fixed, const CharStats &stats) {
    const int N = model.options().vocab;
    ProbeValues r{};
    // R(W_O^2): argmax_j (W_U W_O^2 W_V^2 E[k])_j == k
    r.wo1_acc = output_recall(output_readout(model), N);
    // R(W_K^2): for each query a in S, argmax over keys b in S of E[a]^T W_K^2 W_O^1 W_V^1 E[b] == a
    const MatD K2 = trigger_key_scores(model);
    r.wk1_acc = key_recall(K2, fixed);
    r.wk1_all_acc = key_recall_all(K2, fixed);
    // R(W_K^1) over n = 256 (capped at max_length) and 64 positions: P[t]^T W_K^1 P[s]
    const MatD Q = position_key_scores(model, int(model.P().shape[0]));
    r.wk0_acc = position_recall(Q, 256);
    r.wk0_64_acc = position_recall(Q, 64);
    r.ff1_loss = -1.0;
    if (const nn::Parameter *F = model.WF())
        r.ff1_loss = bigram_kl(as_matrix(model.WU()) * as_matrix(*F) * as_matrix(model.E()).transpose(), fixed, stats);
    return r;
}

ProbeValues memory_probes(const nn::Transformer &model, const std::vector<int> &fixed, const CharStats &stats,
                          int n_out_tokens) {
    const nn::TransformerConfig &c = model.config();
    ProbeValues r{-1.0, -1.0, -1.0, -1.0, -1.0, -1.0};
    if (c.n_layers < 2) return r;
    const nn::ParameterSet &ps = model.params();
    const int C = c.dim;
    const MatD I = MatD::Identity(C, C);
    auto W = [&](int l, const char *name) { return as_matrix(ps.at("layers." + std::to_string(l) + "." + name)); };
    auto WV = [&](int l) { return c.no_wv ? I : W(l, "attention.wv.weight"); };
    auto WO = [&](int l) { return c.no_wo ? I : W(l, "attention.wo.weight"); };
    const MatD E = as_matrix(ps.at("tok_embeddings.weight"));
    const nn::Parameter *out = nullptr;
    for (const auto &p : ps.all())
        if (p.name == "output.weight") out = &p;
    const MatD U = out ? as_matrix(*out) : E; // tied output
    r.wo1_acc = output_recall(U * WO(1) * WV(1) * E.transpose(), std::min(n_out_tokens, c.vocab));
    // query(a) . key(b) = (W_Q^2 E[a]) . (W_K^2 W_O^1 W_V^1 E[b])
    const MatD K2 =
        (E * W(1, "attention.wq.weight").transpose()) * (W(1, "attention.wk.weight") * WO(0) * WV(0) * E.transpose());
    r.wk1_acc = key_recall(K2, fixed);
    r.wk1_all_acc = key_recall_all(K2, fixed);
    const MatD P = Eigen::Map<const MatF>(model.positions(), c.max_seq, C).cast<double>();
    const MatD Q = (P * W(0, "attention.wq.weight").transpose()) * (W(0, "attention.wk.weight") * P.transpose());
    r.wk0_acc = position_recall(Q, c.max_seq);
    r.wk0_64_acc = position_recall(Q, 64);
    const nn::FfnKind f = model.ffn_kind(1);
    if (f == nn::FfnKind::Linear) {
        r.ff1_loss = bigram_kl(U * W(1, "ff.weight") * E.transpose(), fixed, stats);
    } else if (f == nn::FfnKind::Relu) {
        const MatD hid = (W(1, "ff.w1.weight") * E.transpose()).cwiseMax(0.0);
        r.ff1_loss = bigram_kl(U * W(1, "ff.w2.weight") * hid, fixed, stats);
    }
    return r;
}

void add_probes(const ProbeValues &p, nlohmann::json &out) {
    out["wo1_acc"] = p.wo1_acc;
    out["wk1_acc"] = p.wk1_acc;
    out["wk1_all_acc"] = p.wk1_all_acc;
    out["wk0_acc"] = p.wk0_acc;
    out["wk0_64_acc"] = p.wk0_64_acc;
    out["ff1_loss"] = p.ff1_loss;
}

void add_norms(const nn::ParameterSet &params, nlohmann::json &out) {
    for (const auto &p : params.all()) {
        if (!p.trainable) continue;
        double v = 0, g = 0;
        for (size_t i = 0; i < p.size; ++i) {
            v += double(p.value[i]) * p.value[i];
            g += double(p.grad[i]) * p.grad[i];
        }
        out["norm_" + p.name] = std::sqrt(v);
        out["gradnorm_" + p.name] = std::sqrt(g);
    }
}

} // namespace tdlab::birth
