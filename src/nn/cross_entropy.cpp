#include "nn/cross_entropy.h"

#include "core/error.h"

#include <cmath>
#include <string>

namespace tdlab::nn {

int cross_entropy_count(const uint8_t *mask, int N) {
    if (!mask) return N;
    int n = 0;
    for (int i = 0; i < N; ++i) n += mask[i] != 0;
    return n;
}

float cross_entropy_forward(float *losses, float *probs, const float *logits, const int32_t *targets,
                            const uint8_t *mask, int N, int V) {
    for (int i = 0; i < N; ++i)
        if ((!mask || mask[i]) && (targets[i] < 0 || targets[i] >= V))
            throw RuntimeError("cross_entropy: target " + std::to_string(targets[i]) + " at position " +
                               std::to_string(i) + " is outside [0, " + std::to_string(V) + ")");
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; ++i) {
        const float *z = logits + size_t(i) * V;
        float *p = probs + size_t(i) * V;
        float mx = z[0];
        for (int v = 1; v < V; ++v) mx = z[v] > mx ? z[v] : mx;
        double s = 0.0;
        for (int v = 0; v < V; ++v) {
            p[v] = std::exp(z[v] - mx);
            s += p[v];
        }
        float inv = float(1.0 / s);
        for (int v = 0; v < V; ++v) p[v] *= inv;
        // -log softmax computed as logsumexp - z (more accurate than -log p for tiny p)
        losses[i] = (!mask || mask[i]) ? float(std::log(s) + mx - z[targets[i]]) : 0.0f;
    }
    int count = cross_entropy_count(mask, N);
    if (count == 0) return 0.0f;
    double total = 0.0;
    for (int i = 0; i < N; ++i) total += losses[i];
    return float(total / count);
}

void cross_entropy_backward(float *dlogits, const float *probs, const int32_t *targets, const uint8_t *mask, int N,
                            int V, float dloss) {
    int count = cross_entropy_count(mask, N);
    if (count == 0) return;
    float scale = dloss / float(count);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; ++i) {
        if (mask && !mask[i]) continue;
        const float *p = probs + size_t(i) * V;
        float *g = dlogits + size_t(i) * V;
        for (int v = 0; v < V; ++v) g[v] += (p[v] - (v == targets[i] ? 1.0f : 0.0f)) * scale;
    }
}

} // namespace tdlab::nn
