"""The roster page's logic as plain functions: audit a roster grid for a shipped unit and its staff, build a
roster in the background (with a stop that keeps the best so far), and say what the build found.

Every figure comes from the planner functions `leon roster check` and `leon roster build` call
(load_unit_view, load_staff, load_rules, read_grid, problem_for_grid, audit, solve_problem), with the same
defaults for the rules and the requirement, so the page and the CLI give the same audit for the same grid.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app.logic import named_error, read_in_layout, scratch, via_file
from planner.io.errors import InputError

if TYPE_CHECKING:
    from planner.roster.setup import StaffFile

INSTANCES = Path(__file__).resolve().parent.parent / "instances"
UNITS, STAFF, ROSTERS = INSTANCES / "units", INSTANCES / "staff", INSTANCES / "rosters"
DEFAULT_RULES = INSTANCES / "rules" / "aml.yaml"   # as `leon roster check` without --rules or a staff rules:
UPLOAD_TYPES = ("csv", "xlsx")
T = TypeVar("T")


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


# ------------------------------------------------------------------------------------------ staff
STAFF_SOURCES = ("shipped", "upload", "generated")
STAFF_TYPES = ("yaml", "yml")


@dataclass
class Staff:
    """A staff list for a unit: its name (a file name), its YAML text (to download) and the loaded file."""
    name: str
    text: bytes
    file: StaffFile     # checked against the unit


def staff_shipped(unit_id: str) -> Staff:
    from planner.roster.setup import load_staff, load_unit_view
    path = STAFF / f"{unit_id}.yaml"
    return Staff(path.name, path.read_bytes(), load_staff(path, load_unit_view(UNITS / f"{unit_id}.yaml")))


def staff_upload(unit_id: str, name: str, data: bytes) -> Staff:
    """A staff YAML (kind: staff) from uploaded bytes, checked against the unit as `leon roster build` checks
    it. It is read beside the shipped folders (so `rules: ../rules/ks.yaml` finds the shipped rules, as for a
    file in instances/staff/); errors name the upload."""
    base = Path(name).name or "staff.yaml"
    if Path(base).suffix.lower().lstrip(".") not in STAFF_TYPES:
        raise InputError(base, "", "is not a staff YAML file",
                         "upload a .yaml file (kind: staff) like the shipped instances/staff/<unit>.yaml")
    return _staff_from_text(unit_id, base, data)


def staff_generated(unit_id: str) -> Staff:
    """The staff list made from the unit's LEON requirement the way the shipped staff files were made
    (planner.roster.examples: position sizes and weekend cycles from the cited figures)."""
    from planner.roster.examples import PROFILES, staff_text
    if unit_id not in PROFILES:
        raise InputError(f"{unit_id}.yaml", "", "has no staff profile to generate a staff list from",
                         f"use the staff file or upload one; profiles exist for {', '.join(PROFILES)}")
    text = staff_text(unit_id, UNITS / f"{unit_id}.yaml").encode()
    return _staff_from_text(unit_id, f"{unit_id}_generated.yaml", text)


def _staff_from_text(unit_id: str, name: str, data: bytes) -> Staff:
    from planner.roster.setup import load_staff, load_unit_view
    unit = load_unit_view(UNITS / f"{unit_id}.yaml")
    sf = read_in_layout("staff", name, data, lambda path: load_staff(path, unit), "leon-staff-")
    # the file it names (rules:, unit:) resolved to the shipped ones; its own name is the upload's
    return Staff(name, data, dataclasses.replace(sf, path=Path(name)))


def _inputs(unit_id: str, staff: Staff | None):
    """(unit, staff file, rules, requirement) with `leon roster check`'s defaults."""
    from planner.roster.rules import load_rules
    from planner.roster.setup import leon_requirement, load_unit_view

    unit = load_unit_view(UNITS / f"{unit_id}.yaml")
    sf = (staff or staff_shipped(unit_id)).file
    rules = load_rules(sf.rules or DEFAULT_RULES)
    req = None if sf.cover else leon_requirement(unit)
    return unit, sf, rules, req


def _audit_of(P, asg: dict, unit_id: str, name: str, rep: dict) -> Audit:
    from models.roster.cpsat import ContractHours
    from planner.roster.build import grid_rows
    hm = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
    shifts = {s.code: {"start": hm(s.start), "end": hm(s.end), "time": s.time} for s in P.shifts}
    ch = next((r for r in P.rules if isinstance(r, ContractHours)), None)
    return Audit(unit_id, name, list(P.day_labels), grid_rows(P, asg), shifts, rep,
                 ch.tolerance_hours if ch else 0.0)


def audit_grid(unit_id: str, grid_path: Path, name: str | None = None, cyclic: bool = True,
               staff: Staff | None = None) -> Audit:
    """Audit the grid at grid_path for the shipped unit and the staff (default: the shipped staff file), as
    `leon roster check`."""
    from planner.roster.audit import audit, problem_for_grid
    from planner.roster.grids import read_grid

    unit, sf, rules, req = _inputs(unit_id, staff)
    grid = read_grid(grid_path)
    if name:
        grid.path = Path(name)   # messages about the grid name the upload, not the temporary file
    P, asg = problem_for_grid(grid, unit, sf, rules, req, cyclic)
    rep = audit(P, asg)
    rep.update({"roster": name or str(grid_path), "unit": unit.id, "rules_set": rules.id})
    return _audit_of(P, asg, unit.id, name or Path(grid_path).name, rep)


