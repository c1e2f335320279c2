#include "dmft/tangent_map.h"

#include <algorithm>
#include <cmath>

namespace tdlab::dmft {

size_t state_dim(const Context &c) {
    return size_t(c.M) + 2 * size_t(c.L) * size_t(c.M);
}

std::vector<double> pack_state(const Context &c) {
    std::vector<double> x(c.att);
    x.insert(x.end(), c.mv.begin(), c.mv.end());
    x.insert(x.end(), c.mk.begin(), c.mk.end());
    return x;
}

void unpack_state(const std::vector<double> &x, Context &c) {
    const size_t M = size_t(c.M), LM = size_t(c.L) * M;
    std::copy_n(x.begin(), M, c.att.begin());
    std::copy_n(x.begin() + long(M), LM, c.mv.begin());
    std::copy_n(x.begin() + long(M + LM), LM, c.mk.begin());
}

std::vector<double> tangent_step(const MeanFieldMap &map, const Context &c0, const std::vector<double> &v) {
    const auto &model = map.model();
    const auto &f = model.fields;
    const int M = c0.M, L = c0.L, P = f.P;
    const double beta = map.dynamics().beta;
    const double se = 1.0 - map.dynamics().epsilon;
    const double ac = map.attention_coefficient();
    const size_t LM = size_t(L) * M;
    // Primal step on a copy (for th, the new slots and the softmax weights).
    Context c = c0;
    std::vector<double> h(static_cast<size_t>(P)), th(static_cast<size_t>(P));
    for (int j = 0; j < P; ++j) {
        double s = 0;
        for (int b = 0; b < M; ++b) s += f.sigma[size_t(j) * M + b] * c0.att[size_t(b)];
        h[size_t(j)] = beta * s;
    }
    f.nl.apply(h.data(), th.data(), P);
    MeanFieldMap stepper(model, map.dynamics());
    stepper.step(c);
    const int slot = int(c.t % L);
    // Tangent input.
    const double *dA = v.data(), *dmv0 = v.data() + M, *dmk0 = v.data() + M + LM;
    std::vector<double> dth(static_cast<size_t>(P)), dh(static_cast<size_t>(P));
    for (int j = 0; j < P; ++j) {
        double ds = 0;
        for (int b = 0; b < M; ++b) ds += f.sigma[size_t(j) * M + b] * dA[b];
        if (f.nl.kind == FieldKind::Tanh)
            dth[size_t(j)] = beta * (1.0 - th[size_t(j)] * th[size_t(j)]) * ds;
        else
            dh[size_t(j)] = beta * ds;
    }
    // Non-binary tokens: the Jacobian of the unit's softmax mean (its variance; Potts: diag(pi) - pi pi^T).
    if (f.nl.kind != FieldKind::Tanh) f.nl.tangent(h.data(), th.data(), dh.data(), dth.data(), P);
    auto dm = [&](int alpha, int a) {
        double acc = 0;
        for (int j = 0; j < P; ++j) acc += f.coef[alpha][size_t(j) * M + a] * dth[size_t(j)];
        return se * acc;
    };
    std::vector<double> dmv(dmv0, dmv0 + LM), dmk(dmk0, dmk0 + LM), dmq(static_cast<size_t>(M));
    for (int a = 0; a < M; ++a) {
        dmv[size_t(slot) * M + a] = dm(kV, a);
        dmk[size_t(slot) * M + a] = dm(kK, a);
        dmq[size_t(a)] = dm(kQ, a);
    }
    // Softmax weights and their tangent.
    std::vector<double> z(static_cast<size_t>(L)), dz(static_cast<size_t>(L));
    double zmax = -INFINITY;
    for (int tau = 0; tau < L; ++tau) {
        double dot = 0, ddot = 0;
        for (int b = 0; b < M; ++b) {
            dot += c.mq[size_t(b)] * c.mk[size_t(tau) * M + b];
            ddot += dmq[size_t(b)] * c.mk[size_t(tau) * M + b] + c.mq[size_t(b)] * dmk[size_t(tau) * M + b];
        }
        z[size_t(tau)] = ac * dot;
        dz[size_t(tau)] = ac * ddot;
        zmax = std::max(zmax, z[size_t(tau)]);
    }
    double norm = 0, dbar = 0;
    for (auto &zt : z) norm += (zt = std::exp(zt - zmax));
    for (int tau = 0; tau < L; ++tau) dbar += z[size_t(tau)] / norm * dz[size_t(tau)];
    std::vector<double> out(state_dim(c0));
    for (int a = 0; a < M; ++a) {
        double acc = 0;
        for (int tau = 0; tau < L; ++tau) {
            const size_t k = size_t(tau) * M + a;
            acc += z[size_t(tau)] / norm * ((dz[size_t(tau)] - dbar) * c.mv[k] + dmv[k]);
        }
        out[size_t(a)] = acc;
    }
    std::copy(dmv.begin(), dmv.end(), out.begin() + M);
    std::copy(dmk.begin(), dmk.end(), out.begin() + long(M + LM));
    return out;
}

std::vector<double> jacobian(const MeanFieldMap &map, const Context &c) {
    const size_t D = state_dim(c);
    std::vector<double> J(D * D), e(D, 0.0);
    for (size_t k = 0; k < D; ++k) {
        e[k] = 1.0;
        auto col = tangent_step(map, c, e);
        for (size_t i = 0; i < D; ++i) J[i * D + k] = col[i];
        e[k] = 0.0;
    }
    return J;
}

} // namespace tdlab::dmft
