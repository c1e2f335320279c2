"""Birth of a Transformer (Bietti et al. 2023, arXiv 2306.00802; docs/birth.md): `tdlab birth train` and
`tdlab birth eval` in process. Arguments as tdlab.dmft.run (train's config defaults to
configs/birth/fig3-quick.yaml, as the CLI)."""

import os

from ._runner import run_command


def train(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """One training run of the simplified two-layer model. Returns the Run: metrics (metrics.jsonl with
    the official probe keys, one record per evaluation), arrays "params/<name>" (params.npz), the
    attention maps and the curve figures. Runs through a run directory (a temporary one for out=None,
    read into memory: the run's many small arrays, metrics and figures are the CLI's own files, so they
    are not rebuilt in memory); Ctrl-C stops at the next iteration report. force=True: as --force."""
    return run_command("birth train", config, overrides, out, threads, progress, force)


def eval(params, config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """Trained weights evaluated without training (`tdlab birth eval`): params is a run's params.npz or a
    folder of NAME.npy (the paper-scale weights shipped in data/birth/fig2_paper_fixed). config defaults to
    the config.yaml beside the weights, as on the command line. Returns the Run: eval.json's values (the
    test-batch metrics, weight probes and head detector scores), ablation.json with
    birth.train.ablate_head, the attention maps of the experiment sequences. overrides as for train (e.g.
    {"birth.train.capture": "blocks.*.attn.hook_pattern"} for activations, {"birth.data.fixed_triggers": False}
    for other data); out=None runs into a temporary directory read back into memory, as train does."""
    params = os.fspath(params)
    if config is None:
        beside = os.path.join(params if os.path.isdir(params) else os.path.dirname(params), "config.yaml")
        if os.path.isfile(beside):
            config = beside
    overrides = dict(overrides or {})
    overrides["birth.eval.params"] = params
    return run_command("birth eval", config, overrides, out, threads, progress, force)
