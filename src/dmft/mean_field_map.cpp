#include "dmft/mean_field_map.h"

#include <algorithm>
#include <cmath>

namespace tdlab::dmft {

FieldExpansion expansion_from_correlations(const Correlations &c) {
    FieldExpansion f;
    f.M = c.M;
    f.P = c.P;
    f.sigma = c.sign_patterns;
    const double norm = 1.0 / double(c.P); // 2^-(M-1): a power of two, so scaling first is exact
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        f.coef[alpha] = c.signed_corr[alpha];
        for (double &v : f.coef[alpha]) v *= norm;
    }
    return f;
}

FieldExpansion expansion_from_site_types(const SiteTypes &t) {
    FieldExpansion f;
    f.M = t.M;
    f.P = t.S;
    for (int s = 0; s < t.S; ++s) {
        for (int a = 0; a < t.M; ++a) f.sigma.push_back(t.w[kO][size_t(s) * size_t(t.M) + size_t(a)]);
    }
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int s = 0; s < t.S; ++s) {
            for (int a = 0; a < t.M; ++a) {
                f.coef[alpha].push_back(t.frac[size_t(s)] * t.w[alpha][size_t(s) * size_t(t.M) + size_t(a)]);
            }
        }
    }
    return f;
}

int positional_bit(int64_t t, int j, int NP) {
    int64_t phase = t % (int64_t(1) << NP);
    return ((phase >> (NP - 1 - j)) & 1) ? 1 : -1;
}

DmftModel DmftModel::build(const ModelParams &p) {
    DmftModel m;
    m.params = p;
    m.weights = make_weights(p);
    if (token_kind(p) != TokenKind::Binary) {
        // Every non-binary model runs through the site-type tables (the correlation form needs an odd F).
        if (token_kind(p) == TokenKind::Potts) m.potts = potts_unit_weights(p, m.weights);
        m.fields = expansion_from_tables(token_tables(p, m.weights, m.potts), p);
        m.pe = token_pe_table(p, m.weights, m.potts);
        return m;
    }
    if (p.form == "site_types") {
        m.fields = expansion_from_site_types(site_types_from_weights(m.weights));
    } else {
        m.fields = expansion_from_correlations(correlations_from_weights(m.weights));
    }
    m.pe.assign(size_t(kNumAlpha) * size_t(p.L) * size_t(p.M), 0.0);
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        for (int phase = 0; phase < p.L; ++phase) {
            for (int a = 0; a < p.M; ++a) {
                double sum = 0.0;
                for (int j = 0; j < p.NP; ++j) sum += m.weights.at(alpha, a, p.N + j) * positional_bit(phase, j, p.NP);
                m.pe[(size_t(alpha) * size_t(p.L) + size_t(phase)) * size_t(p.M) + size_t(a)] = sum / double(p.NP);
            }
        }
    }
    return m;
}

MeanFieldMap::MeanFieldMap(const DmftModel &model, const DynamicsParams &dyn)
    : model_(model), dyn_(dyn), M_(model.params.M), L_(model.params.L), P_(model.fields.P) {
    // The authors write the mixing weights as se = 1 - 0.02 and eps = 1 - se ("for reproducibility").
    se_weight_ = 1.0 - dyn.epsilon;
    pe_weight_ = 1.0 - se_weight_;
    att_coef_ = dyn.gamma * attention_norm(M_);
    tanh_ = model.fields.nl.kind == FieldKind::Tanh;
    h_.resize(size_t(P_));
    th_.resize(size_t(P_));
    mse_.resize(size_t(kNumAlpha) * size_t(M_));
    m_.resize(size_t(kNumAlpha) * size_t(M_));
    z_.resize(size_t(L_));
    fixed_ = M_ == 3 && L_ == 4;
}

namespace {
// W^alpha_{a,i} . x0_i for the authors' cold-start token x0 = row 0 of W^o with the PE units at -1. Potts
// tokens put +1 units in state q-1 and -1 units in state 0 (the extreme states; with state values -1..1 the
// binary token). The products are exact, so the binary sums keep their bits.
double cold_term(const DmftModel &m, int alpha, int a, int i) {
    const Weights &w = m.weights;
    const int x = i < w.N ? w.at(kO, 0, i) : -1;
    if (m.potts.q == 0) return double(w.at(alpha, a, i) * x);
    return m.potts.at(alpha, a, i, x > 0 ? m.potts.q - 1 : 0);
}
} // namespace

