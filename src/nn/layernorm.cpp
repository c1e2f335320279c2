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
        // Each channel sums over the rows serially in row order (fixed whatever the thread count); threads take
        // blocks of channels and walk the rows once per block, so every row's cache line is read by one
        // thread once instead of once per channel.
        constexpr int kBlock = 16; // one 64-byte line of floats
        const int blocks = (C + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
        for (int cb = 0; cb < blocks; ++cb) {
            const int c0 = cb * kBlock, nc = C - c0 < kBlock ? C - c0 : kBlock;
            double gw[kBlock] = {}, gb[kBlock] = {};
            for (int n = 0; n < N; ++n) {
                const float *d = dout + size_t(n) * C + c0, *x = inp + size_t(n) * C + c0;
                const float m = mean[n], s = rstd[n];
                for (int j = 0; j < nc; ++j) {
                    float xhat = (x[j] - m) * s;
                    gw[j] += double(d[j]) * xhat;
                    gb[j] += d[j];
                }
            }
            for (int j = 0; j < nc; ++j) {
                if (dweight) dweight[c0 + j] += float(gw[j]);
                if (dbias) dbias[c0 + j] += float(gb[j]);
            }
        }
    }
}

} // namespace tdlab::nn
