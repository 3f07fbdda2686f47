"""One attempt of a group's search: a staffing (heads, position sizes, night split) as a roster problem
with weekend teams, solved, and its roster judged.

The attempt's question: a roster with full minimum cover, every contract within its tolerance and every
hard rule, inside the attempt's weekend teams and night split. One CP-SAT model (cover and contracts as
penalties, soft rules left out), asked twice (``cpsat.solve``'s ``exact_first``):

1. exact: the model with open cover and contract deviation fixed at 0, for at most ``EXACT_SHARE`` of the
   attempt's time and ``EXACT_DET`` deterministic seconds. A solution is a legal roster; INFEASIBLE proves
   the attempt impossible. CP-SAT's first-solution local search (feasibility jump) answers most attempts
   this way in well under a second of search, and it proves impossible staffings the penalised model
   cannot (sykehjem, FAFO model 3, assistent group with one full-time position: 0,2-0,4 deterministic
   seconds, where the penalised model took 46 s to prove the same).
2. penalised: the search proper, from the start roster, in the time left: every roster is a solution, so
   it improves step by step where the exact question finds nothing in its share (the night-split groups
   of FAFO models 1 and 5); its best roster is the attempt's diagnosis and the start of its next run, and
   OPTIMAL with open cover or a missed contract proves the attempt impossible too.
The exact stage runs until an attempt has had its ``EXACT_DET`` (the caller's choice; on a busy machine
the clock may cut the first short): a later run goes on from the penalised search's roster.

The large-neighbourhood search of `leon roster build` (models/roster/lns.py) is not used here. Measured
on ten attempts of the FAFO models (6-40 people, from the same greedy start, 20 s each): it closed 8 of
10 in 0,9-17 s where the whole CP-SAT model closed 9 in 0,9-5,8 s, and beside two busy processes 4
where CP-SAT closed 8; each of its sub-solves (2-4 people, or a group over 7-14 days) builds a
model of its own and costs 0,5-1,5 s here.
"""
from __future__ import annotations

import dataclasses
import math
import time

from models.roster import cpsat as M
from planner.roster.audit import audit

EXACT_SHARE = 1 / 4   # of the attempt's wall time, at most
EXACT_DET = 1.0       # CP-SAT deterministic seconds, at most
# cover and contracts only (soft rules are audited, not optimised): a roster with full cover and contracts
# met has objective 0 = the bound, so CP-SAT stops there by itself
WEIGHTED = M.Weights(fairness=0, overcover=0, max_over=0, contract_soft=25, soft_rule=0)


def build(P: M.Problem, g: str, cycle: int, wsets: list, nights: list[int], sizes: list[float],
          night_ok: set[int]) -> tuple[M.Problem, dict[int, set]]:
    """The attempt's problem (one person per position, fixed sizes) and its decomposition as ``forbid``:
    person i works only the weekends of team i mod cycle, and nights only when in ``night_ok``."""
    n = len(sizes)
    persons = [M.Person(f"{g[:3]}{i + 1:02d}", g, sizes[i], weekend_cycle=cycle) for i in range(n)]
    forbid = {i: {sl for w, st in enumerate(wsets) if w % cycle != i % cycle for sl in st} for i in range(n)}
    for i in range(n):
        if i not in night_ok:
            forbid[i] |= {(d, s) for d in range(P.days) for s in nights}
    return dataclasses.replace(P, persons=persons, substitutes={}), forbid


def build_free(P: M.Problem, g: str, cycle: int, sizes: list[float], full: int, mp: float, tol: int,
               proof: bool = False) -> tuple[M.Problem, list[M.Cond], list[M.Cond]]:
    """The attempt with part-time sizes left free and no weekend teams. Each part-time position's contract
    becomes a range of planned minutes (``free_range``) and its size is set afterwards from the minutes
    its roster plans (``fit_sizes``), so the contracts still add up to the cover; ``sizes`` (the planned
    ones) only guide the greedy start. Returns the problem and its rule conditions: with the planned
    sizes (for the start), and with the free ranges (for the solver)."""
    persons = [M.Person(f"{g[:3]}{i + 1:02d}", g, x, weekend_cycle=cycle) for i, x in enumerate(sizes)]
    Q = dataclasses.replace(P, persons=persons, substitutes={})
    f = sum(1 for x in sizes if x >= 100)
    ft_tol, shift = _full_time_slack(len(sizes), f, tol, proof)
    planned = M.all_conditions(Q)
    conds: list[M.Cond] = []
    for c in planned:
        p = Q.persons[c.person]
        if isinstance(c, M.Contract) and p.percent < 100:
            lo, hi = free_range(full, mp, tol, proof, shift)
            # target = per_percent x percent: the middle of the range, within half its width (a proof's
            # range rounds out, a roster's in)
            half = math.ceil((hi - lo) / 2) if proof else (hi - lo) // 2
            c = dataclasses.replace(c, per_percent=(lo + hi) / 2 / p.percent, tolerance=half,
                                    detail=f"{{value}} h planned, free part-time size: {lo / 60:.1f}-{hi / 60:.1f} h")
        elif isinstance(c, M.Contract):
            c = dataclasses.replace(c, tolerance=ft_tol)
        conds.append(c)
    return Q, planned, conds


