#!/usr/bin/env python3
"""Benchmark: tdlab.dmft.sweep from Python against the CLI and against the NumPy reference map.

    PYTHONPATH=python /usr/bin/python3 python/bench/sweep_vs_cli.py [--repeat 2] [--threads 0]

Runs the Fig 3a quick sweep (401 betas, 120 000 steps each, configs/dmft/fig3a_quick.yaml) through
`build/tdlab dmft sweep` and through `tdlab.dmft.sweep(out=...)` in this process (both write the same
run directory, figures included), alternating, and keeps each side's best wall time. The NumPy
reference (bench/dmft_numpy_map.py, the plain per-step map) is timed in this process on a short run
and scaled to the 120 000 steps of one beta. Prints the ratios; asserts nothing.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import tdlab  # noqa: E402
import dmft_numpy_map  # noqa: E402

CONFIG = os.path.join(ROOT, "configs", "dmft", "fig3a_quick.yaml")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--numpy-steps", type=int, default=3000)
    a = ap.parse_args()
    binary = os.path.join(ROOT, "build", "tdlab")
    env = dict(os.environ, TDLAB_QUIET="1")
    cli_t, py_t = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.repeat):
            out = os.path.join(tmp, f"cli{k}")
            t0 = time.perf_counter()
            subprocess.run([binary, "dmft", "sweep", "--config", CONFIG, "--threads", str(a.threads), "--out", out],
                           check=True, env=env, cwd=ROOT, capture_output=True)
            cli_t.append(time.perf_counter() - t0)
            out = os.path.join(tmp, f"py{k}")
            t0 = time.perf_counter()
            tdlab.dmft.sweep(CONFIG, out=out, threads=a.threads or None, progress=False)
            py_t.append(time.perf_counter() - t0)
        same = all(
            open(os.path.join(tmp, "cli0", f), "rb").read() == open(os.path.join(tmp, "py0", f), "rb").read()
            for f in os.listdir(os.path.join(tmp, "cli0")) if f != "manifest.json")
    # In memory (out=None: no figures, read back) and the fixed cost of a sweep (one beta), so that the
    # per-beta cost of the map itself is visible beside the whole call's.
    mem_t, one_t = [], []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        tdlab.dmft.sweep(CONFIG, threads=a.threads or None, progress=False)
        mem_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tdlab.dmft.sweep(CONFIG, overrides={"sweep.count": 1, "sweep.min": 1.27}, threads=a.threads or None,
                         progress=False)
        one_t.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    dmft_numpy_map.run(1.27, a.numpy_steps)
    numpy_per_beta = (time.perf_counter() - t0) * 120000 / a.numpy_steps
    cli, py = min(cli_t), min(py_t)
    per_beta = py / 401
    print(f"cli_seconds {cli:.3f} python_seconds {py:.3f} (runs: cli {cli_t}, python {py_t})")
    print(f"python_over_cli {py / cli:.4f}   (target <= 1.05)")
    print(f"numpy_seconds_per_beta {numpy_per_beta:.3f} tdlab_seconds_per_beta {per_beta:.5f} "
          f"speedup_vs_numpy {numpy_per_beta / per_beta:.0f}x   (target >= 1000x)")
    mem, one = min(mem_t), min(one_t)
    marginal = (mem - one) / 400
    print(f"in_memory_seconds {mem:.3f} (no figures) per_beta {mem / 401:.5f} speedup_vs_numpy "
          f"{numpy_per_beta / (mem / 401):.0f}x; fixed cost (1 beta) {one:.3f} s, marginal per beta "
          f"{marginal:.5f} s: {numpy_per_beta / marginal:.0f}x")
    print(f"same_files_as_cli {same}")


if __name__ == "__main__":
    main()
