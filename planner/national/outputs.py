"""Outputs of a national run: summary.json, results.parquet, report.xlsx, PNG charts, terminal tables.

Every file is written to a temporary name in the target directory and moved into place (os.replace).
summary.json holds P50 values over the Monte Carlo draws (årsverk; gap = supply - need, so a
shortage is negative) and nothing that depends on the machine, so the same input gives the same file.
Every per-group table carries two subtotals beside the total — authorised health personnel
(`total_authorised`) and the other groups (`total_other`) — so no total nets a nurse freed against
an assistant needed without showing both. The tables report the file's horizon (`years.end`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from rich.markup import escape  # text from the files may hold [brackets] that rich would read as markup

from planner.io.errors import InputError, shown
from planner.io.schema import Id
from planner.national import evidence
from planner.national.located import Located
from planner.national.projection import Projection
from planner.io.writer import atomic_path as _atomic_path
from planner.io.writer import write_text as _write_text

TOTAL = "total"
AUTHORISED, OTHER = "total_authorised", "total_other"
SUBTOTALS = (AUTHORISED, OTHER, TOTAL)
SUMMARY_VERSION = 2
# what each freed figure is (printed under the tables, written to the workbook's README)
MEANING = {
    "task_sharing": "task sharing = pooled − LEON: work moved to other groups the catalogue allows; this "
                    "is «freed by LEON» (freed_by_leon, the waterfall's step)",
    "pooling": "pooling = baseline − pooled: today's performers sharing their tasks in any shares (not "
               "in the need with levers). Its total is the rounding slack of fixing today's shares, which a "
               "ward that pools its staff does not pay; per group it also moves today's shared tasks to the "
               "lowest of today's performers (often assistants)",
    "total": "total = baseline − LEON = pooling + task sharing (the figure earlier versions called freed)",
    "relaxed": "relaxed = the same from continuous heads (the units' LP relaxation): what is left "
               "without rounding",
}
# the files of a run besides the charts (charts.chart_files); the output guard checks them before the run
OUTPUT_FILES = ("summary.json", "results.parquet", "report.xlsx", "run.json")
KOMMUNE_FILES = ("summary.json", "report.xlsx", "run.json")     # a --kommune run


def atomic_path(target: Path, suffix: str = ""):
    """The shared guarded, atomic writer (run.prepare_out_dir made the folder)."""
    return _atomic_path(target, suffix, option="--out")


def write_text(target: Path, text: str) -> None:
    _write_text(target, text, option="--out")


def _r(x: float) -> float:
    return round(float(x), 1) + 0.0


def _pct(a: np.ndarray, q: float) -> np.ndarray:
    return np.percentile(a, q, axis=0, method="linear")


def _mask(res) -> np.ndarray:
    return np.array([bool(res.authorised.get(g)) for g in res.groups])


def _with_totals(arr: np.ndarray, authorised: np.ndarray) -> np.ndarray:
    """(D, Y, G) -> (D, Y, G+3): the groups, then the authorised, other and overall totals."""
    a = arr[:, :, authorised].sum(axis=2, keepdims=True)
    o = arr[:, :, ~authorised].sum(axis=2, keepdims=True)
    return np.concatenate([arr, a, o, a + o], axis=2)


def names(res) -> list[str]:
    return list(res.groups) + list(SUBTOTALS)


def _by_year_group(res, p: Projection, arr: np.ndarray, q: float = 50) -> dict[str, dict[str, float]]:
    a = _pct(_with_totals(arr, _mask(res)), q)
    return {str(t): {g: _r(a[i, j]) for j, g in enumerate(names(res))} for i, t in enumerate(p.years)}


def _at(res, p: Projection, arr: np.ndarray, year: int) -> dict[str, float]:
    """P50 per group and subtotal in one year."""
    return _by_year_group(res, p, arr)[str(year)]


# ----------------------------------------------------------------------------------------------
# summary.json
# ----------------------------------------------------------------------------------------------
def build_summary(res) -> dict[str, Any]:
    cfg = res.cfg
    if cfg.kommune is not None:
        return build_kommune_summary(res)
    year = cfg.horizon
    out: dict[str, Any] = {
        "version": SUMMARY_VERSION, "kind": "national",
        "national_file": cfg.path.name, "id": cfg.id, "scenarios": res.scenarios,
        "years": [cfg.start, cfg.end], "horizon": year, "draws": res.draws,
        "units_per_archetype": res.units_per_archetype,
        "seed": cfg.seed, "unit": "årsverk", "statistic": "P50 over Monte Carlo draws",
        "sign": "gap = supply - need; a shortage is negative", "heads": res.heads,
        "planning_base_setting": {"setting": cfg.planning_base or "each unit's own", "by_unit": _unit_bases(cfg)},
        "groups": names(res), "skill": _skill(res), "other_groups": _other_groups(res),
        "baseline_gap": {}, "gap": {}, "freed_by_leon": {}, "freed_pooling": {}, "freed_total": {},
        "need_baseline": {}, "supply_baseline": {}, "need": {}, "supply": {}, "freed_split": {},
        "bands": {}, "waterfall": {}, "tornado": {}, "levers": {}, "meaning": MEANING, "warnings": res.warnings,
    }
    mask = _mask(res)
    for sid in res.scenarios:
        p = res.projections[sid]
        out["baseline_gap"][sid] = _by_year_group(res, p, p.gap_base)
        out["gap"][sid] = _by_year_group(res, p, p.gap)
        out["freed_by_leon"][sid] = _by_year_group(res, p, p.freed_by_leon)
        out["freed_pooling"][sid] = _by_year_group(res, p, p.pooling)
        out["freed_total"][sid] = _by_year_group(res, p, p.freed_total)
        out["need_baseline"][sid] = _by_year_group(res, p, p.need_base)
        out["supply_baseline"][sid] = _by_year_group(res, p, p.supply_base)
        out["need"][sid] = _by_year_group(res, p, p.need_all)
        out["supply"][sid] = _by_year_group(res, p, p.supply_all)
        out["freed_split"][sid] = _freed_split(res, sid, year, with_gap=True)
        i = p.years.index(year)
        bands = {}
        for name, arr in (("gap", p.gap), ("need", p.need_all), ("freed_by_leon", p.freed_by_leon),
                          ("baseline_gap", p.gap_base)):
            a = _with_totals(arr, mask)[:, i, :]
            bands[name] = {g: {"p10": _r(np.percentile(a[:, j], 10)), "p50": _r(np.percentile(a[:, j], 50)),
                               "p90": _r(np.percentile(a[:, j], 90))} for j, g in enumerate(names(res))}
        out["bands"][sid] = {"year": year, **bands}
        wf = p.waterfall(year)
        out["waterfall"][sid] = {
            "year": year, **{k: _r(np.median(v.sum(axis=1))) for k, v in wf.items()},
            "by_skill": {sub: {k: _r(np.median(v[:, m].sum(axis=1))) for k, v in wf.items()}
                         for sub, m in ((AUTHORISED, mask), (OTHER, ~mask))},
            "by_group": {k: {g: _r(np.median(v[:, j])) for j, g in enumerate(p.groups)} for k, v in wf.items()}}
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


def _unit_bases(cfg) -> dict[str, str | None]:
    """Each archetype unit's planning base in this run (None: assistants as base)."""
    from planner.national.units import load_base

    if cfg.planning_base is not None:
        return {a.id: None if cfg.planning_base == "none" else cfg.planning_base for a in cfg.archetypes}
    return {a.id: getattr(load_base(a.unit_path), "planning_base", None) for a in cfg.archetypes}


