"""Heltid analysis performance: `leon roster heltid` on the nursing home and the FAFO roster models, on a
quiet machine and beside a busy process. Per run: wall time, exit code and the load average, then per
model its status, its seconds, and full-time positions and heads against their arithmetic bounds.

    python benchmarks/heltid.py [--unit UNIT.yaml] [--models MODELS.yaml] [--time-limit 80] [--runs 1]
                                [--busy | --quiet] [--json PATH] [--keep PREFIX]

Each run is the command itself (`python -m cli roster heltid ... --json`), in a fresh process, so the
wall time includes loading and the table, as a user sees it. The rows come from the command's JSON.
`--busy` runs only beside a spinning Python process (benchmarks/busy.py), `--quiet` only without it;
by default each run is made quiet, then busy. Nothing is written but `--json` and `--keep` (and a temporary file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE)]

from busy import busy_neighbour, describe  # noqa: E402  (benchmarks/busy.py, beside this file)

SHORT = {"proven": "proven", "feasible": "feasible", "infeasible": "infeasible", "none_found_in_time": "NONE"}


def run_once(unit: Path, models: Path, limit: float, busy: bool, keep: Path | None = None) -> dict:
    """One command run: its wall time, exit code, load average before it and the rows of its JSON (the
    whole JSON, with each group's attempts, also as ``keep`` when given)."""
    with tempfile.TemporaryDirectory() as tmp:
        js = Path(tmp) / "heltid.json"
        cmd = [sys.executable, "-m", "cli", "roster", "heltid", "--unit", str(unit), "--models", str(models),
               "--time-limit", f"{limit:g}", "--json", str(js)]
        with busy_neighbour(busy):
            load = os.getloadavg()[0]
            t = time.perf_counter()
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - t
        if p.returncode not in (0, 1) or not js.exists():
            raise RuntimeError(f"the command failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
        data = json.loads(js.read_text())
        if keep is not None:
            keep.write_text(js.read_text())
    rows = [{"model": r["model"], "outcome": r["outcome"], "time_s": r["time_s"], "full_time": r.get("full_time"),
             "full_time_bound": r["full_time_bound"], "heads": r.get("heads"), "heads_bound": r["heads_bound"]}
            for r in data["models"]]
    return {"machine": "busy" if busy else "quiet", "wall_s": round(wall, 1), "exit": p.returncode,
            "load_before": round(load, 2), "rows": rows}


def show(run: dict) -> None:
    print(f"{run['machine']}: {run['wall_s']:.1f} s wall, exit {run['exit']}, load average {run['load_before']:.2f}")
    for r in run["rows"]:
        ft = "-" if r["full_time"] is None else r["full_time"]
        heads = "-" if r["heads"] is None else r["heads"]
        print(f"  {r['model']:4s} {SHORT[r['outcome']]:10s} {r['time_s']:6.1f} s  "
              f"full time {ft} ({r['full_time_bound']})  heads {heads} ({r['heads_bound']})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unit", default=str(ROOT / "instances/units/sykehjem.yaml"), help="unit YAML")
    ap.add_argument("--models", default=str(ROOT / "instances/roster_models/fafo.yaml"), help="roster models YAML")
    ap.add_argument("--time-limit", type=float, default=80.0, help="the command's --time-limit (default: 80)")
    ap.add_argument("--runs", type=int, default=1, help="runs per machine state (default: 1)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--busy", action="store_true", help="only beside a spinning process")
    g.add_argument("--quiet", action="store_true", help="only without it")
    ap.add_argument("--json", help="also write the runs as a JSON list here")
    ap.add_argument("--keep", help="keep each run's command JSON (every group's attempts) as KEEP_1.json, ...")
    a = ap.parse_args(argv)
    states = [True] if a.busy else [False] if a.quiet else [False, True]
    runs = []
    for _ in range(a.runs):
        for busy in states:
            print(f"-- {describe(busy)}", flush=True)
            keep = Path(f"{a.keep}_{len(runs) + 1}.json") if a.keep else None
            runs.append(run_once(Path(a.unit), Path(a.models), a.time_limit, busy, keep))
            show(runs[-1])
    if a.json:
        Path(a.json).write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
