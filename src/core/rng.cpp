#include "core/rng.h"

#include "core/isa.h"

namespace tdlab {

// Counter-based, so the n draws are independent of each other and the loop vectorises (64-bit multiplies:
// AVX-512DQ vpmullq, emulated on AVX2 with three 32-bit ones each). The argument key + g (done + i + 1) is carried
// as a running sum (+ g per draw, the same value mod 2^64): g++ multiplied it out for every draw, one of the three
// 64-bit products per draw. Integer arithmetic: every clone gives the same bits.
TDLAB_CLONES_V4_V3 void CounterRng::peek_u64(uint64_t done, uint64_t *out, size_t n) const {
    constexpr uint64_t g = 0x9E3779B97F4A7C15ull;
    uint64_t x = key_ + g * (done + 1);
    for (size_t i = 0; i < n; ++i, x += g) out[i] = splitmix64(x);
}

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

namespace {

// Stirling correction fc(k) = log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2] (Hormann 1993,
// table for k < 10, the asymptotic series beyond).
double stirling_correction(int64_t k) {
    static const double table[10] = {
        0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509,  0.01664469118982119,
        0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871};
    if (k < 10) return table[k];
    // Stirling series in 1/(k+1) to the 1/(k+1)^9 term: truncation error < 1e-14 for k >= 10.
    const double r = 1.0 / double(k + 1), r2 = r * r;
    return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - r2 / 1188.0) * r2) * r2) * r2) * r;
}

} // namespace

double binomial_stirling_correction(int64_t k) {
    return stirling_correction(k);
}

// Binomial(n, p) for p <= 1/2 and n p >= 10: BTRD, transformed rejection with decomposition
// (W. Hormann, "The generation of binomial random variates", J. Statist. Comput. Simul. 46 (1993) 101-110).
// Exact (the acceptance test evaluates the binomial pmf ratio exactly, via a recursion near the mode or
// Stirling's series with its error bound), O(1) expected uniforms per draw (about 1.2 for large n p).
int64_t CounterRng::binomial_btrd(int64_t n, double p) {
    const double q = 1.0 - p;
    const double nd = double(n);
    const double m = std::floor((nd + 1.0) * p); // mode
    const double r = p / q, nr = (nd + 1.0) * r, npq = nd * p * q, spq = std::sqrt(npq);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = nd * p + 0.5;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double vr = 0.92 - 4.2 / b;
    const double urvr = 0.86 * vr;
    const int64_t mi = int64_t(m);
    while (true) {
        double v = uniform();
        double u;
        if (v <= urvr) { // the central box: accepted without evaluating the pmf
            u = v / vr - 0.43;
            return int64_t(std::floor((2.0 * a / (0.5 - std::fabs(u)) + b) * u + c));
        }
        if (v >= vr) {
            u = uniform() - 0.5;
        } else {
            u = v / vr - 0.93;
            u = std::copysign(0.5, u) - u;
            v = uniform() * vr;
        }
        const double us = 0.5 - std::fabs(u);
        const double kd = std::floor((2.0 * a / us + b) * u + c);
        if (kd < 0.0 || kd > nd) continue;
        const int64_t k = int64_t(kd);
        v = v * alpha / (a / (us * us) + b);
        const int64_t km = k > mi ? k - mi : mi - k;
        if (km <= 15) {
            // f(k)/f(m) by the recursion f(i)/f(i-1) = (n+1) r / i - r
            double f = 1.0;
            if (mi < k) {
                for (int64_t i = mi + 1; i <= k; ++i) f *= nr / double(i) - r;
            } else if (mi > k) {
                for (int64_t i = k + 1; i <= mi; ++i) v *= nr / double(i) - r;
            }
            if (v <= f) return k;
            continue;
        }
        // squeeze with the normal approximation's bounds, then the exact log-pmf ratio
        v = std::log(v);
        const double kmd = double(km);
        const double rho = (kmd / npq) * (((kmd / 3.0 + 0.625) * kmd + 1.0 / 6.0) / npq + 0.5);
        const double t = -kmd * kmd / (2.0 * npq);
        if (v < t - rho) return k;
        if (v > t + rho) continue;
        const double nm = nd - m + 1.0;
        const double h =
            (m + 0.5) * std::log((m + 1.0) / (r * nm)) + stirling_correction(mi) + stirling_correction(n - mi);
        const double nk = nd - kd + 1.0;
        if (v <= h + (nd + 1.0) * std::log(nm / nk) + (kd + 0.5) * std::log(nk * r / (kd + 1.0)) -
                     stirling_correction(k) - stirling_correction(n - k)) {
            return k;
        }
    }
}

int64_t CounterRng::binomial(int64_t n, double p) {
    if (n <= 0 || !(p > 0.0)) return 0;
    if (p >= 1.0) return n;
    const bool flip = p > 0.5;
    const double q = flip ? 1.0 - p : p;
    int64_t k = 0;
    if (double(n) * q < 10.0) {
        // Inversion by sequential search from 0: exact, O(1 + n q) expected work.
        double u = uniform();
        double prob = std::pow(1.0 - q, double(n));
        double cdf = prob;
        while (u > cdf && k < n) {
            prob *= (double(n - k) / double(k + 1)) * (q / (1.0 - q));
            ++k;
            cdf += prob;
        }
    } else {
        k = binomial_btrd(n, q);
    }
    return flip ? n - k : k;
}

} // namespace tdlab