def _skill(res) -> dict[str, str]:
    return {g: "authorised" if res.authorised.get(g) else "other" for g in res.groups}


def _other_groups(res) -> dict[str, dict]:
    """The supply assumption of each group outside the groups table, per scenario."""
    cfg = res.cfg
    out = {}
    for g in res.groups:
        if g in cfg.other_supply:
            out[g] = {"basis": {sid: cfg.supply_basis(cfg.scenarios[sid], g) for sid in res.scenarios},
                      "reason": cfg.other_supply[g][1]}
    return out


def _freed_split(res, sid: str, year: int, with_gap: bool) -> dict[str, Any]:
    """The horizon year's freed årsverk per group: task sharing, pooling and their total, from the
    reported solves (`integer`; null in a relaxed run) and from the relaxed ones (`relaxed`)."""
    def parts(q: Projection) -> dict[str, dict[str, float]]:
        return {"task_sharing": _at(res, q, q.freed_by_leon, year), "pooling": _at(res, q, q.pooling, year),
                "total": _at(res, q, q.freed_total, year)}
    p = res.projections[sid]
    out: dict[str, Any] = {"year": year, "heads": res.heads,
                           "integer": None if res.cfg.relax else parts(p), "relaxed": parts(res.relaxed[sid])}
    if with_gap:
        out.update(supply=_at(res, p, p.supply_all, year), need=_at(res, p, p.need_all, year),
                   gap=_at(res, p, p.gap, year))
    return out


