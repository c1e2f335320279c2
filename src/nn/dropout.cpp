#include "nn/dropout.h"

#include "core/error.h"
#include "core/rng.h"

#include <string>
#include <vector>

namespace tdlab::nn {

void dropout_mask(float *mask, size_t n, float p, uint64_t seed, uint64_t stream) {
    if (!(p >= 0.0f && p < 1.0f)) throw RuntimeError("dropout: p = " + std::to_string(p) + " must be in [0, 1)");
    const float keep = 1.0f / (1.0f - p);
    CounterRng rng(seed, stream);
    constexpr size_t kChunk = 4096;
    uint64_t draws[kChunk];
    for (size_t a = 0; a < n; a += kChunk) {
        const size_t m = n - a < kChunk ? n - a : kChunk;
        rng.fill_u64(draws, m);
        for (size_t i = 0; i < m; ++i) mask[a + i] = double(draws[i] >> 11) * 0x1.0p-53 >= double(p) ? keep : 0.0f;
    }
}

void dropout_forward(float *out, const float *inp, const float *mask, size_t n) {
    if (!mask) {
        if (out != inp)
            for (size_t i = 0; i < n; ++i) out[i] = inp[i];
        return;
    }
    for (size_t i = 0; i < n; ++i) out[i] = inp[i] * mask[i];
}

void dropout_backward(float *dinp, const float *dout, const float *mask, size_t n) {
    if (!mask) {
        for (size_t i = 0; i < n; ++i) dinp[i] += dout[i];
        return;
    }
    for (size_t i = 0; i < n; ++i) dinp[i] += dout[i] * mask[i];
}

} // namespace tdlab::nn
