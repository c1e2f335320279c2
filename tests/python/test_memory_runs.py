"""out=None for dmft sweep, phase, spin (and run with spectrum.enabled) computes in memory: no directory,
not even a temporary one; every array equals the CLI's file byte for byte and owns the C++ buffer it was
computed in (no copy). force= mirrors --force."""

import os
import tempfile

import numpy as np
import pytest

import tdlab

SWEEP = {"sweep.min": 1.25, "sweep.max": 1.28, "sweep.count": 7, "dmft.steps": 6000, "dmft.transient": 4000,
         "sweep.keep": 64, "sweep.chunk": 3, "sweep.census": 4}
PHASE = {"phase.x_count": 4, "phase.y_count": 3, "dmft.steps": 6000, "dmft.transient": 4000, "sweep.chunk": 4}
SPIN = {"dmft.N": 990, "dmft.runs": 2, "dmft.steps": 3000, "dmft.transient": 2000}


def _sets(overrides):
    out = []
    for k, v in overrides.items():
        out += ["--set", f"{k}={v}"]
    return out


@pytest.fixture
def no_temp_dirs(monkeypatch):
    """Fails the test if anything asks for a temporary directory."""

    def refuse(*a, **k):
        raise AssertionError("out=None made a temporary directory")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)


def _owns_cpp_buffer(a):
    """True when a's memory chain ends at the pybind11 capsule that holds the C++ vector."""
    base = a
    while isinstance(base, np.ndarray):
        if base.flags.owndata:
            return False
        base = base.base
    return type(base).__name__ == "PyCapsule"


def _same_arrays(mem, ref, names):
    for name in names:
        got, want = mem[name], ref[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), name
        assert got.size == 0 or _owns_cpp_buffer(got), name  # an empty array has no buffer to share


def _same_table(a, b):
    assert list(a.keys()) == list(b.keys())
    for k in a.keys():
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.shape == y.shape, k
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), k
        else:
            assert (x == y).all(), k


@pytest.mark.parametrize("lyapunov", ["true", "spectrum"])
def test_sweep_in_memory_equals_the_cli_files(cli, tmp_path, no_temp_dirs, lyapunov):
    over = dict(SWEEP, **{"sweep.lyapunov": lyapunov})
    if lyapunov == "spectrum":
        over.update({"sweep.count": 3, "sweep.census": 0})
    cli("dmft", "sweep", *_sets(over), "--out", tmp_path / "cli")
    ref = tdlab.load_run(tmp_path / "cli")
    mem = tdlab.dmft.sweep(overrides=over, progress=False)
    assert mem.path is None and mem.manifest["command"] == "dmft sweep"
    assert sorted(mem.arrays) == sorted(ref.arrays)
    _same_arrays(mem, ref, sorted(ref.arrays))
    assert sorted(mem.tables) == sorted(ref.tables)
    for name in ref.tables:
        _same_table(mem.tables[name], ref.tables[name])
    if lyapunov == "spectrum":
        assert mem["lyapunov_spectrum"].shape == (3, 12)
        assert "kaplan_yorke" in mem.tables["summary"].keys()
    assert os.listdir(tmp_path) == ["cli"]


def test_phase_in_memory_equals_the_cli_files(cli, tmp_path, no_temp_dirs):
    cli("dmft", "phase", *_sets(PHASE), "--out", tmp_path / "cli")
    ref = tdlab.load_run(tmp_path / "cli")
    mem = tdlab.dmft.phase(overrides=PHASE, progress=False)
    assert sorted(mem.arrays) == sorted(ref.arrays)
    _same_arrays(mem, ref, sorted(ref.arrays))
    assert mem["lyapunov"].shape == (3, 4)


def test_spin_in_memory_equals_the_cli_files(cli, tmp_path, no_temp_dirs):
    cli("dmft", "spin", *_sets(SPIN), "--out", tmp_path / "cli")
    ref = tdlab.load_run(tmp_path / "cli")
    mem = tdlab.dmft.spin(overrides=SPIN, progress=False)
    # final_context.yaml and weights.npy describe the run directory's start and model: not kept in memory.
    names = sorted(n for n in ref.arrays if n != "weights")
    assert sorted(mem.arrays) == names
    _same_arrays(mem, ref, names)
    assert mem["mo_se"].shape == (2, 1000, 3)
    assert mem.manifest["runs"] == 2 and mem.manifest["N"] == 990


def test_run_in_memory_honours_spectrum_and_dimension(cli, tmp_path, no_temp_dirs):
    over = {"dmft.beta": 1.28, "dmft.steps": 6000, "dmft.transient": 3000, "spectrum.enabled": True,
            "dimension.enabled": True}
    cli("dmft", "run", *_sets({k: str(v).lower() for k, v in over.items()}), "--out", tmp_path / "cli")
    ref = tdlab.load_run(tmp_path / "cli")
    mem = tdlab.dmft.run(overrides=over, progress=False)
    _same_arrays(mem, ref, ["lyapunov_spectrum", "mo_se", "t"])
    assert mem.manifest["kaplan_yorke"] == ref.manifest["kaplan_yorke"]
    assert mem.manifest["correlation_dimension"] == ref.manifest["correlation_dimension"]
    off = tdlab.dmft.run(overrides=dict(over, **{"spectrum.enabled": False}), progress=False)
    assert "lyapunov_spectrum" not in off.arrays and "kaplan_yorke" not in off.manifest


def test_force_mirrors_the_cli_flag(tmp_path):
    over = {"dmft.steps": 3000, "dmft.transient": 2900}
    out = tmp_path / "run"
    tdlab.dmft.run(overrides=over, out=out, progress=False)
    with pytest.raises(ValueError, match="--force|force|exists"):
        tdlab.dmft.run(overrides=over, out=out, progress=False)
    again = tdlab.dmft.run(overrides=dict(over, **{"dmft.beta": 1.5}), out=out, force=True, progress=False)
    assert again.config["dmft"]["beta"] == 1.5
    grid = {"sweep.count": 2, "dmft.steps": 3000, "dmft.transient": 2000, "sweep.keep": 4}
    tdlab.dmft.sweep(overrides=grid, out=tmp_path / "sw", progress=False)
    with pytest.raises(ValueError):
        tdlab.dmft.sweep(overrides=grid, out=tmp_path / "sw", progress=False)
    tdlab.dmft.sweep(overrides=grid, out=tmp_path / "sw", force=True, progress=False)
    # --force never replaces what is not a tdlab run.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError):
        tdlab.dmft.run(overrides=over, out=mine, force=True, progress=False)
    assert (mine / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="force"):
        tdlab.dmft.run(overrides=over, out=tmp_path / "x", force="yes", progress=False)
