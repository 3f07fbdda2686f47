"""Reports of a staffing run: the JSON document, the Excel workbook and the terminal tables."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from planner.staffing import workload
from planner.staffing.explain import (base_shortfall, binding_rules, elsewhere_text, explain_shifts, family_hours,
                                      heads_text, objective_text, shortfall_text)
from planner.staffing.instance import Instance
from planner.io.writer import atomic_path
from planner.staffing.solve import ModeResult, freed_fte
from planner.io.terminal import console as make_console


# the three parts of the freed årsverk, one sentence each (terminal and workbook say the same)
SPLIT_WORDS = {
    "pooling": "Pooling = baseline − pooled: today's fixed shares against today's groups pooled (the same "
               "performers, free shares); rounding slack, not task sharing.",
    "task_sharing": "Task sharing = pooled − LEON: LEON against today's groups pooled; what moving tasks to "
                    "other allowed groups frees.",
    "total": "Total = baseline − LEON = pooling + task sharing (negative: LEON needs more of the group).",
}


def base_text(inst: Instance) -> str:
    """The unit's planning base in words, for every output."""
    if inst.planning_base is None:
        return ("Planning base: none (assistants as base): in LEON any task may go to the lowest group the "
                "catalogue allows")
    return (f"Planning base: {inst.planning_base} (level {inst.base_level:g}): in LEON, tasks that need health "
            "competence go to no lower group")


def _r(x: float, nd: int = 4) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def mode_dict(inst: Instance, res: ModeResult, objective: str = "hours") -> dict:
    return {
        "status": res.status,
        "objective": _r(res.objective),
        "bound": _r(res.bound),
        # 6 decimals: with --relax, heads are fractions and capacity checks need the precision
        "staff": {s: {g: _r(n, 6) for g, n in per.items()} for s, per in res.staff.items()},
        "weekly_hours": {g: _r(h) for g, h in res.weekly_hours.items()},
        "fte": {g: _r(v) for g, v in res.fte.gross.items()},
        "fte_net": {g: _r(v) for g, v in res.fte.net.items()},
        "cost_nok_per_week": _r(res.cost_nok_per_week, 2),
        "allocation": {t: {g: _r(h, 6) for g, h in per.items()} for t, per in res.allocation.items()},
        "allocation_by_shift": {t: {s: {g: _r(h, 6) for g, h in gv.items()} for s, gv in per.items()}
                                for t, per in res.allocation_by_shift.items()},
        "binding_rules": binding_rules(inst, res, objective),
        "shift_explanation": explain_shifts(res),
        "diagnosis": res.bends,
        "model_stats": res.stats,
    }


def result_dict(inst: Instance, results: dict[str, ModeResult], options: dict,
                breakdown: dict[str, dict[str, float]] | None = None) -> dict:
    objective = options.get("objective", "hours")  # the unit of objective values and rule costs
    doc = {
        "unit": {"id": inst.id, "name": inst.name, "type": inst.type, "beds": inst.beds,
                 "file": inst.path.name, "patients": sum(inst.patient_counts.values()),
                 # null: assistants as base (every allowed group may do every task in LEON)
                 "planning_base": inst.planning_base, "planning_base_source": inst.planning_base_source},
        "options": options,
        "fte_norms": {"norm_hours_per_week": inst.fte.norm_hours_per_week,
                      "holiday_weeks": inst.fte.holiday_weeks,
                      "sick_leave_share": inst.fte.sick_leave_share,
                      "source": inst.fte.source or "illustrative"},
        "workload": {t: {s: _r(h) for s, h in per.items() if h > 0} for t, per in workload.hours(inst).items()},
        "results": {m: mode_dict(inst, r, objective) for m, r in results.items()},
    }
    if "baseline" in results and "leon" in results and all(r.status in ("optimal", "time_limit")
                                                             for r in results.values()):
        doc["freed_fte"] = {g: _r(v) for g, v in freed_fte(results).items()}
        doc["freed_fte_net"] = {g: _r(v) for g, v in freed_fte(results, "net").items()}
        doc["cost_change_nok_per_week"] = _r(results["leon"].cost_nok_per_week
                                             - results["baseline"].cost_nok_per_week, 2)
        if breakdown is not None:
            doc["freed_fte_breakdown"] = {part: {g: _r(v) for g, v in per.items()}
                                          for part, per in breakdown.items()}
        short = base_shortfall(inst, results)
        if short is not None:
            doc["planning_base_shortfall"] = short
    main = results.get("leon") or next(iter(results.values()))
    doc["binding_rules"] = [{"rule": b["rule"], "shift": b["shift"], "source": b["source"],
                             "mode": b["mode"], "text": b["text"]} for b in binding_rules(inst, main, objective)]
    return doc


