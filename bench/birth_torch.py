#!/usr/bin/python3
"""PyTorch reference for bench_birth, one training iteration = forward, masked cross-entropy on the
in-context positions, backward, SGD-momentum step, on a fixed batch, of Bietti et al.'s
  --model simplified: the simplified 2-layer model (ihead_basic_model.py: W_Q = identity, frozen W_V^1,
                      W_O^1, W_V^2, E, P and W_U, trainable W_K^1, W_K^2, W_O^2);
  --model full:       the 2-layer transformer of ihead_full_model.py (4 heads, pre-norm parallel block, ReLU
                      FFN 4d, learned positions, all parameters trained), built by the golden oracle
                      tests/golden/make_golden_full.py (its Model class, imported).
Prints the best and median seconds per iteration as `torch_iter_seconds BEST MEDIAN`.

  /usr/bin/python3 bench/birth_torch.py --model full --dim 128 --seq 256 --batch 64 --threads 2 --iters 5
"""
import argparse
import math
import os
import sys
import time

import bench_host

bench_host.start(__doc__)
torch = bench_host.require("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Attention(nn.Module):
    def __init__(self, d, train_wo):
        super().__init__()
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.wv.weight.requires_grad_(False)
        self.wo.weight.requires_grad_(train_wo)

    def forward(self, h, mask, d):
        scores = h @ self.wk(h).transpose(1, 2) / math.sqrt(d)  # W_Q = identity
        att = torch.softmax(scores.masked_fill(mask, float("-inf")).float(), dim=-1)
        return h + self.wo(att @ self.wv(h))


class SimplifiedModel(nn.Module):
    def __init__(self, V, T, d):
        super().__init__()
        self.d = d
        self.tok_embeddings = nn.Embedding(V, d)
        self.tok_embeddings.weight.requires_grad_(False)
        self.register_buffer("pe", torch.randn(T, d))
        self.layers = nn.ModuleList([Attention(d, False), Attention(d, True)])
        self.output = nn.Linear(d, V, bias=False)
        self.output.weight.requires_grad_(False)
        self.register_buffer("causal", torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1))

    def forward(self, x):
        T = x.shape[1]
        h = self.tok_embeddings(x) + self.pe[:T]
        for layer in self.layers:
            h = layer(h, self.causal[:T, :T], self.d)
        return self.output(h)


def full_model(V, T, d):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
    import make_golden_full as oracle  # noqa: E402 (sets 1 thread on import; main sets the count after)

    return oracle.Model(V, T, d, 4, oracle.BASE)


def blas_library():
    """The BLAS shared library this process mapped (torch reports only BLAS_INFO=generic)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.split()[-1].lower()}
        return ", ".join(sorted(os.path.realpath(x) for x in libs)) or "none mapped"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=("simplified", "full"), default="simplified")
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    a = ap.parse_args()
    bench_host.print_host(torch)
    torch.manual_seed(0)
    V = 65
    model = full_model(V, a.seq, a.dim) if a.model == "full" else SimplifiedModel(V, a.seq, a.dim)
    torch.set_num_threads(a.threads)
    x = torch.randint(0, V, (a.batch, a.seq))
    y = torch.randint(0, V, (a.batch, a.seq))
    sel = torch.rand(a.batch, a.seq) < 0.3  # ~ the in-context fraction of K=5 fixed triggers
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.03, momentum=0.9,
                          weight_decay=1e-4)

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits[sel], y[sel])
        loss.backward()
        opt.step()

    step()  # warm-up (allocator, momentum buffers)
    times = []
    for _ in range(a.iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"torch_config: torch {torch.__version__} threads {torch.get_num_threads()}; BLAS: {blas_library()}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    print(f"torch_iter_seconds {times[0]:.6f} {times[len(times) // 2]:.6f}")


if __name__ == "__main__":
    main()
