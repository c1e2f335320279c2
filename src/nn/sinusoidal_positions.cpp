#include "nn/sinusoidal_positions.h"

#include "core/error.h"

#include <cmath>
#include <cstddef>
#include <string>

namespace tdlab::nn {

void sinusoidal_table(float *pe, int max_len, int C) {
    if (C < 2 || C % 2 != 0) throw RuntimeError("sinusoidal positions: C = " + std::to_string(C) + " must be even");
    const float k = float(-std::log(10000.0) / C);
    for (int pos = 0; pos < max_len; ++pos)
        for (int i = 0; i < C / 2; ++i) {
            const float w = std::exp(float(2 * i) * k);
            const float a = float(pos) * w;
            pe[size_t(pos) * C + 2 * i] = std::sin(a);
            pe[size_t(pos) * C + 2 * i + 1] = std::cos(a);
        }
}

void scaled_add_positions(float *out, const float *emb, const float *pe, float scale, int B, int T, int C) {
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t) {
            const size_t o = (size_t(b) * T + t) * C;
            for (int c = 0; c < C; ++c) out[o + c] = emb[o + c] * scale + pe[size_t(t) * C + c];
        }
}

void scaled_add_positions_backward(float *demb, const float *dout, float scale, int B, int T, int C) {
    const size_t n = size_t(B) * T * C;
    for (size_t i = 0; i < n; ++i) demb[i] += dout[i] * scale;
}

} // namespace tdlab::nn
