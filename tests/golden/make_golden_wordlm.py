#!/usr/bin/python3
"""PyTorch oracle for tdlab's word-level transformer (src/nn/word_lm.h) and its new ops.

The model is the PyTorch word-language-model tutorial's TransformerModel (the model of the real-data runs
of Tian et al. 2023, arXiv 2305.16380): embedding * sqrt(d) + sinusoidal positions, post-LN
nn.TransformerEncoderLayer with a causal mask, untied decoder. Dropout is 0 (train mode, so PyTorch's
fast path is off and autograd runs). Written to tests/golden/nn/:
  wordlm_1/, wordlm_3/ (1 and 3 layers): init.<name>.npy, tokens, targets (B,T batch-major), logits
      (B,T,V), loss, grad.<name>.npy, pattern0 (B,T,T: layer 0's attention), gnorm (the total gradient
      norm before clipping), sgd.<name>.npy (the parameters after each of 3 steps of: clip_grad_norm_
      0.5, SGD without momentum, linear1/linear2 at lr 10 and the rest at lr 5) and sgd_loss;
  post_ln/: one encoder layer (2 heads) on a random input: x, dout, out, dx, grad.<name>;
  pe/: the tutorial's positional table for max_len 64, d 16.
Regenerate (from the repository root): /usr/bin/python3 tests/golden/make_golden_wordlm.py
Needs Debian's python3-torch (1.13) and python3-numpy; CPU, 1 thread, seeded.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn")


def save(d, name, t):
    os.makedirs(d, exist_ok=True)
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    np.save(os.path.join(d, name + ".npy"), a)


class PositionalEncoding(nn.Module):
    """The tutorial's table: pe[pos, 2i] = sin(pos w_i), pe[pos, 2i+1] = cos(pos w_i)."""

    def __init__(self, d_model, dropout=0.0, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):  # x (T, B, d)
        return self.dropout(x + self.pe[: x.size(0)])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        layer = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.encoder = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.decoder = nn.Linear(d_model, ntoken)
        self.encoder.weight.data.uniform_(-0.1, 0.1)
        self.decoder.bias.data.zero_()
        self.decoder.weight.data.uniform_(-0.1, 0.1)

    def forward(self, src):  # src (T, B)
        T = src.size(0)
        mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        x = self.pos_encoder(self.encoder(src) * math.sqrt(self.d_model))
        self.layer0_in = x
        return self.decoder(self.transformer_encoder(x, mask))


def perturb(model, g):
    """Non-trivial LayerNorm affines and biases, so that their gradients and uses are checked."""
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "norm" in n or n.endswith("bias"):
                p.add_(0.1 * torch.randn(p.shape, generator=g))


def wordlm_case(name, nlayers, g):
    V, d, H, B, T = 23, 16, 12, 3, 7
    model = TransformerModel(V, d, 1, H, nlayers, 0.0)
    perturb(model, g)
    model.train()
    src = torch.randint(0, V, (B, T), generator=g)
    tgt = torch.randint(0, V, (B, T), generator=g)
    dd = os.path.join(OUT, name)
    init = {n: p.detach().clone() for n, p in model.named_parameters()}
    for n, p in init.items():
        save(dd, "init." + n, p)
    save(dd, "tokens", src.int())
    save(dd, "targets", tgt.int())
    crit = nn.CrossEntropyLoss()

    def loss_of():
        out = model(src.t())  # (T, B, V)
        return out, crit(out.reshape(-1, V), tgt.t().reshape(-1))

    out, loss = loss_of()
    loss.backward()
    save(dd, "logits", out.transpose(0, 1))
    save(dd, "loss", loss.reshape(1))
    for n, p in model.named_parameters():
        save(dd, "grad." + n, p.grad)
    with torch.no_grad():
        layer = model.transformer_encoder.layers[0]
        T_ = src.size(1)
        mask = torch.triu(torch.full((T_, T_), float("-inf")), diagonal=1)
        _, w = layer.self_attn(model.layer0_in, model.layer0_in, model.layer0_in, attn_mask=mask, need_weights=True)
        save(dd, "pattern0", w)  # (B, T, T), averaged over heads
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1e9)
    save(dd, "gnorm", gnorm.reshape(1))
    # three training steps of the real-data recipe on the same batch
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(init[n])
    named = dict(model.named_parameters())
    ffn = [p for n, p in named.items() if ".linear1." in n or ".linear2." in n]
    rest = [p for n, p in named.items() if not (".linear1." in n or ".linear2." in n)]
    opt = torch.optim.SGD([{"params": rest}, {"params": ffn, "lr": 10.0}], lr=5.0)
    traj = {n: [] for n in named}
    losses = []
    for _ in range(3):
        opt.zero_grad()
        _, loss = loss_of()
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        for n in traj:
            traj[n].append(named[n].detach().clone())
    for n, ps in traj.items():
        save(dd, "sgd." + n, torch.stack(ps))
    save(dd, "sgd_loss", np.array(losses, dtype=np.float32))


def post_ln_case(g):
    B, T, d, H, nh = 2, 5, 8, 6, 2
    layer = nn.TransformerEncoderLayer(d, nh, H, 0.0)
    perturb(layer, g)
    layer.train()
    x = torch.randn(T, B, d, generator=g, requires_grad=True)
    dout = torch.randn(T, B, d, generator=g)
    mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    out = layer(x, src_mask=mask)
    (out * dout).sum().backward()
    dd = os.path.join(OUT, "post_ln")
    for n, p in layer.named_parameters():
        save(dd, "init." + n, p)
        save(dd, "grad." + n, p.grad)
    save(dd, "x", x.transpose(0, 1))
    save(dd, "dout", dout.transpose(0, 1))
    save(dd, "out", out.transpose(0, 1))
    save(dd, "dx", x.grad.transpose(0, 1))


def main():
    torch.manual_seed(4321)
    g = torch.Generator().manual_seed(7)
    wordlm_case("wordlm_1", 1, g)
    wordlm_case("wordlm_3", 3, g)
    post_ln_case(g)
    save(os.path.join(OUT, "pe"), "pe", PositionalEncoding(16, 0.0, 64).pe[:, 0, :])
    print("torch", torch.__version__, "wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
