#!/usr/bin/python3
"""The order in which a Birth run's memories form, from its metrics.jsonl, with the rules of the report's
claims `fig3.top_down` (half-rise) and `fig3.top_down_onset` (onset); src/repro/birth.cpp holds the same rules
for `tdlab reproduce birth`, this script applies them to any run directory (e.g. a paper-scale run trained
with `tdlab birth train`, which the report does not read).

  half-rise: the first evaluation at which a probe has made half of its change from the first to the last
             record (none if it changes by less than 0.1);
  onset:     the first evaluation from which the probe's hit count beats chance at binomial tail < 1e-3, at
             that evaluation and the next (W_O^2: N tokens over N keys; W_K^2 against all keys: K fixed
             triggers or N tokens over N keys; W_K^1: n - 1 positions over n - 1 keys, n = min(256, T)).

Probes (Bietti et al. 2023, arXiv 2306.00802, Sec. 5 and Fig. 3): wo1_acc (W_O^2), wk1_acc / wk1_all_acc
(W_K^2), wk0_acc (W_K^1), wk0_64_acc (W_K^1 for t < 64).

Usage: /usr/bin/python3 scripts/birth_probe_order.py RUN_DIR [--vocab 65]
RUN_DIR holds metrics.jsonl and config.yaml (a run directory or its .ckpt store).
"""
import argparse
import json
import math
import sys
from pathlib import Path


def binomial_tail(hits, n, p):
    """P(X >= hits) for X ~ Binomial(n, p)."""
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(max(hits, 0), n + 1))


def value(rec, key):
    v = rec.get(key)
    return math.nan if v is None else float(v)


def half_change(recs, key):
    a, b = value(recs[0], key), value(recs[-1], key)
    if not (b - a >= 0.1):
        return None
    return next((r["iter"] for r in recs if value(r, key) >= a + (b - a) / 2), None)


def onset(recs, key, n_items, n_keys):
    def significant(r):
        v = value(r, key)
        return not math.isnan(v) and binomial_tail(round(v * n_items), n_items, 1.0 / n_keys) < 1e-3

    return next((recs[i]["iter"] for i in range(len(recs) - 1) if significant(recs[i]) and significant(recs[i + 1])),
                None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--vocab", type=int, default=65, help="N, the number of tokens (65 Shakespeare characters)")
    a = ap.parse_args()
    d = Path(a.run_dir)
    try:
        recs = [json.loads(line) for line in (d / "metrics.jsonl").read_text().splitlines() if line.strip()]
        import yaml  # Debian's python3-yaml
        cfg = yaml.safe_load((d / "config.yaml").read_text())["birth"]
    except (OSError, KeyError, ValueError) as e:
        print(f"birth_probe_order: cannot read {d}: {e}", file=sys.stderr)
        sys.exit(2)
    if not recs:
        print(f"birth_probe_order: {d / 'metrics.jsonl'} has no records", file=sys.stderr)
        sys.exit(2)
    N, fixed = a.vocab, cfg["data"]["fixed_triggers"]
    k = cfg["data"]["k"] if fixed else N
    n = min(256, cfg["model"]["max_length"]) - 1
    print(f"{d}: {len(recs)} evaluations, iterations {recs[0]['iter']}..{recs[-1]['iter']}, "
          f"{'fixed' if fixed else 'random'} triggers (K = {cfg['data']['k']}), d = {cfg['model']['dim']}, "
          f"B = {cfg['optim']['batch_size']}, T = {cfg['data']['seq_length']}")
    print("probe        first -> last   half-rise  onset")
    rows = [("W_O^2", "wo1_acc", (N, N)), ("W_K^2", "wk1_acc", None), ("W_K^2 all", "wk1_all_acc", (k, N)),
            ("W_K^1", "wk0_acc", (n, n)), ("W_K^1 t<64", "wk0_64_acc", None)]
    for name, key, on in rows:
        first, last = value(recs[0], key), value(recs[-1], key)
        o = onset(recs, key, *on) if on else None
        print(f"{name:11s} {first:6.3f} -> {last:6.3f}  {str(half_change(recs, key)):>9s}  {str(o) if on else '':>5s}")
    for key in ("acc_end", "acc_end_test", "loss_bigram", "loss_head", "score_acc", "score2_acc"):
        if key in recs[-1]:
            print(f"{key} at {recs[-1]['iter']}: {value(recs[-1], key):.4f}")


if __name__ == "__main__":
    main()
