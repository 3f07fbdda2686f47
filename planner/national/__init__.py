"""National scenarios: scale unit results to Norway and project need, supply and gap to 2040.

Data loading and validation (config), unit solves (units, toy), execution (executors, cache),
scaling and calibration (scaling), projection and levers (projection), Monte Carlo (montecarlo),
orchestration (run), outputs (outputs, charts). See docs/national.md.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path


def run_and_write(national_file: str | Path, out_dir: str | Path, scenario: str | None = None,
                  draws: int | None = None, dask: str | None = None, workers: int | None = None,
                  cache_dir: str | Path | None = ".leon-cache", progress: bool = True, units: int | None = None,
                  console=None, relax: bool | None = None) -> dict:
    """The whole `leon national run`: load, solve, project, write every output, print the tables."""
    from planner.national import charts, outputs
    from planner.national.config import load_national
    from planner.national.run import check_request, run_national

    cfg = load_national(national_file)
    check_request(cfg, [scenario] if scenario else None, draws, units)
    out = prepare_out_dir(out_dir)
    res = run_national(cfg, scenarios=[scenario] if scenario else None, draws=draws, units=units,
                       workers=workers, dask=dask, cache_dir=cache_dir, progress=progress, relax=relax)
    summary = outputs.write_summary(res, out)
    outputs.write_parquet(res, out)
    outputs.write_excel(summary, out)
    charts.write_charts(res, summary, out)
    outputs.write_text(out / "run.json", json.dumps(res.stats, indent=1) + "\n")
    if console is not False:
        outputs.print_report(summary, console)
    return summary


def prepare_out_dir(out_dir: str | Path) -> Path:
    """Create the output folder before any solve, so a bad --out fails at once, not after the run."""
    from planner.errors import InputError

    out = Path(out_dir)
    fix = "give a folder you can write to, e.g. --out out/national"
    if out.exists() and not out.is_dir():
        raise InputError(out, "--out", "is a file, not a folder", fix)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        raise InputError(out, "--out", f"cannot write here: {e.strerror or e}", fix) from None
    return out


# what `leon national report` reads from summary.json
REPORT_KEYS = ("scenarios", "groups", "bands_2040", "need_baseline", "supply_baseline", "baseline_gap",
               "freed_by_leon", "need", "supply", "gap", "waterfall_2040", "tornado", "validation", "calibration")


def load_summary(out_dir: str | Path) -> dict:
    from planner.errors import InputError
    from planner.national.outputs import SUMMARY_VERSION

    p = Path(out_dir) / "summary.json"
    if not p.is_file():
        raise InputError(p, "", "no summary.json here", "give the --out directory of a `leon national run`")
    try:
        s = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f"line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(p, where, "not valid JSON", "rerun `leon national run`") from None
    missing = [k for k in REPORT_KEYS if k not in s] if isinstance(s, dict) else list(REPORT_KEYS)
    if missing or s.get("version") != SUMMARY_VERSION:
        what = f"missing {', '.join(missing)}" if missing else f"version {s.get('version')!r}"
        raise InputError(p, "", f"not a summary of this leon version ({what}; expected version {SUMMARY_VERSION})",
                         "rerun `leon national run` to write it again")
    return s
