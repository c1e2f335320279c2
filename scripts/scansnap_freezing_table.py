#!/usr/bin/python3
"""Does the attention of a `tdlab scansnap text` run freeze? One markdown row per checkpoint, from the run's
metrics.jsonl, attention_entropy.csv and freezing.csv (docs/scansnap.md "Real text"), for one layer:

  train loss     mean training loss of the steps since the previous checkpoint
  valid loss     validation loss (dropout off)
  entropy        the layer's mean attention entropy over the validation chunks, nats
  map change     mean over query rows of the total-variation distance between this checkpoint's map on the
                 fixed training chunk and the previous checkpoint's (0 = unchanged, 1 = disjoint rows)
  same argmax    fraction of query rows whose most-attended key is the one of the previous checkpoint
  row max        mean over query rows of the largest attention weight (1 = one-hot rows)

Tian et al. 2023 (arXiv 2305.16380, Fig. 7) read "frozen" as a map that stops changing while the training loss
still falls; the table puts both side by side. Works on a finished run directory and on a running one's
staging directory (OUT.partial-PID), which holds the same files up to the last checkpoint.

Usage: /usr/bin/python3 scripts/scansnap_freezing_table.py RUN_DIR [--layer 0] [--every 1]
"""
import argparse
import json
import sys
from pathlib import Path


def fail(message):
    print(f"scansnap_freezing_table: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--layer", type=int, default=0, help="which layer (0 = the lowest)")
    ap.add_argument("--every", type=int, default=1, help="print every k-th checkpoint (the last always)")
    a = ap.parse_args()
    try:
        metrics = {}
        for line in (a.run / "metrics.jsonl").read_text().splitlines():
            j = json.loads(line)
            metrics[j["iter"]] = j
        entropy, freezing = {}, []
        for line in (a.run / "attention_entropy.csv").read_text().splitlines()[1:]:
            it, layer, e = line.split(",")
            if int(layer) == a.layer:
                entropy[int(it)] = float(e)
        for line in (a.run / "freezing.csv").read_text().splitlines()[1:]:
            it, layer, tv, same, _frozen, rmax = line.split(",")
            if int(layer) == a.layer:
                freezing.append((int(it), float(tv), float(same), float(rmax)))
    except (OSError, ValueError, KeyError) as e:
        fail(f"cannot read run '{a.run}': {e}")
    if not freezing:
        fail(f"run '{a.run}' has no layer {a.layer} in freezing.csv")
    print("| step | train loss | valid loss | entropy (nats) | map change (row TV) | same argmax | row max |")
    print("|---|---|---|---|---|---|---|")
    for k, (it, tv, same, rmax) in enumerate(freezing):
        if k % a.every and k != len(freezing) - 1:
            continue
        m = metrics[it]
        tl = "" if m["train_loss"] is None else f"{m['train_loss']:.2f}"
        first = k == 0  # nothing to compare the first map with
        print(f"| {it} | {tl} | {m['valid_loss']:.2f} | {entropy[it]:.2f} | {'' if first else f'{tv:.2f}'} | "
              f"{'' if first else f'{same:.2f}'} | {rmax:.2f} |")


if __name__ == "__main__":
    main()
