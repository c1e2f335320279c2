"""tdlab from Python: the Transformer Dynamics Lab's C++ core as a NumPy-native module.

    import tdlab
    run = tdlab.dmft.run(overrides={"dmft.beta": 1.27, "dmft.start": "zoom"})   # in memory, no copy
    run["mo_se"]                      # NumPy array [saved steps, M]
    tdlab.dmft.sweep("configs/dmft/fig3a_quick.yaml", out="runs/fig3a")       # same bytes as the CLI
    old = tdlab.load_run("runs/fig3a")                                         # any tdlab run directory

Groups: tdlab.dmft (run, sweep, phase, spin), tdlab.birth (train, eval), tdlab.scansnap (train, theory,
sweep), tdlab.dynamics (period, point count, 0-1 test, spectra, Lyapunov exponents on any array).
Config keys and defaults are the CLI's (`tdlab dmft run --help-config`). Bad keys or values raise
ValueError naming the key; failures while running raise RuntimeError; Ctrl-C raises KeyboardInterrupt
and leaves no run directory behind.
"""

from . import _core
from .run import Run, load_run
from . import birth, dmft, dynamics, scansnap

__version__ = _core.__version__

if _core.better_blas_core():
    # OpenBLAS 0.3.21 does not know this CPU and runs its SSE3 kernels (BLAS-heavy runs 2-4x slower); the
    # kernels are chosen when the library loads, before tdlab can act, so only a restart fixes it.
    import warnings as _warnings

    _warnings.warn(
        f"OpenBLAS runs its generic Prescott kernels on this CPU; start Python with "
        f"OPENBLAS_CORETYPE={_core.better_blas_core()} for 2-4x faster Birth and Scan and Snap runs "
        f"(the tdlab command line does this itself; docs/performance.md)", RuntimeWarning, stacklevel=2)
__all__ = ["Run", "load_run", "dmft", "birth", "scansnap", "dynamics"]
