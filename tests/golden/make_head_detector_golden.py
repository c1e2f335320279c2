"""Golden scores for src/nn/head_detectors.cpp: a NumPy transcription of the published formulas of
TransformerLens's head detector (transformer_lens.head_detector: the previous-token, duplicate-token and
induction detection patterns; compute_head_attention_similarity_score with the "mul" and "abs" error
measures and the exclude_bos / exclude_current_token options), written from their definitions, on random
causal attention patterns. Checked by tests/nn/test_head_detectors.cpp.

Regenerate from the repository root with:  /usr/bin/python3 tests/golden/make_head_detector_golden.py
Writes tests/golden/heads/{tokens,pattern,scores}.npy (a few KB).
"""

import os

import numpy as np

B, H, T, VOCAB = 3, 2, 12, 4  # a small vocabulary so that tokens repeat
KINDS = ["previous_token", "duplicate_token", "induction"]


def detection(kind, z):
    t = len(z)
    if kind == "previous_token":
        d = np.zeros((t, t))
        d[1:, :-1] = np.eye(t - 1)
        return np.tril(d)
    dup = (z[None, :] == z[:, None]).astype(float)
    np.fill_diagonal(dup, 0.0)
    dup = np.tril(dup)
    if kind == "duplicate_token":
        return dup
    shifted = np.zeros((t, t))
    shifted[:, 1:] = dup[:, :-1]  # key j marks an earlier occurrence at j - 1
    return np.tril(shifted)


def score(att, det, measure, bos, cur):
    att = att.astype(np.float64).copy()
    if measure == "mul":
        if bos:
            att[:, 0] = 0
        if cur:
            np.fill_diagonal(att, 0)
        return (att * det).sum() / att.sum()
    diff = np.abs(att - det)
    assert np.all(np.triu(diff, 1) == 0)
    if bos:
        diff[:, 0] = 0
    if cur:
        np.fill_diagonal(diff, 0)
    err = diff.mean() * len(diff)
    return 1 - (round(err, 3) if measure == "abs_rounded" else err)


def main():
    rng = np.random.default_rng(12)
    tokens = rng.integers(0, VOCAB, size=(B, T)).astype(np.int32)
    logits = rng.normal(size=(B, H, T, T)) * 2.0
    causal = np.tril(np.ones((T, T), dtype=bool))
    logits = np.where(causal, logits, -np.inf)
    pattern = np.exp(logits - logits.max(-1, keepdims=True))
    pattern = (pattern / pattern.sum(-1, keepdims=True)).astype(np.float32)
    # scores[kind, measure (mul, abs, abs rounded), exclude_bos, exclude_current_token, b, h]
    scores = np.zeros((3, 3, 2, 2, B, H))
    for k, kind in enumerate(KINDS):
        for b in range(B):
            det = detection(kind, tokens[b])
            for m, measure in enumerate(["mul", "abs", "abs_rounded"]):
                for bos in range(2):
                    for cur in range(2):
                        for h in range(H):
                            scores[k, m, bos, cur, b, h] = score(pattern[b, h], det, measure, bos, cur)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "heads")
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "tokens.npy"), tokens)
    np.save(os.path.join(out, "pattern.npy"), pattern)
    np.save(os.path.join(out, "scores.npy"), scores)


if __name__ == "__main__":
    main()
