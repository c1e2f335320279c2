#!/usr/bin/python3
"""Compares tdlab's `scansnap text` runs with PyTorch runs of the same config (bench/scansnap_text_torch.py).

Rule (docs/scansnap.md "Real text"): at every checkpoint, each tdlab seed's training loss and layer-0
validation attention entropy lie inside the PyTorch seeds' [min, max] widened by 10% of its width plus
10% of |mean| on each side (the interval [min - w, max + w], w = 0.1 (max - min) + 0.1 |mean|); the
widening stands for the seeds we could not afford. The strict count (inside the raw [min, max]) is printed too.
Usage: /usr/bin/python3 bench/scansnap_text_compare.py --tdlab DIR1 DIR2 DIR3 --torch DIR1 DIR2 DIR3
Prints a table and a JSON summary; exit 0 when every checkpoint passes, 1 otherwise.

--stats adds, per checkpoint, each side's mean +- standard deviation and [min, max] and the two-sided
permutation p-value of the difference of means (every split of the pooled seeds into the two group sizes;
exact, no distributional assumption). It does not change the exit code: the rule above is the one stated
before the runs; the statistics say whether a failure is a difference between the two programs or seeds
falling outside a band that 3 seeds under-sample (check it by passing PyTorch seeds as --tdlab).
"""
import argparse
import itertools
import json
import statistics
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


def permutation_p(a, b):
    """Two-sided p of |mean(a) - mean(b)| over every split of a + b into groups of len(a) and len(b)."""
    pooled, n = a + b, len(a)
    observed = abs(statistics.fmean(a) - statistics.fmean(b))
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), n):
        chosen = set(idx)
        x = [pooled[i] for i in idx]
        y = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        hits += abs(statistics.fmean(x) - statistics.fmean(y)) >= observed - 1e-12
        total += 1
    return hits / total


def print_stats(ours, ref):
    print("%-10s %6s %22s %22s %7s" % ("curve", "iter", "tdlab mean+-sd", "torch mean+-sd", "perm_p"))
    for key in ("train_loss", "entropy"):
        for it in sorted(ref[0][key]):
            a = [o[key][it] for o in ours if it in o[key]]
            b = [r[key][it] for r in ref if it in r[key]]
            if len(a) < 2 or len(b) < 2:
                continue
            fa = "%.3f+-%.3f [%.2f,%.2f]" % (statistics.fmean(a), statistics.stdev(a), min(a), max(a))
            fb = "%.3f+-%.3f [%.2f,%.2f]" % (statistics.fmean(b), statistics.stdev(b), min(b), max(b))
            print("%-10s %6d %22s %22s %7.3f" % (key, it, fa, fb, permutation_p(a, b)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tdlab", nargs="+", required=True)
    p.add_argument("--torch", nargs="+", required=True)
    p.add_argument("--stats", action="store_true", help="means, spreads and permutation p per checkpoint")
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
    if a.stats:
        print_stats(ours, ref)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
