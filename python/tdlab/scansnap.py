"""Scan and Snap (Tian et al. 2023, arXiv 2305.16380; docs/scansnap.md): `tdlab scansnap
train|theory|sweep|text` in process. Arguments as tdlab.dmft.run. Each runs through a run directory (a
temporary one for out=None, read into memory: these runs are small tables and figures, where a copy
costs nothing next to the run). force=True: replace a previous run at out, as --force."""

from ._runner import run_command


def train(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """One training run of the 1-layer Y/Z model: loss, c_n over iterations, entropies, Z rows."""
    return run_command("scansnap train", config, overrides, out, threads, progress, force)


def theory(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """The closed forms h, h*, gamma, Gamma, B_n and the transition times (+ the population ODE)."""
    return run_command("scansnap theory", config, overrides, out, threads, progress, force)


def sweep(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """The Fig 6 grid (num_last x lr_z x ratio x seeds): tables entropy and recall. A scalar override of
    a list key (sweep.num_last=3) means a one-element list, as on the CLI. Not interruptible mid-grid
    (the runs report from inside a parallel loop); Ctrl-C is seen when the grid ends."""
    return run_command("scansnap sweep", config, overrides, out, threads, progress, force)


def text(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """One real-text run of the word transformer (Figs 7 and 10; configs/scansnap/fig7-quick.yaml etc.):
    metrics, attention entropy per layer, the freezing measures and the attention maps per checkpoint.
    With out=DIR a killed run resumes from DIR.ckpt when called again with the same config. The same bytes
    as the CLI when Python starts with the CLI's OPENBLAS_CORETYPE (the module warns otherwise)."""
    return run_command("scansnap text", config, overrides, out, threads, progress, force)
