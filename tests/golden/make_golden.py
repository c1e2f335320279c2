#!/usr/bin/python3
"""PyTorch oracle for the tdlab training engine (src/nn).

Builds, on fixed small inputs, the same models as the C++ tests (tests/nn/test_golden.cpp):
  * simple/: Bietti et al.'s simplified 2-layer attention model (W_Q = identity, frozen W_V^1, W_O^1,
    W_V^2 and positions, linear W_F on layer 2, scores / sqrt(d)), loss on a position mask;
  * simple_nosqrtd/: the same without the 1/sqrt(d) scaling and without W_F;
  * full/: the generic pre-norm transformer of ihead_full_model.py (parallel block: x + Attn(LN_a x) +
    FFN(LN_f x)), 4 heads, LayerNorm, ReLU MLP, loss on all positions;
  * ops/: l2 normalisation (F.normalize) forward and backward.
For each model it writes the initial parameters (init.<name>.npy), the inputs (tokens, targets, mask),
logits, loss, every gradient (grad.<name>.npy), and five optimiser steps on the same batch, with
parameter groups and a freeze-until schedule, for SGD (momentum 0.9, wd) and AdamW:
sgd.<name>.npy / adamw.<name>.npy hold the parameter after each step (shape (5, *param.shape)) and
sgd_loss.npy / adamw_loss.npy the loss before each step.

Regenerate (from the repository root):  /usr/bin/python3 tests/golden/make_golden.py
Needs Debian's python3-torch (1.13) and python3-numpy; CPU only, deterministic (seeded, 1 thread).
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn")
STEPS = 5


def save(d, name, t):
    os.makedirs(d, exist_ok=True)
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    np.save(os.path.join(d, name + ".npy"), a)


def causal_softmax(scores):
    T = scores.shape[-1]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")).float(), dim=-1)


class SimpleAttention(nn.Module):
    def __init__(self, d, train_wo):
        super().__init__()
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.wv.weight.requires_grad_(False)
        self.wo.weight.requires_grad_(train_wo)


class SimpleBlock(nn.Module):
    def __init__(self, d, layer, ffn):
        super().__init__()
        self.attention = SimpleAttention(d, train_wo=(layer == 1))
        self.ff = nn.Linear(d, d, bias=False) if ffn else None


class SimpleModel(nn.Module):
    """ihead_basic_model.py at small scale: h = E[x] + P; h += W_O softmax(h (W_K h)^T / sqrt d) W_V h."""

    def __init__(self, V, T, d, sqrtd, ffn):
        super().__init__()
        self.d, self.sqrtd = d, sqrtd
        self.tok_embeddings = nn.Embedding(V, d)
        # the code's P is a buffer; here a frozen parameter so that it has a name like every tensor
        self.pos_embeddings = nn.Parameter(torch.randn(T, d), requires_grad=False)
        self.layers = nn.ModuleList([SimpleBlock(d, 0, False), SimpleBlock(d, 1, ffn)])
        self.output = nn.Linear(d, V, bias=False)

    def forward(self, x):
        T = x.shape[1]
        h = self.tok_embeddings(x) + self.pos_embeddings[:T]
        self.patterns = []
        for blk in self.layers:
            a = blk.attention
            scores = h @ a.wk(h).transpose(1, 2)  # W_Q = identity
            if self.sqrtd:
                scores = scores / math.sqrt(self.d)
            att = causal_softmax(scores)
            self.patterns.append(att)
            h = h + a.wo(att @ a.wv(h))
            if blk.ff is not None:
                h = h + blk.ff(h)
        return self.output(h)


class FullAttention(nn.Module):
    def __init__(self, d, nh):
        super().__init__()
        self.nh = nh
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.nh
        q = self.wq(x).view(B, T, self.nh, hs).transpose(1, 2)
        k = self.wk(x).view(B, T, self.nh, hs).transpose(1, 2)
        v = self.wv(x).view(B, T, self.nh, hs).transpose(1, 2)
        att = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hs))
        self.pattern = att
        z = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.wo(z)


class FeedForward(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.w1 = nn.Linear(d, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)))


class FullBlock(nn.Module):
    def __init__(self, d, nh, hidden):
        super().__init__()
        self.attention = FullAttention(d, nh)
        self.ff = FeedForward(d, hidden)
        self.attention_norm = nn.LayerNorm(d, eps=1e-5)
        self.ff_norm = nn.LayerNorm(d, eps=1e-5)

    def forward(self, x):  # the official pre-norm block: parallel attention and FFN
        return x + self.attention(self.attention_norm(x)) + self.ff(self.ff_norm(x))


class FullModel(nn.Module):
    def __init__(self, V, T, d, nh, L, hidden):
        super().__init__()
        self.tok_embeddings = nn.Embedding(V, d)
        self.pos_embeddings = nn.Embedding(T, d)
        self.layers = nn.ModuleList([FullBlock(d, nh, hidden) for _ in range(L)])
        self.norm = nn.LayerNorm(d, eps=1e-5)
        self.output = nn.Linear(d, V, bias=False)

    def forward(self, x):
        T = x.shape[1]
        h = self.tok_embeddings(x) + self.pos_embeddings(torch.arange(T))
        for blk in self.layers:
            h = blk(h)
        return self.output(self.norm(h))


def masked_ce(logits, y, mask):
    V = logits.shape[-1]
    if mask is None:
        return F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    m = mask.reshape(-1).bool()
    return F.cross_entropy(logits.reshape(-1, V)[m], y.reshape(-1)[m])


def perturb_layernorms(model, g):
    # LayerNorm starts at gamma=1, beta=0; perturb so that the affine gradients are tested in general position
    for name, p in model.named_parameters():
        if "norm" in name:
            with torch.no_grad():
                p.add_(0.1 * torch.randn(p.shape, generator=g))


def run_case(name, model, x, y, mask, groups, freeze, sgd_opts, adamw_opts, patterns=None):
    d = os.path.join(OUT, name)
    init = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainable = {n: p.requires_grad for n, p in model.named_parameters()}
    for n, p in init.items():
        save(d, "init." + n, p)
    save(d, "tokens", x.int())
    save(d, "targets", y.int())
    if mask is not None:
        save(d, "mask", mask.to(torch.uint8))
    # forward / backward at the initial weights
    logits = model(x)
    loss = masked_ce(logits, y, mask)
    loss.backward()
    save(d, "logits", logits)
    save(d, "loss", loss.reshape(1))
    for n, p in model.named_parameters():
        if p.grad is not None:
            save(d, "grad." + n, p.grad)
    if patterns:
        for key, att in patterns(model).items():
            save(d, key, att)
    # five optimiser steps per optimiser, from the same initial weights, on the same batch
    for opt_name, ctor, opts in (("sgd", torch.optim.SGD, sgd_opts), ("adamw", torch.optim.AdamW, adamw_opts)):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(init[n])
                p.grad = None
        named = dict(model.named_parameters())
        grouped = set()
        param_groups = []
        for gname, members, lr in groups:
            param_groups.append({"params": [named[m] for m in members], "lr": lr})
            grouped.update(members)
        rest = [p for n, p in named.items() if n not in grouped and trainable[n]]
        param_groups.insert(0, {"params": rest})
        opt = ctor(param_groups, **opts)
        traj = {n: [] for n in named if trainable[n]}
        losses = []
        for it in range(STEPS):
            for n, thaw in freeze.items():  # frozen for it < thaw, as in ihead_basic_main.py
                named[n].requires_grad_(it >= thaw)
            opt.zero_grad()
            loss = masked_ce(model(x), y, mask)
            losses.append(loss.item())
            loss.backward()
            opt.step()
            for n in traj:
                traj[n].append(named[n].detach().clone())
        for n, ps in traj.items():
            save(d, opt_name + "." + n, torch.stack(ps))
        save(d, opt_name + "_loss", np.array(losses, dtype=np.float32))
        for n in freeze:
            named[n].requires_grad_(trainable[n])


def main():
    torch.manual_seed(1234)
    g = torch.Generator().manual_seed(99)
    sgd_opts = {"lr": 0.2, "momentum": 0.9, "weight_decay": 1e-2}
    adamw_opts = {"lr": 0.01, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.05}

    # simplified model: B=3, T=8, d=16, V=11, loss on a position mask
    V, T, d, B = 11, 8, 16, 3
    x = torch.randint(0, V, (B, T), generator=g)
    y = torch.randint(0, V, (B, T), generator=g)
    mask = (torch.rand(B, T, generator=g) < 0.5)
    mask[0, 0] = True
    m = SimpleModel(V, T, d, sqrtd=True, ffn=True)
    run_case("simple", m, x, y, mask,
             groups=[("wo", ["layers.1.attention.wo.weight"], 0.05)],
             freeze={"layers.0.attention.wk.weight": 2, "layers.1.ff.weight": 3},
             sgd_opts=sgd_opts, adamw_opts=adamw_opts,
             patterns=lambda mod: {"pattern0": mod.patterns[0], "pattern1": mod.patterns[1]})

    m = SimpleModel(V, T, d, sqrtd=False, ffn=False)
    run_case("simple_nosqrtd", m, x, y, mask, groups=[], freeze={}, sgd_opts=sgd_opts, adamw_opts=adamw_opts)

    # full model: B=2, T=8, d=16, 4 heads, 2 layers, hidden 32, loss on all positions
    B, nh, L, H = 2, 4, 2, 32
    xf = torch.randint(0, V, (B, T), generator=g)
    yf = torch.randint(0, V, (B, T), generator=g)
    m = FullModel(V, T, d, nh, L, H)
    perturb_layernorms(m, g)
    run_case("full", m, xf, yf, None,
             groups=[("emb", ["tok_embeddings.weight", "pos_embeddings.weight"], 0.02)],
             freeze={"layers.0.attention.wq.weight": 1},
             sgd_opts=sgd_opts, adamw_opts=adamw_opts,
             patterns=lambda mod: {"pattern0": mod.layers[0].attention.pattern,
                                   "pattern1": mod.layers[1].attention.pattern})

    # l2 normalisation op (one row of zeros exercises the eps clamp)
    d_ops = os.path.join(OUT, "ops")
    xin = torch.randn(5, 7, generator=g)
    xin[3] = 0.0
    xin.requires_grad_(True)
    r = torch.randn(5, 7, generator=g)
    out = F.normalize(xin, p=2, dim=-1, eps=1e-12)
    (out * r).sum().backward()
    save(d_ops, "l2norm_in", xin)
    save(d_ops, "l2norm_dout", r)
    save(d_ops, "l2norm_out", out)
    save(d_ops, "l2norm_din", xin.grad)
    print("torch", torch.__version__, "wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
