#include "nn/grad_clip.h"

#include <cmath>

namespace tdlab::nn {

double grad_norm(const ParameterSet &params) {
    double s = 0.0;
    for (const auto &p : params.all()) {
        if (!p.requires_grad) continue;
        for (size_t i = 0; i < p.size; ++i) s += double(p.grad[i]) * p.grad[i];
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
                for (size_t i = 0; i < p.size; ++i) p.grad[i] *= c;
    }
    return total;
}

} // namespace tdlab::nn