# ------------------------------------------------------------------------------------------ Excel
def write_xlsx(path: str | Path, inst: Instance, results: dict[str, ModeResult], doc: dict) -> None:
    sheets: dict[str, pd.DataFrame] = {}
    about = [("unit", f"{inst.name} ({inst.id})"), ("planning base", inst.planning_base or "none (assistants as base)"),
             ("planning base source", inst.planning_base_source or ""), ("planning base in words", base_text(inst))]
    about += [(f"freed_fte_{k}" if k != "total" else "freed_fte_gross", v) for k, v in SPLIT_WORDS.items()]
    if "planning_base_shortfall" in doc:
        about.append(("planning base shortfall", shortfall_text(doc["planning_base_shortfall"])))
    sheets["about"] = pd.DataFrame(about, columns=["item", "value"])
    sheets["workload"] = workload.table(inst)
    rows = []
    for m, r in results.items():
        for s, per in r.staff.items():
            for g, n in per.items():
                rows.append({"mode": m, "shift": s, "group": g, "heads": n})
    staff = pd.DataFrame(rows)
    sheets["staffing"] = (staff.pivot_table(index=["mode", "shift"], columns="group", values="heads",
                                            aggfunc="sum", sort=False).reset_index()
                          if not staff.empty else staff)
    rows = []
    for m, r in results.items():
        for t, per in r.allocation_by_shift.items():
            for s, gv in per.items():
                for g, h in gv.items():
                    rows.append({"mode": m, "task": t, "name": inst.tasks[t].name.nb, "shift": s,
                                 "group": g, "hours_per_shift": round(h, 6),
                                 "hours_per_week": round(h * next(x.days_per_week for x in inst.shifts if x.id == s), 6)})
    sheets["allocation"] = pd.DataFrame(rows)
    rows = []
    for g in inst.groups:
        row = {"group": g, "level": inst.groups[g].level}
        for m, r in results.items():
            row[f"{m}_hours_per_week"] = r.weekly_hours[g]
            row[f"{m}_fte_net"] = r.fte.net[g]
            row[f"{m}_fte_gross"] = r.fte.gross[g]
        if "freed_fte_breakdown" in doc:
            row["freed_fte_pooling"] = doc["freed_fte_breakdown"]["pooling"][g]
            row["freed_fte_task_sharing"] = doc["freed_fte_breakdown"]["task_sharing"][g]
        if "freed_fte" in doc:
            row["freed_fte_gross"] = doc["freed_fte"][g]  # the total
        rows.append(row)
    sheets["årsverk"] = pd.DataFrame(rows)
    rows = []
    for r in inst.rules:
        rows.append({"rule": r.id, "type": r.type, "shifts": r.shifts if isinstance(r.shifts, str) else ", ".join(r.shifts), "groups": ", ".join(r.groups or []),
                     "source": r.source or "illustrative", "file": Path(inst.rule_files[r.id]).name})
    sheets["rules"] = pd.DataFrame(rows)
    sheets["binding"] = pd.DataFrame([_binding_row(b) for m in doc["results"].values() for b in m["binding_rules"]])
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in sheets.items():
                df.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                for col in ws.columns:  # readable column widths
                    width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
                    ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))


def _binding_row(b: dict) -> dict:
    """A binding-rule record with its head counts as text (a cell cannot hold a mapping)."""
    row = dict(b)
    row["extra_heads"] = heads_text(b.get("extra_heads", {}))
    row["instead_of"] = heads_text(b.get("instead_of", {}))
    row["elsewhere"] = elsewhere_text(b.get("elsewhere", {}))
    row.pop("heads_without_rule", None)  # the text and the columns above say it
    return row