Context MeanFieldMap::cold_start() const {
    const int cols = model_.weights.cols();
    Context c;
    c.M = M_;
    c.L = L_;
    c.t = 0;
    c.filled = 1;
    c.att.assign(size_t(M_), 0.0);
    c.mq.assign(size_t(M_), 0.0);
    c.mv.assign(size_t(L_) * size_t(M_), 0.0);
    c.mk.assign(size_t(L_) * size_t(M_), 0.0);
    for (int a = 0; a < M_; ++a) {
        double v = 0, q = 0, k = 0;
        for (int i = 0; i < cols; ++i) {
            v += cold_term(model_, kV, a, i);
            q += cold_term(model_, kQ, a, i);
            k += cold_term(model_, kK, a, i);
        }
        c.mv[size_t(a)] = v / cols;
        c.mq[size_t(a)] = q / cols;
        c.mk[size_t(a)] = k / cols;
        c.att[size_t(a)] = c.mv[size_t(a)];
    }
    return c;
}

void MeanFieldMap::cold_start_record(std::vector<double> &mo_se, std::vector<double> &mo) const {
    const auto &w = model_.weights;
    const int cols = w.cols();
    mo_se.assign(size_t(M_), 0.0);
    mo.assign(size_t(M_), 0.0);
    for (int a = 0; a < M_; ++a) {
        double se = 0, all = 0;
        for (int i = 0; i < cols; ++i) {
            const double x = cold_term(model_, kO, a, i);
            if (i < w.N) se += x;
            all += x;
        }
        mo_se[size_t(a)] = se / w.N;
        mo[size_t(a)] = all / cols;
    }
}

std::array<std::vector<double>, kNumAlpha> MeanFieldMap::semantic_overlaps(const std::vector<double> &att) const {
    const auto &f = model_.fields;
    std::array<std::vector<double>, kNumAlpha> out;
    std::vector<double> h(static_cast<size_t>(P_)), th(static_cast<size_t>(P_));
    for (int j = 0; j < P_; ++j) {
        double s = 0.0;
        for (int b = 0; b < M_; ++b) s += f.sigma[size_t(j) * size_t(M_) + size_t(b)] * att[size_t(b)];
        h[size_t(j)] = dyn_.beta * s;
    }
    f.nl.apply(h.data(), th.data(), P_);
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        out[alpha].assign(size_t(M_), 0.0);
        for (int j = 0; j < P_; ++j) {
            for (int a = 0; a < M_; ++a)
                out[alpha][size_t(a)] += f.coef[alpha][size_t(j) * size_t(M_) + size_t(a)] * th[size_t(j)];
        }
    }
    return out;
}

StepRecord MeanFieldMap::step_generic(Context &c) {
    const auto &f = model_.fields;
    const size_t M = size_t(M_);
    // 1. fields th_j = tanh(beta sigma_j . A(t))
    for (int j = 0; j < P_; ++j) {
        const double *sig = &f.sigma[size_t(j) * M];
        double s = 0.0;
        for (size_t b = 0; b < M; ++b) s += sig[b] * c.att[b];
        if (tanh_)
            th_[size_t(j)] = std::tanh(dyn_.beta * s);
        else
            h_[size_t(j)] = dyn_.beta * s;
    }
    if (!tanh_) f.nl.apply(h_.data(), th_.data(), P_);
    // 2. semantic overlaps
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        double *mse = &mse_[size_t(alpha) * M];
        const double *coef = f.coef[alpha].data();
        std::fill(mse, mse + M, 0.0);
        for (int j = 0; j < P_; ++j) {
            const double thj = th_[size_t(j)];
            for (size_t a = 0; a < M; ++a) mse[a] += coef[size_t(j) * M + a] * thj;
        }
    }
    return step_with_semantic(c, mse_.data());
}

