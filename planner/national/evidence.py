"""The evidence behind a national run's numbers, in summary.json, the workbook and the terminal.

- `calibration`: per archetype, how far the unit model (bottom-up) is from the national figure it is
  scaled to, with that figure's source, and a sentence; `calibration_service_areas` sums them.
- `calibration_tabell_2_1`: the 2040 baseline beside NOU 2023:4 Tabell 2.1, which it reproduces by
  construction (planner.national.validation.tabell_2_1).
- `validation_units`: national figures the unit models can fail, with pass / fail / unchecked.
- `uncertainty`: every sampled input with its P10/P90 and the source or reason for its width; the
  tornado rows carry the same `basis`.
- `baseline_band`: the baseline gap under each HELSEMOD alternative (the NOU's own range).

outputs.build_summary merges `summary_sections`, outputs.write_excel adds `excel_sheets`, and
outputs.print_report calls `print_scenario` and `print_run`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.markup import escape as _e  # file text may hold [brackets] that rich would read as markup

from planner.national.basecheck import planning_base_check
from planner.national.montecarlo import sampled_inputs
from planner.national.validation import FAIL, PASS, baseline_band, tabell_2_1, unit_checks  # noqa: F401
from planner.staffing.explain import shortfall_text

FAR = (0.8, 1.25)        # a calibration factor outside this range is called far from 1 in the sentence
KEYS = ("calibration", "calibration_service_areas", "calibration_tabell_2_1", "validation_units",
        "baseline_band", "uncertainty", "planning_base")


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def _round(x: Any, digits: int = 1) -> Any:
    """Floats rounded (1 decimal for årsverk; more where the key says it is a rate or a share)."""
    if isinstance(x, float):
        return round(x, digits) + 0.0
    if isinstance(x, dict):
        return {k: _round(v, 6 if k in _FINE else digits) for k, v in x.items()}
    if isinstance(x, list):
        return [_round(v, digits) for v in x]
    return x


_FINE = {"fte_per_volume_baseline", "fte_per_volume_leon", "factor", "model", "figure", "difference",
         "tolerance", "p10", "p90", "upper_bound"}


# ------------------------------------------------------------------------------------ calibration
def calibration_sentence(r: dict[str, Any]) -> str:
    rate, vol, unit = r["fte_per_volume_baseline"], r["volume"], r.get("unit") or "volume units"
    head = f"{r['archetype']}: the unit model gives {rate:.3f} årsverk for each of the {_n(vol)} {unit} " \
           f"({r['volume_year']})"
    if r.get("target_fte") is None:
        return (f"{head}, {_n(r['model_fte'])} årsverk; no national figure covers it, so it is scaled as "
                "modelled (factor 1) and its level rests on the unit alone.")
    text = (f"{head}: {_n(r['model_fte'])} årsverk in {r['target_year']}, {r['residual_pct']:+.1f} % from the "
            f"{_n(r['target_fte'])} årsverk of {r.get('target_source') or 'the calibration target'}; every result "
            f"of this archetype is multiplied by {r['factor']:.3f}.")
    if not FAR[0] <= r["factor"] <= FAR[1]:
        text += (" The factor is far from 1: the unit model and the national figure disagree by more than a "
                 "quarter, so this archetype's level rests on the figure and its mix on a unit that does not "
                 "match it; read its results with that in mind.")
    return text


def _service_areas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Calibrated archetypes summed per service area: model (bottom-up) against the figures."""
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.get("target_fte") is None:
            continue
        a = by.setdefault(r["service_area"], {"service_area": r["service_area"], "archetypes": [],
                                              "model_fte": 0.0, "target_fte": 0.0})
        a["archetypes"].append(r["archetype"])
        a["model_fte"] += r["model_fte"]
        a["target_fte"] += r["target_fte"]
    for a in by.values():
        a["factor"] = a["target_fte"] / a["model_fte"] if a["model_fte"] > 0 else 1.0
    return list(by.values())


# --------------------------------------------------------------------------------------- summary
def summary_sections(res) -> dict[str, Any]:
    cfg = res.cfg
    out: dict[str, Any] = {k: {} for k in KEYS}
    out["uncertainty"] = _round(sampled_inputs(cfg))
    for sid in res.scenarios:
        rows = [{**r, "sentence": calibration_sentence(r)} for r in res.residuals[sid]]
        out["calibration"][sid] = _round(rows)
        out["calibration_service_areas"][sid] = _round(_service_areas(rows))
        t = tabell_2_1(cfg, sid, res.nominal[sid])
        if t:
            out["calibration_tabell_2_1"][sid] = _round(t)
        out["validation_units"][sid] = _round(res.validation.get(sid, []))
        out["baseline_band"][sid] = _round(baseline_band(cfg, sid, res.groups, res.projections[sid].years[-1]))
        out["planning_base"][sid] = _round(planning_base_check(res, sid))
    return out


