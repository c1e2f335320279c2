#include "nn/cross_entropy.h"

#include "core/error.h"
#include "core/vexp.h"

#include <algorithm>
#include <cmath>
#ifdef __SSE2__
#include <immintrin.h>
#endif
#include <string>
#include <vector>

namespace tdlab::nn {

namespace {
// max over z[0..V): 16 running maxima (SSE, baseline x86-64: GCC does not vectorise the scalar form
// unless fast-math is on, which tdlab never uses), then combined. max is exact in any order for logits without NaN, so
// these are the bits of a left-to-right scan. _mm_max_ps(a, b) is a > b ? a : b per lane, the scalar expression.
float row_max(const float *z, int V) {
    float m[16];
    int v = 0;
#ifdef __SSE2__
    __m128 m0 = _mm_set1_ps(z[0]), m1 = m0, m2 = m0, m3 = m0;
    for (; v + 16 <= V; v += 16) {
        m0 = _mm_max_ps(_mm_loadu_ps(z + v), m0);
        m1 = _mm_max_ps(_mm_loadu_ps(z + v + 4), m1);
        m2 = _mm_max_ps(_mm_loadu_ps(z + v + 8), m2);
        m3 = _mm_max_ps(_mm_loadu_ps(z + v + 12), m3);
    }
    _mm_storeu_ps(m, m0);
    _mm_storeu_ps(m + 4, m1);
    _mm_storeu_ps(m + 8, m2);
    _mm_storeu_ps(m + 12, m3);
#else
    std::fill(m, m + 16, z[0]);
#endif
    for (; v < V; ++v) m[0] = z[v] > m[0] ? z[v] : m[0];
    float mx = m[0];
    for (int j = 1; j < 16; ++j) mx = m[j] > mx ? m[j] : mx;
    return mx;
}
} // namespace

int cross_entropy_count(const uint8_t *mask, int N) {
    if (!mask) return N;
    int n = 0;
    for (int i = 0; i < N; ++i) n += mask[i] != 0;
    return n;
}

namespace {
// The softmax rows behind both entry points. grad_scale null: out = probs. Otherwise out = the gradient of
// grad_scale * sum of the selected rows' losses, written as cross_entropy_backward_set writes it from probs
// (0 + p * scale, the target column 0 + (p - 1) * scale, unselected rows 0), p the same float product.
// dbias (gradient form only, may be null): set to the gradient's column sums (see cross_entropy.h).
float softmax_rows(float *losses, float *probs, float *dbias, const float *logits, const int32_t *targets,
                   const uint8_t *mask, int N, int V, const float *grad_scale) {
    for (int i = 0; i < N; ++i)
        if ((!mask || mask[i]) && (targets[i] < 0 || targets[i] >= V))
            throw RuntimeError("cross_entropy: target " + std::to_string(targets[i]) + " at position " +
                               std::to_string(i) + " is outside [0, " + std::to_string(V) + ")");
    // Rows in fixed groups of kRows: each row's double sum runs over v in order, exactly as a row at a
    // time, but the kRows independent dependency chains overlap (one row's chain of 5e4 dependent adds was
    // latency-bound: ~9% of a word-model step). The group's probabilities stay in L2 between passes.
    constexpr int kRows = 4;
    // Chunks of kChunk rows (a multiple of kRows), each with its own column-sum partial for dbias, added
    // while a gradient row is still in cache (a separate pass re-read the (N,V) gradient: 2% of a word-model
    // step). The chunks are a function of N only, so dbias's summation order is the same for any threads.
    constexpr int kChunk = 128;
    const int nchunks = (N + kChunk - 1) / kChunk;
    std::vector<float> part(dbias && grad_scale ? size_t(nchunks) * V : 0, 0.0f);
#pragma omp parallel for schedule(static)
    for (int chunk = 0; chunk < nchunks; ++chunk)
        for (int i0 = chunk * kChunk; i0 < std::min(N, (chunk + 1) * kChunk); i0 += kRows) {
            const int rows = std::min(kRows, N - i0);
            double s[kRows] = {0.0, 0.0, 0.0, 0.0};
            float mx[kRows] = {0.0f, 0.0f, 0.0f, 0.0f};
            for (int r = 0; r < rows; ++r) {
                const float *z = logits + size_t(i0 + r) * V;
                float *p = probs + size_t(i0 + r) * V;
                mx[r] = row_max(z, V);
                // SLEEF's vector exp (core/vexp.h) instead of glibc's scalar expf: 1 ulp, deterministic, a
                // function of the CPU only; it was 9% of a word-model step.
                for (int v = 0; v < V; ++v) p[v] = z[v] - mx[r];
                exp_inplace(p, V);
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
                if (!grad_scale) {
                    for (int v = 0; v < V; ++v) p[v] *= inv;
                } else if (mask && !mask[i]) {
                    std::fill(p, p + V, 0.0f);
                } else {
                    const float scale = *grad_scale;
                    const float pt = p[targets[i]] * inv;
                    for (int v = 0; v < V; ++v) p[v] = 0.0f + (p[v] * inv) * scale;
                    p[targets[i]] = 0.0f + (pt - 1.0f) * scale;
                }
                if (!part.empty()) {
                    float *col = part.data() + size_t(chunk) * V;
                    for (int v = 0; v < V; ++v) col[v] += p[v];
                }
                // -log softmax computed as logsumexp - z (more accurate than -log p for tiny p)
                losses[i] = (!mask || mask[i]) ? float(std::log(s[r]) + mx[r] - z[targets[i]]) : 0.0f;
            }
        }
    if (dbias && grad_scale) {
        std::fill(dbias, dbias + V, 0.0f);
        for (int chunk = 0; chunk < nchunks; ++chunk)
            for (int v = 0; v < V; ++v) dbias[v] += part[size_t(chunk) * V + v];
    }
    int count = cross_entropy_count(mask, N);
    if (count == 0) return 0.0f;
    double total = 0.0;
    for (int i = 0; i < N; ++i) total += losses[i];
    return float(total / count);
}
} // namespace

float cross_entropy_forward(float *losses, float *probs, const float *logits, const int32_t *targets,
                            const uint8_t *mask, int N, int V) {
    return softmax_rows(losses, probs, nullptr, logits, targets, mask, N, V, nullptr);
}

float cross_entropy_forward_grad(float *losses, float *dlogits, float *dbias, const float *logits,
                                 const int32_t *targets, const uint8_t *mask, int N, int V, float dloss) {
    const int count = cross_entropy_count(mask, N);
    const float scale = count == 0 ? 0.0f : dloss / float(count);
    return softmax_rows(losses, dlogits, dbias, logits, targets, mask, N, V, &scale);
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

void cross_entropy_backward_set(float *dlogits, float *dbias, const float *probs, const int32_t *targets,
                                const uint8_t *mask, int N, int V, float dloss) {
    const int count = cross_entropy_count(mask, N);
    const float scale = count == 0 ? 0.0f : dloss / float(count);
    // Column blocks, rows in order inside each: the gradient block is still in L1 when dbias reads it, and
    // each dbias element sums rows 0..N-1 in order whatever the threads (one pass over the (N,V) gradient
    // instead of two).
    constexpr int kBlock = 1024;
#pragma omp parallel for schedule(static)
    for (int o0 = 0; o0 < V; o0 += kBlock) {
        const int o1 = std::min(V, o0 + kBlock);
        for (int i = 0; i < N; ++i) {
            float *g = dlogits + size_t(i) * V;
            if (count == 0 || (mask && !mask[i])) {
                std::fill(g + o0, g + o1, 0.0f);
            } else {
                const float *p = probs + size_t(i) * V;
                // 0 + (p - 0) * scale: the bits of zero-fill then cross_entropy_backward, -0 included; the
                // target column apart so that the loop has no compare and vectorises.
                for (int v = o0; v < o1; ++v) g[v] = 0.0f + p[v] * scale;
                const int t = targets[i];
                if (t >= o0 && t < o1) g[t] = 0.0f + (p[t] - 1.0f) * scale;
            }
            if (dbias)
                for (int v = o0; v < o1; ++v) dbias[v] += g[v];
        }
    }
}

} // namespace tdlab::nn
