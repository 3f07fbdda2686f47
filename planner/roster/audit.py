"""Audit a roster: every rule violation, coverage gaps, hours vs contract, load per person, heltid."""
from __future__ import annotations

from collections import Counter

from models.roster import cpsat as M
from planner.io.errors import InputError
from planner.roster.grids import Grid, cell_of
from planner.roster.rules import RuleSet
from planner.roster.setup import StaffFile, UnitView, make_problem


def problem_for_grid(grid: Grid, unit: UnitView, staff: StaffFile, rules: RuleSet, requirement=None,
                     cyclic: bool = True, extra_shifts=None) -> tuple[M.Problem, dict]:
    from planner.roster.setup import shift_types
    known_codes = {s.code for s in shift_types(unit, staff, extra_shifts)[0]}
    for pid, cells in grid.rows.items():
        for d, c in enumerate(cells):
            if c and c not in known_codes:
                raise InputError(grid.path, f"{cell_of(grid, pid, d + 2)} ({pid}, {grid.dates[d]})",
                                 f"unknown shift code {c!r}",
                                 f"use one of {', '.join(sorted(known_codes))} or '-' for off "
                                 "(or add the code under extra_shifts in the staff file)")
    n = len(grid.dates)
    if grid.dates[0].weekday() != 0 or n % 7:
        raise InputError(grid.path, "line 1", f"the roster runs {grid.dates[0]} .. {grid.dates[-1]} ({n} days); "
                         "a turnus covers whole weeks from a Monday", "start on a Monday and give a multiple of 7 days")
    known = {s.id for s in staff.staff}
    for pid in grid.rows:
        if pid not in known:
            raise InputError(grid.path, cell_of(grid, pid, 1), f"person {pid!r} is not in the staff file "
                             f"{staff.path}", "add them to the staff file (id, group, percent) or correct the id")
    try:
        P = make_problem(unit, staff, rules, n // 7, grid.dates[0], requirement, cyclic, extra_shifts)
    except InputError as e:
        if e.file == "--start":   # the first date comes from the grid here, not from an option
            raise InputError(grid.path, "line 1", f"the first date {e.problem}" if e.problem[:1].isdigit()
                             else e.problem, "give a roster of dates from 1900 to 2199") from None
        if e.file != "--weeks":
            raise
        # the horizon comes from the grid here, not from an option: name the file and what to change
        raise InputError(grid.path, "line 1", f"the dates give {e.problem.replace(' does not', ', which does not', 1)}",
                         "give the whole rotation (a multiple of the weekend cycle), or --no-cyclic "
                         "for a stretch that does not repeat") from None
    assignment = grid_assignment(grid, P)
    return P, assignment


def grid_assignment(grid: Grid, P: M.Problem) -> dict:
    idx = {p.id: i for i, p in enumerate(P.persons)}
    out = {}
    for pid, cells in grid.rows.items():
        for d, c in enumerate(cells):
            if not c:
                continue
            if c not in P.shift_index:
                raise InputError(grid.path, f"{cell_of(grid, pid, d + 2)} ({pid}, {grid.dates[d]})",
                                 f"unknown shift code {c!r}",
                                 f"use one of {', '.join(sorted(P.shift_index))} or '-' for off "
                                 "(or add the code under extra_shifts in the staff file)")
            out[idx[pid], d] = P.shift_index[c]
    return out


def loads(P: M.Problem, assignment: dict) -> dict[str, dict]:
    wsets = M.weekend_sets(P)
    out = {}
    for pi, p in enumerate(P.persons):
        mine = {(d, s) for (q, d), s in assignment.items() if q == pi}
        t = Counter(P.shifts[s].time for _, s in mine)
        out[p.id] = {
            "shifts": len(mine),
            "weekends": sum(1 for st in wsets if any(x in mine for x in st)),
            "weekend_shifts": sum(1 for d, _ in mine if d % 7 >= 5),
            "nights": t.get("natt", 0), "evenings": t.get("kveld", 0), "long": t.get("lang", 0),
        }
    return out


def audit(P: M.Problem, assignment: dict, norm: float | None = None, conds: list | None = None) -> dict:
    """``conds``: the problem's rule conditions when the caller has them (``M.all_conditions(P)``; a year's take
    seconds to build)."""
    viol = M.check(P, assignment, conds)
    gaps = M.cover_missing(P, assignment)
    ch = next((r for r in P.rules if isinstance(r, M.ContractHours)), None)
    norm = norm or (ch.norm_hours_per_week if ch else 35.5)
    hours = {}
    for pi, p in enumerate(P.persons):
        planned = sum(P.shifts[s].work_minutes for (q, _), s in assignment.items() if q == pi) / 60
        hours[p.id] = {"planned": round(planned, 2), "contract": round(p.percent / 100 * norm * P.weeks, 2),
                       "percent": p.percent, "group": p.group}
    pct = [p.percent for p in P.persons]
    ld = loads(P, assignment)
    n = max(1, len(P.persons))
    return {
        "weeks": P.weeks, "start": P.label(0), "cyclic": P.cyclic,
        "violations": [{"rule": v.rule, "person": v.person, "date": P.label(v.day), "detail": v.detail,
                        "hard": v.hard} for v in viol],
        "coverage_gaps": [{"date": P.label(d), "shift": c, "group": g, "missing": k} for d, c, g, k in gaps],
        "hours": hours,
        "load": ld,
        "heltid_share": round(sum(1 for x in pct if x >= 100) / n, 4),
        "average_position": round(sum(pct) / n, 2),
        "arsverk": round(sum(pct) / 100, 2),
        "summary": {
            "hard_violations": sum(1 for v in viol if v.hard),
            "soft_violations": sum(1 for v in viol if not v.hard),
            "missing_shifts": sum(k for *_, k in gaps),
            "by_rule": dict(sorted(Counter(v.rule for v in viol).items())),
        },
        "rules": [{"id": r.id, "hard": r.hard, "weight": r.weight, "source": r.source} for r in P.rules],
    }
