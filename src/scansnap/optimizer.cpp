#include "scansnap/optimizer.h"

#include "core/error.h"
#include "core/isa.h"

#include <algorithm>
#include <cmath>

namespace tdlab::scansnap {

OptMethod parse_opt_method(const std::string &name) {
    if (name == "sgd") return OptMethod::Sgd;
    if (name == "adam") return OptMethod::Adam;
    throw UsageError("opt.method: '" + name + "' is not one of: sgd, adam");
}

template <class Real>
RowBlockOptimizer<Real>::RowBlockOptimizer(OptMethod method, double lr, double momentum, int row_begin, int row_end,
                                           int cols)
    : method_(method), lr_(lr), momentum_(momentum), row_begin_(row_begin), row_end_(row_end), cols_(cols) {
    const size_t n = size_t(row_end - row_begin) * size_t(cols);
    m_.assign(n, Real(0));
    if (method == OptMethod::Adam) v_.assign(n, Real(0));
}

namespace {

// Elementwise, so every vector width gives the same bits (no reductions; -ffp-contract=off: no fusing).
template <class Real>
inline __attribute__((always_inline)) void sgd_rows(Real *p, Real *g, Real *m, size_t n, Real mu, Real lr,
                                                    bool zero_grad) {
    for (size_t i = 0; i < n; ++i) {
        m[i] = mu * m[i] + g[i]; // first step: mu*0 + g = g, PyTorch's clone(g)
        p[i] -= lr * m[i];
    }
    if (zero_grad) std::fill(g, g + n, Real(0));
}
TDLAB_CLONES_V4_V3 void sgd_step(float *p, float *g, float *m, size_t n, float mu, float lr, bool zero_grad) {
    sgd_rows(p, g, m, n, mu, lr, zero_grad);
}
TDLAB_CLONES_V4_V3 void sgd_step(double *p, double *g, double *m, size_t n, double mu, double lr, bool zero_grad) {
    sgd_rows(p, g, m, n, mu, lr, zero_grad);
}

} // namespace

template <class Real>
void RowBlockOptimizer<Real>::step(AlignedVector<Real> &p, AlignedVector<Real> &g, bool zero_grad) {
    ++step_;
    const size_t off = size_t(row_begin_) * size_t(cols_), n = m_.size();
    Real *pp = p.data() + off;
    Real *gg = g.data() + off;
    Real *m = m_.data();
    if (method_ == OptMethod::Sgd) {
        // Elementwise: threads take fixed chunks and every element gets the same bits whoever updates it.
        constexpr size_t kChunk = 65536;
        const long chunks = long((n + kChunk - 1) / kChunk);
        auto chunk = [&](long c) {
            const size_t i0 = size_t(c) * kChunk;
            sgd_step(pp + i0, gg + i0, m + i0, std::min(kChunk, n - i0), Real(momentum_), Real(lr_), zero_grad);
        };
        // One chunk stays out of OpenMP: a region of one thread still ends with a futex wake (model.cpp).
        if (chunks > 1) {
#pragma omp parallel for schedule(static)
            for (long c = 0; c < chunks; ++c) chunk(c);
        } else {
            for (long c = 0; c < chunks; ++c) chunk(c);
        }
        return;
    }
    // Scalars in double (PyTorch computes the bias corrections as Python floats), elementwise in Real.
    const double b1 = 0.9, b2 = 0.999;
    const double bc1 = 1.0 - std::pow(b1, double(step_)), bc2 = 1.0 - std::pow(b2, double(step_));
    const Real step_size = Real(lr_ / bc1), sqrt_bc2 = Real(std::sqrt(bc2)), eps = Real(1e-8);
    const Real rb1 = Real(b1), rb2 = Real(b2), cb1 = Real(1.0 - b1), cb2 = Real(1.0 - b2);
    Real *v = v_.data();
    for (size_t i = 0; i < n; ++i) {
        m[i] = rb1 * m[i] + cb1 * gg[i];
        v[i] = rb2 * v[i] + cb2 * gg[i] * gg[i];
        pp[i] -= step_size * m[i] / (std::sqrt(v[i]) / sqrt_bc2 + eps);
    }
    if (zero_grad) std::fill(gg, gg + n, Real(0));
}

template class RowBlockOptimizer<float>;
template class RowBlockOptimizer<double>;

} // namespace tdlab::scansnap