# ------------------------------------------------------------------------------------------ build
@dataclass
class Build:
    """A roster build running in a background thread; the page polls it. ``stop`` ends it with the best
    roster so far; ``best`` is the latest (objective, bound, seconds) the engine reported."""
    unit: str                       # the shipped unit's name (its file's stem), as the page picks it
    staff: str
    time_limit: float
    started: float
    stop: threading.Event = field(default_factory=threading.Event)
    best: tuple[float, float, float] | None = None
    audit: Audit | None = None
    verdict: dict | None = None
    error: BaseException | None = None
    thread: threading.Thread | None = None
    start_name: str | None = None                 # the uploaded roster the build started from (None: greedy)
    start_objective: float | None = None          # ... and its own objective and hard violations
    start_hard: int | None = None
    start_mode: str = "improve"                   # "improve" (--improve) or "keep" (--keep-from: fewest changes)
    compared_cells: int | None = None             # keep: the old roster's cells, and those the build changed
    changed: list[dict] | None = None             # [{person, date, before, after}], as `--json`'s "changed"
    lock_name: str | None = None                  # the uploaded locked cells (--lock) and how many
    locked_cells: int | None = None

    @property
    def done(self) -> bool:
        return self.verdict is not None or self.error is not None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the build to end (at most ``timeout`` seconds); whether it has."""
        if self.thread is not None:
            self.thread.join(timeout)
        return self.done


def start_build(unit_id: str, time_limit: float, staff: Staff | None = None, seed: int = 1,
                progress: Callable[[float, float, float], None] | None = None,
                start: tuple[str, bytes] | None = None, start_mode: str = "improve",
                locks: tuple[str, bytes] | None = None) -> Build:
    """Start building a 6-week roster for the shipped unit and the staff (default: the shipped staff file)
    as `leon roster build` does (same loading, defaults and engine, wall time, no deterministic limit), in a
    background thread. ``start``: an uploaded roster grid (name, bytes), with ``start_mode`` "improve" to
    search on from it (`--improve`) or "keep" to rebuild it with the fewest changed cells (`--keep-from`);
    ``locks``: an uploaded grid of locked cells (`--lock`). Bad input raises here, before the thread starts."""
    from planner.roster import locks as LK
    from planner.roster.setup import make_problem

    if not 1 <= time_limit <= 3600:
        raise InputError("time limit", "", f"{time_limit:g} s is outside 1-3600 s", "give seconds, e.g. 30")
    started = time.perf_counter()
    unit, sf, rules, req = _inputs(unit_id, staff)
    P = make_problem(unit, sf, rules, 6, None, req, True)
    if start_mode not in ("improve", "keep"):
        raise ValueError(f"start_mode {start_mode!r}")
    b = Build(unit_id, staff.name if staff else f"{unit_id}.yaml", float(time_limit), started,
              start_mode=start_mode)
    # as the command: the kept roster, then the locks, as rules the engine posts and the audit checks
    keep = _grid_upload(P, *start, LK.read_previous, LK.keep_rule, "leon-keep-") \
        if start is not None and start_mode == "keep" else None
    lock = _grid_upload(P, *locks, LK.read_locks, LK.lock_rule, "leon-lock-") if locks is not None else None
    P.rules = [*P.rules, *(x for x in (keep, lock) if x is not None)]
    if keep is not None:
        b.start_name, b.compared_cells = _grid_name(start[0]), len(keep.cells)
    if lock is not None:
        b.lock_name, b.locked_cells = _grid_name(locks[0]), len(lock.cells)
    given = _start_upload(P, *start) if start is not None and start_mode == "improve" else None
    if given is not None:
        from models.roster.score import score
        sc = score(P, given[0])
        b.start_name, b.start_objective, b.start_hard = _grid_name(start[0]), sc.total, sc.hard

    def report(obj: float, bound: float, secs: float) -> None:
        b.best = (obj, bound, secs)
        if progress:
            progress(obj, bound, secs)

    def run() -> None:
        try:
            _run_build(b, P, unit.id, rules.id, seed, report, given, keep)
        except BaseException as exc:     # noqa: BLE001 - shown by the page
            b.error = exc

    b.thread = threading.Thread(target=run, name=f"leon-roster-{unit.id}", daemon=True)
    b.thread.start()
    return b


def _grid_name(name: str) -> str:
    """An uploaded roster grid's file name (its folder dropped), refused unless it is a CSV or XLSX."""
    base = Path(name).name or "roster.csv"
    if Path(base).suffix.lower().lstrip(".") not in UPLOAD_TYPES:
        raise InputError(base, "", "is neither a roster CSV nor an XLSX workbook",
                         "upload a .csv or .xlsx grid: rows = staff id, columns = dates, cells = shift codes")
    return base


