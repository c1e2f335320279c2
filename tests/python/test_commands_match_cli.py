"""Every command group from Python writes the CLI's run directory byte for byte (manifest aside).

BLAS products depend on OpenBLAS's kernels: the command line restarts itself with better kernels where
OpenBLAS 0.3.21 falls back to Prescott (core/blas_kernels.h), which a Python process cannot do once
NumPy has loaded OpenBLAS. The CLI therefore runs with the Python process's kernels (OPENBLAS_CORETYPE),
the equality the module promises: same config, same kernels, same bytes."""

import os

import pytest

import tdlab

CASES = [
    ("dmft phase", tdlab.dmft.phase, {"phase.x_count": 4, "phase.y_count": 3, "dmft.steps": 20000,
                                      "dmft.transient": 15000, "sweep.chunk": 4}),
    ("dmft spin", tdlab.dmft.spin, {"dmft.N": 990, "dmft.runs": 2, "dmft.steps": 3000, "dmft.transient": 2000}),
    ("scansnap theory", tdlab.scansnap.theory, {}),
    ("scansnap sweep", tdlab.scansnap.sweep, {"sweep.num_last": 3, "sweep.seeds": 1, "opt.niter": 30, "sweep.lr_z": [1.0], "sweep.ratio": [1.0, 2.0]}),
    ("scansnap text", tdlab.scansnap.text, {"data.train_tokens": 3000, "data.valid_tokens": 600, "model.d_model": 16,
                                            "model.d_hid": 12, "train.batch": 4, "train.bptt": 8,
                                            "train.eval_batch": 3, "train.niter": 4, "train.eval_every": 2,
                                            "train.attn_row": 10}),
]


def _files(root):
    """Every file under root, as paths relative to it (run directories have subfolders: attn/)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _sets(overrides):
    out = []
    for k, v in overrides.items():
        text = "[" + ", ".join(map(str, v)) + "]" if isinstance(v, list) else str(v)
        out += ["--set", f"{k}={text}"]
    return out


@pytest.mark.parametrize("command,fn,overrides", CASES, ids=[c[0] for c in CASES])
def test_python_run_directory_equals_the_cli(cli, tmp_path, command, fn, overrides):
    run = fn(overrides=overrides, out=tmp_path / "py", progress=False)
    assert run.manifest["command"] == command
    # the kernels the bytes depend on, as this process runs them
    assert run.manifest["blas_core"] == tdlab._core.blas_core()
    assert run.manifest["vector_isa"] == tdlab._core.vector_isa()
    cli(*command.split(), *_sets(overrides), "--out", tmp_path / "cli",
        env_extra={"OPENBLAS_CORETYPE": run.manifest["blas_core"]})
    names = _files(tmp_path / "cli")
    assert names == _files(tmp_path / "py")
    for name in names:
        if name == "manifest.json":
            continue
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "py" / name).read_bytes(), name


def test_out_none_leaves_nothing_and_returns_the_arrays(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    run = tdlab.scansnap.theory()
    assert run.tables and run.arrays
    assert os.listdir(tmp_path) == []


def test_out_none_birth_run_keeps_figures_and_json_in_memory(tmp_path, monkeypatch):
    """out=None reads the temporary run directory into memory before removing it: the figures used to stay
    paths into the removed directory, and ablation.json (the head-ablation result) was not read at all."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    run = tdlab.birth.train(
        "configs/birth/fig2-quick.yaml",
        overrides={"birth.optim.max_iters": 3, "birth.optim.batch_size": 4, "birth.train.test_batch_size": 4,
                   "birth.train.eval_delta": 1, "birth.train.checkpoint_every": 0,
                   "birth.train.ablate_head": "1:0"},
        threads=1,
        progress=False,
    )
    assert os.listdir(tmp_path) == []
    assert run.path is None and run.files == {}
    assert run.figures and all(isinstance(b, bytes) for b in run.figures.values())
    assert run.figures["curves.png"].startswith(b"\x89PNG\r\n\x1a\n")
    abl = run.json["ablation"]
    assert (abl["layer"], abl["head"], abl["mode"]) == (1, 0, "zero")
    assert 0.0 <= abl["acc_end_test_ablated"] <= 1.0 and abl["loss_bigram_test_ablated"] > 0.0
    assert "manifest" not in run.json and run.manifest["command"] == "birth train"
