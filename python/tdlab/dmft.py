"""The DMFT of 1-bit self-attention (Poc-Lopez & Aguilera 2024, arXiv 2406.07247; docs/dmft_map.md):
the CLI's `tdlab dmft run|sweep|phase|spin` in process.

Every function takes config= (a YAML path, a dict of keys, or None for the defaults), overrides=
({"dmft.beta": 1.27, ...}, applied after the file, as --set), out= (a run directory, written with the
same bytes as the CLI; None: nothing is kept on disk) and threads= (None: OMP_NUM_THREADS or all
cores; results never depend on it) and progress= (None: a tqdm bar when tqdm is installed, else the
C++ progress line on a terminal; False: none; a callable progress(done, total)). The GIL is released while the C++ code runs; Ctrl-C raises
KeyboardInterrupt and leaves no run directory.
"""

import os

from . import _core
from ._runner import call_with_progress, config_args, run_command, run_in_dir, threads_arg
from .run import Run


class MemoryRun(Run):
    """A run kept in memory (out=None): the arrays own the C++ buffers (no copy, no file)."""

    def __init__(self, command, config_yaml, arrays, manifest):
        import yaml

        self.path = None
        self.config = yaml.safe_load(config_yaml) or {}
        self.manifest = manifest
        self.arrays = arrays
        self.tables = {}
        self.metrics = None
        self.figures = {}
        self.files = {}
        self.runs = {}
        self.command = command

    def __repr__(self):
        return f"MemoryRun({self.command!r}, arrays={sorted(self.arrays)})"


def run(config=None, overrides=None, out=None, threads=None, progress=None):
    """One trajectory of the mean-field map at one beta (`tdlab dmft run`).

    Returns a Run whose arrays are mo_se, mo, mv, mq, mk, att (float64 [saved steps, M]: the order
    parameters m^o with self-excitation, m^o, m^v, m^q, m^k and the attention A-hat) and t (int64
    [saved steps], the time index of each saved step). out=None: nothing is written and each array is a
    NumPy view owning the C++ vector (zero-copy); out=DIR: the CLI's run directory (plus figures,
    final_context.yaml, weights.npy), loaded back with memory maps.
    """
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    if out is not None:
        return run_command("dmft run", config, overrides, out, threads, progress)
    r = call_with_progress(lambda cb: _core.dmft_run_arrays(file, sets, n, cb), progress, "dmft run")
    manifest = {"command": "dmft run", "saved_steps": r["saved_steps"], "final_t": r["final_t"]}
    return MemoryRun("dmft run", r["config"], r["arrays"], manifest)


def _grid(command, config, overrides, out, threads, figures, progress):
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    # With out=None the figures would be thrown away with the temporary directory: skip them.
    draw = figures if figures is not None else out is not None
    return run_in_dir(
        lambda path: call_with_progress(lambda cb: _core.run_grid(command, file, sets, path, n, draw, cb), progress,
                                        command),
        out,
    )


def sweep(config=None, overrides=None, out=None, threads=None, figures=None, progress=None):
    """A bifurcation sweep over beta, gamma or epsilon (`tdlab dmft sweep`, Fig 3 of the paper).

    Returns the loaded run: tables["summary"] (one row per value: period, Lyapunov exponent, 0-1 K,
    the paper's point count and label), arrays "points" (float32 [values, keep]: the last m^o_1
    samples), "poincare", and the "results/..." members. With out=None the run goes through a temporary
    directory and comes back in memory (a copy; no figures unless figures=True).
    """
    return _grid("dmft sweep", config, overrides, out, threads, figures, progress)


def phase(config=None, overrides=None, out=None, threads=None, figures=None, progress=None):
    """A two-parameter phase diagram, beta x gamma or beta x epsilon (`tdlab dmft phase`): arrays
    lyapunov, label, period [ny, nx], x_beta [nx], y_<param> [ny]. Same arguments as sweep()."""
    return _grid("dmft phase", config, overrides, out, threads, figures, progress)


def spin(config=None, overrides=None, out=None, threads=None, progress=None):
    """The finite-N stochastic network beside its mean field (`tdlab dmft spin`): arrays mo_se, mo, mv,
    mq, mk, att [runs, saved steps, M], t [saved steps], mf_mo_se [saved steps, M], final_att [runs, M].
    Runs through a run directory (a temporary one for out=None, read into memory)."""
    return run_command("dmft spin", config, overrides, out, threads, progress)


def config(command="dmft run", config=None, overrides=None):
    """The resolved config of a dmft command as YAML text (ValueError naming a bad key)."""
    file, sets = config_args(config, overrides)
    return _core.resolve_config(command, file, sets)
