"""pytest setup for the tdlab Python module: puts python/ on sys.path, skips everything when the
extension is not built (pybind11 missing or -DTDLAB_PYTHON=OFF), and provides the CLI binary and a
`tdlab reproduce dmft --scale quick` folder made once per session."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

try:
    import tdlab  # noqa: F401

    HAVE_TDLAB = True
except ImportError:  # the extension is not built
    HAVE_TDLAB = False


def pytest_collection_modifyitems(config, items):
    if HAVE_TDLAB:
        return
    skip = pytest.mark.skip(reason="tdlab._core is not built (make python)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs build/tdlab with `args` (no shell), quiet, from the repository root; returns the result."""
    binary = os.environ.get("TDLAB_BIN", os.path.join(ROOT, "build", "tdlab"))
    if not os.path.exists(binary):
        pytest.skip(f"{binary} not built")

    def run(*args, check=True, env_extra=None):
        env = dict(os.environ, TDLAB_QUIET="1", **(env_extra or {}))
        r = subprocess.run([binary, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"tdlab {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}")
        return r

    return run


@pytest.fixture(scope="session")
def reproduce_quick(tmp_path_factory, cli):
    """The folder written by `tdlab reproduce dmft --scale quick` (~20 s, once per session)."""
    out = tmp_path_factory.mktemp("reproduce") / "results"
    cli("reproduce", "dmft", "--scale", "quick", "--out", out)
    return out
