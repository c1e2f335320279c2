#include "scansnap/text_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace tdlab::scansnap {

double attention_entropy(const float *att, int B, int T) {
    double total = 0.0;
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t) {
            const float *a = att + (size_t(b) * T + t) * T;
            double h = 0.0;
            for (int s = 0; s < T; ++s) h -= double(a[s]) * std::log(double(a[s]) + 1e-8);
            total += h;
        }
    return total / (double(B) * T);
}

namespace {
int argmax_row(const float *a, int T) {
    return int(std::max_element(a, a + T) - a);
}
} // namespace

std::vector<FreezeStats> freeze_stats(const std::vector<std::vector<float>> &maps, int T) {
    const size_t K = maps.size();
    std::vector<FreezeStats> out(K);
    std::vector<std::vector<int>> am(K, std::vector<int>(size_t(T)));
    for (size_t k = 0; k < K; ++k)
        for (int t = 0; t < T; ++t) am[k][size_t(t)] = argmax_row(maps[k].data() + size_t(t) * T, T);
    for (size_t k = 0; k < K; ++k) {
        FreezeStats &s = out[k];
        int same = 0, frozen = 0;
        double tv = 0.0, mx = 0.0;
        for (int t = 0; t < T; ++t) {
            const float *a = maps[k].data() + size_t(t) * T;
            mx += *std::max_element(a, a + T);
            if (k == 0) {
                ++same;
            } else {
                const float *p = maps[k - 1].data() + size_t(t) * T;
                double d = 0.0;
                for (int j = 0; j < T; ++j) d += std::fabs(double(a[j]) - p[j]);
                tv += 0.5 * d;
                same += am[k][size_t(t)] == am[k - 1][size_t(t)];
            }
            bool never = true;
            for (size_t j = k + 1; j < K && never; ++j) never = am[j][size_t(t)] == am[k][size_t(t)];
            frozen += never;
        }
        s.tv_change = tv / T;
        s.argmax_same = double(same) / T;
        s.argmax_frozen = double(frozen) / T;
        s.row_max = mx / T;
    }
    return out;
}

} // namespace tdlab::scansnap
