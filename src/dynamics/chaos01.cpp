#include "dynamics/chaos01.h"

#include "core/aligned_vector.h"
#include "core/error.h"
#include "core/isa.h"
#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tdlab::dynamics {

namespace {
double correlation(const std::vector<double> &a, const std::vector<double> &b) {
    const size_t n = a.size();
    double ma = 0, mb = 0;
    for (size_t k = 0; k < n; ++k) {
        ma += a[k];
        mb += b[k];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t k = 0; k < n; ++k) {
        sab += (a[k] - ma) * (b[k] - mb);
        saa += (a[k] - ma) * (a[k] - ma);
        sbb += (b[k] - mb) * (b[k] - mb);
    }
    if (saa <= 0 || sbb <= 0) return 0.0; // D_c constant: no growth at all, regular
    return sab / std::sqrt(saa * sbb);
}

// cos(j c), sin(j c) for j = 1..N from two short tables, e^{ijc} = e^{i hi B c} e^{i lo c} with
// j = hi B + lo: 2 (N / B + B) libm calls instead of 2 N. Within a few ulp of the exact values (the
// direct std::cos(double(j) * c) is itself off by up to ~N c ulp, from rounding j * c).
void unit_phases(double c, size_t N, std::vector<double> &cs, std::vector<double> &sn) {
    constexpr size_t kB = 64;
    double lo_c[kB], lo_s[kB];
    for (size_t lo = 0; lo < kB; ++lo) {
        lo_c[lo] = std::cos(double(lo) * c);
        lo_s[lo] = std::sin(double(lo) * c);
    }
    cs.resize(N + 1);
    sn.resize(N + 1);
    for (size_t hi = 0; hi * kB <= N; ++hi) {
        const double hc = std::cos(double(hi * kB) * c), hs = std::sin(double(hi * kB) * c);
        const size_t j0 = hi * kB, j1 = std::min(N + 1, j0 + kB);
        for (size_t j = j0; j < j1; ++j) {
            const double a = lo_c[j - j0], b = lo_s[j - j0];
            cs[j] = hc * a - hs * b;
            sn[j] = hs * a + hc * b;
        }
    }
}

// sum_{j=1}^{J} (p[j+n] - p[j])^2 + (q[j+n] - q[j])^2 in 32 interleaved partial sums (lane u takes
// j = 1 + u, 33 + u, ...; then a fixed pairwise tree): independent chains that vectorise (four AVX-512
// accumulators), where one running sum waits on the add latency at every term. The order is fixed by the
// source, so every clone gives the same bits.
TDLAB_CLONES_AVX512_AVX2 double increment_square_sum(const double *p, const double *q, size_t J, size_t n) {
    constexpr size_t kU = 32;
    double acc[kU] = {};
    size_t j = 1;
    for (; j + kU <= J + 1; j += kU) {
        for (size_t u = 0; u < kU; ++u) {
            const double dp = p[j + u + n] - p[j + u], dq = q[j + u + n] - q[j + u];
            acc[u] += dp * dp + dq * dq;
        }
    }
    for (size_t u = 0; j <= J; ++j, ++u) {
        const double dp = p[j + n] - p[j], dq = q[j + n] - q[j];
        acc[u] += dp * dp + dq * dq;
    }
    for (size_t w = kU / 2; w > 0; w /= 2)
        for (size_t u = 0; u < w; ++u) acc[u] += acc[u + w];
    return acc[0];
}
// The same sums for four lags at once: each sum keeps its own 32 partial sums and the same order as
// increment_square_sum (so the same bits), but p[j], q[j] are loaded once for the four lags, which
// halves the loads of a loop that is bound by them.
TDLAB_CLONES_AVX512_AVX2 void increment_square_sums4(const double *p, const double *q, size_t J, const size_t *n,
                                                     double *out) {
    constexpr size_t kU = 32, kK = 4;
    double acc[kK][kU] = {};
    size_t j = 1;
    for (; j + kU <= J + 1; j += kU) {
        for (size_t u = 0; u < kU; ++u) {
            const double pj = p[j + u], qj = q[j + u];
            for (size_t k = 0; k < kK; ++k) {
                const double dp = p[j + u + n[k]] - pj, dq = q[j + u + n[k]] - qj;
                acc[k][u] += dp * dp + dq * dq;
            }
        }
    }
    for (size_t u = 0; j <= J; ++j, ++u) {
        for (size_t k = 0; k < kK; ++k) {
            const double dp = p[j + n[k]] - p[j], dq = q[j + n[k]] - q[j];
            acc[k][u] += dp * dp + dq * dq;
        }
    }
    for (size_t k = 0; k < kK; ++k) {
        for (size_t w = kU / 2; w > 0; w /= 2)
            for (size_t u = 0; u < w; ++u) acc[k][u] += acc[k][u + w];
        out[k] = acc[k][0];
    }
}
} // namespace

