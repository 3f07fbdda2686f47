"""The roster page's logic as plain functions: audit a roster grid for a shipped unit and its staff.

Every figure comes from the planner functions `leon roster check` calls (load_unit_view, load_staff,
load_rules, read_grid, problem_for_grid, audit), with the same defaults for the rules and the
requirement, so the page and the CLI give the same audit for the same grid.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.logic import named_error, via_file
from planner.io.errors import InputError

INSTANCES = Path(__file__).resolve().parent.parent / "instances"
UNITS, STAFF, ROSTERS = INSTANCES / "units", INSTANCES / "staff", INSTANCES / "rosters"
DEFAULT_RULES = INSTANCES / "rules" / "aml.yaml"   # as `leon roster check` without --rules or a staff rules:
UPLOAD_TYPES = ("csv", "xlsx")


def shipped_units() -> list[str]:
    """Unit ids with a shipped unit file, staff file and roster, sorted."""
    return sorted(p.stem for p in UNITS.glob("*.yaml")
                  if (STAFF / p.name).is_file() and (ROSTERS / f"{p.stem}_6uker.csv").is_file())


def shipped_roster(unit_id: str) -> Path:
    return ROSTERS / f"{unit_id}_6uker.csv"


@dataclass
class Audit:
    unit: str
    roster: str                     # the grid's name (shipped file name or the upload's)
    dates: list[str]
    rows: dict[str, list[str]]      # person -> shift code per date ('' = off)
    shifts: dict[str, dict]         # code -> start, end, time (dag | kveld | natt | lang)
    report: dict                    # planner.roster.audit.audit's dict, plus roster, unit, rules_set
    tolerance: float                # contract-hours tolerance of the rules (hours)


def audit_grid(unit_id: str, grid_path: Path, name: str | None = None, cyclic: bool = True) -> Audit:
    """Audit the grid at grid_path for the shipped unit and staff file (as `leon roster check`)."""
    from models.roster.cpsat import ContractHours
    from planner.roster.audit import audit, problem_for_grid
    from planner.roster.build import grid_rows
    from planner.roster.grids import read_grid
    from planner.roster.rules import load_rules
    from planner.roster.setup import leon_requirement, load_staff, load_unit_view

    unit = load_unit_view(UNITS / f"{unit_id}.yaml")
    staff = load_staff(STAFF / f"{unit_id}.yaml", unit)
    rules = load_rules(staff.rules or DEFAULT_RULES)
    req = None if staff.cover else leon_requirement(unit)
    grid = read_grid(grid_path)
    if name:
        grid.path = Path(name)   # messages about the grid name the upload, not the temporary file
    P, asg = problem_for_grid(grid, unit, staff, rules, req, cyclic)
    rep = audit(P, asg)
    rep.update({"roster": name or str(grid_path), "unit": unit.id, "rules_set": rules.id})
    hm = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
    shifts = {s.code: {"start": hm(s.start), "end": hm(s.end), "time": s.time} for s in P.shifts}
    ch = next((r for r in P.rules if isinstance(r, ContractHours)), None)
    return Audit(unit.id, name or Path(grid_path).name, list(P.day_labels), grid_rows(P, asg), shifts, rep,
                 ch.tolerance_hours if ch else 0.0)


def build_roster(unit_id: str, time_limit: float, seed: int = 1, progress=None) -> tuple[Audit | None, str]:
    """Build a 6-week roster for the shipped unit and staff as `leon roster build` does (same loading,
    defaults and engine, wall time, no deterministic limit): (its audit, or None when no roster without
    hard violations was found; the status sentence the command prints)."""
    import time

    from models.roster.cpsat import ContractHours
    from planner.roster import build as B
    from planner.roster.audit import audit
    from planner.roster.rules import load_rules
    from planner.roster.setup import leon_requirement, load_staff, load_unit_view, make_problem

    if not 1 <= time_limit <= 3600:
        raise InputError("time limit", "", f"{time_limit:g} s is outside 1-3600 s", "give seconds, e.g. 30")
    started = time.perf_counter()
    unit = load_unit_view(UNITS / f"{unit_id}.yaml")
    staff = load_staff(STAFF / f"{unit_id}.yaml", unit)
    rules = load_rules(staff.rules or DEFAULT_RULES)
    req = None if staff.cover else leon_requirement(unit)
    P = make_problem(unit, staff, rules, 6, None, req, True)
    deadline = started + time_limit - min(1.0, 0.05 * time_limit)   # as the command: room for the audit
    r = B.solve_problem(P, max(0.1, deadline - time.perf_counter()), progress, seed=seed, deadline=deadline)
    verdict = B.verdict(r, time_limit, None)
    if r.outcome not in ("optimal", "feasible"):
        return None, verdict
    rep = audit(P, r.assignment)
    rep.update({"roster": "built", "unit": unit.id, "rules_set": rules.id})
    hm = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
    shifts = {s.code: {"start": hm(s.start), "end": hm(s.end), "time": s.time} for s in P.shifts}
    ch = next((x for x in P.rules if isinstance(x, ContractHours)), None)
    return (Audit(unit.id, f"{unit.id}_built.csv", list(P.day_labels), B.grid_rows(P, r.assignment), shifts, rep,
                  ch.tolerance_hours if ch else 0.0), verdict)


MODELS = INSTANCES / "roster_models" / "fafo.yaml"
HELTID_STATUS = ("proven", "feasible", "infeasible", "none_found_in_time")


def heltid(unit_id: str, time_limit: float, models: Path = MODELS, done=None) -> dict:
    """`leon roster heltid --unit UNIT --models fafo.yaml --time-limit S` for a shipped unit: the same
    loading and defaults (the models file's rules, leon's own staffing of the unit), one deadline for all
    models; the result as the command's --json."""
    import time

    from planner.roster import heltid as H
    from planner.roster.rules import load_rules
    from planner.roster.setup import leon_requirement, load_unit_view

    if not 1 <= time_limit <= 3600:
        raise InputError("time limit", "", f"{time_limit:g} s is outside 1-3600 s", "give seconds, e.g. 80")
    started = time.perf_counter()
    unit = load_unit_view(UNITS / f"{unit_id}.yaml")
    mf = H.load_models(models)
    rules = load_rules(mf.rules) if mf.rules else load_rules(DEFAULT_RULES)
    deadline = started + time_limit - min(1.0, 0.02 * time_limit)
    return H.run(unit, leon_requirement(unit), mf, rules, deadline=deadline, done=done)