def excel_sheets(summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The workbook's evidence sheets (the tornado sheet, with its `basis` column, is outputs')."""
    per = lambda key: [{"scenario": sid, **{k: (", ".join(v) if isinstance(v, list) else v)  # noqa: E731
                                            for k, v in row.items()}}
                       for sid, rows in summary.get(key, {}).items()
                       for row in (rows if isinstance(rows, list) else [rows])]
    band = [{"scenario": sid, "alternative": alt, "name": v["name"], "year": b["year"], "baseline_gap": v["total"],
             "source": b["source"]}
            for sid, b in summary.get("baseline_band", {}).items() for alt, v in b["by_alternative"].items()]
    return {"calibration": pd.DataFrame(per("calibration")),
            "calibration_areas": pd.DataFrame(per("calibration_service_areas")),
            "calibration_tabell_2_1": pd.DataFrame(per("calibration_tabell_2_1")),
            "validation": pd.DataFrame(per("validation_units")),
            "uncertainty": pd.DataFrame(summary.get("uncertainty", [])),
            "baseline_band": pd.DataFrame(band),
            "planning_base": pd.DataFrame([{k: v for k, v in row.items() if k != "shortfalls"}
                                           for row in per("planning_base")])}


# -------------------------------------------------------------------------------------- terminal
def print_scenario(summary: dict[str, Any], sid: str, console) -> None:
    """After a scenario's table: the tornado with each input's basis, the baseline's HELSEMOD range,
    and the Tabell 2.1 line for what it is."""
    rows = summary["tornado"].get(sid) or []
    if rows:
        console.print(f"  tornado (total gap {rows[0]['year']}, one input at its P10 / P90, the others nominal):")
        for r in rows:
            console.print(f"    {r['input']:<20} {_n(r['gap_low_input']):>9} / {_n(r['gap_high_input']):>9}  "
                          f"swing {_n(r['swing'])}")
        if sid == summary["scenarios"][0]:          # the same inputs in every scenario: named once
            console.print("    what each input's width rests on (`source:` / `width_reason:` in the file):")
            for r in rows:
                if r.get("basis"):
                    console.print(f"    [dim]{r['input']}: {_e(r['basis'])}[/dim]")
    b = summary.get("baseline_band", {}).get(sid)
    if b:
        alts = " · ".join(f"{_e(v['name'])} {_n(v['total'])}" for v in b["by_alternative"].values())
        console.print(f"  baseline gap {b['year']} by HELSEMOD alternative (a range, not a probability; "
                      f"NOU2023:4, Tabell 2.1): {alts}")
    t = summary.get("calibration_tabell_2_1", {}).get(sid)
    if t:
        console.print(f"  calibration: {_e(t['text'])}")
    for row in summary.get("planning_base", {}).get(sid, []):
        console.print(f"  planning base: {_e(row['text'])}")
        for s in row.get("shortfalls", []):
            console.print(f"    {s['archetype']}: {_e(shortfall_text(s))}")


def print_run(summary: dict[str, Any], console) -> None:
    """Once per run: the calibration table with its sentences, and the validation of the unit models."""
    from rich.table import Table

    sid = summary["scenarios"][0]
    t = Table(title=f"calibration ({sid}; nominal unit variants; model = the unit, bottom-up, before calibration)")
    for c in ("archetype", "service area", "volume", "årsverk/volume today", "årsverk/volume LEON", "model",
              "figure", "model vs figure", "factor"):
        t.add_column(c, justify="left" if c in ("archetype", "service area") else "right")
    rows = summary["calibration"][sid]
    for r in rows:
        t.add_row(r["archetype"], r.get("service_area", ""), _n(r["volume"]), f"{r['fte_per_volume_baseline']:.3f}",
                  f"{r['fte_per_volume_leon']:.3f}", _n(r["model_fte"]),
                  "-" if r["target_fte"] is None else _n(r["target_fte"]),
                  "-" if r["residual_pct"] is None else f"{r['residual_pct']:+.1f} %", f"{r['factor']:.3f}")
    console.print(t)
    for r in rows:
        console.print(f"  {_e(r['sentence'])}")
    for a in summary.get("calibration_service_areas", {}).get(sid, []):
        console.print(f"  {a['service_area']} ({', '.join(a['archetypes'])}): model {_n(a['model_fte'])}, figures "
                      f"{_n(a['target_fte'])} årsverk, factor {a['factor']:.3f}")
    checks = summary.get("validation_units", {}).get(sid) or []
    if not checks:
        console.print("  validation: no national figures to check the unit models against (`validation:`)")
        return
    v = Table(title="validation: the unit models against national figures they can fail")
    for c in ("check", "model", "figure", "difference", "tolerance", "result"):
        v.add_column(c, justify="left" if c in ("check", "result") else "right")
    for r in checks:
        share = r["measure"] == "share"
        num = (lambda x: f"{100 * x:.1f} %") if share else (lambda x: f"{x:.3f}" if x < 100 else _n(x))
        diff = f"{100 * r['difference']:+.1f} points" if share else f"{100 * r['difference']:+.1f} %"
        tol = ("at most" if r["test"] == "at_most" else
               f"±{100 * r['tolerance']:.0f} {'points' if share else '%'}")
        style = {"pass": "green", "fail": "bold red"}.get(r["status"], "yellow")
        v.add_row(r["id"], num(r["model"]), num(r["figure"]), diff, tol, f"[{style}]{r['status']}[/{style}]")
    console.print(v)
    for r in checks:
        extra = f"; unchecked: {r['unchecked']}" if r.get("unchecked") else ""
        why = f"; tolerance: {r['tolerance_reason']}" if r.get("tolerance_reason") else ""
        console.print(f"  [dim]{r['id']} ({_e(r['what'])}): {_e(r['source'] + why + extra)}[/dim]")
    failed = [r["id"] for r in checks if r["status"] == FAIL]
    if failed:
        console.print(f"  [bold red]{len(failed)} of {len(checks)} checks fail[/bold red]: {', '.join(failed)} — "
                      "the unit models disagree with these national figures; see docs/national.md «Validation».")
