#!/usr/bin/env python3
"""A plain NumPy implementation of the DMFT mean-field map (docs/dmft_map.md section 2), as a speed reference.

It iterates the same map as tdlab's MeanFieldMap (correlation form, seed-1 weights' CS matrices,
max-subtracted softmax over the L = 4 context slots) from the zoom checkpoint, one step at a time with
small NumPy arrays, the way the authors' code does. Usage (Debian's numpy lives in /usr/bin/python3):

    /usr/bin/python3 bench/dmft_numpy_map.py --beta 1.27 --steps 120000

Prints one line: `numpy_seconds_per_beta <s> steps <n> mo_se_last <x y z>`.
"""
import argparse
import time

import bench_host

bench_host.start(__doc__)
np = bench_host.require("numpy")

# Signed correlations CS^alpha (4 sign patterns x 3 features) of the paper's seed-1 weights, from
# the pair and quad correlations of the seed-1 weights (docs/dmft_map.md sections 3-4): CS = sign_matrix @ vstack(C, Q).
SIGN = np.array([[1, 1, 1, 1], [1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]], dtype=float)
PATTERNS = SIGN[:, :3]
C = {
    "o": np.array([[3, 1, 1], [1, 3, -1], [1, -1, 3]]) / 3,
    "v": np.array([[1, 1, 3], [3, -1, 1], [-1, -1, 1]]) / 3,
    "q": np.array([[-3, -1, -1], [-1, 1, -3], [-1, -3, 1]]) / 3,
    "k": np.array([[-1, 1, 1], [1, -1, 3], [-3, -1, -1]]) / 3,
}
Q = {"o": np.array([-1, 1, 1]) / 3, "v": np.array([1, -3, -1]) / 3, "q": np.array([1, -1, -1]) / 3,
     "k": np.array([-1, -3, 1]) / 3}
CS = {a: SIGN @ np.vstack([C[a], Q[a]]) for a in "ovqk"}
# Positional weights (MSB, LSB) per feature (docs/dmft_map.md section 4) and the code of t mod 4, MSB first.
PEW = {"o": [[-1, -1], [1, -1], [1, 1]], "v": [[-1, -1], [1, -1], [-1, 1]], "q": [[1, -1], [1, 1], [-1, -1]],
       "k": [[-1, -1], [-1, -1], [-1, 1]]}
CODES = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
PE = {a: np.array([np.array(PEW[a], dtype=float) @ CODES[p] / 2 for p in range(4)]) for a in "ovqk"}

ZOOM = {
    "att": [-0.06464787832835824, 0.01109443806714541, -0.3458764424961922],
    "mv": [[-0.06490413839708467, 0.01093980054210399, -0.3460589082823925],
           [0.26040900604246076, 0.05565843664111034, 0.05634732768383305],
           [0.1293672591156968, 0.1290887350451349, -0.20900955712602529],
           [0.2594236498212115, 0.06963484996781749, 0.107482523510718]],
    "mk": [[0.2920945704274118, 0.03093980054210401, -0.08490413839708469],
           [0.299720114999738, 0.07565843664111035, 0.2804090060424608],
           [0.427465551286857, 0.1090887350451349, 0.10936725911569678],
           [0.22157597627831102, 0.04963484996781747, 0.27942364982121154]],
}


def run(beta, steps, gamma=220.0, eps=0.02):
    att = np.array(ZOOM["att"])
    mv = np.array(ZOOM["mv"])
    mk = np.array(ZOOM["mk"])
    coef = gamma / np.sqrt(3.0)
    se = 1.0 - eps
    pe_w = 1.0 - se
    mo_se = np.zeros(3)
    for t in range(4, steps):
        th = np.tanh(beta * (PATTERNS @ att))
        slot = t % 4
        mo_se = CS["o"].T @ th / 4
        mv[slot] = se * (CS["v"].T @ th / 4) + pe_w * PE["v"][slot]
        mq = se * (CS["q"].T @ th / 4) + pe_w * PE["q"][slot]
        mk[slot] = se * (CS["k"].T @ th / 4) + pe_w * PE["k"][slot]
        z = coef * (mk @ mq)
        w = np.exp(z - z.max())
        att = (w / w.sum()) @ mv
    return mo_se


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beta", type=float, default=1.27)
    ap.add_argument("--steps", type=int, default=120000)
    args = ap.parse_args()
    bench_host.print_host(np)
    t0 = time.process_time()  # CPU time: comparable with tdlab's thread CPU time on a loaded machine
    mo = run(args.beta, args.steps)
    dt = time.process_time() - t0
    print(f"numpy_seconds_per_beta {dt:.4f} steps {args.steps} mo_se_last {mo[0]:.9f} {mo[1]:.9f} {mo[2]:.9f}")


if __name__ == "__main__":
    main()
