#include "core/rng.h"

namespace tdlab {

uint32_t NumpyLegacyRng::randint(uint32_t n) {
    if (n <= 1) return 0;
    uint32_t max = n - 1, mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    while ((v = next_u32() & mask) > max) {
    }
    return v;
}

uint64_t CounterRng::uniform_int(uint64_t n) {
    if (n <= 1) return 0;
    // Lemire: multiply-high with a rejection threshold.
    unsigned __int128 m = (unsigned __int128)next_u64() * n;
    uint64_t low = uint64_t(m);
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = (unsigned __int128)next_u64() * n;
            low = uint64_t(m);
        }
    }
    return uint64_t(m >> 64);
}

double CounterRng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    double u1 = 0.0;
    while (u1 <= 0.0) u1 = uniform();
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
}

int64_t CounterRng::binomial(int64_t n, double p) {
    if (n <= 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    bool flip = p > 0.5;
    double q = flip ? 1.0 - p : p;
    int64_t k = 0;
    if (double(n) * q < 30.0) {
        // Inversion by sequential search: exact, O(n q) expected work.
        double u = uniform();
        double prob = std::pow(1.0 - q, double(n));
        double cdf = prob;
        while (u > cdf && k < n) {
            prob *= (double(n - k) / double(k + 1)) * (q / (1.0 - q));
            ++k;
            cdf += prob;
        }
    } else {
        // Geometric waiting times between successes: each gap ~ Geom(q). Exact, O(n q) work.
        double log1mq = std::log1p(-q);
        int64_t pos = 0;
        while (true) {
            double u = 0.0;
            while (u <= 0.0) u = uniform();
            pos += int64_t(std::floor(std::log(u) / log1mq)) + 1;
            if (pos > n) break;
            ++k;
        }
    }
    return flip ? n - k : k;
}

} // namespace tdlab
