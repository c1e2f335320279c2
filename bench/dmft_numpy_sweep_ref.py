#!/usr/bin/python3
"""NumPy reference of the DMFT mean-field map (docs/dmft_map.md sections 2-3, site-type form of the seed-1 weights),
one beta at a time, as the authors' code iterates it (a Python loop over steps with small NumPy ops).
Prints the measured seconds per beta extrapolated to --steps (measured over --measure steps).
Usage: /usr/bin/python3 bench/dmft_numpy_sweep_ref.py --beta 1.27 --steps 120000 --measure 12000"""
import argparse
import time

import bench_host

bench_host.start(__doc__)
np = bench_host.require("numpy")

W = {  # site types s1..s3 (rows) x features, docs/dmft_map.md section 4
    "o": np.array([[-1, -1, 1], [1, 1, 1], [1, -1, 1]], float),
    "v": np.array([[-1, -1, -1], [1, -1, 1], [-1, 1, 1]], float),
    "q": np.array([[1, -1, 1], [-1, -1, -1], [-1, -1, 1]], float),
    "k": np.array([[-1, -1, -1], [-1, -1, 1], [-1, 1, -1]], float),
}
PE = {  # per feature (w for p1 MSB, w for p2 LSB)
    "o": np.array([[-1, -1], [1, -1], [1, 1]], float),
    "v": np.array([[-1, -1], [1, -1], [-1, 1]], float),
    "q": np.array([[1, -1], [1, 1], [-1, -1]], float),
    "k": np.array([[-1, -1], [-1, -1], [-1, 1]], float),
}
CODES = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], float)


def run(beta, steps, gamma=220.0, eps=0.02):
    coef = gamma / np.sqrt(3.0)
    pe = {a: PE[a] @ CODES.T / 2.0 for a in PE}  # [feature, phase]
    mv = np.full((4, 3), 0.1)
    mk = np.full((4, 3), 0.1)
    att = np.array([-0.06, 0.01, -0.34])
    out = np.empty((steps, 3))
    for t in range(4, 4 + steps):
        th = np.tanh(beta * (W["o"] @ att))
        ph = t % 4
        m = {a: (1 - eps) * (W[a].T @ th) / 3.0 + eps * pe[a][:, ph] for a in ("v", "q", "k")}
        out[t - 4] = (W["o"].T @ th) / 3.0
        mv[ph] = m["v"]
        mk[ph] = m["k"]
        z = coef * (mk @ m["q"])
        w = np.exp(z - z.max())
        att = (w / w.sum()) @ mv
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--beta", type=float, default=1.27)
    ap.add_argument("--steps", type=int, default=120000)
    ap.add_argument("--measure", type=int, default=12000)
    a = ap.parse_args()
    bench_host.print_host(np)
    t0 = time.perf_counter()
    run(a.beta, a.measure)
    dt = time.perf_counter() - t0
    print(f"numpy_seconds_per_beta {dt * a.steps / a.measure:.4f}")


if __name__ == "__main__":
    main()
