"""tdlab.load_run on the folders tdlab writes: every file a manifest lists is reachable, with its content."""

import json
import os

import numpy as np
import pytest

import tdlab


def _manifests(root):
    for d, _, files in os.walk(root):
        if "manifest.json" in files:
            yield d


def _check_listed_files(run, run_dir, prefix):
    manifest = json.load(open(os.path.join(run_dir, "manifest.json")))
    listed = manifest["files"]
    assert listed, run_dir
    for name in listed:
        path = os.path.join(run_dir, name)
        key = prefix + name
        if os.path.isdir(path):  # a reproduce folder lists its sub-runs
            sub = run.runs[name] if not prefix else run.runs[prefix[:-1]].runs[name]
            assert sub.path == os.path.abspath(path)
            continue
        assert run.files[key] == path
        stem, ext = os.path.splitext(key)
        if ext == ".npy":
            ref = np.load(path)
            got = run[stem]
            assert isinstance(got, np.memmap) or isinstance(got.base, np.memmap) or got.size == 0, key
            assert got.dtype == ref.dtype and got.shape == ref.shape and got.tobytes() == ref.tobytes(), key
        elif ext == ".npz":
            with np.load(path) as z:
                assert z.files, key
                for member in z.files:
                    ref = z[member]
                    got = run[f"{stem}/{member}"]
                    assert got.dtype == ref.dtype and got.shape == ref.shape, (key, member)
                    assert got.tobytes() == ref.tobytes(), (key, member)
        elif ext == ".csv":
            table = run.tables[stem]
            with open(path) as f:
                header = f.readline().strip().split(",")
                rows = sum(1 for line in f if line.strip())
            assert list(table.keys()) == header, key
            assert all(len(table[h]) == rows for h in header), key
        elif ext in (".png", ".svg", ".pdf", ".html"):
            assert run.figures[key] == path
        elif name == "config.yaml":
            assert run.runs[prefix[:-1]].config if prefix else run.config
    return len(listed)


def test_every_manifest_file_of_reproduce_dmft_quick_round_trips(reproduce_quick):
    top = reproduce_quick / "dmft"
    run = tdlab.load_run(top)
    checked = 0
    for d in _manifests(top):
        rel = os.path.relpath(d, top)
        prefix = "" if rel == "." else rel + "/"
        checked += _check_listed_files(run, d, prefix)
        sub = tdlab.load_run(d)
        _check_listed_files(sub, d, "")
    assert checked > 20
    # the Fig 3a sweep is a sub-run with its config and table
    fig3a = run.runs["fig3a"]
    assert fig3a.config["sweep"]["count"] == 401
    assert len(fig3a.tables["summary"]["beta"]) == 401
    assert fig3a["points"].shape[0] == 401


def test_a_gathered_sweep_loads_like_the_whole_run(cli, tmp_path):
    sets = ["--config", "configs/dmft/fig3a_quick.yaml", "--set", "sweep.count=12", "--set", "sweep.chunk=4",
            "--set", "sweep.lyapunov=false"]
    cli("dmft", "sweep", *sets, "--out", tmp_path / "whole")
    cli("dmft", "sweep", *sets, "--shard", "1/2", "--out", tmp_path / "s1")
    cli("dmft", "sweep", *sets, "--shard", "2/2", "--out", tmp_path / "s2")
    cli("gather", tmp_path / "s1", tmp_path / "s2", "--out", tmp_path / "merged")
    whole, merged = tdlab.load_run(tmp_path / "whole"), tdlab.load_run(tmp_path / "merged")
    assert merged.manifest["gathered_from"] == 2
    assert sorted(whole.arrays) == sorted(merged.arrays)
    for k in whole.arrays:
        assert whole[k].tobytes() == merged[k].tobytes(), k
    assert _check_listed_files(merged, str(tmp_path / "merged"), "") > 3


def test_npz_members_are_memory_mapped(reproduce_quick):
    run = tdlab.load_run(reproduce_quick / "dmft" / "fig3a")
    members = [k for k in run.arrays if k.startswith("results/")]
    assert members
    mapped = [k for k in members if isinstance(run[k], np.memmap)]
    assert mapped, "no .npz member was memory-mapped"


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        tdlab.load_run(tmp_path / "nope")
