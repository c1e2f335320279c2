#!/usr/bin/python3
"""PyTorch run of tdlab's `scansnap text` experiment (Tian et al. 2023, arXiv 2305.16380, Figs 7/10: the
PyTorch word-language-model tutorial transformer on real text), from the same YAML config, for two uses:

  run    one training run with the config's recipe (tokeniser, vocabulary, batchify, chunks, model, SGD
         groups, clipping, checkpoints and the attention entropy exactly as src/scansnap/text_*.cpp
         define them; only the random streams differ: torch's generator for init and dropout):
         writes OUT/metrics.jsonl, OUT/attention_entropy.csv, OUT/attn/iter_N.npy.
  speed  tokens per second of one training step (forward, backward, clip, SGD) on random chunks of the
         corpus's vocabulary, with the share of the output layer (the V x d GEMMs) timed separately.

Usage (repository root):
  /usr/bin/python3 bench/scansnap_text_torch.py run --config configs/scansnap/fig7-quick.yaml --seed 1 --out DIR
  /usr/bin/python3 bench/scansnap_text_torch.py speed --config configs/scansnap/fig7.yaml --layers 1 --threads 2
Needs Debian's python3-torch (1.13), python3-numpy, python3-yaml.
"""
import argparse
import json
import math
import os
import re
import sys
import time

import bench_host

bench_host.start(__doc__)
np = bench_host.require("numpy")
torch = bench_host.require("torch")
import torch.nn as nn  # noqa: E402
yaml = bench_host.require("yaml")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
from make_golden_wordlm import TransformerModel  # noqa: E402  the same model as the golden oracle

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# torchtext's basic_english (torchtext/data/utils.py), rules in order
_PATTERNS = [(re.compile(p), r) for p, r in [
    (r"\'", " '  "), (r"\"", ""), (r"\.", " . "), (r"<br \/>", " "), (r",", " , "), (r"\(", " ( "),
    (r"\)", " ) "), (r"\!", " ! "), (r"\?", " ? "), (r"\;", " "), (r"\:", " "), (r"\s+", " ")]]


def basic_english(line):
    line = line.lower()
    for p, r in _PATTERNS:
        line = p.sub(r, line)
    return line.split()


