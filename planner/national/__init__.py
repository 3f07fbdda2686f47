"""National scenarios: scale unit results to Norway and project need, supply and gap to 2040.

Data loading and validation (config), unit solves (units, toy), execution (executors, cache),
scaling and calibration (scaling), projection and levers (projection), Monte Carlo (montecarlo),
orchestration (run), outputs (outputs, charts). See docs/national.md.
"""

from __future__ import annotations

import json
from pathlib import Path


def run_and_write(national_file: str | Path, out_dir: str | Path, scenario: str | None = None,
                  draws: int | None = None, dask: str | None = None, workers: int | None = None,
                  cache_dir: str | Path | None = ".leon-cache", progress: bool = True, units: int | None = None,
                  console=None, relax: bool | None = None) -> dict:
    """The whole `leon national run`: load, solve, project, write every output, print the tables."""
    from planner.national import charts, outputs
    from planner.national.config import load_national
    from planner.national.run import run_national

    cfg = load_national(national_file)
    res = run_national(cfg, scenarios=[scenario] if scenario else None, draws=draws, units=units,
                       workers=workers, dask=dask, cache_dir=cache_dir, progress=progress, relax=relax)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = outputs.write_summary(res, out)
    outputs.write_parquet(res, out)
    outputs.write_excel(summary, out)
    charts.write_charts(res, summary, out)
    outputs.write_text(out / "run.json", json.dumps(res.stats, indent=1) + "\n")
    if console is not False:
        outputs.print_report(summary, console)
    return summary


def load_summary(out_dir: str | Path) -> dict:
    from planner.errors import InputError

    p = Path(out_dir) / "summary.json"
    if not p.is_file():
        raise InputError(p, "", "no summary.json here", "give the --out directory of a `leon national run`")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(p, f"line {e.lineno}", "not valid JSON", "rerun `leon national run`") from None