def build_kommune_summary(res) -> dict[str, Any]:
    """The kommune tables: its units' årsverk today and what task sharing and pooling free there."""
    cfg, k = res.cfg, res.cfg.kommune
    year = cfg.horizon
    out: dict[str, Any] = {
        "version": SUMMARY_VERSION, "kind": "kommune",
        "kommune": {"id": k.id, "name": k.name, "file": k.path.name,
                    "volumes": {d: {"value": v.value, "year": v.year,
                                    "growth": "own" if v.growth else "national service-area index"}
                                for d, v in k.volumes.items()}},
        "national_file": cfg.path.name, "id": cfg.id, "scenarios": res.scenarios,
        "years": [cfg.start, cfg.end], "horizon": year, "draws": res.draws,
        "units_per_archetype": res.units_per_archetype, "seed": cfg.seed, "unit": "årsverk",
        "statistic": "P50 over Monte Carlo draws", "heads": res.heads,
        "groups": names(res), "skill": _skill(res),
        "units_baseline": {}, "units_with_task_sharing": {}, "freed_by_leon": {}, "freed_pooling": {},
        "freed_total": {}, "freed_split": {}, "meaning": MEANING, "warnings": res.warnings,
    }
    for sid in res.scenarios:
        p = res.projections[sid]
        out["units_baseline"][sid] = _by_year_group(res, p, p.units_baseline)
        out["units_with_task_sharing"][sid] = _by_year_group(res, p, p.units_baseline - p.freed_by_leon)
        out["freed_by_leon"][sid] = _by_year_group(res, p, p.freed_by_leon)
        out["freed_pooling"][sid] = _by_year_group(res, p, p.pooling)
        out["freed_total"][sid] = _by_year_group(res, p, p.freed_total)
        out["freed_split"][sid] = _freed_split(res, sid, year, with_gap=False)
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
    mask = _mask(res)
    for sid in res.scenarios:
        p, r = res.projections[sid], res.relaxed[sid]
        D, Y, G = p.need_base.shape
        cols = {
            "need_baseline": p.need_base, "supply_baseline": p.supply_base, "gap_baseline": p.gap_base,
            "need_task_sharing": p.need_ts, "need_technology": p.need_tech, "need": p.need_all,
            "supply_part_time": p.supply_pt, "supply_sick_leave": p.supply_sl, "supply": p.supply_all,
            "gap": p.gap, "freed_by_leon": p.freed_by_leon, "freed_pooling": p.pooling,
            "freed_total": p.freed_total, "freed_by_technology": p.need_base - p.need_tech,
            "freed_by_leon_relaxed": r.freed_by_leon, "freed_pooling_relaxed": r.pooling,
            "freed_total_relaxed": r.freed_total,
        }
        d_idx, y_idx, g_idx = np.meshgrid(np.arange(D), np.arange(Y), np.arange(G + len(SUBTOTALS)), indexing="ij")
        df = pd.DataFrame({
            "scenario": sid,
            "year": np.asarray(p.years)[y_idx.ravel()].astype("int16"),
            "group": np.asarray(names(res), dtype=object)[g_idx.ravel()],
            "draw": d_idx.ravel().astype("int32"),
            "adoption_multiplier": res.adoption_mult[d_idx.ravel()],
        })
        for c, a in cols.items():
            df[c] = _with_totals(a, mask).ravel()
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
def table_horizon(summary: dict, sid: str) -> pd.DataFrame:
    """The horizon year per group and subtotal: need, supply and gap without and with the levers."""
    b = summary["bands"][sid]
    year = str(b["year"])
    rows = []
    for g in row_order(summary):
        rows.append({
            "group": g, "skill": summary["skill"].get(g, g),
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


def split_table(summary: dict, sid: str) -> pd.DataFrame:
    """The horizon year's freed årsverk per group and subtotal: task sharing, pooling and total,
    integer and relaxed side by side (with the kommune's units' årsverk, or the gap with levers)."""
    f = summary["freed_split"][sid]
    year = str(f["year"])
    rows = []
    for g in row_order(summary):
        row: dict[str, Any] = {"group": g, "skill": summary["skill"].get(g, g)}
        if summary.get("kind") == "kommune":
            row["units_baseline"] = summary["units_baseline"][sid][year][g]
        for heads in ("integer", "relaxed"):
            for part in ("task_sharing", "pooling", "total"):
                row[f"{part}_{heads}"] = None if f[heads] is None else f[heads][part][g]
        if "gap" in f:
            row.update(supply=f["supply"][g], need=f["need"][g], gap=f["gap"][g])
        rows.append(row)
    return pd.DataFrame(rows)


def yearly_frame(summary: dict) -> pd.DataFrame:
    kommune = summary.get("kind") == "kommune"
    keys = (("units_baseline", "units_with_task_sharing") if kommune else
            ("need_baseline", "supply_baseline", "baseline_gap", "need", "supply", "gap")) + \
        ("freed_by_leon", "freed_pooling", "freed_total")
    rows = []
    for sid in summary["scenarios"]:
        for year in summary["freed_by_leon"][sid]:
            for g in summary["groups"]:
                rows.append({"scenario": sid, "year": int(year), "group": g,
                             **{("gap_baseline" if k == "baseline_gap" else k): summary[k][sid][year][g]
                                for k in keys}})
    return pd.DataFrame(rows)


def _readme(summary: dict) -> pd.DataFrame:
    lines = [
        (f"National file: {summary['national_file']} ({summary['id']}); years {summary['years'][0]}-"
        f"{summary['years'][1]}; tables for {summary['horizon']}"),
        (f"Draws: {summary['draws']}, unit variants per archetype: {summary['units_per_archetype']}, seed "
        f"{summary['seed']}; unit solves with {summary['heads']} heads per shift"),
        ("Unit: årsverk. Values are P50 over the Monte Carlo draws unless a column says P10/P90; a "
        "subtotal's or a total's P50 is the P50 of its per-draw sum, so P50s of parts need not add up to it."),
        ("Groups: authorised health personnel (helsepersonelloven § 48) first with total_authorised, then "
        "the other groups with total_other; total = both."),
        *(f"{k}: {v}" for k, v in MEANING.items()),
    ]
    if summary.get("kind") == "kommune":
        k = summary["kommune"]
        lines.insert(1, f"Kommune: {k['name'] or k['id']} ({k['file']}): the national units scaled to its "
                        "volumes; HELSEMOD's need and supply are national and not split by kommune.")
    else:
        lines.insert(3, "gap = supply - need: a shortage is negative. *_baseline = no task sharing, new levers "
                        "at zero. Groups outside HELSEMOD get supply by their stated basis (sheet other_groups).")
    lines.append("Method, sources and limitations: docs/national.md. Raw draws: results.parquet.")
    return pd.DataFrame({"leon national": lines})


def write_excel(summary: dict, out_dir: Path) -> None:
    year = summary["horizon"]
    kommune = summary.get("kind") == "kommune"
    with atomic_path(out_dir / "report.xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            _readme(summary).to_excel(xw, sheet_name="README", index=False)
            for sid in summary["scenarios"]:
                if not kommune:
                    table_horizon(summary, sid).to_excel(xw, sheet_name=f"{sid}_{year}"[:31], index=False)
                split_table(summary, sid).to_excel(xw, sheet_name=f"{sid}_freed_{year}"[:31], index=False)
            yearly_frame(summary).to_excel(xw, sheet_name="yearly", index=False)
            if kommune:
                return
            wf = [{"scenario": sid, "part": part, "step": k, "arsverk": v} for sid in summary["scenarios"]
                  for part, steps in (("total", summary["waterfall"][sid]), *summary["waterfall"][sid]["by_skill"].items())
                  for k, v in steps.items() if k not in ("year", "by_group", "by_skill")]
            pd.DataFrame(wf).to_excel(xw, sheet_name=f"waterfall_{year}", index=False)
            og = [{"group": g, "scenario": sid, "basis": b, "reason": d["reason"]}
                  for g, d in summary["other_groups"].items() for sid, b in d["basis"].items()]
            pd.DataFrame(og, columns=["group", "scenario", "basis", "reason"]).to_excel(
                xw, sheet_name="other_groups", index=False)
            tor = [{"scenario": sid, **row} for sid in summary["scenarios"] for row in summary["tornado"][sid]]
            pd.DataFrame(tor).to_excel(xw, sheet_name="tornado", index=False)
            for name, frame in evidence.excel_sheets(summary).items():
                frame.to_excel(xw, sheet_name=name, index=False)


# ----------------------------------------------------------------------------------------------
# Terminal
# ----------------------------------------------------------------------------------------------
def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}".replace(",", " ")


_LABEL = {AUTHORISED: "authorised, total", OTHER: "other, total", TOTAL: "total"}


def row_order(summary: dict) -> list[str]:
    """Table order: the authorised groups, their subtotal, the other groups, theirs, the total."""
    groups = [g for g in summary["groups"] if g not in SUBTOTALS]
    skill = summary["skill"]
    return [g for g in groups if skill.get(g) == "authorised"] + [AUTHORISED] + \
        [g for g in groups if skill.get(g) != "authorised"] + [OTHER, TOTAL]


def _rows(summary: dict):
    """(label, group key, style) in table order; a rule after each subtotal."""
    for g in row_order(summary):
        yield (_LABEL[g], g, "bold") if g in SUBTOTALS else (g, g, None)


def print_report(summary: dict, console=None) -> None:
    from planner.io.terminal import console as make_console

    console = console or make_console()
    kommune = summary.get("kind") == "kommune"
    for sid in summary["scenarios"]:
        if not kommune:
            _print_horizon(summary, sid, console)
        _print_split(summary, sid, console)
        if not kommune:
            _print_levers(summary, sid, console)
            evidence.print_scenario(summary, sid, console)     # tornado with its basis, baseline range, Tabell 2.1
    for line in MEANING.values():
        console.print(f"  [dim]{line}[/dim]")
    if not kommune:
        evidence.print_run(summary, console)                   # calibration with sentences, validation
    for w in summary.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")


def _print_horizon(summary: dict, sid: str, console) -> None:
    """Need, supply and gap in the horizon year, today's mix and with the levers, by group."""
    from rich.table import Table

    year = summary["horizon"]
    t = Table(title=f"{sid}, {year}: årsverk, P50 (gap = supply − need, shortage negative)")
    t.caption = ("need/supply/gap: today's mix, no levers · freed: by LEON task sharing · +L: with the "
                 "scenario's levers")
    for c in ("group", "need", "supply", "gap", "freed", "need+L", "supply+L", "gap+L", "gap+L P10", "P90"):
        t.add_column(c, justify="left" if c == "group" else "right", no_wrap=True)
    df = table_horizon(summary, sid).set_index("group")
    for label, g, style in _rows(summary):
        r = df.loc[g]
        t.add_row(label, _fmt(r["need_baseline"]), _fmt(r["supply_baseline"]), _fmt(r["gap_baseline"]),
                  _fmt(r["freed_by_leon"]), _fmt(r["need"]), _fmt(r["supply"]), _fmt(r["gap"]),
                  _fmt(r["gap_p10"]), _fmt(r["gap_p90"]), style=style, end_section=g in SUBTOTALS)
    console.print(t)


def _print_levers(summary: dict, sid: str, console) -> None:
    """The waterfall of levers (total and per subtotal) and the supply gap of each group outside HELSEMOD."""
    year = summary["horizon"]
    wf = summary["waterfall"][sid]
    for part, steps in ((TOTAL, wf), *wf["by_skill"].items()):
        console.print(f"  waterfall ({_LABEL[part].removesuffix(', total')}): " + " → ".join(
            f"{k} {'+' if k not in ('baseline_gap', 'gap') and steps[k] >= 0 else ''}{_fmt(steps[k])}"
            for k in ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave", "gap")))
    f = summary["freed_split"][sid]
    for g, d in summary.get("other_groups", {}).items():
        if summary["skill"].get(g) == "other" and g in f["gap"] and (f["need"][g] or f["supply"][g]):
            console.print(f"  {g} {year}: supply {_fmt(f['supply'][g])} ({escape(d['basis'][sid])}) − need with "
                          f"levers {_fmt(f['need'][g])} = gap {_fmt(f['gap'][g])}")


def _print_split(summary: dict, sid: str, console) -> None:
    from rich.table import Table

    f = summary["freed_split"][sid]
    kommune = summary.get("kind") == "kommune"
    where = f"kommune {escape(summary['kommune']['name'] or summary['kommune']['id'])}, " if kommune else ""
    t = Table(title=f"{where}{sid}, {f['year']}: freed by LEON, årsverk, P50 (negative = more needed)")
    cols = ["group"] + (["units, today's mix"] if kommune else []) + \
        ["task sharing", "pooling", "total", "task sharing ~", "pooling ~", "total ~"] + \
        ([] if kommune else ["gap+L"])
    for c in cols:
        t.add_column(c, justify="left" if c == "group" else "right", no_wrap=True)
    heads = "integer heads" if f["integer"] is not None else "integer heads not solved (a --relax run)"
    t.caption = (f"{heads} · ~ = relaxed (continuous heads) · task sharing is the headline (freed by LEON); "
                 "pooling is not a lever")
    year = str(f["year"])
    for label, g, style in _rows(summary):
        cells = [label] + ([_fmt(summary["units_baseline"][sid][year][g])] if kommune else [])
        for block in (f["integer"], f["relaxed"]):
            cells += [_fmt(None if block is None else block[p][g]) for p in ("task_sharing", "pooling", "total")]
        if not kommune:
            cells.append(_fmt(f["gap"][g]))
        t.add_row(*cells, style=style, end_section=g in SUBTOTALS)
    console.print(t)


# ----------------------------------------------------------------------------------------------
# Reading summary.json back (`leon national report`)
# ----------------------------------------------------------------------------------------------
# what `leon national report` reads from summary.json
REPORT_KEYS = ("scenarios", "groups", "skill", "horizon", "bands", "need_baseline", "supply_baseline",
               "baseline_gap", "freed_by_leon", "freed_pooling", "freed_total", "freed_split", "need", "supply",
               "gap", "waterfall", "tornado", *evidence.KEYS)
KOMMUNE_REPORT_KEYS = ("scenarios", "groups", "skill", "horizon", "kommune", "units_baseline", "freed_by_leon",
                       "freed_pooling", "freed_total", "freed_split")
# per scenario, year and group (table_horizon, split_table, yearly_frame)
TABLES = ("need_baseline", "supply_baseline", "baseline_gap", "freed_by_leon", "freed_pooling", "freed_total",
          "need", "supply", "gap")
KOMMUNE_TABLES = ("units_baseline", "freed_by_leon", "freed_pooling", "freed_total")
SUMMARY_FIX = "give the summary.json written by `leon national run` (rerun it to write the file again)"


class _Read(BaseModel):
    """A part of summary.json as the report reads it: strict types (a number is no text or true/false),
    finite numbers, ids as the files' (the report prints them as rich markup); keys the report does not
    read are left alone."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


Values = dict[str, float]            # group -> årsverk
ByYear = dict[str, Values]           # year -> group -> årsverk
PerScenario = dict[str, ByYear]


class _Band(_Read):
    p10: float
    p50: float
    p90: float


class _Bands(_Read):
    year: int
    gap: dict[str, _Band]


class _Parts(_Read):
    task_sharing: Values
    pooling: Values
    total: Values


class _Split(_Read):
    year: int
    integer: _Parts | None
    relaxed: _Parts | None
    supply: Values | None = None     # a national summary's (checked in _check_refs), not a kommune's
    need: Values | None = None
    gap: Values | None = None


class _Steps(_Read):
    baseline_gap: float
    task_sharing: float
    technology: float
    part_time: float
    sick_leave: float
    gap: float


class _Waterfall(_Steps):
    year: int
    by_skill: dict[Literal["total_authorised", "total_other", "total"], _Steps]


class _OtherGroup(_Read):
    basis: dict[str, str]         # per scenario


class _Tornado(_Read):
    input: Id
    year: int
    gap_low_input: float
    gap_high_input: float
    swing: float
    basis: str | None = None


class _Alternative(_Read):
    name: str
    total: float


class _BaselineBand(_Read):
    year: int
    by_alternative: dict[str, _Alternative]


class _Tabell21(_Read):
    text: str


class _Family(_Read):
    family: str
    baseline_hours_per_week: float
    leon_hours_per_week: float
    to: list[str]


class _Shortfall(_Read):
    archetype: Id
    group: str
    baseline_fte: float
    leon_fte: float
    families: list[_Family]
    binding_rules: list[str]


class _BaseRow(_Read):
    text: str
    shortfalls: list[_Shortfall] = []


class _Calibration(_Read):
    archetype: Id
    service_area: Id | None = None
    volume: float
    fte_per_volume_baseline: float
    fte_per_volume_leon: float
    model_fte: float
    target_fte: float | None
    residual_pct: float | None
    factor: float
    sentence: str


class _Area(_Read):
    service_area: Id
    archetypes: list[Id]
    model_fte: float
    target_fte: float
    factor: float


class _Check(_Read):
    id: Id
    what: str
    measure: str
    test: str
    model: float
    figure: float
    difference: float
    tolerance: float | None       # needed unless test is at_most (checked in _check_refs)
    status: Literal["pass", "fail", "unchecked"]
    source: str


class _Kommune(_Read):
    id: str
    name: str | None


class _Summary(_Read):
    kind: Literal["national", "kommune"] = "national"
    scenarios: Annotated[list[Id], Field(min_length=1)]
    groups: list[Id]
    skill: dict[str, str]
    horizon: int
    freed_by_leon: PerScenario
    freed_pooling: PerScenario
    freed_total: PerScenario
    freed_split: dict[str, _Split]
    warnings: list[str] = []


class _NationalSummary(_Summary):
    need_baseline: PerScenario
    supply_baseline: PerScenario
    baseline_gap: PerScenario
    need: PerScenario
    supply: PerScenario
    gap: PerScenario
    bands: dict[str, _Bands]
    waterfall: dict[str, _Waterfall]
    other_groups: dict[Id, _OtherGroup] = {}
    tornado: dict[str, list[_Tornado]]
    # the evidence sections (evidence.KEYS), as evidence.print_scenario and print_run read them
    calibration: dict[str, list[_Calibration]]
    calibration_service_areas: dict[str, list[_Area]]
    calibration_tabell_2_1: dict[str, _Tabell21 | None]
    validation_units: dict[str, list[_Check]]
    baseline_band: dict[str, _BaselineBand | None]
    planning_base: dict[str, list[_BaseRow]]


class _KommuneSummary(_Summary):
    kommune: _Kommune
    units_baseline: PerScenario


def load_summary(out_dir: str | Path) -> dict:
    """summary.json of a finished run, checked for everything the report reads (an InputError, not a
    traceback, for a file that is not one `leon national run` wrote)."""
    p = Path(out_dir) / "summary.json"
    if not p.is_file():
        raise InputError(p, "", "no summary.json here", "give the --out directory of a `leon national run`")
    try:
        s = json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as e:    # ValueError: bad JSON or text, or an over-long number
        where = f"line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(p, where, "not valid JSON", "rerun `leon national run`") from None
    except OSError as e:
        raise InputError(p, "", f"cannot read it: {e.strerror or e}", SUMMARY_FIX) from None
    if not isinstance(s, dict):
        raise InputError(p, "(top level)", f"expected a mapping of the run's results, got {type(s).__name__}",
                         SUMMARY_FIX)
    keys = KOMMUNE_REPORT_KEYS if s.get("kind") == "kommune" else REPORT_KEYS
    missing = [k for k in keys if k not in s]
    if missing or s.get("version") != SUMMARY_VERSION:
        what = f"missing {', '.join(missing)}" if missing else f"version {shown(s.get('version'))}"
        raise InputError(p, "", f"not a summary of this leon version ({what}; expected version {SUMMARY_VERSION})",
                         "rerun `leon national run` to write it again")
    model = _KommuneSummary if s.get("kind") == "kommune" else _NationalSummary
    try:
        Located(p, s, None).validate(model, s)
    except InputError as e:          # the located message with a fix for this file, not a YAML one
        raise InputError(p, e.field, e.problem, SUMMARY_FIX) from None
    _check_refs(p, s)
    return s


def _check_refs(p: Path, s: dict) -> None:
    """What the types do not say: each scenario, the year shown and each group (with the subtotals) is
    there wherever the report looks it up."""
    groups = s["groups"]
    twice = next((g for i, g in enumerate(groups) if g in groups[:i]), None)
    if twice is not None:
        _fail(p, "groups", f"group {shown(twice)} is listed twice")
    rows = row_order(s)
    for sid in s["scenarios"]:
        _scenario_refs(p, s, sid, rows)
    if s.get("kind") == "kommune":
        return
    _has(p, s["calibration"], s["scenarios"][:1], "calibration", "the scenario")
    for sid, checks in s["validation_units"].items():
        for i, r in enumerate(checks):
            if r["test"] != "at_most" and r["tolerance"] is None:
                _fail(p, f"validation_units.{sid}[{i}].tolerance", "expected a number (the check's test is "
                      f"{shown(r['test'])}, not at_most), got null")


def _scenario_refs(p: Path, s: dict, sid: str, rows: list[str]) -> None:
    kommune = s.get("kind") == "kommune"
    tables = KOMMUNE_TABLES if kommune else TABLES
    for k in (*tables, "freed_split", *(() if kommune else ("bands", "waterfall"))):
        _has(p, s[k], [sid], k, "the scenario")
    f = s["freed_split"][sid]
    year = str(f["year"] if kommune else s["bands"][sid]["year"])
    shown_by = f"freed_split.{sid}.year" if kommune else f"bands.{sid}.year"
    for k in tables:
        _has(p, s[k][sid], [year], f"{k}.{sid}", "the year", f" (the report's year, {shown_by})")
        _has(p, s[k][sid][year], rows, f"{k}.{sid}.{year}", "the group")
    for heads in ("integer", "relaxed"):
        for part in ("task_sharing", "pooling", "total"):
            if f[heads] is not None:
                _has(p, f[heads][part], rows, f"freed_split.{sid}.{heads}.{part}", "the group")
    if not kommune:
        _national_refs(p, s, sid, rows)


def _national_refs(p: Path, s: dict, sid: str, rows: list[str]) -> None:
    f = s["freed_split"][sid]
    _has(p, s["bands"][sid]["gap"], rows, f"bands.{sid}.gap", "the group")
    for k in ("supply", "need", "gap"):
        if f.get(k) is None:
            _fail(p, f"freed_split.{sid}.{k}", "expected a mapping of group to årsverk, got nothing")
        _has(p, f[k], rows, f"freed_split.{sid}.{k}", "the group")
    for g, d in s.get("other_groups", {}).items():
        if g in f["gap"]:         # _print_levers reads its need, supply and basis
            _has(p, f["need"], [g], f"freed_split.{sid}.need", "the group")
            _has(p, f["supply"], [g], f"freed_split.{sid}.supply", "the group")
            _has(p, d["basis"], [sid], f"other_groups.{g}.basis", "the scenario")


def _fail(p: Path, field: str, problem: str) -> NoReturn:
    raise InputError(p, field, problem, SUMMARY_FIX)


def _has(p: Path, d: dict, keys: list[str], field: str, what: str, note: str = "") -> None:
    gone = [k for k in keys if k not in d]
    if gone:
        more = f" (and {len(gone) - 1} more)" if len(gone) > 1 else ""
        _fail(p, field, f"no entry for {what} {shown(gone[0])}{more}{note}")
