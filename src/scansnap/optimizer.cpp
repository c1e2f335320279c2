#include "scansnap/optimizer.h"

#include "core/error.h"

#include <cmath>

namespace tdlab::scansnap {

OptMethod parse_opt_method(const std::string &name) {
    if (name == "sgd") return OptMethod::Sgd;
    if (name == "adam") return OptMethod::Adam;
    throw UsageError("opt.method: '" + name + "' is not one of: sgd, adam");
}

RowBlockOptimizer::RowBlockOptimizer(OptMethod method, double lr, double momentum, int row_begin, int row_end, int cols)
    : method_(method), lr_(lr), momentum_(momentum), row_begin_(row_begin), row_end_(row_end), cols_(cols) {
    const size_t n = size_t(row_end - row_begin) * size_t(cols);
    m_.assign(n, 0.0);
    if (method == OptMethod::Adam) v_.assign(n, 0.0);
}

void RowBlockOptimizer::step(std::vector<double> &p, std::vector<double> &g) {
    ++step_;
    const size_t off = size_t(row_begin_) * size_t(cols_), n = m_.size();
    double *pp = p.data() + off;
    double *gg = g.data() + off;
    if (method_ == OptMethod::Sgd) {
        const double mu = momentum_, lr = lr_;
        for (size_t i = 0; i < n; ++i) {
            m_[i] = mu * m_[i] + gg[i]; // first step: mu*0 + g = g, PyTorch's clone(g)
            pp[i] -= lr * m_[i];
            gg[i] = 0.0;
        }
        return;
    }
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double bc1 = 1.0 - std::pow(b1, double(step_)), bc2 = 1.0 - std::pow(b2, double(step_));
    const double step_size = lr_ / bc1, sqrt_bc2 = std::sqrt(bc2);
    for (size_t i = 0; i < n; ++i) {
        m_[i] = b1 * m_[i] + (1.0 - b1) * gg[i];
        v_[i] = b2 * v_[i] + (1.0 - b2) * gg[i] * gg[i];
        pp[i] -= step_size * m_[i] / (std::sqrt(v_[i]) / sqrt_bc2 + eps);
        gg[i] = 0.0;
    }
}

} // namespace tdlab::scansnap
