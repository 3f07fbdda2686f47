"""Outputs of a national run: summary.json, results.parquet, report.xlsx, PNG charts, terminal tables.

Every file is written to a temporary name in the target directory and moved into place (os.replace).
summary.json holds P50 values over the Monte Carlo draws (årsverk; gap = supply - need, so a
shortage is negative) and nothing that depends on the machine, so the same input gives the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.io.errors import InputError
from planner.national import evidence
from planner.national.projection import Projection
from planner.io.writer import atomic_path as _atomic_path
from planner.io.writer import write_text as _write_text

TOTAL = "total"
SUMMARY_VERSION = 1
# the files of a run besides the charts (charts.chart_files); the output guard checks them before the run
OUTPUT_FILES = ("summary.json", "results.parquet", "report.xlsx", "run.json")


def atomic_path(target: Path, suffix: str = ""):
    """The shared guarded, atomic writer (run.prepare_out_dir made the folder)."""
    return _atomic_path(target, suffix, option="--out")


def write_text(target: Path, text: str) -> None:
    _write_text(target, text, option="--out")


def _r(x: float) -> float:
    return round(float(x), 1) + 0.0


def _pct(a: np.ndarray, q: float) -> np.ndarray:
    return np.percentile(a, q, axis=0, method="linear")


def _with_total(arr: np.ndarray) -> np.ndarray:
    """(D, Y, G) -> (D, Y, G+1) with the total last."""
    return np.concatenate([arr, arr.sum(axis=2, keepdims=True)], axis=2)


def _by_year_group(p: Projection, arr: np.ndarray, q: float = 50) -> dict[str, dict[str, float]]:
    a = _pct(_with_total(arr), q)
    names = p.groups + [TOTAL]
    return {str(t): {g: _r(a[i, j]) for j, g in enumerate(names)} for i, t in enumerate(p.years)}


# ----------------------------------------------------------------------------------------------
# summary.json
# ----------------------------------------------------------------------------------------------
def build_summary(res) -> dict[str, Any]:
    cfg = res.cfg
    out: dict[str, Any] = {
        "version": SUMMARY_VERSION,
        "national_file": cfg.path.name, "id": cfg.id, "scenarios": res.scenarios,
        "years": [cfg.start, cfg.end], "draws": res.draws, "units_per_archetype": res.units_per_archetype,
        "seed": cfg.seed, "unit": "årsverk", "statistic": "P50 over Monte Carlo draws",
        "sign": "gap = supply - need; a shortage is negative",
        "groups": res.groups + [TOTAL],
        "baseline_gap": {}, "gap": {}, "freed_by_leon": {}, "need_baseline": {}, "supply_baseline": {},
        "need": {}, "supply": {}, "bands_2040": {}, "waterfall_2040": {}, "tornado": {},
        "levers": {}, "warnings": res.warnings,
    }
    for sid in res.scenarios:
        p = res.projections[sid]
        out["baseline_gap"][sid] = _by_year_group(p, p.gap_base)
        out["gap"][sid] = _by_year_group(p, p.gap)
        out["freed_by_leon"][sid] = _by_year_group(p, p.freed_by_leon)
        out["need_baseline"][sid] = _by_year_group(p, p.need_base)
        out["supply_baseline"][sid] = _by_year_group(p, p.supply_base)
        out["need"][sid] = _by_year_group(p, p.need_all)
        out["supply"][sid] = _by_year_group(p, p.supply_all)
        last = p.years[-1]
        i = p.years.index(last)
        bands = {}
        for name, arr in (("gap", p.gap), ("need", p.need_all), ("freed_by_leon", p.freed_by_leon),
                          ("baseline_gap", p.gap_base)):
            a = _with_total(arr)[:, i, :]
            bands[name] = {g: {"p10": _r(np.percentile(a[:, j], 10)), "p50": _r(np.percentile(a[:, j], 50)),
                               "p90": _r(np.percentile(a[:, j], 90))} for j, g in enumerate(p.groups + [TOTAL])}
        out["bands_2040"][sid] = {"year": last, **bands}
        wf = p.waterfall(last)
        out["waterfall_2040"][sid] = {"year": last, **{k: _r(np.median(v.sum(axis=1))) for k, v in wf.items()},
                                      "by_group": {k: {g: _r(np.median(v[:, j])) for j, g in enumerate(p.groups)}
                                                   for k, v in wf.items()}}
        out["tornado"][sid] = [{k: (_r(v) if isinstance(v, float) else v) for k, v in row.items()
                                if not k.startswith("by_group")} for row in res.tornado.get(sid, [])]
        lv = cfg.scenarios[sid].levers
        out["levers"][sid] = {
            "helsemod": cfg.scenarios[sid].helsemod,
            "task_sharing": dict(lv.task_sharing.points) if lv.task_sharing else None,
            "technology": dict(lv.technology.points) if lv.technology else None,
            "technology_savings": {s.family: s.share for s in lv.tech_savings} if lv.technology else None,
            "part_time": lv.part_time_variant, "sick_leave_target": lv.sick_leave_target,
        }
    out.update(evidence.summary_sections(res))   # calibration, validation, uncertainty, baseline range
    return out


def write_summary(res, out_dir: Path) -> dict:
    s = build_summary(res)
    bad = _not_finite(s)
    if bad:   # JSON has no NaN or Infinity: a reader would choke on the file, so none is written
        where, x = bad
        raise InputError(res.cfg.path, "", f"the result {where} is {x}, not a finite number; summary.json was "
                         "not written", "check the inputs behind that value (the groups table, volumes, the "
                         "archetype units with `leon solve`)")
    write_text(out_dir / "summary.json",
               json.dumps(s, ensure_ascii=False, indent=1, sort_keys=False, allow_nan=False) + "\n")
    return s


def _not_finite(x: Any, where: str = "") -> tuple[str, float] | None:
    """The first number in a summary that is NaN or infinite, with its key path."""
    if isinstance(x, float):
        return None if np.isfinite(x) else (where or "(top level)", x)
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
    for k, v in items:
        found = _not_finite(v, f"{where}.{k}" if where else str(k))
        if found:
            return found
    return None


# ----------------------------------------------------------------------------------------------
# results.parquet
# ----------------------------------------------------------------------------------------------
def results_frame(res) -> pd.DataFrame:
    frames = []
    for sid in res.scenarios:
        p = res.projections[sid]
        D, Y, G = p.need_base.shape
        names = p.groups + [TOTAL]
        cols = {
            "need_baseline": p.need_base, "supply_baseline": p.supply_base, "gap_baseline": p.gap_base,
            "need_task_sharing": p.need_ts, "need_technology": p.need_tech, "need": p.need_all,
            "supply_part_time": p.supply_pt, "supply_sick_leave": p.supply_sl, "supply": p.supply_all,
            "gap": p.gap, "freed_by_leon": p.freed_by_leon, "freed_by_technology": p.need_base - p.need_tech,
        }
        d_idx, y_idx, g_idx = np.meshgrid(np.arange(D), np.arange(Y), np.arange(G + 1), indexing="ij")
        df = pd.DataFrame({
            "scenario": sid,
            "year": np.asarray(p.years)[y_idx.ravel()].astype("int16"),
            "group": np.asarray(names, dtype=object)[g_idx.ravel()],
            "draw": d_idx.ravel().astype("int32"),
            "adoption_multiplier": res.adoption_mult[d_idx.ravel()],
        })
        for c, a in cols.items():
            df[c] = _with_total(a).ravel()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def write_parquet(res, out_dir: Path) -> pd.DataFrame:
    df = results_frame(res)
    with atomic_path(out_dir / "results.parquet") as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow")
    return df


# ----------------------------------------------------------------------------------------------
# report.xlsx
# ----------------------------------------------------------------------------------------------
def table_2040(summary: dict, sid: str) -> pd.DataFrame:
    b = summary["bands_2040"][sid]
    year = str(b["year"])
    rows = []
    for g in summary["groups"]:
        rows.append({
            "group": g,
            "need_baseline": summary["need_baseline"][sid][year][g],
            "supply_baseline": summary["supply_baseline"][sid][year][g],
            "gap_baseline": summary["baseline_gap"][sid][year][g],
            "freed_by_leon": summary["freed_by_leon"][sid][year][g],
            "need": summary["need"][sid][year][g],
            "supply": summary["supply"][sid][year][g],
            "gap": summary["gap"][sid][year][g],
            "gap_p10": b["gap"][g]["p10"], "gap_p90": b["gap"][g]["p90"],
        })
    return pd.DataFrame(rows)


def yearly_frame(summary: dict) -> pd.DataFrame:
    rows = []
    for sid in summary["scenarios"]:
        for year, per in summary["gap"][sid].items():
            for g in summary["groups"]:
                rows.append({"scenario": sid, "year": int(year), "group": g,
                             "need_baseline": summary["need_baseline"][sid][year][g],
                             "supply_baseline": summary["supply_baseline"][sid][year][g],
                             "gap_baseline": summary["baseline_gap"][sid][year][g],
                             "freed_by_leon": summary["freed_by_leon"][sid][year][g],
                             "need": summary["need"][sid][year][g], "supply": summary["supply"][sid][year][g],
                             "gap": per[g]})
    return pd.DataFrame(rows)


def write_excel(summary: dict, out_dir: Path) -> None:
    readme = pd.DataFrame({"leon national": [
        f"National file: {summary['national_file']} ({summary['id']}); years {summary['years'][0]}-{summary['years'][1]}",
        f"Draws: {summary['draws']}, unit variants per archetype: {summary['units_per_archetype']}, seed {summary['seed']}",
        "Unit: årsverk. Values are P50 over the Monte Carlo draws unless a column says P10/P90.",
        "gap = supply - need: a shortage is negative. *_baseline = no task sharing, new levers at zero.",
        "freed_by_leon = need without task sharing - need with the scenario's task-sharing adoption.",
        "calibration_tabell_2_1: the baseline reproduces NOU 2023:4 Tabell 2.1 by construction (not a check); "
        "validation: the unit models against national figures they can fail; uncertainty: each sampled input "
        "and what its width rests on.",
        "Method, sources and limitations: docs/national.md. Raw draws: results.parquet.",
    ]})
    with atomic_path(out_dir / "report.xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            readme.to_excel(xw, sheet_name="README", index=False)
            for sid in summary["scenarios"]:
                table_2040(summary, sid).to_excel(xw, sheet_name=f"{sid}_2040"[:31], index=False)
            yearly_frame(summary).to_excel(xw, sheet_name="yearly", index=False)
            wf = [{"scenario": sid, "step": k, "arsverk": v} for sid in summary["scenarios"]
                  for k, v in summary["waterfall_2040"][sid].items() if k not in ("year", "by_group")]
            pd.DataFrame(wf).to_excel(xw, sheet_name="waterfall_2040", index=False)
            tor = [{"scenario": sid, **row} for sid in summary["scenarios"] for row in summary["tornado"][sid]]
            pd.DataFrame(tor).to_excel(xw, sheet_name="tornado", index=False)
            for name, frame in evidence.excel_sheets(summary).items():
                frame.to_excel(xw, sheet_name=name, index=False)


# ----------------------------------------------------------------------------------------------
# Terminal
# ----------------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def print_report(summary: dict, console=None) -> None:
    from rich.table import Table

    from planner.io.terminal import console as make_console

    console = console or make_console()
    for sid in summary["scenarios"]:
        year = summary["bands_2040"][sid]["year"]
        t = Table(title=f"{sid}, {year}: årsverk, P50 (gap = supply − need, shortage negative)")
        t.caption = "need/supply/gap: today's mix, no levers · freed: by LEON task sharing · +L: with the scenario's levers"
        for c in ("group", "need", "supply", "gap", "freed", "need+L", "supply+L", "gap+L", "gap+L P10", "P90"):
            t.add_column(c, justify="left" if c == "group" else "right", no_wrap=True)
        df = table_2040(summary, sid)
        for _, r in df.iterrows():
            style = "bold" if r["group"] == TOTAL else None
            t.add_row(r["group"], _fmt(r["need_baseline"]), _fmt(r["supply_baseline"]), _fmt(r["gap_baseline"]),
                      _fmt(r["freed_by_leon"]), _fmt(r["need"]), _fmt(r["supply"]), _fmt(r["gap"]),
                      _fmt(r["gap_p10"]), _fmt(r["gap_p90"]), style=style)
        console.print(t)
        wf = summary["waterfall_2040"][sid]
        console.print("  waterfall (total): " + " → ".join(
            f"{k} {'+' if k not in ('baseline_gap', 'gap') and wf[k] >= 0 else ''}{_fmt(wf[k])}"
            for k in ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave", "gap")))
        evidence.print_scenario(summary, sid, console)     # tornado with its basis, baseline range, Tabell 2.1
    evidence.print_run(summary, console)                   # calibration with sentences, validation
    for w in summary.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {w}")


# what `leon national report` reads from summary.json
REPORT_KEYS = ("scenarios", "groups", "bands_2040", "need_baseline", "supply_baseline", "baseline_gap",
               "freed_by_leon", "need", "supply", "gap", "waterfall_2040", "tornado", *evidence.KEYS)


def load_summary(out_dir: str | Path) -> dict:
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
