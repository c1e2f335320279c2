#!/usr/bin/python3
"""PyTorch reference of the Scan and Snap Y/Z model (official `Model2` + `Dataset2` + two SGD optimisers),
for bench_scansnap's speed comparison. Same model, data law and optimiser as tdlab's C++ engine:
Syn-Medium num_last=10 (M=240, K=20), L=128, batch 128, 100 iterations, SGD momentum 0.9, random init.

The data are drawn vectorised (torch.multinomial per batch), which is faster than the official per-sample
Python loop, so the comparison is favourable to PyTorch. Two forms of the forward:
  --form gather (default): gather/scatter of the one-hot products (X K2[m]^T and X^T b): the fastest
                           PyTorch form we found, so the ratio against it is the conservative one;
  --form onehot:           the products of docs/scansnap.md "Model" written literally on one-hot matrices X (B x L-1 x M)
                           with batched matmuls (how the one-hot notation reads; we have not seen
                           whether the official decoder_only.py gathers or multiplies).
Prints JSON: best and median seconds per run (wall), and the best process CPU seconds per run.
Usage: /usr/bin/python3 bench/scansnap_torch.py [--threads 2] [--repeats 5] [--num_last 10] [--form gather]
"""
import argparse
import json
import time

import bench_host

bench_host.start(__doc__)
torch = bench_host.require("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def make_classes(num_last, num_next_per_last=2, num_common=10, num_unique=10):
    K = num_last * num_next_per_last
    unique_offset = num_common
    last_offset = unique_offset + num_unique * K
    next_offset = last_offset + num_last
    M = next_offset + K
    P = torch.zeros(K, M)
    query = torch.zeros(K, dtype=torch.long)
    label = torch.zeros(K, dtype=torch.long)
    w = torch.linspace(0.1, 1.0, num_unique)
    for m in range(num_last):
        for j in range(num_next_per_last):
            n = m * num_next_per_last + j
            P[n, :num_common] = 1.0
            P[n, unique_offset + n * num_unique: unique_offset + (n + 1) * num_unique] = w
            query[n] = last_offset + m
            label[n] = next_offset + n
    P = P / P.sum(dim=1, keepdim=True)
    return P, query, label, M


class Model2(nn.Module):
    """K2: attention logits (row = query token), K1: decoder; normalize=True, residual=False."""

    def __init__(self, M):
        super().__init__()
        self.K1 = nn.Linear(M, M, bias=False)
        self.K2 = nn.Linear(M, M, bias=False)
        self.M = M

    def forward(self, tokens, query):
        # tokens: (B, L-1) context ids; query: (B,) query ids
        # Gather/scatter form of the one-hot products (X K2[m]^T and X^T b): same values, far fewer flops.
        s = self.K2.weight[query].gather(1, tokens)            # (B, L-1): K2[m, x_t]
        b = torch.softmax(s, dim=1)
        v = torch.zeros(tokens.shape[0], self.M).scatter_add(1, tokens, b)  # (B, M) = X^T b
        f = v / v.norm(dim=1, keepdim=True)
        return self.K1(f)


class Model2OneHot(Model2):
    """The same model with the products written on one-hot matrices: s = X K2[m]^T, v = X^T b."""

    def forward(self, tokens, query):
        X = F.one_hot(tokens, self.M).float()                   # (B, L-1, M)
        s = torch.bmm(X, self.K2.weight[query].unsqueeze(2)).squeeze(2)  # (B, L-1)
        b = torch.softmax(s, dim=1)
        v = torch.bmm(X.transpose(1, 2), b.unsqueeze(2)).squeeze(2)     # (B, M) = X^T b
        f = v / v.norm(dim=1, keepdim=True)
        return self.K1(f)


def one_run(P, query, label, M, L=128, batch=128, niter=100, lr_z=1.0, ratio=1.0, seed=1, form="gather"):
    torch.manual_seed(seed)
    model = Model2(M) if form == "gather" else Model2OneHot(M)
    opt_y = torch.optim.SGD(model.K1.parameters(), lr=lr_z * ratio, momentum=0.9)
    opt_z = torch.optim.SGD(model.K2.parameters(), lr=lr_z, momentum=0.9)
    K = P.shape[0]
    loss = None
    for _ in range(niter):
        opt_y.zero_grad()
        opt_z.zero_grad()
        cls = torch.randint(K, (batch,))
        tokens = torch.multinomial(P[cls], L - 1, replacement=True)
        logits = model(tokens, query[cls])
        loss = F.cross_entropy(logits, label[cls])
        loss.backward()
        opt_y.step()
        opt_z.step()
    return float(loss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--num_last", type=int, default=10)
    ap.add_argument("--form", choices=["gather", "onehot"], default="gather")
    args = ap.parse_args()
    bench_host.print_host(torch)
    torch.set_num_threads(args.threads)
    P, query, label, M = make_classes(args.num_last)
    one_run(P, query, label, M, niter=5, form=args.form)  # warm-up
    times, cpu = [], []
    for r in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = one_run(P, query, label, M, seed=r + 1, form=args.form)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # all threads of the process: a shared machine inflates wall time
    times.sort()
    print(json.dumps({"M": M, "threads": args.threads, "form": args.form, "best_s": times[0], "median_s": times[len(times) // 2],
                      "best_cpu_s": min(cpu), "final_loss": loss, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
