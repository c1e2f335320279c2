"""Model-independent analysis of dynamical signals, on any NumPy array (the C++ code of src/dynamics/,
the same functions the sweeps use). Inputs are converted to C-contiguous float64; nothing is modified.

Sources: the exact period test follows PeriodicOrbits.jl's minimal_period idea on a time series; the
quantised point count and the Poincare filter are those of Poc-Lopez & Aguilera 2024 (arXiv
2406.07247, Sec. 4 / Fig 3, made precise by the authors' code; docs/dmft_map.md section 8); the 0-1
test is Gottwald & Melbourne (2004, 2009); the spectra are those of the paper's Fig 5; Lyapunov
exponents follow Benettin et al. (1980) and the QR method of Geist, Parlitz & Lauterborn (1990).
"""

import numpy as np

from . import _core

LABELS = ("periodic", "quasi-periodic", "chaotic", "unknown")


def detect_period(x, max_period=2000, multiple_of=1, tol=1e-8):
    """Smallest exact period of a series.

    x: [n] (a scalar series) or [n, dim] (a series of dim-vectors, row t = the state at step t).
    Returns the smallest p (a multiple of `multiple_of`, p <= max_period) with
    max_i |x[t+p, i] - x[t, i]| <= tol for every t in [0, n - p), requiring n >= 2p so the period is
    seen twice; 0 when there is none (quasi-periodic, chaotic, or not converged to tol). p is in steps.
    For a map forced with period L pass multiple_of=L.
    """
    return int(_core.detect_period(np.asarray(x), int(max_period), int(multiple_of), float(tol)))


def unique_bins(values, max_y=None, resolution=5001):
    """Sorted unique bins q = int(R (v / max_y + 1) / 2) of a 1-D series (the paper's quantisation:
    R = resolution bins over [-max_y, max_y]). max_y=None: max |values|. Returns int64 [u]."""
    v = np.asarray(values, dtype=np.float64)
    if max_y is None:
        max_y = float(np.max(np.abs(v))) if v.size else 1.0
        if max_y == 0.0:
            max_y = 1.0
    return _core.unique_bins(v, float(max_y), int(resolution))


def point_count(values, max_y=None, resolution=5001):
    """The paper's quantised point count u: the number of unique bins of a 1-D series at R = resolution
    over [-max_y, max_y] (max_y=None: max |values|, the sweeps' per-value scale). Dimensionless."""
    return int(unique_bins(values, max_y, resolution).size)


def bin_values(bins, max_y, resolution=5001):
    """Centre values (q / R * 2 - 1) max_y of bins, as the paper plots a bifurcation column. float64 [u]."""
    return _core.bin_values([int(b) for b in np.asarray(bins).ravel()], float(max_y), int(resolution))


def paper_label(unique_count, resolution=5001, periodic_below=80, chaotic_from=2500):
    """The paper's class from u: 'periodic' (u < 80), 'quasi-periodic' (u < 2500) or 'chaotic'.
    These thresholds are the authors' heuristics at R = 5001, not theory."""
    return _core.paper_label(int(unique_count), int(resolution), int(periodic_below), int(chaotic_from))


def poincare_filter(x, y, tol=1e-3):
    """The paper's Poincare set: x[k] for the samples with |y[k]| <= tol (no interpolation, no crossing
    direction). x, y: 1-D of equal length. Returns float64 [k]."""
    return _core.poincare_filter(np.asarray(x), np.asarray(y), float(tol))


def chaos01(phi, num_c=32, ncut_frac=0.1, num_n=50, seed=20090101):
    """The 0-1 test for chaos (Gottwald & Melbourne 2009, regression form): K = median over num_c
    frequencies c in (pi/5, 4pi/5) (drawn deterministically from `seed`) of corr(n, D_c(n)), n sampled
    num_n times in 1..N*ncut_frac. phi: 1-D observable. K near 0: regular; near 1: chaotic. For a map
    forced with period L pass the series sampled every L steps."""
    return float(_core.chaos01(np.asarray(phi), int(num_c), float(ncut_frac), int(num_n), int(seed)))


def power_spectrum(x):
    """P_k = |rfft(x)_k|^2 / N at frequency k / N cycles per step, k = 0..N/2 (no mean removal, no
    window, as the paper's Fig 5). x: 1-D [N]. Returns float64 [N // 2 + 1]."""
    return _core.power_spectrum(np.asarray(x))


def frequencies(n):
    """The frequencies k / n (cycles per step) of power_spectrum for a series of length n."""
    return np.arange(n // 2 + 1) / n


def autocorrelation(x, max_lag):
    """Raw autocorrelation R_l = sum_{t=0}^{N-1-l} x_t x_{t+l}, l = 0..max_lag (np.correlate 'full',
    no normalisation, as the paper's Fig 5). x: 1-D [N]. Returns float64 [max_lag + 1]."""
    return _core.autocorrelation(np.asarray(x), int(max_lag))


def spectral_entropy(power):
    """Entropy of P_1..P_{N/2} (P_0 dropped), normalised to [0, 1]: 0 for one line, 1 for white noise."""
    return float(_core.spectral_entropy(np.asarray(power)))


def lyapunov_1(jacobians, transient=1000, renorm_every=1):
    """Largest Lyapunov exponent (per step, natural log) from a sequence of Jacobians J_t = Df(x_t).

    jacobians: [T, d, d], J_t[i, j] = d f_i / d x_j along the orbit. The tangent vector starts at
    (1, ..., 1)/sqrt(d), v <- J_t v for t = 0..T-1; the first `transient` steps align it and are not
    accumulated (lambda_1 = mean over the last T - transient steps of ln growth); renormalised every
    `renorm_every` steps (Benettin et al. 1980)."""
    return float(_core.largest_lyapunov(np.asarray(jacobians), int(transient), int(renorm_every)))


def lyapunov_spectrum(jacobians, k=None, transient=1000):
    """The k largest Lyapunov exponents (per step, decreasing) from Jacobians [T, d, d] by repeated QR
    (Benettin et al. 1980; Shimada & Nagashima 1979): Y = J_t Q, Y = Q'R, lambda_j += ln|R_jj|, from a
    fixed generic orthonormal frame Q_0 (C++ dynamics::QrSpectrum, the implementation every tdlab
    spectrum uses). k=None: d. The first `transient` steps only align the frame. Returns float64 [k]."""
    j = np.asarray(jacobians)
    if k is None:
        k = j.shape[-1] if j.ndim == 3 else 1
    return _core.lyapunov_spectrum(j, int(k), int(transient))
