"""The shared call sequence of the run commands: Python arguments -> the CLI's config overrides, then an
in-process run into a run directory (`out`) or, for out=None, into a temporary one that is read back
into memory and removed."""

import math
import os
import shutil
import sys
import tempfile

from . import _core
from .run import load_run


def _yaml_value(key, value):
    """The YAML text of an override value, as it would be typed after --set KEY=."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"config key '{key}': value {value!r} is not finite")
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(key, v) for v in value) + "]"
    if hasattr(value, "item"):  # NumPy scalars
        return _yaml_value(key, value.item())
    raise ValueError(f"config key '{key}': unsupported value type {type(value).__name__}")


def _flatten(prefix, d, out):
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            _flatten(key, v, out)
        else:
            out.append(f"{key}={_yaml_value(key, v)}")


def config_args(config, overrides):
    """(file or None, ["key=value", ...]) from config= (a YAML path, or a dict of keys) and overrides=."""
    sets = []
    file = None
    if isinstance(config, dict):
        _flatten("", config, sets)
    elif config is not None:
        file = os.fspath(config)
    if overrides:
        if not isinstance(overrides, dict):
            raise ValueError("overrides: expected a dict {'key': value}")
        _flatten("", overrides, sets)
    return file, sets


def threads_arg(threads):
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads: expected None or an int >= 0, got {threads!r}")
    return threads


class _Tqdm:
    """progress(done, total) drawing a tqdm bar (created on the first report)."""

    def __init__(self, tqdm, label):
        self.tqdm, self.label, self.bar = tqdm, label, None

    def __call__(self, done, total):
        if self.bar is None:
            self.bar = self.tqdm(total=total, desc=self.label, unit="it")
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class _Line:
    """progress(done, total) as one line on a sys.stderr that is not the process's stderr (Jupyter, where
    the C++ lines would go to the server's log instead of the notebook), redrawn when the percentage
    changes."""

    def __init__(self, label):
        self.label, self.last = label, -1

    def __call__(self, done, total):
        pct = int(100 * done / total) if total else 100
        if pct != self.last:
            self.last = pct
            sys.stderr.write(f"\r{self.label}  {pct:3d}%")
            sys.stderr.flush()

    def close(self):
        if self.last >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _silent(done, total):
    """progress=False: a callable, so that the C++ lines stay silent too."""


def _stderr_is_the_process_stderr():
    try:
        return sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # Jupyter's stream, StringIO, a closed stream
        return False


def progress_arg(progress, label):
    """The callable the C++ side reports (done, total) to about every 50 ms, or None.
    Exactly one reporter per call: a callable here silences the C++ lines for the call.
    progress=None: a tqdm bar when tqdm is installed; else the C++ lines when sys.stderr is the process's
    stderr (a redrawn line on a terminal, plain lines in a log), a line on sys.stderr otherwise (Jupyter);
    nothing when TDLAB_QUIET is set. False: nothing. A callable: called as progress(done, total)."""
    if progress is False:
        return _silent
    if progress is None or progress is True:
        if os.environ.get("TDLAB_QUIET"):
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None if _stderr_is_the_process_stderr() else _Line(label)
        return _Tqdm(tqdm, label)
    if not callable(progress):
        raise ValueError("progress: expected None, False or a callable progress(done, total)")
    return progress


# The C++ messages speak the command line's words; a Python caller passed the keyword arguments instead.
_CLI_TO_PYTHON = [("(--set)", "(overrides=)"), ("--config: ", "config: "), ("pass --force", "pass force=True"),
                  ("--out DIR", "out="), ("--out '", "out='")]


def python_words(fn):
    """fn() with a ValueError's message in the keyword arguments' words (overrides=, config=, out=, force=)."""
    try:
        return fn()
    except ValueError as e:
        msg = str(e)
        for cli, py in _CLI_TO_PYTHON:
            msg = msg.replace(cli, py)
        if msg == str(e):
            raise
        raise ValueError(msg) from None


def call_with_progress(fn, progress, label):
    """fn(callback) with the progress callback made from `progress`, closing a tqdm bar afterwards."""
    cb = progress_arg(progress, label)
    try:
        return python_words(lambda: fn(cb))
    finally:
        if isinstance(cb, (_Tqdm, _Line)):
            cb.close()


def _check_out(out):
    path = os.path.abspath(os.fspath(out))
    return path


def run_in_dir(call, out):
    """call(out_path) runs a command into a run directory. With out=None the run goes to a temporary
    directory whose files are read into memory (no memory maps, figures as bytes, no paths left into it)
    before it is removed: the
    path of the commands that keep figures or many small files (birth, scansnap); dmft run, sweep,
    phase and spin keep out=None in memory without a directory (tdlab.dmft)."""
    if out is not None:
        path = _check_out(out)
        call(path)
        return load_run(path)
    tmp = tempfile.mkdtemp(prefix="tdlab-")
    try:
        path = os.path.join(tmp, "run")
        call(path)
        return load_run(path, mmap=False)._detach()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def force_arg(force):
    if not isinstance(force, bool):
        raise ValueError(f"force: expected True or False, got {force!r}")
    return force


def run_command(command, config, overrides, out, threads, progress=None, force=False):
    """`tdlab <command> [--force] --out out` in process. force=True (as --force) lets out replace a
    previous tdlab run there; anything else at out is refused with ValueError, as on the CLI."""
    file, sets = config_args(config, overrides)
    n = threads_arg(threads)
    f = force_arg(force)
    return run_in_dir(
        lambda path: call_with_progress(lambda cb: _core.run_command(command, file, sets, path, n, cb, f), progress,
                                        command),
        out,
    )


def resolved_config(command, config=None, overrides=None):
    """The resolved config of `command` as YAML text (what its config.yaml would hold)."""
    file, sets = config_args(config, overrides)
    return python_words(lambda: _core.resolve_config(command, file, sets))