double chaos01(const std::vector<double> &phi, const Chaos01Options &opt) {
    const size_t N = phi.size();
    const size_t ncut = std::max<size_t>(2, size_t(double(N) * opt.ncut_frac));
    if (N < 2 * ncut + 10) throw UsageError("chaos01: series too short for the 0-1 test");
    double mean = 0;
    for (double v : phi) mean += v;
    mean /= double(N);
    // Sampled n: evenly spaced in 1..ncut (all of them if num_n >= ncut).
    std::vector<size_t> ns;
    const size_t nn = std::min<size_t>(ncut, size_t(std::max(2, opt.num_n)));
    for (size_t k = 0; k < nn; ++k) ns.push_back(1 + k * (ncut - 1) / (nn - 1));
    std::vector<double> nd(ns.begin(), ns.end());
    // p[1] and q[1] on a cache line's start (element 0 is the one before it): the sums read p[j], q[j]
    // from j = 1 on, which then never cross a line.
    AlignedVector<double> pbuf(N + 8), qbuf(N + 8);
    double *p = pbuf.data() + 7, *q = qbuf.data() + 7;
    std::vector<double> D(ns.size()), Kc, cs, sn, sums(ns.size());
    const size_t J = N - ncut;
    CounterRng rng(opt.seed, 0);
    const double pi = std::numbers::pi;
    for (int ic = 0; ic < opt.num_c; ++ic) {
        const double c = pi / 5.0 + rng.uniform() * (3.0 * pi / 5.0);
        unit_phases(c, N, cs, sn);
        p[0] = q[0] = 0.0;
        for (size_t j = 1; j <= N; ++j) {
            p[j] = p[j - 1] + phi[j - 1] * cs[j];
            q[j] = q[j - 1] + phi[j - 1] * sn[j];
        }
        size_t k4 = 0;
        for (; k4 + 4 <= ns.size(); k4 += 4) increment_square_sums4(p, q, J, &ns[k4], &sums[k4]);
        for (; k4 < ns.size(); ++k4) sums[k4] = increment_square_sum(p, q, J, ns[k4]);
        double scale = 0; // the size of M_c and of the subtracted term: what rounding is relative to
        for (size_t k = 0; k < ns.size(); ++k) {
            const size_t n = ns[k];
            const double Mn = sums[k] / double(J);
            const double osc = mean * mean * (1.0 - std::cos(double(n) * c)) / (1.0 - std::cos(c));
            D[k] = Mn - osc;
            scale = std::max({scale, std::fabs(Mn), std::fabs(osc)});
        }
        // A D_c that varies only at the level of rounding (a constant series, or a periodic one whose
        // period divides the sampling step: M_c equals the oscillatory term exactly) has no growth: K_c = 0.
        // Its correlation with n would be a correlation with rounding noise, anywhere in [-1, 1].
        double dmin = D[0], dmax = D[0];
        for (double d : D) dmin = std::min(dmin, d), dmax = std::max(dmax, d);
        Kc.push_back(dmax - dmin <= 1e-10 * scale ? 0.0 : correlation(nd, D));
    }
    std::sort(Kc.begin(), Kc.end());
    const size_t m = Kc.size();
    return m % 2 ? Kc[m / 2] : 0.5 * (Kc[m / 2 - 1] + Kc[m / 2]);
}

} // namespace tdlab::dynamics
