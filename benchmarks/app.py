"""Web app performance: time to solve a shipped unit and show the answer on the unit page, and time
until `leon app` answers its health endpoint.

    python benchmarks/app.py [--repeat 3]

Per shipped unit (those the page lists, instances/units): the median of `--repeat` runs of the page through
Streamlit's AppTest (no browser): pick the unit, click Beregn, until the script has drawn the answer.
Each run starts a fresh page and clears the page's solve cache, so every run solves. Absolute times
depend on the machine and on what else runs on it, so each is set beside a reference timed in the
same run: the same unit through `leon solve UNIT --quiet` in this process (cli.main). The ratio
page / reference is the figure to compare between machines: the page's own cost on top of the solve.
Last, the start-up time of `leon app --no-browser` (a subprocess) until /_stcore/health answers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cli  # noqa: E402


def time_page(unit: str, repeat: int) -> float:
    """Median seconds for: a fresh unit page, pick `unit`, click Beregn, answer drawn."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(repeat):
        st.cache_resource.clear()  # the page caches solves; each run must solve
        at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=600).run()
        t0 = time.perf_counter()
        at.selectbox(key="unit").select(unit).run()
        at.button(key="solve").click().run()
        times.append(time.perf_counter() - t0)
        if at.exception or at.error or not at.metric:
            raise SystemExit(f"{unit}: the page showed no answer ({at.exception or at.error})")
    return statistics.median(times)


def time_cli(path: Path, repeat: int) -> float:
    """Median seconds of `leon solve UNIT --quiet` in this process."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["solve", str(path), "--quiet"])
        times.append(time.perf_counter() - t0)
        if code != 0:
            raise SystemExit(f"{path.name}: leon solve ended with {code}")
    return statistics.median(times)


def _stop(proc: subprocess.Popen) -> None:
    """End `leon app` and the Streamlit server it started: a terminate of `leon app` alone would leave
    the server running, so the whole process group is signalled (terminate, then kill)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def time_startup(timeout: float = 60) -> float:
    """Seconds from starting `leon app --no-browser` until /_stcore/health answers 200."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "app", "--no-browser", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its own process group: see _stop
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise SystemExit(f"leon app ended with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"leon app did not answer /_stcore/health within {timeout:g} s")
    finally:
        _stop(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per unit; the median is shown (default: 3)")
    args = ap.parse_args(argv)
    from app.logic import shipped_units

    paths = list(shipped_units().values())
    print(f"unit page through AppTest: pick, Beregn, answer drawn (median of {args.repeat}); "
          "reference: leon solve UNIT --quiet")
    print(f"{'unit':<34}{'page s':>9}{'solve s':>9}{'ratio':>8}")
    pages, refs = [], []
    # Streamlit warns of a missing script run context when driven from outside a server (AppTest, the
    # cache cleared between runs); harmless here, and time_page checks the page for errors
    logging.disable(logging.WARNING)
    for path in paths:
        page = time_page(path.name, args.repeat)
        ref = time_cli(path, args.repeat)
        pages.append(page)
        refs.append(ref)
        print(f"{path.name:<34}{page:>9.2f}{ref:>9.2f}{page / ref:>8.2f}")
    print(f"{'total':<34}{sum(pages):>9.2f}{sum(refs):>9.2f}{sum(pages) / sum(refs):>8.2f}")
    starts = [time_startup() for _ in range(args.repeat)]
    print(f"leon app until /_stcore/health answers: {statistics.median(starts):.2f} s "
          f"(median of {args.repeat}; min {min(starts):.2f}, max {max(starts):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