def heltid_rows(res: dict) -> list[dict]:
    """One row per roster model, as the command's table: figures only for legal rosters."""
    return [{"model": r["name"], "weekend": f"1/{r['weekend_every']}", "shifts": f"{r['weekday']}/{r['weekend']}",
             "heads": r.get("heads"), "heads_bound": r["heads_bound"], "arsverk": r.get("arsverk"),
             "full_time": r.get("full_time"), "full_time_bound": r["full_time_bound"],
             "share": r.get("full_time_share"), "status": r["outcome"], "reason": r.get("outcome_reason", "")}
            for r in res["models"]]


def heltid_json_bytes(res: dict) -> bytes:
    """The comparison as `leon roster heltid --json` writes it."""
    from planner.roster.grids import write_json
    return via_file(lambda p: write_json(p, res), ".json")


def audit_shipped(unit_id: str) -> Audit:
    path = shipped_roster(unit_id)
    return audit_grid(unit_id, path, path.name)


def audit_upload(unit_id: str, name: str, data: bytes) -> Audit:
    """Audit uploaded bytes (CSV or XLSX): written to a temporary folder that is removed after reading;
    errors name the upload, not the folder."""
    base = Path(name).name or "roster.csv"
    if Path(base).suffix.lower().lstrip(".") not in UPLOAD_TYPES:
        raise InputError(base, "", "is neither a roster CSV nor an XLSX workbook",
                         "upload a .csv or .xlsx grid: rows = staff id, columns = dates, cells = shift codes")
    tmp = Path(tempfile.mkdtemp(prefix="leon-roster-"))
    try:
        path = tmp / base
        path.write_bytes(data)
        try:
            return audit_grid(unit_id, path, base)
        except InputError as e:
            raise named_error(e, tmp, base) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)




# ------------------------------------------------------------------------------------------ tables
def sources(a: Audit) -> dict[str, str]:
    """rule id -> its legal source (as the rules file gives it)."""
    return {r["id"]: r.get("source") or "" for r in a.report["rules"]}


def violation_rows(a: Audit) -> list[dict]:
    """Each violation with its rule's legal source; hard ones first, then the audit's order."""
    src = sources(a)
    rows = [{**v, "source": src.get(v["rule"], "")} for v in a.report["violations"]]
    return sorted(rows, key=lambda v: not v["hard"])


def rule_counts(a: Audit) -> list[dict]:
    """Violations per rule and kind: hard rules first, then the most frequent."""
    hard = {r["id"]: r["hard"] for r in a.report["rules"]}
    n = a.report["summary"]["by_rule"]
    rows = [{"rule": k, "hard": bool(hard.get(k, any(v["hard"] for v in a.report["violations"] if v["rule"] == k))),
             "count": c, "source": sources(a).get(k, "")} for k, c in n.items()]
    return sorted(rows, key=lambda r: (not r["hard"], -r["count"], r["rule"]))


def gap_rows(a: Audit) -> list[dict]:
    return [dict(g) for g in a.report["coverage_gaps"]]


def hours_rows(a: Audit) -> list[dict]:
    """Planned hours against contract per person, and whether that is within the rule's tolerance."""
    return [{"person": p, "group": h["group"], "percent": h["percent"], "planned": h["planned"],
             "contract": h["contract"], "difference": round(h["planned"] - h["contract"], 2),
             "within": abs(h["planned"] - h["contract"]) <= a.tolerance + 1e-6}
            for p, h in a.report["hours"].items()]


def marks(a: Audit) -> dict[tuple[str, str], list[dict]]:
    """(person, date) -> the violations in that cell (with their sources)."""
    out: dict[tuple[str, str], list[dict]] = {}
    for v in violation_rows(a):
        out.setdefault((v["person"], v["date"]), []).append(v)
    return out


# ------------------------------------------------------------------------------------------ downloads
def json_bytes(a: Audit) -> bytes:
    from planner.io.writer import write_json
    return via_file(lambda p: write_json(p, a.report), ".json")


def csv_bytes(a: Audit) -> bytes:
    """The grid as `leon roster build --out` writes it (rows = staff, columns = dates, '-' = off)."""
    from planner.roster.grids import write_csv
    return via_file(lambda p: write_csv(p, a.dates, a.rows), ".csv")


def xlsx_bytes(a: Audit) -> bytes:
    """The grid as `leon roster build --xlsx` writes it: coloured by shift, violations framed."""
    from planner.roster.grids import write_xlsx
    from planner.roster.picture import colours, marks_from
    return via_file(lambda p: write_xlsx(p, a.dates, a.rows, colours(a.shifts), marks_from(a.report["violations"])),
                     ".xlsx")
