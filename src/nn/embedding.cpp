#include "nn/embedding.h"

#include "core/error.h"

#include <string>

namespace tdlab::nn {

void embedding_forward(float *out, const int32_t *tokens, const float *wte, const float *wpe, int B, int T, int C,
                       int V) {
    for (int i = 0; i < B * T; ++i)
        if (tokens[i] < 0 || tokens[i] >= V)
            throw RuntimeError("embedding: token id " + std::to_string(tokens[i]) + " at position " +
                               std::to_string(i) + " is outside [0, " + std::to_string(V) + ")");
#pragma omp parallel for schedule(static)
    for (int bt = 0; bt < B * T; ++bt) {
        int t = bt % T;
        float *o = out + size_t(bt) * C;
        const float *e = wte + size_t(tokens[bt]) * C;
        if (wpe) {
            const float *p = wpe + size_t(t) * C;
            for (int c = 0; c < C; ++c) o[c] = e[c] + p[c];
        } else {
            for (int c = 0; c < C; ++c) o[c] = e[c];
        }
    }
}

void embedding_backward(float *dwte, float *dwpe, const float *dout, const int32_t *tokens, int B, int T, int C) {
    for (int bt = 0; bt < B * T; ++bt) {
        const float *d = dout + size_t(bt) * C;
        if (dwte) {
            float *g = dwte + size_t(tokens[bt]) * C;
            for (int c = 0; c < C; ++c) g[c] += d[c];
        }
        if (dwpe) {
            float *g = dwpe + size_t(bt % T) * C;
            for (int c = 0; c < C; ++c) g[c] += d[c];
        }
    }
}

} // namespace tdlab::nn
