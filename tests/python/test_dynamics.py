"""tdlab.dynamics on NumPy arrays: closed forms and invariants."""

import numpy as np
import pytest

import tdlab
from tdlab import dynamics as dy


def test_detect_period_of_a_period_3_vector_series():
    base = np.array([[0.1, -1.0], [0.5, 2.0], [-0.7, 0.0]])
    x = np.tile(base, (20, 1))
    assert dy.detect_period(x) == 3
    assert dy.detect_period(x[:, 0]) == 3
    assert dy.detect_period(x, multiple_of=2) == 6
    assert dy.detect_period(np.sin(np.arange(200) * np.sqrt(2))) == 0


def test_point_count_counts_bins_of_the_papers_quantisation():
    v = np.array([-1.0, -1.0, 0.0, 1e-9, 1.0])
    # R = 5001 over [-1, 1]: bins 0, 2500 (0 and 1e-9 share it) and 5001
    assert dy.unique_bins(v, max_y=1.0).tolist() == [0, 2500, 5001]
    assert dy.point_count(v) == 3
    assert dy.paper_label(27) == "periodic"
    assert dy.paper_label(2500) == "chaotic"
    assert dy.bin_values([0, 2500], 1.0).tolist() == pytest.approx([-1.0, 2500 / 5001 * 2 - 1])


def test_poincare_filter_keeps_samples_near_the_section():
    x = np.arange(5.0)
    y = np.array([0.5, 1e-4, -2e-3, -1e-3, 0.0])
    assert dy.poincare_filter(x, y, tol=1e-3).tolist() == [1.0, 3.0, 4.0]


def test_power_spectrum_of_a_pure_tone_is_one_line():
    n, k = 256, 16
    x = np.cos(2 * np.pi * k * np.arange(n) / n)
    p = dy.power_spectrum(x)
    assert p.shape == (n // 2 + 1,)
    assert np.argmax(p) == k
    assert p[k] == pytest.approx(n / 4)  # |rfft|^2 / N = (N/2)^2 / N
    assert dy.frequencies(n)[k] == pytest.approx(k / n)
    assert dy.spectral_entropy(p) == pytest.approx(0.0, abs=1e-9)


def test_autocorrelation_matches_numpy_correlate():
    x = np.random.default_rng(1).normal(size=300)
    full = np.correlate(x, x, "full")[x.size - 1:]
    assert dy.autocorrelation(x, 10) == pytest.approx(full[:11], rel=1e-12, abs=1e-12)


def test_chaos01_separates_the_logistic_map_from_a_tone():
    x = np.empty(3000)
    x[0] = 0.3
    for t in range(1, x.size):
        x[t] = 4.0 * x[t - 1] * (1.0 - x[t - 1])
    assert dy.chaos01(x) > 0.9
    assert dy.chaos01(np.cos(0.3 * np.arange(3000))) < 0.1


def test_lyapunov_from_jacobians_closed_forms():
    # Constant diagonal Jacobians diag(2, 0.5): lambda = ln 2, ln 0.5.
    J = np.tile(np.diag([2.0, 0.5]), (500, 1, 1))
    assert dy.lyapunov_1(J, transient=10) == pytest.approx(np.log(2.0), abs=1e-12)
    assert dy.lyapunov_spectrum(J, transient=10) == pytest.approx([np.log(2.0), np.log(0.5)], abs=1e-12)
    # The logistic map at r = 4 along an orbit: lambda_1 = ln 2.
    x, js = 0.2, []
    for _ in range(20000):
        js.append([[4.0 - 8.0 * x]])
        x = 4.0 * x * (1.0 - x)
    assert dy.lyapunov_1(np.array(js), transient=100) == pytest.approx(np.log(2.0), abs=0.02)


def test_bad_shapes_raise_value_error():
    with pytest.raises(ValueError, match="jacobians"):
        dy.lyapunov_1(np.zeros((4, 2, 3)), transient=0)
    with pytest.raises(ValueError, match="transient"):
        dy.lyapunov_1(np.zeros((4, 2, 2)), transient=4)
    with pytest.raises(ValueError, match="x"):
        dy.power_spectrum(np.zeros((3, 3)))
