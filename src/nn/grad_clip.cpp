#include "nn/grad_clip.h"

#include <cmath>

namespace tdlab::nn {

namespace {
// f(begin, end) over the element ranges of p's gradient that can be nonzero, in ascending order: the whole
// array, or a row-sparse parameter's listed rows (the others are +0: skipping them changes no bit)
template <class F> void for_grad_ranges(const Parameter &p, F f) {
    if (!p.row_sparse) {
        f(size_t(0), p.size);
        return;
    }
    const size_t L = p.row_len();
    for (const int32_t r : p.grad_rows) f(size_t(r) * L, size_t(r + 1) * L);
}
} // namespace

double grad_norm(const ParameterSet &params) {
    double s = 0.0;
    for (const auto &p : params.all()) {
        if (!p.requires_grad) continue;
        for_grad_ranges(p, [&](size_t i0, size_t i1) {
            for (size_t i = i0; i < i1; ++i) s += double(p.grad[i]) * p.grad[i];
        });
    }
    return std::sqrt(s);
}

double clip_grad_norm(ParameterSet &params, double max_norm) {
    const double total = grad_norm(params);
    const double coef = max_norm / (total + 1e-6);
    if (coef < 1.0) {
        const float c = float(coef);
        for (auto &p : params.all())
            if (p.requires_grad)
                for_grad_ranges(p, [&](size_t i0, size_t i1) {
                    for (size_t i = i0; i < i1; ++i) p.grad[i] *= c;
                });
    }
    return total;
}

} // namespace tdlab::nn
