#!/usr/bin/python3
"""PyTorch reference for bench_birth: the simplified 2-layer model of Bietti et al. (ihead_basic_model.py:
W_Q = identity, frozen W_V^1, W_O^1, W_V^2, E, P and W_U, trainable W_K^1, W_K^2, W_O^2), one training
iteration = forward, masked cross-entropy on the in-context positions, backward, SGD-momentum step, on a
fixed batch. Prints the best and median seconds per iteration as `torch_iter_seconds BEST MEDIAN`.

  /usr/bin/python3 bench/birth_torch.py --dim 128 --seq 256 --batch 64 --threads 2 --iters 5
"""
import argparse
import math
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    a = ap.parse_args()
    bench_host.print_host(torch)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    V = 65
    model = SimplifiedModel(V, a.seq, a.dim)
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
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}")
    print(f"torch_iter_seconds {times[0]:.6f} {times[len(times) // 2]:.6f}")


if __name__ == "__main__":
    main()