ROUNDING = 7   # minutes: a size in 0,1 % steps is within 0,05 % of full time of the minutes (6,4 min for 6 weeks)


def _full_time_slack(n: int, f: int, tol: int, proof: bool) -> tuple[int, float]:
    """(the full-time positions' tolerance, the most a part-time contract moves off its planned minutes).
    The part-time contracts take up the full-time positions' minutes off 100 % in equal shares, each
    within its own tolerance: with more full-time than part-time positions the full-time ones keep
    closer to 100 %. A proof keeps every tolerance whole (it must allow every roster)."""
    if proof or f == 0 or n == f:
        return tol, 0.0
    ft_tol = min(tol, (n - f) * (tol - ROUNDING) // f)
    return ft_tol, f * ft_tol / (n - f)


def free_range(full: int, mp: float, tol: int, proof: bool, shift: float = 0.0) -> tuple[int, int]:
    """The minutes a free part-time position may plan. To build a roster: from ``mp`` % to just under
    full time (99,9 %), ``shift`` inside at both ends (the share of the full-time positions' minutes off
    100 % its contract may take up), so the size fitted to its minutes is a part-time size of at least
    ``mp``. For a proof (``proof``): every number of minutes some part-time size from ``mp`` % up to
    100 % allows within the tolerance, so a staffing impossible with these ranges is impossible with any
    sizes."""
    if proof:
        return math.floor(mp * full / 100 - tol), math.ceil(full + tol)
    return math.ceil(mp * full / 100 + shift), math.floor(0.999 * full - shift)


def fit_sizes(Q: M.Problem, asg: dict, full: int) -> M.Problem:
    """The free attempt's problem with each part-time size set from the minutes its roster plans (0,1 %
    steps): those minutes plus an equal share of the full-time positions' minutes above 100 %, so the
    contracts add up to the minutes planned, which are the cover's."""
    minutes = [0] * len(Q.persons)
    for (pi, _d), s in asg.items():
        minutes[pi] += Q.shifts[s].work_minutes
    ft = [i for i, p in enumerate(Q.persons) if p.percent >= 100]
    pt = len(Q.persons) - len(ft)
    share = sum(minutes[i] - full for i in ft) / pt if pt else 0.0
    persons = [p if p.percent >= 100 else dataclasses.replace(p, percent=round(100 * (minutes[i] + share) / full, 1))
               for i, p in enumerate(Q.persons)]
    return dataclasses.replace(Q, persons=persons)


def solve(Q: M.Problem, hint: dict, forbid: dict, give: float, det: float | None, seed: int, progress,
          exact_stage: bool, conds: list[M.Cond] | None = None) -> tuple[M.Result, str, dict]:
    """The attempt's stages within ``give`` wall seconds (and ``det`` deterministic ones, when given), on
    one CP-SAT model: (result, the stage it comes from, timings). The exact stage runs only with
    ``exact_stage``; an INFEASIBLE answer of it comes back as status INFEASIBLE. ``conds``: the rule
    conditions, when not the problem's own (``build_free``)."""
    t0 = time.perf_counter()
    first = None
    if exact_stage:
        first = (EXACT_DET if det is None else min(EXACT_DET, EXACT_SHARE * det), EXACT_SHARE * give)
    r = M.solve(Q, time_limit=max(0.1, give), weights=WEIGHTED, progress=progress, diagnose=False, hint=hint,
                det_time=det, forbid=forbid, seed=seed, deadline=t0 + give, exact_first=first, conds=conds)
    times = {"search_s": round(r.wall_time, 2)}
    if r.exact == "infeasible":
        r.status = "INFEASIBLE"
    return r, "exact" if r.exact else "weighted", times


def judge(Q: M.Problem, conds: list, r: M.Result) -> tuple[int, int, dict | None, float]:
    """(open minimum-cover heads, hard violations, audit report or None, audit seconds) of the result's
    roster. A solver roster keeps every hard rule but the contracts (soft in the weighted stage): a quick
    count of open heads and contracts missed, and the full audit only for a roster that passes it, whose
    figures then count."""
    worked: list[set] = [set() for _ in Q.persons]
    for (pi, d), s in r.assignment.items():
        worked[pi].add((d, s))
    missed = sum(1 for c in conds if isinstance(c, M.Contract)
                 and M.evaluate(c, worked[c.person], Q.persons[c.person])[0])
    if r.shortfall or missed:
        return r.shortfall, missed, None, 0.0
    t = time.perf_counter()
    rep = audit(Q, r.assignment)
    return rep["summary"]["missing_shifts"], rep["summary"]["hard_violations"], rep, time.perf_counter() - t