# --------------------------------------------------------------------------------------- terminal
def print_report(inst: Instance, results: dict[str, ModeResult], doc: dict, console: Console | None = None) -> None:
    con = console or make_console()
    pats = sum(inst.patient_counts.values())
    con.print(f"[bold]{inst.name}[/bold] ({inst.id}, {inst.type}, {inst.beds:g} plasser, {pats:g} pasienter)")
    con.print(base_text(inst))
    if inst.planning_base is not None:
        con.print(f"  source: {inst.planning_base_source or 'illustrative'}")
    wl = workload.table(inst)
    if not wl.empty:
        t = Table(title="Workload: task hours per shift, by task family", title_justify="left")
        t.add_column("family")
        for s in inst.shift_ids:
            t.add_column(s, justify="right")
        t.add_column("h/week", justify="right")
        by = wl.pivot_table(index="family", columns="shift", values="hours_per_shift", aggfunc="sum", fill_value=0.0)
        week = wl.groupby("family")["hours_per_week"].sum()
        for fam in week.sort_values(ascending=False).index:
            t.add_row(fam, *[f"{by.loc[fam].get(s, 0.0):.1f}" for s in inst.shift_ids], f"{week[fam]:.1f}")
        tot = wl.groupby("shift")["hours_per_shift"].sum()
        t.add_row("total", *[f"{tot.get(s, 0.0):.1f}" for s in inst.shift_ids], f"{week.sum():.1f}", style="bold")
        con.print(t)
    groups = list(inst.groups)
    t = Table(title="Heads per shift (baseline → LEON)", title_justify="left")
    t.add_column("shift")
    for g in groups:
        t.add_column(g, justify="right")
    for s in inst.shift_ids:
        cells = []
        for g in groups:
            vals = [results[m].staff[s][g] for m in results if results[m].status in ("optimal", "time_limit")]
            cells.append(" → ".join(f"{v:g}" for v in vals))
        t.add_row(s, *cells)
    con.print(t)

    if "baseline" in results and "leon" in results and all(r.status in ("optimal", "time_limit")
                                                             for r in results.values()):
        _print_moves(con, inst, results)

    t = Table(title="Årsverk per group (gross, to employ)", title_justify="left")
    t.add_column("group")
    for m in results:
        t.add_column(f"{m} h/week", justify="right")
        t.add_column(f"{m} årsverk", justify="right")
    split = doc.get("freed_fte_breakdown")
    parts = ([split["pooling"], split["task_sharing"]] if split else []) + (
        [doc["freed_fte"]] if "freed_fte" in doc else [])
    for name in (["freed: pooling", "task sharing", "total"] if split else ["freed"])[:len(parts)]:
        t.add_column(name, justify="right")
    for g in groups:
        row = [g]
        for m, r in results.items():
            row += [f"{r.weekly_hours[g]:.1f}", f"{r.fte.gross[g]:.2f}"]
        row += [f"{p[g]:+.2f}" for p in parts]
        t.add_row(*row)
    tot = ["total"]
    for m, r in results.items():
        tot += [f"{sum(r.weekly_hours.values()):.1f}", f"{r.fte.total_gross:.2f}"]
    tot += [f"{sum(p.values()):+.2f}" for p in parts]
    t.add_row(*tot, style="bold")
    con.print(t)
    if split:
        for words in SPLIT_WORDS.values():
            con.print(f"  {words}")
    con.print(f"Norm {inst.fte.norm_hours_per_week:g} h/week; gross-up ×{next(iter(results.values())).fte.gross_up:.3f} "
              f"for {inst.fte.holiday_weeks:g} weeks holiday and {inst.fte.sick_leave_share:.1%} sick leave.")
    objective = doc.get("options", {}).get("objective", "hours")
    for m, r in results.items():
        paid, cost = f"{sum(r.weekly_hours.values()):.1f} paid h/week", objective_text(r.cost_nok_per_week, "cost")
        if objective == "cost":  # the objective is NOK per week: say so, and give the hours beside it
            con.print(f"{m}: {r.status}, objective {objective_text(r.objective, 'cost')}, {paid}")
        else:
            con.print(f"{m}: {r.status}, {r.objective:.1f} paid h/week, {cost}")
    if "planning_base_shortfall" in doc:
        con.print(shortfall_text(doc["planning_base_shortfall"]))
    if "cost_change_nok_per_week" in doc:
        con.print(f"Cost change with LEON: {doc['cost_change_nok_per_week']:+,.0f} NOK/week".replace(",", " "))
    for m in results:
        bl = doc["results"][m]["binding_rules"]
        if bl:
            what = "cost NOK per week" if objective == "cost" else "cost paid hours"
            con.print(f"[bold]Binding rules ({m})[/bold] — rules that shape the staffing "
                      f"({what}, or keep a higher group on shift than the work needs):")
            for b in bl:
                con.print(f"  • {b['text']}")


def _print_moves(con: Console, inst: Instance, results: dict[str, ModeResult]) -> None:
    """Who does what, today vs LEON: task hours per week by family, where they move."""
    before, after = family_hours(inst, results["baseline"]), family_hours(inst, results["leon"])
    t = Table(title="Task sharing: hours per week by task family, baseline → LEON (families that move)",
              title_justify="left")
    t.add_column("family")
    t.add_column("by group", overflow="fold")
    for fam in sorted(before, key=lambda f: -sum(before[f].values())):
        gs = [g for g in inst.groups if before[fam].get(g, 0.0) > 0.05 or after.get(fam, {}).get(g, 0.0) > 0.05]
        if all(abs(before[fam].get(g, 0.0) - after.get(fam, {}).get(g, 0.0)) < 0.05 for g in gs):
            continue
        t.add_row(fam, ", ".join(f"{g} {before[fam].get(g, 0.0):.0f} → {after.get(fam, {}).get(g, 0.0):.0f}"
                                 for g in gs))
    if t.row_count:
        con.print(t)
