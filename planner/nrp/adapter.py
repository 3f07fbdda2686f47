"""The Curtois & Qu nurse-rostering format as one more input to the product's roster engine.

``to_product`` turns an ``NrpProblem`` into a roster ``Problem`` (an open horizon, one shift type per
benchmark shift, one group of staff) with the rules and ``Weights`` under which the product's objective
(``models.roster.score``) is the benchmark's: under- and over-cover at each slot's own weights, each
shift-on / shift-off request a soft wish at its weight, every other constraint hard. ``to_roster`` and
``to_assignment`` convert rosters both ways, so a roster the engine builds can be judged by the
benchmark's own evaluator (``planner.nrp.reader.evaluate``) rather than by the engine's claim.
The engine itself (``planner.roster.build.solve_problem``) is run by ``benchmarks/nrp.py --engine product``:
this package imports no planner package but ``planner.io``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from models.nrp.problem import OFF, NrpProblem, Roster
from models.roster import cpsat as M

GROUP = "staff"     # one group: anyone may fill any slot

# Every cover slot carries its own weights and every rule weight is the request's, so the product's
# defaults never apply; fairness is not part of the benchmark.
WEIGHTS = M.Weights(soft_rule=1, fairness=0)

Assignment = dict[tuple[int, int], int]


def to_product(problem: NrpProblem) -> M.Problem:
    ids = problem.shift_ids
    shifts = [M.ShiftType(code=ids[s], start=0, end=problem.shift_minutes[s] % M.DAY,
                          work_minutes=problem.shift_minutes[s], time="")
              for s in range(problem.n_shifts)]
    persons = [M.Person(id=e.id, group=GROUP, unavailable=e.days_off) for e in problem.employees]
    for r in problem.on_requests:
        p = persons[r.employee]
        p.wishes += ((r.day, ids[r.shift], r.weight),)
    for r in problem.off_requests:
        p = persons[r.employee]
        p.avoid += ((r.day, ids[r.shift], r.weight),)
    # every slot has a cover, open: a slot nobody asks for may still be worked (towards minimum
    # minutes or a run's minimum length), at its over-cover weight
    cover = [M.Cover(d, ids[s], GROUP, c.requirement, c.requirement, open=True,
                     under_weight=c.under_weight, over_weight=c.over_weight)
             for d in range(problem.horizon) for s, c in enumerate(problem.cover[d])]
    return M.Problem(days=problem.horizon, shifts=shifts, persons=persons, cover=cover,
                     rules=_rules(problem), cyclic=False)


def _rules(problem: NrpProblem) -> list[M.Rule]:
    """The benchmark's hard constraints as product rules, and its requests as soft wishes."""
    ids = problem.shift_ids
    rules: list[M.Rule] = [M.Availability(id="days off", source="CurtoisQu2014, SECTION_DAYS_OFF")]
    if problem.forbidden_next:
        pairs = tuple((ids[s], ids[t]) for s, t in sorted(problem.forbidden_next))
        rules.append(M.UnwantedPatterns(id="forbidden succession", source="CurtoisQu2014, SECTION_SHIFTS",
                                        patterns=pairs))
    rules += _contract_rules(problem)
    rules.append(M.Wishes(id="requests", hard=False, weight=1,
                          source="CurtoisQu2014, SECTION_SHIFT_ON_REQUESTS and SECTION_SHIFT_OFF_REQUESTS"))
    return rules


def _contract_rules(problem: NrpProblem) -> list[M.Rule]:
    """The staff's limits: a per-person limit becomes one rule per value, binding the people with it
    (a minimum run of 1 binds nobody)."""
    src = "CurtoisQu2014, SECTION_STAFF"
    out: list[M.Rule] = []
    for s, code in enumerate(problem.shift_ids):
        for k, people in _by_value(problem, lambda e, s=s: e.max_shifts[s]).items():
            out.append(M.ShiftLimit(id=f"max shifts {code}", source=src, codes=(code,), max=k, persons=people))
    for (lo, hi), people in _by_value(problem, lambda e: (e.min_minutes, e.max_minutes)).items():
        out.append(M.HorizonMinutes(id="total minutes", source=src, min_minutes=lo, max_minutes=hi,
                                    persons=people))
    for k, people in _by_value(problem, lambda e: e.max_consecutive_shifts).items():
        out.append(M.MaxConsecutive(id="max consecutive shifts", source=src, max=k, persons=people))
    for k, people in _by_value(problem, lambda e: e.min_consecutive_shifts).items():
        out += [M.MinConsecutive(id="min consecutive shifts", source=src, min=k, persons=people)] if k > 1 else []
    for k, people in _by_value(problem, lambda e: e.min_consecutive_days_off).items():
        out += [M.MinConsecutiveOff(id="min consecutive days off", source=src, min=k, persons=people)] if k > 1 else []
    for k, people in _by_value(problem, lambda e: e.max_weekends).items():
        out.append(M.MaxWeekends(id="max weekends", source=src, max=k, persons=people))
    return out


def _by_value(problem: NrpProblem, value) -> dict[Hashable, frozenset[str]]:
    """The employees' ids grouped by one of their contract values."""
    out: dict[Hashable, set[str]] = defaultdict(set)
    for e in problem.employees:
        out[value(e)].add(e.id)
    return {k: frozenset(v) for k, v in sorted(out.items())}


def to_roster(problem: NrpProblem, assignment: Assignment) -> Roster:
    """A product roster ({(person, day): shift}) as the benchmark's: a row per employee, OFF where free."""
    return [[assignment.get((e, d), OFF) for d in range(problem.horizon)] for e in range(len(problem.employees))]


def to_assignment(roster: Roster) -> Assignment:
    return {(e, d): s for e, row in enumerate(roster) for d, s in enumerate(row) if s != OFF}
