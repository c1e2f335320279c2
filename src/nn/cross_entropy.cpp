#include "nn/cross_entropy.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tdlab::nn {

namespace {
// max over z[0..V): kLanes running maxima, then combined. max is exact in any order (for logits without
// NaN), so this is the bits of a left-to-right scan, but vectorisable without -ffast-math.
float row_max(const float *z, int V) {
    constexpr int kLanes = 16;
    float m[kLanes];
    for (int j = 0; j < kLanes; ++j) m[j] = z[0];
    int v = 0;
    for (; v + kLanes <= V; v += kLanes)
        for (int j = 0; j < kLanes; ++j) m[j] = z[v + j] > m[j] ? z[v + j] : m[j];
    for (; v < V; ++v) m[0] = z[v] > m[0] ? z[v] : m[0];
    float mx = m[0];
    for (int j = 1; j < kLanes; ++j) mx = m[j] > mx ? m[j] : mx;
    return mx;
}
} // namespace

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
    // Rows in fixed groups of kRows: each row's double sum runs over v in order, exactly as a row at a
    // time, but the kRows independent dependency chains overlap (one row's chain of 5e4 dependent adds was
    // latency-bound: ~9% of a word-model step). The group's probabilities stay in L2 between passes.
    constexpr int kRows = 4;
#pragma omp parallel for schedule(static)
    for (int i0 = 0; i0 < N; i0 += kRows) {
        const int rows = std::min(kRows, N - i0);
        double s[kRows] = {0.0, 0.0, 0.0, 0.0};
        float mx[kRows] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int r = 0; r < rows; ++r) {
            const float *z = logits + size_t(i0 + r) * V;
            float *p = probs + size_t(i0 + r) * V;
            mx[r] = row_max(z, V);
            for (int v = 0; v < V; ++v) p[v] = std::exp(z[v] - mx[r]);
        }
        const float *p0 = probs + size_t(i0) * V;
        if (rows == kRows) {
            const float *p1 = p0 + V, *p2 = p1 + V, *p3 = p2 + V;
            for (int v = 0; v < V; ++v) {
                s[0] += p0[v];
                s[1] += p1[v];
                s[2] += p2[v];
                s[3] += p3[v];
            }
        } else {
            for (int r = 0; r < rows; ++r)
                for (int v = 0; v < V; ++v) s[r] += p0[size_t(r) * V + v];
        }
        for (int r = 0; r < rows; ++r) {
            const int i = i0 + r;
            const float *z = logits + size_t(i) * V;
            float *p = probs + size_t(i) * V;
            const float inv = float(1.0 / s[r]);
            for (int v = 0; v < V; ++v) p[v] *= inv;
            // -log softmax computed as logsumexp - z (more accurate than -log p for tiny p)
            losses[i] = (!mask || mask[i]) ? float(std::log(s[r]) + mx[r] - z[targets[i]]) : 0.0f;
        }
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

void cross_entropy_backward_set(float *dlogits, const float *probs, const int32_t *targets, const uint8_t *mask, int N,
                                int V, float dloss) {
    const int count = cross_entropy_count(mask, N);
    const float scale = count == 0 ? 0.0f : dloss / float(count);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < N; ++i) {
        float *g = dlogits + size_t(i) * V;
        if (count == 0 || (mask && !mask[i])) {
            std::fill(g, g + V, 0.0f);
            continue;
        }
        const float *p = probs + size_t(i) * V;
        // 0 + (p - 0) * scale: the bits of zero-fill then cross_entropy_backward, -0 included; the target
        // column apart so that the loop has no compare and vectorises.
        for (int v = 0; v < V; ++v) g[v] = 0.0f + p[v] * scale;
        const int t = targets[i];
        g[t] = 0.0f + (p[t] - 1.0f) * scale;
    }
}

} // namespace tdlab::nn
