"""Birth of a Transformer (Bietti et al. 2023, arXiv 2306.00802; docs/birth.md): `tdlab birth train` in
process. Arguments as tdlab.dmft.run (config defaults to configs/birth/fig3-quick.yaml, as the CLI)."""

from ._runner import run_command


def train(config=None, overrides=None, out=None, threads=None, progress=None):
    """One training run of the simplified two-layer model. Returns the Run: metrics (metrics.jsonl with
    the official probe keys, one record per evaluation), arrays "params/<name>" (params.npz), the
    attention maps and the curve figures. Runs through a run directory (a temporary one for out=None,
    read into memory); Ctrl-C stops at the next iteration report."""
    return run_command("birth train", config, overrides, out, threads, progress)
