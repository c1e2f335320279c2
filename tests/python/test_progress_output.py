"""One progress reporter per call. A Python script whose stderr goes to a log used to get both the C++ plain
lines and a Python "\\r"-redrawn line (one very long log line); progress=False still printed the C++ lines."""

import os
import subprocess
import sys

import pytest

SCRIPT = """
import tdlab
tdlab.birth.train("configs/birth/fig3-quick.yaml", threads=1, progress={progress},
                  overrides={{"birth.optim.max_iters": 3, "birth.optim.batch_size": 4, "birth.train.eval_delta": 1}})
"""


def _stderr_of(progress, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(os.getcwd(), "python"))
    env.pop("TDLAB_QUIET", None)
    r = subprocess.run([sys.executable, "-W", "ignore", "-c", SCRIPT.format(progress=progress)], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stderr


def test_a_log_gets_the_plain_lines_once(tmp_path):
    pytest.importorskip("numpy")
    try:
        import tqdm  # noqa: F401
        pytest.skip("with tqdm installed the bar reports instead")
    except ImportError:
        pass
    err = _stderr_of("None", tmp_path)
    assert "\r" not in err, err
    assert err.count("tdlab: birth train: started (3 it)") == 1, err
    assert err.count("tdlab: birth train: done") == 1, err


def test_progress_false_prints_no_progress(tmp_path):
    err = _stderr_of("False", tmp_path)
    assert "birth train" not in err, err
