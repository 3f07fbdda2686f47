"""A second process that keeps one core busy while a benchmark runs (the benchmarks' --busy flag)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time


@contextlib.contextmanager
def busy_neighbour(on: bool):
    """Start a spinning Python process for the length of the block when `on`; stop it afterwards."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it get going
        yield
    finally:
        spinner.terminate()
        spinner.wait(timeout=10)


def describe(on: bool) -> str:
    return "one spinning process beside this one (--busy)" if on else "no extra load started"
