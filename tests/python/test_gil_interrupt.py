"""Long calls release the GIL and stop cleanly on KeyboardInterrupt, leaving no run directory."""

import _thread
import os
import signal
import threading

import pytest

import tdlab

LONG = {"dmft.steps": 3_000_000, "dmft.transient": 2_999_000}


def test_a_python_thread_runs_while_dmft_run_computes():
    counter = [0]
    done = threading.Event()

    def spin():
        while not done.is_set():
            counter[0] += 1

    seen = []
    t = threading.Thread(target=spin)
    t.start()
    try:
        # The progress callback runs inside the C++ call (every ~50 ms): the counter the other thread
        # advances must move between two reports, i.e. while the C++ loop runs without the GIL.
        tdlab.dmft.run(overrides=LONG, progress=lambda done_, total: seen.append(counter[0]))
    finally:
        done.set()
        t.join()
    assert len(seen) >= 3
    assert seen[-1] > seen[0]


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler, as in an interactive session. A harness started in the background
    (`cmd &` in a non-interactive shell) inherits SIGINT ignored, and then Python installs no handler and
    _thread.interrupt_main() does nothing: the interrupt tests would test the harness, not tdlab."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupt_after_first_report():
    state = {"n": 0}

    def report(done, total):
        state["n"] += 1
        if state["n"] == 2:
            # As Ctrl-C would: SIGINT's Python-level effect in the main thread.
            _thread.interrupt_main()

    return report


def test_interrupt_stops_dmft_run():
    with pytest.raises(KeyboardInterrupt):
        tdlab.dmft.run(overrides=LONG, progress=_interrupt_after_first_report())


def test_interrupt_stops_a_sweep_and_leaves_no_run_directory(tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        tdlab.dmft.sweep(
            "configs/dmft/fig3a_quick.yaml",
            overrides={"sweep.count": 64, "sweep.chunk": 16, "sweep.lyapunov": False},
            out=out,
            threads=1,  # the interrupt is polled on the calling thread: let it compute every block
            progress=_interrupt_after_first_report(),
        )
    assert os.listdir(tmp_path) == []  # no run directory, no staging directory, no resume store


def test_a_progress_callback_error_stops_the_call_and_is_raised():
    def boom(done, total):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        tdlab.dmft.run(overrides=LONG, progress=boom)
