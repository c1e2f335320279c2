#!/usr/bin/python3
"""Compares tdlab's `scansnap text` runs with PyTorch runs of the same config (bench/scansnap_text_torch.py).

Rule (docs/scansnap.md "Real text"): at every checkpoint, each tdlab seed's training loss and layer-0
validation attention entropy lie inside the PyTorch seeds' [min, max] widened by 10% of its width plus
10% of |mean| on each side (the interval [min - w, max + w], w = 0.1 (max - min) + 0.1 |mean|); the
widening stands for the seeds we could not afford. The strict count (inside the raw [min, max]) is printed too.
Usage: /usr/bin/python3 bench/scansnap_text_compare.py --tdlab DIR1 DIR2 DIR3 --torch DIR1 DIR2 DIR3
Prints a table and a JSON summary; exit 0 when every checkpoint passes, 1 otherwise.
"""
import argparse
import json
import sys


def curves(d):
    loss = {}
    for line in open(d + "/metrics.jsonl"):
        j = json.loads(line)
        if j["train_loss"] is not None:
            loss[j["iter"]] = j["train_loss"]
    ent = {}
    for line in open(d + "/attention_entropy.csv").read().splitlines()[1:]:
        it, layer, e = line.split(",")
        if int(layer) == 0:
            ent[int(it)] = float(e)
    return {"train_loss": loss, "entropy": ent}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tdlab", nargs="+", required=True)
    p.add_argument("--torch", nargs="+", required=True)
    a = p.parse_args()
    ours = [curves(d) for d in a.tdlab]
    ref = [curves(d) for d in a.torch]
    ok, strict, total, rows = True, 0, 0, []
    for key in ("train_loss", "entropy"):
        for it in sorted(ref[0][key]):
            vals = [r[key][it] for r in ref if it in r[key]]
            lo, hi = min(vals), max(vals)
            w = 0.1 * (hi - lo) + 0.1 * abs(sum(vals) / len(vals))
            for i, o in enumerate(ours):
                if it not in o[key]:
                    continue
                v = o[key][it]
                inside = lo - w <= v <= hi + w
                ok &= inside
                strict += lo <= v <= hi
                total += 1
                rows.append((key, it, i + 1, v, lo, hi, inside))
    print("%-10s %6s %4s %10s %10s %10s %s" % ("curve", "iter", "seed", "tdlab", "torch_min", "torch_max", "ok"))
    for r in rows:
        print("%-10s %6d %4d %10.4f %10.4f %10.4f %s" % r)
    print(json.dumps({"pass": bool(ok), "checks": total, "inside_raw_minmax": strict}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
