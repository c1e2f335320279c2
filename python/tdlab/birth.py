"""Birth of a Transformer (Bietti et al. 2023, arXiv 2306.00802; docs/birth.md): `tdlab birth train` in
process. Arguments as tdlab.dmft.run (config defaults to configs/birth/fig3-quick.yaml, as the CLI)."""

from ._runner import run_command


def train(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """One training run of the simplified two-layer model. Returns the Run: metrics (metrics.jsonl with
    the official probe keys, one record per evaluation), arrays "params/<name>" (params.npz), the
    attention maps and the curve figures. Runs through a run directory (a temporary one for out=None,
    read into memory: the run's many small arrays, metrics and figures are the CLI's own files, so they
    are not rebuilt in memory); Ctrl-C stops at the next iteration report. force=True: as --force."""
    return run_command("birth train", config, overrides, out, threads, progress, force)
