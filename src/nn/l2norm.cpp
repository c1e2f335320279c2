#include "nn/l2norm.h"

#include <cmath>

namespace tdlab::nn {

void l2norm_forward(float *out, float *norm, const float *inp, int N, int C, float eps) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; ++n) {
        const float *x = inp + size_t(n) * C;
        double s = 0.0;
        for (int c = 0; c < C; ++c) s += double(x[c]) * x[c];
        float r = float(std::sqrt(s));
        float d = r > eps ? r : eps;
        norm[n] = d;
        float *o = out + size_t(n) * C;
        for (int c = 0; c < C; ++c) o[c] = x[c] / d;
    }
}

void l2norm_backward(float *dinp, const float *dout, const float *out, const float *norm, const float *inp, int N,
                     int C, float eps) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; ++n) {
        const float *o = out + size_t(n) * C, *d = dout + size_t(n) * C;
        float *g = dinp + size_t(n) * C;
        float nr = norm[n];
        if (nr > eps) {
            double dot = 0.0;
            for (int c = 0; c < C; ++c) dot += double(o[c]) * d[c];
            float df = float(dot);
            for (int c = 0; c < C; ++c) g[c] += (d[c] - o[c] * df) / nr;
        } else {
            for (int c = 0; c < C; ++c) g[c] += d[c] / nr; // norm clamped at eps: out = x / eps is linear
        }
    }
}

} // namespace tdlab::nn
