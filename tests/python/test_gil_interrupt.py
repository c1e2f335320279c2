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


def _real_sigint_after_first_report():
    """Ctrl-C itself: a SIGINT sent to the process, not only its Python-level effect. The C++ cleanup
    handler for run directories used to catch it and end the whole process with exit 130 (no
    KeyboardInterrupt, no `finally`: a Jupyter kernel died with it); the interrupt tests above never saw it
    because _thread.interrupt_main() sends no signal."""
    state = {"n": 0}

    def report(done, total):
        state["n"] += 1
        if state["n"] == 2:
            os.kill(os.getpid(), signal.SIGINT)

    return report


def test_a_real_sigint_during_a_birth_run_into_a_directory_raises_keyboard_interrupt(tmp_path):
    out = tmp_path / "run"
    finished = []
    with pytest.raises(KeyboardInterrupt):
        try:
            tdlab.birth.train(
                "configs/birth/fig3-quick.yaml",
                overrides={"birth.optim.max_iters": 400, "birth.optim.batch_size": 8, "birth.train.eval_delta": 1},
                out=out,
                threads=1,
                progress=_real_sigint_after_first_report(),
            )
        finally:
            finished.append(True)  # a `finally` runs: the process is still ours
    assert finished == [True]
    assert os.listdir(tmp_path) == []  # no run directory, no staging directory, no lock


def test_a_real_sigint_during_a_dmft_run_into_a_directory_raises_keyboard_interrupt(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        tdlab.dmft.run(overrides=LONG, out=tmp_path / "run", progress=_real_sigint_after_first_report())
    assert os.listdir(tmp_path) == []
