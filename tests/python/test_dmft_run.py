"""tdlab.dmft.run in process: the CLI's bytes, zero-copy results, the paper's 28-point orbit, errors."""

import os

import numpy as np
import pytest

import tdlab

NAMES = ("mo_se", "mo", "mv", "mq", "mk", "att", "t")
SHORT = {"dmft.steps": 30000, "dmft.transient": 25000, "dmft.beta": 1.3}


def test_arrays_equal_the_cli_npy_byte_for_byte(cli, tmp_path):
    out = tmp_path / "cli"
    cli("dmft", "run", "--set", "dmft.steps=30000", "--set", "dmft.transient=25000", "--set", "dmft.beta=1.3",
        "--out", out)
    mem = tdlab.dmft.run(overrides=SHORT)
    for name in NAMES:
        ref = np.load(out / f"{name}.npy")
        got = mem[name]
        assert got.dtype == ref.dtype and got.shape == ref.shape, name
        assert got.tobytes() == ref.tobytes(), name
    assert mem["mo_se"].shape == (5000, 3)


def test_out_dir_is_the_cli_run_directory_byte_for_byte(cli, tmp_path):
    cli("dmft", "run", "--set", "dmft.steps=30000", "--set", "dmft.transient=25000", "--set", "dmft.beta=1.3",
        "--out", tmp_path / "cli")
    run = tdlab.dmft.run(overrides=SHORT, out=tmp_path / "py")
    assert run.manifest["command"] == "dmft run"
    names = sorted(os.listdir(tmp_path / "cli"))
    assert names == sorted(os.listdir(tmp_path / "py"))
    for name in names:
        if name == "manifest.json":
            continue  # times, host and command line differ
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "py" / name).read_bytes(), name


def test_a_million_element_result_comes_back_without_a_copy():
    run = tdlab.dmft.run(overrides={"dmft.steps": 440000, "dmft.transient": 100000})
    a = run["mo_se"]
    assert a.size >= 1_000_000
    # The array does not own its data: its base is the capsule holding the C++ vector.
    assert not a.flags.owndata
    assert a.base is not None and type(a.base).__name__ == "PyCapsule"
    view = np.asarray(a)
    assert np.shares_memory(view, a)


def test_beta_1_27_from_zoom_is_the_papers_28_point_orbit():
    run = tdlab.dmft.run(overrides={"dmft.beta": 1.27, "dmft.start": "zoom"})
    m1 = run["mo_se"][:, 0]
    # 28 values up to the last bits (the orbit is converged to ~1e-15, not bit-exactly periodic), and 28
    # with the paper's quantised count (R = 5001 over the window's own max |m^o_1|)
    assert np.unique(np.round(m1, 12)).size == 28
    assert tdlab.dynamics.point_count(m1) == 28
    # the authors' orbit's extremes of m^o_1 (Poc-Lopez & Aguilera 2024, Fig 3b zoom)
    assert m1.min() == pytest.approx(-0.156278706, abs=1e-8)
    assert m1.max() == pytest.approx(0.149202536, abs=1e-8)
    assert tdlab.dynamics.detect_period(run["mo_se"], multiple_of=4) == 28


def test_bad_key_or_value_raises_value_error_naming_the_key(tmp_path):
    with pytest.raises(ValueError, match="dmft.betta"):
        tdlab.dmft.run(overrides={"dmft.betta": 1.0})
    with pytest.raises(ValueError, match="dmft.beta"):
        tdlab.dmft.run(overrides={"dmft.beta": -1.0})
    with pytest.raises(ValueError, match="dmft.start"):
        tdlab.dmft.sweep(overrides={"dmft.start": "warm"}, out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_output_dir_that_is_not_a_run_is_refused_untouched(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(ValueError, match="mine"):
        tdlab.dmft.run(overrides=SHORT, out=tmp_path / "mine")
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]


def test_runtime_failure_raises_runtime_error():
    # Zero Jacobians collapse the tangent vector: the C++ RuntimeError (CLI exit 1) class.
    with pytest.raises(RuntimeError, match="collapsed"):
        tdlab.dynamics.lyapunov_1(np.zeros((10, 2, 2)), transient=0)


def test_ternary_tokens_through_overrides_match_the_regression_values():
    # dmft.tokens reaches the in-process run like any key: the ternary cold start at beta = 1.27
    # (docs/dmft_multistate.md, values from an independent NumPy implementation).
    run = tdlab.dmft.run(overrides={"dmft.tokens": "ternary", "dmft.start": "cold", "dmft.beta": 1.27,
                                    "dmft.steps": 12, "dmft.transient": 0})
    mo = run["mo_se"]
    assert mo[1] == pytest.approx([0.4299728078409193, -0.02166355336932539, 0.5989704801063328], abs=1e-12)
    assert mo[11] == pytest.approx([0.019082089427536877, 0.06925016163008944, -0.0802914315422557], abs=1e-12)


def test_errors_speak_the_keyword_arguments_words(tmp_path):
    """The C++ messages name --set, --config and --force; from Python they name overrides=, config= and
    force=True (a Python caller never typed the command-line words)."""
    with pytest.raises(ValueError, match=r"unknown config key 'dmft.nope' \(overrides=\)"):
        tdlab.dmft.run(overrides={"dmft.nope": 1})
    with pytest.raises(ValueError, match=r"^config: "):
        tdlab.dmft.run(config=str(tmp_path / "missing.yaml"))
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("not a tdlab run")
    with pytest.raises(ValueError, match=r"out='.*pass force=True"):
        tdlab.scansnap.theory(out=tmp_path / "taken")
