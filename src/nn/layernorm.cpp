#include "nn/layernorm.h"

#include <cmath>

namespace tdlab::nn {

void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight, const float *bias,
                       int N, int C, float eps) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; ++n) {
        const float *x = inp + size_t(n) * C;
        // Two-pass statistics in double: exact enough that the fp32 result matches torch to ~1 ulp.
        double m = 0.0;
        for (int c = 0; c < C; ++c) m += x[c];
        m /= C;
        double v = 0.0;
        for (int c = 0; c < C; ++c) v += (x[c] - m) * (x[c] - m);
        v /= C;
        float s = float(1.0 / std::sqrt(v + eps));
        float mf = float(m);
        float *o = out + size_t(n) * C;
        for (int c = 0; c < C; ++c) {
            float xn = (x[c] - mf) * s;
            o[c] = xn * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f);
        }
        mean[n] = mf;
        rstd[n] = s;
    }
}

void layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                        const float *weight, const float *mean, const float *rstd, int N, int C) {
    // dxhat = dout * w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; ++n) {
        const float *x = inp + size_t(n) * C, *d = dout + size_t(n) * C;
        float m = mean[n], s = rstd[n];
        double a = 0.0, b = 0.0;
        for (int c = 0; c < C; ++c) {
            float xhat = (x[c] - m) * s;
            float dxhat = d[c] * (weight ? weight[c] : 1.0f);
            a += dxhat;
            b += double(dxhat) * xhat;
        }
        float ma = float(a / C), mb = float(b / C);
        float *g = dinp + size_t(n) * C;
        for (int c = 0; c < C; ++c) {
            float xhat = (x[c] - m) * s;
            float dxhat = d[c] * (weight ? weight[c] : 1.0f);
            g[c] += s * (dxhat - ma - xhat * mb);
        }
    }
    if (dweight || dbias) {
        // Parallel over channels, serial over rows: fixed order whatever the thread count.
#pragma omp parallel for schedule(static)
        for (int c = 0; c < C; ++c) {
            double gw = 0.0, gb = 0.0;
            for (int n = 0; n < N; ++n) {
                float d = dout[size_t(n) * C + c];
                float xhat = (inp[size_t(n) * C + c] - mean[n]) * rstd[n];
                gw += double(d) * xhat;
                gb += d;
            }
            if (dweight) dweight[c] += float(gw);
            if (dbias) dbias[c] += float(gb);
        }
    }
}

} // namespace tdlab::nn
