"""The DMFT of 1-bit self-attention (Poc-Lopez & Aguilera 2024, arXiv 2406.07247; docs/dmft_map.md):
the CLI's `tdlab dmft run|sweep|phase|spin` in process.

Every function takes config= (a YAML path, a dict of keys, or None for the defaults), overrides=
({"dmft.beta": 1.27, ...}, applied after the file, as --set), out= (a run directory, written with the
same bytes as the CLI; None: nothing is kept on disk) and threads= (None: OMP_NUM_THREADS or all
cores; results never depend on it) and progress= (None: a tqdm bar when tqdm is installed, else the
C++ progress line on a terminal; False: none; a callable progress(done, total)) and force= (True: out
may replace a previous tdlab run, as --force). The GIL is released while the C++ code runs; Ctrl-C
raises KeyboardInterrupt and leaves no run directory.

With out=None, run, sweep, phase and spin write nothing, not even a temporary directory: the result is a
MemoryRun whose arrays are NumPy arrays owning the C++ buffers they were computed in (no copy), with the
same names, shapes and dtypes as the files of the CLI's run directory, and tables parsed from the same
CSV text. No figures are drawn for them.
"""

import json

from . import _core
from ._runner import call_with_progress, config_args, force_arg, python_words, run_command, run_in_dir, threads_arg
from .run import Run, read_table_text


class MemoryRun(Run):
    """A run kept in memory (out=None): the arrays own the C++ buffers (no copy, no file)."""

    def __init__(self, command, config_yaml, arrays, manifest, tables=None):
        import yaml

        self.path = None
        self.config = yaml.safe_load(config_yaml) or {}
        self.manifest = dict(manifest, command=command)
        self.arrays = arrays
        self.tables = {name: read_table_text(text) for name, text in (tables or {}).items()}
        self.metrics = None
        self.figures = {}
        self.files = {}
        self.runs = {}
        self.command = command

    def __repr__(self):
        return f"MemoryRun({self.command!r}, arrays={sorted(self.arrays)})"


def _memory(command, r, tables=None):
    return MemoryRun(command, r["config"], r["arrays"], json.loads(r["manifest"]), tables)


def run(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """One trajectory of the mean-field map at one beta (`tdlab dmft run`).

    Returns a Run whose arrays are mo_se, mo, mv, mq, mk, att (float64 [saved steps, M]: the order
    parameters m^o with self-excitation, m^o, m^v, m^q, m^k and the attention A-hat) and t (int64
    [saved steps], the time index of each saved step). out=None: nothing is written and each array is a
    NumPy view owning the C++ vector (zero-copy); out=DIR: the CLI's run directory (plus figures,
    final_context.yaml, weights.npy), loaded back with memory maps. spectrum.enabled adds the array
    lyapunov_spectrum [1, k] and manifest["kaplan_yorke"]; dimension.enabled adds
    manifest["correlation_dimension"] (D2 of the window and of its Poincare section, with fit ranges).
    """
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    if out is not None:
        return run_command("dmft run", config, overrides, out, threads, progress, force)
    r = call_with_progress(lambda cb: _core.dmft_run_arrays(file, sets, n, cb), progress, "dmft run")
    return _memory("dmft run", r)


def _grid(command, config, overrides, out, threads, figures, progress, force):
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    f = force_arg(force)
    if out is None:
        if figures:
            raise ValueError("figures: out=None keeps the run in memory, where no figure is drawn; give out=")
        r = call_with_progress(lambda cb: _core.grid_arrays(command, file, sets, n, cb), progress, command)
        return _memory(command, r, r["tables"])
    draw = figures if figures is not None else True
    return run_in_dir(
        lambda path: call_with_progress(lambda cb: _core.run_grid(command, file, sets, path, n, draw, cb, f), progress,
                                        command),
        out,
    )


def sweep(config=None, overrides=None, out=None, threads=None, figures=None, progress=None, force=False):
    """A bifurcation sweep over beta, gamma or epsilon (`tdlab dmft sweep`, Fig 3 of the paper).

    Returns the run: tables["summary"] (one row per value: period, Lyapunov exponent, 0-1 K, the
    paper's point count and label; with sweep.lyapunov="spectrum" also kaplan_yorke), arrays "points"
    (float32 [values, keep]: the last m^o_1 samples), "poincare" ([rows, 2]: value index, m^o_1),
    "lyapunov_spectrum" ([values, L*M], sweep.lyapunov="spectrum" only) and the "results/..." members.
    out=None: computed in memory, no directory, zero-copy arrays, no figures.
    """
    return _grid("dmft sweep", config, overrides, out, threads, figures, progress, force)


def phase(config=None, overrides=None, out=None, threads=None, figures=None, progress=None, force=False):
    """A two-parameter phase diagram, beta x gamma or beta x epsilon (`tdlab dmft phase`): arrays
    lyapunov, label, period [ny, nx], x_beta [nx], y_<param> [ny]. Same arguments as sweep()."""
    return _grid("dmft phase", config, overrides, out, threads, figures, progress, force)


def spin(config=None, overrides=None, out=None, threads=None, progress=None, force=False):
    """The finite-N stochastic network beside its mean field (`tdlab dmft spin`): arrays mo_se, mo, mv,
    mq, mk, att [runs, saved steps, M], t [saved steps], mf_mo_se [saved steps, M], final_att [runs, M].
    out=None: in memory (zero-copy, no figures, no final_context.yaml / weights.npy)."""
    if out is not None:
        return run_command("dmft spin", config, overrides, out, threads, progress, force)
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    r = call_with_progress(lambda cb: _core.dmft_spin_arrays(file, sets, n, cb), progress, "dmft spin")
    return _memory("dmft spin", r)


def config(command="dmft run", config=None, overrides=None):
    """The resolved config of a dmft command as YAML text (ValueError naming a bad key)."""
    file, sets = config_args(config, overrides)
    return python_words(lambda: _core.resolve_config(command, file, sets))
