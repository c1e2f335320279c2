// The two optimisers of the official code (docs/scansnap.md "Model"), with PyTorch semantics:
//   SGD (momentum mu, no dampening, no Nesterov, wd 0): buf <- mu*buf + g (buf = g on the first step); p <- p - lr*buf.
//   Adam (beta1 0.9, beta2 0.999, eps 1e-8, wd 0): m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
//     p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
// One optimiser on Y (rate lr_y = ratio * lr_z) and one on Z (rate lr_z). Each updates only a block of
// rows: rows outside it have zero gradient forever (Y rows of query/label tokens, Z rows of non-query
// tokens), so their state stays 0 and PyTorch leaves them unchanged too: skipping them is exact.
#pragma once

#include "core/aligned_vector.h"

#include <string>
#include <vector>

namespace tdlab::scansnap {

enum class OptMethod { Sgd, Adam };
OptMethod parse_opt_method(const std::string &name);

// Real is the parameters' type (float or double); the state has the same type, as in PyTorch.
template <class Real> class RowBlockOptimizer {
  public:
    RowBlockOptimizer(OptMethod method, double lr, double momentum, int row_begin, int row_end, int cols);
    // p and g are full row-major matrices with `cols` columns; only rows [row_begin, row_end) are touched.
    // The gradient block is zeroed as it is consumed (PyTorch's zero_grad, fused into the same pass), unless
    // zero_grad is false: for a gradient that its producer overwrites (dY: forward_backward sets it), the
    // store is a third of the SGD step's memory traffic.
    void step(AlignedVector<Real> &p, AlignedVector<Real> &g, bool zero_grad = true);

  private:
    OptMethod method_;
    double lr_, momentum_;
    int row_begin_, row_end_, cols_;
    long step_ = 0;
    AlignedVector<Real> m_, v_; // momentum buffer (SGD) or Adam moments, block-sized
};

} // namespace tdlab::scansnap