def _read_upload(name: str, data: bytes, read: Callable[[Path, str], T], prefix: str) -> T:
    """``read(path, name)`` of uploaded grid bytes (CSV or XLSX): written to a temporary folder that is removed
    after reading; errors name the upload, not the folder."""
    base = _grid_name(name)
    tmp = scratch(prefix)
    try:
        path = tmp / base
        path.write_bytes(data)
        try:
            return read(path, base)
        except InputError as e:
            raise named_error(e, tmp, base) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _start_upload(P, name: str, data: bytes) -> tuple[dict, set[int]]:
    """An uploaded roster grid as the engine's start and the people it has a row for (``--improve``)."""
    from planner.roster import locks as LK
    return _grid_upload(P, name, data, LK.read_previous, LK.start_from, "leon-start-")


def _grid_upload(P, name: str, data: bytes, read: Callable, rule: Callable, prefix: str):
    """An uploaded grid as the rule it gives (``locks.keep_rule`` of ``read_previous``, ``lock_rule`` of
    ``read_locks``)."""
    return _read_upload(name, data, lambda path, _: rule(read(path), P), prefix)


def _run_build(b: Build, P, unit_id: str, rules_id: str, seed: int, report,
               given: tuple[dict, set[int]] | None = None, keep=None) -> None:
    from planner.roster import build as B
    from planner.roster import locks as LK
    from planner.roster.audit import audit

    deadline = b.started + b.time_limit - min(1.0, 0.05 * b.time_limit)   # as the command: room for the audit
    r = B.solve_problem(P, max(0.1, deadline - time.perf_counter()), report, seed=seed, deadline=deadline,
                        stop=b.stop.is_set, start=given[0] if given else None,
                        start_people=given[1] if given else None)
    rep = None
    if r.outcome in ("optimal", "feasible"):
        rep = audit(P, r.assignment, conds=r.conds)
        rep.update({"roster": "built", "unit": unit_id, "rules_set": rules_id})
        b.audit = _audit_of(P, r.assignment, unit_id, f"{unit_id}_built.csv", rep)
        if keep is not None:
            b.changed = LK.changes(P, keep, r.assignment)
    gaps = [(P.day_labels.index(g["date"]), g["shift"], g["group"], g["missing"])
            for g in rep["coverage_gaps"]] if rep else []
    b.verdict = verdict_fields(r, rep, b.time_limit, B.diagnose(P, r, gaps), B.diagnose(P, r, gaps, "nb"))


def build_roster(unit_id: str, time_limit: float, seed: int = 1, progress=None, staff: Staff | None = None,
                 ) -> tuple[Audit | None, dict]:
    """A build to its end: (its audit, or None when no roster without hard violations was found; the
    verdict's fields, ``verdict_fields``)."""
    b = start_build(unit_id, time_limit, staff, seed, progress)
    b.wait()
    if b.error is not None:
        raise b.error
    assert b.verdict is not None
    return b.audit, b.verdict


def verdict_fields(r, rep: dict | None, time_limit: float, diagnosis: list[str] | None = None,
                   diagnosis_nb: list[str] | None = None) -> dict:
    """What the page says about a build, from the engine's result (and the audit of a legal roster): the
    status (optimal | feasible | infeasible | none_found_in_time), objective, bound and gap, what ended the
    run, the open cover, the soft violations by rule (largest cost first), the rules in conflict, and the
    builder's explanation (English as the command line prints it, and Norwegian for the page)."""
    bound = r.bound if r.bound is not None and r.bound > 0 else None   # 0 bounds nothing: every term is >= 0
    gap = (r.objective - bound) / max(1.0, abs(r.objective)) if r.objective is not None and bound is not None \
        else None
    return {"status": r.outcome, "objective": r.objective, "bound": bound, "gap": gap,
            "stopped_by": None if r.outcome == "optimal" else (r.stopped_by or "time_limit"),
            "kept_start": bool(r.kept_start), "seconds": r.wall_time, "time_limit": time_limit,
            "open": rep["summary"]["missing_shifts"] if rep else None,
            "soft": [(k, n, c) for k, (n, c) in sorted(r.by_rule.items(), key=lambda kv: (-kv[1][1], kv[0])) if n],
            "conflict": list(r.conflict), "unavoidable": [(list(gs), c) for gs, c in r.unavoidable],
            "diagnosis": list(diagnosis or []),
            "diagnosis_nb": list(diagnosis_nb or [])}


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


def audit_upload(unit_id: str, name: str, data: bytes, staff: Staff | None = None) -> Audit:
    """Audit uploaded bytes (CSV or XLSX) for the staff (default: the shipped staff file), read as
    ``_read_upload`` reads them."""
    return _read_upload(name, data, lambda path, base: audit_grid(unit_id, path, base, staff=staff), "leon-roster-")


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


def gaps_by_date(a: Audit) -> dict[str, list[dict]]:
    """date -> the audit's coverage gaps that day (shift, group, heads missing): the grid's gap row."""
    out: dict[str, list[dict]] = {}
    for g in a.report["coverage_gaps"]:
        out.setdefault(g["date"], []).append(dict(g))
    return out


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
