#!/usr/bin/python3
"""What a trained generic (full) Birth model shows, from its run directory, with the rules of the report's
Fig 2 claims (src/repro/birth_fig2.cpp holds the same rules for `tdlab reproduce birth`; this script applies
them to any run trained with `tdlab birth train`, e.g. a paper-scale run the report does not read).

Printed (Bietti et al. 2023, arXiv 2306.00802, Sec. 3 and Fig. 2):
  acc_end, loss_bigram        mean of the last 5 evaluations (metrics.jsonl); acc_end_test: the last one
  heads.csv                   the last row of each layer: previous-token, duplicate-token, induction scores
                              (TransformerLens's detect_head, "mul")
  layer 1, argmax on t-1      share of queries t >= 1 whose largest weight (first maximum) is on t - 1, over
                              the experiment sequences (attn_layer0.npy), all positions and t < 32
  layer 1, mean weight on t-1 the same queries' weight on t - 1
  layer 2, induction          at in-context positions (outs >= 2, exp_outs.npy): share whose largest weight is
                              on a key right after an earlier occurrence of the query token, and the weight
                              on all such keys (attn_layer1.npy, exp_tokens.npy)
  ablation.json               acc_end_test and loss_bigram_test before and after the head ablation
Rules (written before the runs, docs/birth.md):
  fig2.generic_transformer    layer-1 previous-token score (heads.csv) >= 0.9 and acc_end >= 0.9
  ablation.induction_head     with acc_end_test >= 0.9 before, mean-ablated acc_end_test <= 0.3 and
                              |loss_bigram_test change| <= 0.1 nats

Usage: /usr/bin/python3 scripts/birth_fig2_summary.py RUN_DIR
Exit 2 when RUN_DIR lacks a file it needs (it names the file).
"""
import argparse
import csv
import json
import math
import sys
from pathlib import Path


def fail(msg):
    print(f"birth_fig2_summary: {msg}", file=sys.stderr)
    sys.exit(2)


def tail_mean(recs, key, n=5):
    vals = [float(r[key]) for r in recs if r.get(key) is not None][-n:]
    return sum(vals) / len(vals) if vals else math.nan


def last_head_scores(path):
    last = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            last[(int(row["layer"]), int(row["head"]))] = row
    return last


def layer1_previous(att, t_max):
    """Share of queries 1 <= t < t_max whose first maximum is on t - 1, and their mean weight on t - 1."""
    import numpy as np

    hits = n = 0
    weight = 0.0
    for s in range(att.shape[0]):
        a = att[s, 0]
        for t in range(1, min(t_max, a.shape[0])):
            hits += int(np.argmax(a[t, : t + 1]) == t - 1)
            weight += float(a[t, t - 1])
            n += 1
    return hits / n, weight / n


def layer2_induction(att, tokens, outs):
    """At in-context queries: share whose argmax key follows an earlier copy of the query token, and the
    weight on all such keys."""
    import numpy as np

    hits = n = 0
    weight = 0.0
    for s in range(att.shape[0]):
        x, a = tokens[s], att[s, 0]
        for t in range(1, x.shape[0]):
            if outs[s, t] < 2:
                continue
            good = [k for k in range(1, t + 1) if x[k - 1] == x[t]]
            if not good:
                continue
            hits += int(int(np.argmax(a[t, : t + 1])) in good)
            weight += float(a[t, good].sum())
            n += 1
    return (hits / n, weight / n, n) if n else (math.nan, math.nan, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    d = Path(ap.parse_args().run_dir)
    need = ["metrics.jsonl", "heads.csv", "attn_layer0.npy", "attn_layer1.npy", "exp_tokens.npy", "exp_outs.npy"]
    for name in need:
        if not (d / name).is_file():
            fail(f"{d / name}: missing (a finished `tdlab birth train` run of the full model is needed)")
    import numpy as np

    recs = [json.loads(line) for line in (d / "metrics.jsonl").read_text().splitlines() if line.strip()]
    if not recs:
        fail(f"{d / 'metrics.jsonl'}: no records")
    acc, lb = tail_mean(recs, "acc_end"), tail_mean(recs, "loss_bigram")
    print(f"run {d}: {recs[-1]['iter'] + 1} iterations")
    print(f"acc_end (mean of last 5) {acc:.3f}; acc_end_test (last) {float(recs[-1].get('acc_end_test', math.nan)):.3f}; "
          f"loss_bigram (mean of last 5) {lb:.3f}")
    heads = last_head_scores(d / "heads.csv")
    for (layer, head), row in sorted(heads.items()):
        print(f"heads.csv iter {row['iter']}, layer {layer + 1} head {head}: previous-token "
              f"{float(row['previous_token']):.3f}, duplicate-token {float(row['duplicate_token']):.3f}, "
              f"induction {float(row['induction']):.3f}")
    a0, a1 = np.load(d / "attn_layer0.npy"), np.load(d / "attn_layer1.npy")
    tokens, outs = np.load(d / "exp_tokens.npy"), np.load(d / "exp_outs.npy")
    T = a0.shape[-1]
    for t_max, what in ((T, "all positions"), (32, "t < 32")):
        f, w = layer1_previous(a0, t_max)
        print(f"layer 1, {what}: argmax on t-1 {f:.3f}, mean weight on t-1 {w:.3f}")
    f, w, n = layer2_induction(a1, tokens, outs)
    print(f"layer 2, {n} in-context queries: argmax after an earlier copy of the query {f:.3f}, weight there {w:.3f}")
    prev = float(heads.get((0, 0), {}).get("previous_token", math.nan))
    ok = prev >= 0.9 and acc >= 0.9
    print(f"fig2.generic_transformer: previous-token score {prev:.3f} (>= 0.9), acc_end {acc:.3f} (>= 0.9): "
          f"{'holds' if ok else 'contradicted'}")
    abl = d / "ablation.json"
    if abl.is_file():
        a = json.loads(abl.read_text())
        before, lb0 = a["acc_end_test"], a["loss_bigram_test"]
        for mode in ("mean", "zero"):
            k = f"acc_end_test_ablated_{mode}"
            if k in a:
                print(f"ablation ({mode}) of layer {a['layer'] + 1} head {a['head']}: acc_end_test {before:.3f} -> "
                      f"{a[k]:.3f}, loss_bigram_test {lb0:.3f} -> {a[f'loss_bigram_test_ablated_{mode}']:.3f}")
        if "acc_end_test_ablated_mean" in a:
            if before < 0.9:
                verdict = "no head to remove (acc_end_test < 0.9)"
            else:
                moved = abs(a["loss_bigram_test_ablated_mean"] - lb0)
                holds = a["acc_end_test_ablated_mean"] <= 0.3 and moved <= 0.1
                verdict = "holds" if holds else "contradicted"
            print(f"ablation.induction_head: {verdict}")


if __name__ == "__main__":
    main()