StepRecord MeanFieldMap::step_with_semantic(Context &c, const double *semantic) {
    const size_t M = size_t(M_);
    if (semantic != mse_.data()) std::copy_n(semantic, size_t(kNumAlpha) * M, mse_.data());
    // 3. eps mixing with the positional code of step t+1
    const int64_t t = c.t + 1;
    const int phase = int(t & (L_ - 1)); // L = 2^N_P: t mod L without a 64-bit division
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        const double *mse = &mse_[size_t(alpha) * M];
        double *m = &m_[size_t(alpha) * M];
        for (size_t a = 0; a < M; ++a) m[a] = se_weight_ * mse[a] + pe_weight_ * model_.pe_at(alpha, phase, int(a));
    }
    // 4. store m^v, m^k of step t in slot t mod L; the query is needed only now
    const size_t slot = size_t(phase);
    std::copy_n(&m_[size_t(kV) * M], M, &c.mv[slot * M]);
    std::copy_n(&m_[size_t(kK) * M], M, &c.mk[slot * M]);
    std::copy_n(&m_[size_t(kQ) * M], M, c.mq.data());
    c.filled = std::min(L_, c.filled + 1);
    // 5. attention: softmax over the filled slots of gamma/sqrt(M) m^q . m^k[tau], max subtracted
    const int n = c.filled; // after a cold start the filled slots are 0..n-1; later all L
    double zmax = -INFINITY;
    for (int tau = 0; tau < n; ++tau) {
        double dot = 0.0;
        for (size_t b = 0; b < M; ++b) dot += c.mq[b] * c.mk[size_t(tau) * M + b];
        z_[size_t(tau)] = att_coef_ * dot;
        zmax = std::max(zmax, z_[size_t(tau)]);
    }
    double norm = 0.0;
    for (int tau = 0; tau < n; ++tau) {
        // exp(0) = 1 exactly: the arg-max slot needs no exp call.
        z_[size_t(tau)] = z_[size_t(tau)] == zmax ? 1.0 : std::exp(z_[size_t(tau)] - zmax);
        norm += z_[size_t(tau)];
    }
    for (size_t a = 0; a < M; ++a) {
        double acc = 0.0;
        for (int tau = 0; tau < n; ++tau) acc += z_[size_t(tau)] * c.mv[size_t(tau) * M + a];
        c.att[a] = acc / norm;
    }
    c.t = t;
    return StepRecord{&mse_[size_t(kO) * M], &m_[size_t(kO) * M], &m_[size_t(kV) * M],
                      c.mq.data(),           &m_[size_t(kK) * M], c.att.data()};
}

// The same five steps with compile-time M and L: identical operation order (so identical bits, no FMA
// contraction is allowed by the build), loops the compiler can unroll, no scratch indexing.
template <int kM, int kL> StepRecord MeanFieldMap::step_fixed(Context &c) {
    const auto &f = model_.fields;
    double att[kM];
    for (int b = 0; b < kM; ++b) att[b] = c.att[size_t(b)];
    double *th = th_.data();
    const double *sigma = f.sigma.data();
    for (int j = 0; j < P_; ++j) {
        double s = 0.0;
        for (int b = 0; b < kM; ++b) s += sigma[j * kM + b] * att[b];
        if (tanh_)
            th[j] = std::tanh(dyn_.beta * s);
        else
            h_[size_t(j)] = dyn_.beta * s;
    }
    if (!tanh_) f.nl.apply(h_.data(), th, P_);
    const int64_t t = c.t + 1;
    const int phase = int(t & (kL - 1));
    for (int alpha = 0; alpha < kNumAlpha; ++alpha) {
        double mse[kM] = {};
        const double *coef = f.coef[alpha].data();
        for (int j = 0; j < P_; ++j) {
            for (int a = 0; a < kM; ++a) mse[a] += coef[j * kM + a] * th[j];
        }
        const double *pe = &model_.pe[(size_t(alpha) * kL + size_t(phase)) * kM];
        for (int a = 0; a < kM; ++a) {
            mse_[size_t(alpha * kM + a)] = mse[a];
            m_[size_t(alpha * kM + a)] = se_weight_ * mse[a] + pe_weight_ * pe[a];
        }
    }
    double *mv = c.mv.data(), *mk = c.mk.data(), *mq = c.mq.data();
    for (int a = 0; a < kM; ++a) {
        mv[phase * kM + a] = m_[size_t(kV * kM + a)];
        mk[phase * kM + a] = m_[size_t(kK * kM + a)];
        mq[a] = m_[size_t(kQ * kM + a)];
    }
    c.filled = std::min(kL, c.filled + 1);
    const int n = c.filled;
    double z[kL];
    double zmax = -INFINITY;
    for (int tau = 0; tau < n; ++tau) {
        double dot = 0.0;
        for (int b = 0; b < kM; ++b) dot += mq[b] * mk[tau * kM + b];
        z[tau] = att_coef_ * dot;
        zmax = std::max(zmax, z[tau]);
    }
    double norm = 0.0;
    for (int tau = 0; tau < n; ++tau) {
        z[tau] = z[tau] == zmax ? 1.0 : std::exp(z[tau] - zmax);
        norm += z[tau];
    }
    for (int a = 0; a < kM; ++a) {
        double acc = 0.0;
        for (int tau = 0; tau < n; ++tau) acc += z[tau] * mv[tau * kM + a];
        c.att[size_t(a)] = acc / norm;
    }
    c.t = t;
    return StepRecord{&mse_[size_t(kO * kM)], &m_[size_t(kO * kM)], &m_[size_t(kV * kM)], mq,
                      &m_[size_t(kK * kM)],   c.att.data()};
}

template StepRecord MeanFieldMap::step_fixed<3, 4>(Context &c);

} // namespace tdlab::dmft
