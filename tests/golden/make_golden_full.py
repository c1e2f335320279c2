#!/usr/bin/python3
"""PyTorch oracle for the options of the generic transformer (src/nn/transformer.h): Bietti et al.'s
ihead_full_model.py (Bietti et al. 2023, arXiv 2306.00802) with its block layouts and switches.

Three small models (V=11, T=8, d=16, 4 heads, 2 layers, B=2), loss on all positions:
  * full_pre_mix/:  pre-norm (parallel block), sin/cos positions, FFN none on layer 0 and linear (d x d) on
                    layer 1, output tied to the token embedding, W_O frozen;
  * full_post/:     post-norm (sequential h = LN_a(x + Attn x), out = LN_f(h + FFN h), no final norm),
                    learned positions, ReLU FFN (4d) on both layers, no W_V (identity);
  * full_post_mix/: post-norm, FFN linear on layer 0 and none on layer 1, no W_O (identity), W_V frozen,
                    embeddings frozen, tied output.
For each it writes the initial parameters (init.<name>.npy), tokens, targets, logits, loss, the attention
patterns of both layers, every gradient (grad.<name>.npy), and 20 steps on one batch of the full trainer's
optimisers with their defaults (ihead_full_main.py): SGD lr 0.01, momentum 0.9, weight decay 0.01, and
AdamW lr 0.01, betas (0.9, 0.99), eps 1e-8, weight decay 0.01: sgd.<name>.npy / adamw.<name>.npy hold the
parameter after steps 1, 2, 5, 10 and 20 (5, *shape), sgd_loss.npy / adamw_loss.npy the loss before each of
the 20 steps.

Regenerate (from the repository root):  /usr/bin/python3 tests/golden/make_golden_full.py
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
STEPS = 20
KEEP = (1, 2, 5, 10, 20)  # steps whose parameters are saved (all 20 would triple the files)
SGD = {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01}
ADAMW = {"lr": 0.01, "betas": (0.9, 0.99), "eps": 1e-8, "weight_decay": 0.01}


def save(d, name, t):
    os.makedirs(d, exist_ok=True)
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    np.save(os.path.join(d, name + ".npy"), a)


class Attn(nn.Module):
    def __init__(self, d, nh, no_wv, no_wo, freeze_wv, freeze_wo):
        super().__init__()
        self.nh = nh
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Identity() if no_wv else nn.Linear(d, d, bias=False)
        self.wo = nn.Identity() if no_wo else nn.Linear(d, d, bias=False)
        if freeze_wv and not no_wv:
            self.wv.weight.requires_grad_(False)
        if freeze_wo and not no_wo:
            self.wo.weight.requires_grad_(False)

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.nh
        split = lambda t: t.view(B, T, self.nh, hs).transpose(1, 2)
        q, k, v = split(self.wq(x)), split(self.wk(x)), split(self.wv(x))
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        att = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(hs) + causal).float(), dim=-1)
        self.pattern = att
        return self.wo((att @ v).transpose(1, 2).reshape(B, T, C))


class Relu(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w1 = nn.Linear(d, 4 * d, bias=False)
        self.w2 = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)))


class Block(nn.Module):
    def __init__(self, d, nh, pre_norm, ffn, o):
        super().__init__()
        self.attention = Attn(d, nh, o["no_wv"], o["no_wo"], o["freeze_wv"], o["freeze_wo"])
        self.ff = {"relu": lambda: Relu(d), "linear": lambda: nn.Linear(d, d, bias=False), "none": lambda: None}[ffn]()
        self.attention_norm = nn.LayerNorm(d, eps=1e-5)
        if self.ff is not None:  # the code builds ff_norm even without an FFN; it would get no gradient
            self.ff_norm = nn.LayerNorm(d, eps=1e-5)
        self.pre_norm = pre_norm

    def forward(self, x):
        if self.pre_norm:  # parallel: the FFN reads LN_f of the block input
            h = x + self.attention(self.attention_norm(x))
            return h if self.ff is None else h + self.ff(self.ff_norm(x))
        h = self.attention_norm(x + self.attention(x))
        return h if self.ff is None else self.ff_norm(h + self.ff(h))


class Model(nn.Module):
    def __init__(self, V, T, d, nh, o):
        super().__init__()
        self.tok_embeddings = nn.Embedding(V, d)
        self.sin_cos = o["sin_cos"]
        if self.sin_cos:
            pos = torch.arange(T).unsqueeze(1)
            w = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
            pe = torch.zeros(T, d)
            pe[:, 0::2] = torch.sin(pos * w)
            pe[:, 1::2] = torch.cos(pos * w)
            self.register_buffer("pe", pe)
        else:
            self.pos_embeddings = nn.Embedding(T, d)
        if o["freeze_embeddings"]:
            for p in self.parameters():
                p.requires_grad_(False)
        self.layers = nn.ModuleList([Block(d, nh, o["pre_norm"], f, o) for f in o["ffn"]])
        self.norm = nn.LayerNorm(d, eps=1e-5) if o["pre_norm"] else None
        self.output = nn.Linear(d, V, bias=False)
        if o["tie_output"]:
            self.output.weight = self.tok_embeddings.weight

    def forward(self, x):
        T = x.shape[1]
        h = self.tok_embeddings(x) + (self.pe[:T] if self.sin_cos else self.pos_embeddings(torch.arange(T)))
        for blk in self.layers:
            h = blk(h)
        return self.output(h if self.norm is None else self.norm(h))


def run_case(name, model, x, y):
    d = os.path.join(OUT, name)
    named = dict(model.named_parameters())
    init = {n: p.detach().clone() for n, p in named.items()}
    for n, p in init.items():
        save(d, "init." + n, p)
    save(d, "tokens", x.int())
    save(d, "targets", y.int())
    V = model.output.weight.shape[0]
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    loss.backward()
    save(d, "logits", logits)
    save(d, "loss", loss.reshape(1))
    for l, blk in enumerate(model.layers):
        save(d, "pattern%d" % l, blk.attention.pattern)
    for n, p in named.items():
        if p.grad is not None:
            save(d, "grad." + n, p.grad)
    for opt_name, ctor, opts in (("sgd", torch.optim.SGD, SGD), ("adamw", torch.optim.AdamW, ADAMW)):
        with torch.no_grad():
            for n, p in named.items():
                p.copy_(init[n])
                p.grad = None
        opt = ctor([p for p in named.values() if p.requires_grad], **opts)
        traj = {n: [] for n, p in named.items() if p.requires_grad}
        losses = []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
            losses.append(loss.item())
            loss.backward()
            opt.step()
            if len(losses) in KEEP:
                for n in traj:
                    traj[n].append(named[n].detach().clone())
        for n, ps in traj.items():
            save(d, opt_name + "." + n, torch.stack(ps))
        save(d, opt_name + "_loss", np.array(losses, dtype=np.float32))


def perturb_layernorms(model, g):
    # LayerNorm starts at gamma=1, beta=0; perturb so that the affine gradients are tested in general position
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.1 * torch.randn(p.shape, generator=g))


BASE = {"pre_norm": True, "sin_cos": False, "ffn": ["relu", "relu"], "no_wv": False, "no_wo": False,
        "freeze_wv": False, "freeze_wo": False, "freeze_embeddings": False, "tie_output": False}
CASES = {
    "full_pre_mix": dict(BASE, sin_cos=True, ffn=["none", "linear"], tie_output=True, freeze_wo=True),
    "full_post": dict(BASE, pre_norm=False, no_wv=True),
    "full_post_mix": dict(BASE, pre_norm=False, ffn=["linear", "none"], no_wo=True, freeze_wv=True,
                          freeze_embeddings=True, tie_output=True),
}


def main():
    torch.manual_seed(4321)
    g = torch.Generator().manual_seed(7)
    V, T, d, nh, B = 11, 8, 16, 4, 2
    for name, o in CASES.items():
        x = torch.randint(0, V, (B, T), generator=g)
        y = torch.randint(0, V, (B, T), generator=g)
        m = Model(V, T, d, nh, o)
        perturb_layernorms(m, g)
        run_case(name, m, x, y)
    print("torch", torch.__version__, "wrote", ", ".join(CASES), "under", OUT)


if __name__ == "__main__":
    sys.exit(main())
