#include "birth/ideal_memories.h"

#include "birth/param_matrix.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace tdlab::birth {
namespace {

// sum over pairs of v u^T / (|u|^2 |v|^2)
void add_pair(MatD &W, const Eigen::VectorXd &v, const Eigen::VectorXd &u, double alpha) {
    W.noalias() += (alpha / (u.squaredNorm() * v.squaredNorm())) * v * u.transpose();
}

} // namespace

void set_ideal_memories(SimplifiedModel &model, const std::vector<int> &triggers, const CharStats &stats,
                        const IdealAlphas &alphas) {
    const int N = model.options().vocab, d = model.options().dim;
    const double undo_scale = 1.0 / double(model.attn_scale()); // attention logits are multiplied by the scale
    const MatD E = as_matrix(model.E()), P = as_matrix(model.P()), U = as_matrix(model.WU());
    const MatD V1 = as_matrix(model.WV(0)), O1 = as_matrix(model.WO(0)), V2 = as_matrix(model.WV(1));
    MatD K1 = MatD::Zero(d, d), K2 = MatD::Zero(d, d), O2 = MatD::Zero(d, d);
    // W_K^1: query p_t should match key p_{t-1}: score = h_t . (W_K h_s) = p_t^T W p_{t-1}, so W = p_t p_{t-1}^T
    for (Eigen::Index t = 1; t < P.rows(); ++t)
        add_pair(K1, P.row(t).transpose(), P.row(t - 1).transpose(), alphas.wk1 * undo_scale);
    // W_K^2: query w_E(k) should match the key holding w_1(k) (the previous token k remapped by layer 1)
    std::vector<int> S = triggers;
    if (S.empty())
        for (int k = 0; k < N; ++k) S.push_back(k);
    for (int k : S) {
        const Eigen::VectorXd e = E.row(k).transpose();
        add_pair(K2, e, O1 * V1 * e, alphas.wk2 * undo_scale);
        // Position 0 can only attend to itself in layer 1, so its residual holds w_1(z_0), the remap of
        // the CURRENT token: a sequence that starts with a trigger would pull every later query of that
        // trigger to key 0 (the position-0 artefact of causal attention). Cancel it with a key term on p_0.
        add_pair(K2, e, P.row(0).transpose(), -alphas.wk2 * undo_scale);
    }
    // W_O^2: the value W_V^2 w_E(k) is written as w_U(k)
    for (int k = 0; k < N; ++k) {
        const Eigen::VectorXd e = E.row(k).transpose();
        add_pair(O2, U.row(k).transpose(), V2 * e, alphas.wo2);
    }
    store(model.WK(0), K1);
    store(model.WK(1), K2);
    store(model.WO(1), O2);
    if (nn::Parameter *F = model.WF()) {
        // W_U W_F E^T = L (column i = log pi_b(.|i), clamped at log 1e-4 and centred), solved in the least-
        // squares sense: W_F = pinv(W_U) L pinv(E^T), exact when d >= N (the outer-product sum
        // sum_ij L_ji w_U(j) w_E(i)^T / norms suffers O(sqrt(N/d)) cross-talk between the 65 w_U's).
        MatD L(N, N);
        for (int i = 0; i < N; ++i) {
            double mean = 0;
            for (int j = 0; j < N; ++j) {
                L(j, i) = std::log(std::max(stats.pi_b[size_t(i) * size_t(N) + size_t(j)], 1e-4));
                mean += L(j, i) / N;
            }
            L.col(i).array() -= mean;
        }
        const MatD pinvU = U.completeOrthogonalDecomposition().pseudoInverse();                    // (d,N)
        const MatD pinvEt = MatD(E.transpose()).completeOrthogonalDecomposition().pseudoInverse(); // (N,d)
        store(*F, pinvU * L * pinvEt);
    }
}

} // namespace tdlab::birth