def tokens_of(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            out += basic_english(line)
    return out


def flat(cfg, prefix=""):
    out = {}
    for k, v in cfg.items():
        if isinstance(v, dict):
            out.update(flat(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def data_path(p):
    q = os.path.join(ROOT, "data", p)
    return q if os.path.exists(q) else p


def load(cfg):
    train = tokens_of(data_path(cfg["data.train_path"]))
    if cfg["data.train_tokens"] > 0:
        train = train[: cfg["data.train_tokens"]]
    counts = {}
    for w in train:
        if w != "<unk>":
            counts[w] = counts.get(w, 0) + 1
    words = ["<unk>"] + [w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    index = {w: i for i, w in enumerate(words)}
    valid = [index.get(w, 0) for w in tokens_of(data_path(cfg["data.valid_path"]))]
    if cfg["data.valid_tokens"] > 0:
        valid = valid[: cfg["data.valid_tokens"]]
    return len(words), torch.tensor([index[w] for w in train]), torch.tensor(valid)


def batchify(data, bsz):
    nb = data.size(0) // bsz
    return data[: nb * bsz].view(bsz, nb).t().contiguous()  # (rows, bsz)


def entropy(att):  # (B, T, T)
    return (-(att * torch.log(att + 1e-8)).sum(-1)).mean().item()


def layer_attention(model, x, layer_index):
    """Attention of layer `layer_index` on input x (T, B, d) of the encoder stack (eval mode)."""
    T = x.size(0)
    mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    h = x
    for i, layer in enumerate(model.transformer_encoder.layers):
        if i == layer_index:
            _, w = layer.self_attn(h, h, h, attn_mask=mask, need_weights=True)
            return w
        h = layer(h, src_mask=mask)


def build(cfg, V):
    return TransformerModel(V, cfg["model.d_model"], cfg["model.nhead"], cfg["model.d_hid"], cfg["model.nlayers"],
                            cfg["model.dropout"])


def optimizer(cfg, model):
    named = dict(model.named_parameters())
    ffn = [p for n, p in named.items() if ".linear1." in n or ".linear2." in n]
    rest = [p for n, p in named.items() if not (".linear1." in n or ".linear2." in n)]
    return torch.optim.SGD([{"params": rest}, {"params": ffn, "lr": cfg["train.lr_ffn"]}], lr=cfg["train.lr"])


def cmd_run(a):
    cfg = flat(yaml.safe_load(open(a.config)))
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    V, train, valid = load(cfg)
    bsz, ebsz, bptt = cfg["train.batch"], cfg["train.eval_batch"], cfg["train.bptt"]
    tb, vb = batchify(train, bsz), batchify(valid, ebsz)
    nchunks, nvalid = (tb.size(0) - 1) // bptt, (vb.size(0) - 1) // bptt
    L = cfg["model.nlayers"]
    model = build(cfg, V)
    opt = optimizer(cfg, model)
    crit = nn.CrossEntropyLoss()
    r0, c0 = cfg["train.attn_row"], cfg["train.attn_col"]
    fixed = tb[r0: r0 + bptt, c0: c0 + 1]
    os.makedirs(os.path.join(a.out, "attn"), exist_ok=True)
    metrics, ent_rows = [], ["iter,layer,entropy"]

    def checkpoint(it, tl, gn):
        model.eval()
        with torch.no_grad():
            loss, ent = 0.0, [0.0] * L
            for k in range(nvalid):
                x, y = vb[k * bptt: (k + 1) * bptt], vb[k * bptt + 1: (k + 1) * bptt + 1]
                out = model(x)
                loss += crit(out.reshape(-1, V), y.reshape(-1)).item()
                h = model.pos_encoder(model.encoder(x) * math.sqrt(model.d_model))
                for l in range(L):
                    ent[l] += entropy(layer_attention(model, h, l))
            h = model.pos_encoder(model.encoder(fixed) * math.sqrt(model.d_model))
            maps = np.stack([layer_attention(model, h, l)[0].numpy() for l in range(L)]).astype(np.float32)
        np.save(os.path.join(a.out, "attn", "iter_%d.npy" % it), maps)
        vl = loss / nvalid
        metrics.append({"iter": it, "train_loss": tl, "valid_loss": vl, "valid_ppl": math.exp(vl),
                        "lr": cfg["train.lr"], "grad_norm": gn})
        ent_rows.extend("%d,%d,%.9g" % (it, l, ent[l] / nvalid) for l in range(L))
        with open(os.path.join(a.out, "metrics.jsonl"), "w") as f:
            f.write("".join(json.dumps(m) + "\n" for m in metrics))
        with open(os.path.join(a.out, "attention_entropy.csv"), "w") as f:
            f.write("\n".join(ent_rows) + "\n")
        model.train()

    checkpoint(0, None, None)
    t0, ls, ns, steps = time.time(), 0.0, 0.0, 0
    for it in range(1, cfg["train.niter"] + 1):
        k = (it - 1) % nchunks
        x, y = tb[k * bptt: (k + 1) * bptt], tb[k * bptt + 1: (k + 1) * bptt + 1]
        opt.zero_grad()
        loss = crit(model(x).reshape(-1, V), y.reshape(-1))
        loss.backward()
        ns += torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["train.clip"]).item()
        opt.step()
        ls += loss.item()
        steps += 1
        if it % cfg["train.eval_every"] == 0 or it == cfg["train.niter"]:
            checkpoint(it, ls / steps, ns / steps)
            ls, ns, steps = 0.0, 0.0, 0
    print(json.dumps({"seed": a.seed, "vocab": V, "seconds": time.time() - t0, "out": a.out}))


def cmd_speed(a):
    cfg = flat(yaml.safe_load(open(a.config)))
    cfg["model.nlayers"] = a.layers
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    V, train, _ = load(cfg)
    bsz, bptt = cfg["train.batch"], cfg["train.bptt"]
    tb = batchify(train, bsz)
    model = build(cfg, V)
    opt = optimizer(cfg, model)
    crit = nn.CrossEntropyLoss()

    def step(k):
        x, y = tb[k * bptt: (k + 1) * bptt], tb[k * bptt + 1: (k + 1) * bptt + 1]
        opt.zero_grad()
        loss = crit(model(x).reshape(-1, V), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["train.clip"])
        opt.step()

    for k in range(3):
        step(k)
    times, cpu = [], []
    for r in range(a.repeats):
        t, c = time.perf_counter(), time.process_time()
        for k in range(a.steps):
            step(k)
        times.append((time.perf_counter() - t) / a.steps)
        cpu.append((time.process_time() - c) / a.steps)
    # output layer alone: logits = h D^T + d, its backward (dh, dD, dd), on the same shapes
    h = torch.randn(bptt * bsz, cfg["model.d_model"], requires_grad=True)
    dec = model.decoder
    g = torch.randn(bptt * bsz, V)
    out_t, out_c = [], []
    for r in range(a.repeats):
        t, c = time.perf_counter(), time.process_time()
        for k in range(a.steps):
            dec(h).backward(g)
        out_t.append((time.perf_counter() - t) / a.steps)
        out_c.append((time.process_time() - c) / a.steps)
    best = min(times)
    # CPU seconds too: on a shared machine the wall clock measures the neighbours as much as the code
    print(json.dumps({"layers": a.layers, "vocab": V, "threads": a.threads, "step_s": best,
                      "tokens_per_s": bsz * bptt / best, "output_layer_s": min(out_t),
                      "output_layer_share": min(out_t) / best, "step_cpu_s": min(cpu),
                      "tokens_per_cpu_s": bsz * bptt / min(cpu), "output_layer_cpu_share": min(out_c) / min(cpu)}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--config", required=True)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--out", required=True)
    r.add_argument("--threads", type=int, default=1)
    s = sub.add_parser("speed")
    s.add_argument("--config", required=True)
    s.add_argument("--layers", type=int, default=1)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--steps", type=int, default=5)
    s.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    bench_host.print_host(torch)
    return cmd_run(a) if a.cmd == "run" else cmd_speed(a)


if __name__ == "__main__":
    sys.exit(main())
