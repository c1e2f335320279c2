// Power spectrum and raw autocorrelation of a scalar series, as the paper's Fig 5 draws them
// (Poc-Lopez & Aguilera 2024, arXiv 2406.07247, Fig 5; the authors' code): no mean removal, no window.
#pragma once

#include <cstddef>
#include <vector>

namespace tdlab::dynamics {

// P_k = |rfft(x)_k|^2 / N at f_k = k / N cycles per step, k = 0..N/2 (KissFFT, double precision).
std::vector<double> power_spectrum(const std::vector<double> &x);
// R_l = sum_{t=0}^{N-1-l} x_t x_{t+l} for l = 0..max_lag (np.correlate 'full', raw).
std::vector<double> autocorrelation(const std::vector<double> &x, size_t max_lag);
// Spectral entropy of P_1..P_{N/2} (the mean bin P_0 dropped), normalised to [0, 1]: 0 for a single
// line, 1 for white noise. A broadband floor (chaos) gives values far from 0.
double spectral_entropy(const std::vector<double> &power);

} // namespace tdlab::dynamics
