// The tangent map of the mean-field map: the analytic Jacobian of one step t-1 -> t, as a
// Jacobian-vector product (forward mode) and as a dense matrix.
//
// State vector x = (A-hat [M], m^v slots [L][M], m^k slots [L][M]), D = M + 2 L M (27 for the paper).
// m^q is not state (recomputed before use). With th_j = tanh(beta sigma_j . A), w = softmax(z):
//   d th_j    = beta (1 - th_j^2) sigma_j . dA
//               (non-binary tokens: beta Var_S(h_j) sigma_j . dA, or for Potts d pi = (diag pi - pi pi^T) dh;
//                FieldNonlinearity::tangent in token_model.h)
//   d m^al_a  = (1 - eps) sum_j coef^al[j][a] d th_j                   al = v, q, k (PE is constant)
//   slot (t mod L) of m^v, m^k <- the new values (its old contents drop out of the state)
//   d z_tau   = gamma/sqrt(M) (d m^q . m^k_tau + m^q . d m^k_tau)
//   d A_a     = sum_tau w_tau [ (d z_tau - sum_s w_s d z_s) m^v_tau,a + d m^v_tau,a ]
// The batched kernel (batched_map.cpp) carries the same formulas per lane.
#pragma once

#include "dmft/mean_field_map.h"

#include <vector>

namespace tdlab::dmft {

size_t state_dim(const Context &c);
std::vector<double> pack_state(const Context &c);            // x as above
void unpack_state(const std::vector<double> &x, Context &c); // keeps t, filled, m^q

// J v for the step that takes `c` (at step t-1 = c.t) to step c.t + 1; `c` is not changed.
std::vector<double> tangent_step(const MeanFieldMap &map, const Context &c, const std::vector<double> &v);
// Dense Jacobian [D][D], row-major, column k = J e_k.
std::vector<double> jacobian(const MeanFieldMap &map, const Context &c);

} // namespace tdlab::dmft
