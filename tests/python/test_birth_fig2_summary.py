"""scripts/birth_fig2_summary.py: the attention measures on maps whose answers are known, and its claim rules."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "..", "scripts")
sys.path.insert(0, SCRIPTS)

import birth_fig2_summary as fig2  # noqa: E402


def ideal_run(tmp_path, acc=0.95, prev_score=0.93):
    """Two 12-token sequences; layer 1 one-hot on t-1, layer 2 one-hot on the key after the first earlier
    copy of the query token (on t itself where there is none): a perfect previous-token and induction pair."""
    tokens = np.array([[1, 2, 3, 1, 2, 3, 4, 1, 2, 5, 4, 6], [7, 7, 8, 9, 8, 9, 7, 8, 1, 2, 1, 2]], dtype=np.int32)
    S, T = tokens.shape
    a0 = np.zeros((S, 1, T, T), np.float32)
    a1 = np.zeros((S, 1, T, T), np.float32)
    outs = np.zeros((S, T), np.int32)
    for s in range(S):
        a0[s, 0, 0, 0] = 1
        for t in range(1, T):
            a0[s, 0, t, t - 1] = 1
        for t in range(T):
            after = [k for k in range(1, t + 1) if tokens[s, k - 1] == tokens[s, t]]
            a1[s, 0, t, after[0] if after else t] = 1
            outs[s, t] = 2 if after else 0
    for name, arr in (("attn_layer0", a0), ("attn_layer1", a1), ("exp_tokens", tokens), ("exp_outs", outs)):
        np.save(tmp_path / f"{name}.npy", arr)
    recs = [{"iter": i, "acc_end": acc, "acc_end_test": acc, "loss_bigram": 2.2} for i in range(10)]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    (tmp_path / "heads.csv").write_text(
        "iter,layer,head,previous_token,duplicate_token,induction\n"
        f"9,0,0,{prev_score},0.1,0.1\n9,1,0,0.05,0.2,0.8\n")
    return tokens, a0, a1, outs


def test_perfect_heads_measure_one(tmp_path):
    tokens, a0, a1, outs = ideal_run(tmp_path)
    assert fig2.layer1_previous(a0, a0.shape[-1]) == (1.0, 1.0)
    f, w, n = fig2.layer2_induction(a1, tokens, outs)
    assert (f, w) == (1.0, 1.0) and n == int((outs >= 2).sum()) and n > 5
    # Moving every layer-2 row to the query itself (a duplicate-token head) hits only where the query follows
    # its own copy: 7,7 at positions 0,1 of the second sequence.
    dup = np.zeros_like(a1)
    for t in range(a1.shape[-1]):
        dup[:, 0, t, t] = 1
    f, _, _ = fig2.layer2_induction(dup, tokens, outs)
    assert f == 1 / n


def test_claim_lines_and_missing_file(tmp_path):
    ideal_run(tmp_path, acc=0.95, prev_score=0.93)
    out = subprocess.run([sys.executable, os.path.join(SCRIPTS, "birth_fig2_summary.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert "fig2.generic_transformer: previous-token score 0.930 (>= 0.9), acc_end 0.950 (>= 0.9): holds" in out
    ideal_run(tmp_path, acc=0.95, prev_score=0.5)
    out = subprocess.run([sys.executable, os.path.join(SCRIPTS, "birth_fig2_summary.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert "contradicted" in out
    (tmp_path / "heads.csv").unlink()
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, "birth_fig2_summary.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "heads.csv: missing" in r.stderr
