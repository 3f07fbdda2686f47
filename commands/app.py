"""`leon app`: start the local web app (Streamlit) in a subprocess; Ctrl-C ends it."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parent.parent / "app" / "main.py"


def command(args: argparse.Namespace) -> list[str]:
    """The Streamlit command line: local only, no usage statistics, headless without a browser."""
    cmd = [sys.executable, "-m", "streamlit", "run",
           "--server.address", args.host, "--server.port", str(args.port),
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
    if args.no_browser:
        cmd += ["--server.headless", "true"]
    return [*cmd, str(MAIN)]  # options before the script: after it they would be the script's arguments


def run(args: argparse.Namespace) -> int:
    from planner.io.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError("--port", "", f"must be a port number from 1 to 65535 (got {args.port})",
                         "give e.g. --port 8501")
    proc = subprocess.Popen(command(args))
    # a SIGTERM (a service manager, a test) ends the server too, as Ctrl-C does
    old = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # Streamlit got the same Ctrl-C from the terminal; give it time to close, then make sure
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, old)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def register(sub) -> None:
    a = sub.add_parser("app", help="start the web app for managers in the browser (Norwegian, with English)")
    a.add_argument("--port", type=int, default=8501, help="port to listen on (default: 8501)")
    a.add_argument("--host", default="127.0.0.1",
                   help="address to listen on; 127.0.0.1 keeps the app on this machine (default: 127.0.0.1)")
    a.add_argument("--no-browser", action="store_true",
                   help="do not open a browser; run headless (default: open one)")
    a.set_defaults(func=run)
