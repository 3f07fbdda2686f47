"""Pilots' tools as rules: locked cells (hard) and keeping a previous roster (soft).

Both are plain rules over (person, day, shift) slots, so every engine that posts and audits rule
conditions honours them unchanged. Cells are keyed by person *id* and shift *code*, not by index,
so a rule stays right on the sub-problems a search cuts out (a subset of the people).

Each rule also offers ``amend_start``: a search aid, not part of the rule. A greedy start roster
knows nothing of a locked shift or of the roster to keep, and a search that starts far from them
spends its time walking back; so the start gets the locked cells (or becomes the previous roster),
and every person whose row then breaks a hard rule is re-planned alone (``legalise``).
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from models.roster.cpsat import Cond, Linear, Problem, Rule, check, solve

Cell = tuple[str, int]   # (person id, day)
Start = dict[tuple[int, int], int]   # (person index, day) -> shift index


def _cells(rule: Rule, P: Problem, cells: dict[Cell, str | None]) -> Iterator[tuple[int, int, str | None, int | None]]:
    """(person index, day, code, shift index) for each cell of a person in P; None code = a day off."""
    index = {p.id: i for i, p in enumerate(P.persons)}
    for (pid, d), code in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        pi = index.get(pid)
        if pi is None:
            continue   # a sub-problem without this person
        if not 0 <= d < P.days:
            raise ValueError(f"{rule.id}: day {d} of {pid} is outside the {P.days}-day horizon")
        if code is not None and code not in P.shift_index:
            raise ValueError(f"{rule.id}: {code!r} on day {d} of {pid} is no shift code")
        yield pi, d, code, (None if code is None else P.shift_index[code])


def _all_shifts(P: Problem, d: int) -> list:
    return [((d, s), 1) for s in range(len(P.shifts))]


@dataclass
class Locked(Rule):
    """Hard: a locked cell is worked with its shift, or a locked day off is off."""
    cells: dict[Cell, str | None] = field(default_factory=dict)

    def conditions(self, P):
        for pi, d, code, s in _cells(self, P, self.cells):
            if s is None:
                yield Linear(**self._kw(pi, d, f"locked day off on {P.label(d)} is worked"),
                             terms=_all_shifts(P, d), hi=0, scale=1)
            else:
                yield Linear(**self._kw(pi, d, f"locked {code} on {P.label(d)} is not worked"),
                             terms=[((d, s), 1)], lo=1, scale=1)

    def amend_start(self, P: Problem, start: Start, conds: list[Cond] | None = None) -> Start:
        out = dict(start)
        for pi, d, _, s in _cells(self, P, self.cells):
            if s is None:
                out.pop((pi, d), None)
            else:
                out[pi, d] = s
        return legalise(P, out, conds)


@dataclass
class KeepPrevious(Rule):
    """Soft: each cell of a previous roster keeps its shift (or stays off); one violation = one changed
    cell, so the audit's count of this rule is the number of cells the new roster changes."""
    hard: bool = False
    cells: dict[Cell, str | None] = field(default_factory=dict)

    def conditions(self, P):
        for pi, d, code, s in _cells(self, P, self.cells):
            if s is None:
                yield Linear(**self._kw(pi, d, f"changed: off on {P.label(d)} in the previous roster"),
                             terms=_all_shifts(P, d), hi=0, scale=1)
            else:
                yield Linear(**self._kw(pi, d, f"changed: {code} on {P.label(d)} in the previous roster"),
                             terms=[((d, s), 1)], lo=1, scale=1)

    def amend_start(self, P: Problem, start: Start, conds: list[Cond] | None = None) -> Start:
        """Start from the previous roster instead (cells it does not name keep the start's shift)."""
        cells = list(_cells(self, P, self.cells))
        named = {(pi, d) for pi, d, *_ in cells}
        out = {k: s for k, s in start.items() if k not in named}
        out.update({(pi, d): s for pi, d, _, s in cells if s is not None})
        return legalise(P, out, conds)


def legalise(P: Problem, start: Start, conds: list[Cond] | None = None, weight: int = 100,
             det_time: float = 0.5, seconds: float = 10.0) -> Start:
    """Re-plan alone each person whose row in `start` breaks a hard rule: the legal row with the fewest
    cells changed from theirs (each change weighs `weight` soft-rule units, far above the preferred cover
    a single person could add), found by a one-person CP-SAT solve with the minimum cover dropped. Hard
    rules bind one person at a time (cover, which joins people, is soft), so rows legal one by one make
    a legal start; the cover those re-plans open is left to the search. A row that cannot be made legal
    is kept as it is (the search then proves and explains the clash). `det_time` per person keeps it
    deterministic; `seconds` of wall time in all is a guard for a loaded machine."""
    bad = sorted({v.person for v in check(P, start, conds) if v.hard})
    if not bad:
        return start
    t_end = time.perf_counter() + seconds
    index = {p.id: i for i, p in enumerate(P.persons)}
    relaxed = [dataclasses.replace(c, min=0, preferred=max(c.min, c.preferred)) for c in P.cover]
    out = dict(start)
    for pid in bad:
        if t_end - time.perf_counter() < 0.2:
            break
        pi = index[pid]
        row = {(pid, d): (P.shifts[start[pi, d]].code if (pi, d) in start else None) for d in range(P.days)}
        Q = dataclasses.replace(P, persons=[P.persons[pi]], cover=relaxed,
                                rules=[*P.rules, KeepPrevious(id="_start", weight=weight, cells=row)])
        r = solve(Q, time_limit=t_end - time.perf_counter(), workers=1, diagnose=False, det_time=det_time,
                  hint={(0, d): s for (q, d), s in start.items() if q == pi})
        if r.status in ("OPTIMAL", "FEASIBLE") and not any(v.hard for v in check(Q, r.assignment)):
            out = {k: s for k, s in out.items() if k[0] != pi}
            out.update({(pi, d): s for (_, d), s in r.assignment.items()})
    return out
