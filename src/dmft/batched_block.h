// The structure-of-arrays state of one block of W lanes of the batched mean-field map (batched_map.h):
// every quantity x[...] is stored as x[...][W], lanes innermost. Internal to src/dmft/batched_*.
#pragma once

#include "dmft/params.h"

#include <cstddef>
#include <vector>

namespace tdlab::dmft {

template <int W> struct Block {
    int M, L, P;
    std::vector<double> beta, se, pw, ac;                       // [lane]: beta, 1-eps, eps, gamma/sqrt(M)
    std::vector<double> att, mq, mv, mk;                        // [M][l], [M][l], [L][M][l], [L][M][l]
    std::vector<double> arg, th, mse, z, e, zmax, norm;         // scratch
    std::vector<double> datt, dmv, dmk, dmq, ds, dth, dz, lsum; // tangent
    std::vector<double> mo, max_abs;                            // [M][l] m^o of the step, [l] window max
    std::vector<double> tk;                                     // token-model scratch (non-binary tokens)
    std::vector<const double *> sig, coef[kNumAlpha];           // model constants (shared by all lanes)
    Block(int M_, int L_, int P_)
        : M(M_), L(L_), P(P_), beta(W), se(W), pw(W), ac(W), att(size_t(M) * W), mq(size_t(M) * W),
          mv(size_t(L) * M * W), mk(size_t(L) * M * W), arg(size_t(P) * W), th(size_t(P) * W), mse(W), z(size_t(L) * W),
          e(size_t(L) * W), zmax(W), norm(W), datt(size_t(M) * W), dmv(size_t(L) * M * W), dmk(size_t(L) * M * W),
          dmq(size_t(M) * W), ds(size_t(P) * W), dth(size_t(P) * W), dz(size_t(L) * W), lsum(W, 0.0), mo(size_t(M) * W),
          max_abs(W, 0.0) {}
};

} // namespace tdlab::dmft
