"""Heltid analysis: for a requirement, a rule set and roster models (weekend frequency, shift
lengths), how many heads are needed and how many of them can be full-time?

For each model:
1. arithmetic (the FAFO ideal-type reasoning of NOU 2023:4 Tabell 9.2): persons needed per weekend
   x weekend cycle = the fewest heads that can cover the weekends; weekly hours / norm = årsverk;
2. a roster at those bounds: position sizes from a whole-shift plan, weekend teams, nights for one
   person per team first, a greedy start repaired by CP-SAT under every hard rule; one full-time
   position less, then one head more, while no legal roster with full cover is found (``plan_group``);
3. the audit of that roster (same rule objects).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass
from pathlib import Path

from models.roster import cpsat as M
from planner.io.errors import InputError
from planner.io.loader import fail_at, load_file, read_yaml
from planner.roster.audit import audit
from planner.roster.rules import RuleSet, load_rules
from planner.roster.schema import RosterModelsFile
from planner.roster.setup import (
    Calendar,
    StaffFile,
    StaffMember,
    UnitView,
    cover_list,
    make_problem,
    shift_types,
)


@dataclass
class RosterModel:
    id: str
    name: str
    weekend_every: int
    weekday: str      # traditional | long
    weekend: str      # traditional | long
    source: str


@dataclass
class ModelsFile:
    path: Path
    rules: Path | None
    weeks: int
    min_position: int
    time_limit: float
    long_shift: dict
    models: list[RosterModel]
    skipped: list[dict]


def load_models(path: str | Path) -> ModelsFile:
    """A `kind: roster_models` file (format and bounds: planner/roster/schema.py)."""
    path = Path(path)
    spec: RosterModelsFile = load_file(path, "roster_models", RosterModelsFile)
    _, node = read_yaml(path)    # lines for the checks below

    def err(loc, problem, fix):
        fail_at(path, node, loc, problem, fix)

    rules = (path.parent / spec.rules).resolve() if spec.rules else None
    if rules is not None and not rules.is_file():
        err(("rules",), f"rule file {spec.rules!r} does not exist", "correct the path (relative to this file)")
    models, skipped, seen = [], [], set()
    for i, m in enumerate(spec.models):
        if m.id in seen:
            err(("models", i, "id"), f"duplicate model id {m.id!r}", "give every model its own id")
        seen.add(m.id)
        if m.skip:
            skipped.append({"id": m.id, "name": m.name or m.id, "reason": m.skip})
            continue
        we = m.weekend_every
        if spec.weeks and spec.weeks % we:
            err(("weeks",), f"{spec.weeks} weeks is not a multiple of model {m.id}'s weekend cycle {we}",
                f"use weeks: {math.lcm(spec.weeks, we)}")
        if "long" in (m.weekday, m.weekend) and spec.long_shift is None:
            err(("long_shift",), "a model uses long shifts but no long_shift is defined",
                'add long_shift: {code: L, start: "08:00", end: "20:30", paid_hours: 12}')
        models.append(RosterModel(m.id, m.name or m.id, we, m.weekday, m.weekend, m.source or ""))
    if not models:
        err(("models",), "no models to compare: every model is skipped", "add at least one model without skip:")
    ls = spec.long_shift.model_dump() if spec.long_shift else {}
    return ModelsFile(path, rules, spec.weeks, spec.min_position, float(spec.time_limit), ls, models, skipped)


def weekend_arithmetic(unit: UnitView, req: dict, model: RosterModel, norm: float, long_dk: bool) -> dict:
    """Persons per weekend and årsverk per group, and the fewest heads for the weekend cycle."""
    by = {s.id: s for s in unit.shifts}
    out = {}
    for g in unit.groups:
        helg = {t: 0.0 for t in ("dag", "kveld", "natt", "lang")}
        weekly = 0.0
        for sid, row in req.items():
            v = row.get(g, 0)
            v = v.get("min", 0) if isinstance(v, dict) else v
            s = by[sid]
            days = 5 if s.day_type == "hverdag" else 2
            weekly += math.ceil(v - 1e-6) * s.paid_hours * days
            if s.day_type == "helg":
                helg[s.time] += math.ceil(v - 1e-6)
        if long_dk:
            per_day = max(helg["dag"], helg["kveld"]) + helg["natt"] + helg["lang"]
        else:
            per_day = sum(helg.values())
        if weekly == 0:
            continue
        persons = per_day  # one person works both Saturday and Sunday of their weekend
        out[g] = {"persons_per_weekend": persons, "heads_min": int(model.weekend_every * persons),
                  "arsverk": weekly / norm}
    return out


def _weekend_persons(P: M.Problem, cycle: int) -> tuple[list[int], list[list]]:
    """Per weekend: the fewest persons that can cover it = the most heads on one calendar day among
    the slots inside the weekend window (one person works at most one shift a day)."""
    wsets = M.WeekendFrequency(id="_", cycle=cycle).weekend_sets(P)
    need = {(c.day, c.code): need_ for c, need_ in ((c, c.min) for c in P.cover)}
    out = []
    for st in wsets:
        per_day: dict[int, int] = {}
        seen = set()
        for d, s in st:
            for per in P.shifts[s].periods:
                k = (d, per)
                if k in need and k not in seen and P.shifts[s].code == per:
                    seen.add(k)
                    per_day[d] = per_day.get(d, 0) + need[k]
        out.append(max(per_day.values(), default=0))
    return out, wsets


def _sums(lengths: list[int], hi: int) -> list[bool]:
    """sums[v]: v minutes can be planned as whole shifts of these lengths (v <= hi)."""
    return list(_sums_cached(tuple(lengths), hi))


@functools.lru_cache(maxsize=64)
def _sums_cached(lengths: tuple[int, ...], hi: int) -> tuple[bool, ...]:
    # bit v of `reach` = v is a sum of these lengths; adding any number of one length doubles the shift
    mask = (1 << (hi + 1)) - 1
    reach = 1
    for L in lengths:
        step = L
        while step <= hi:
            reach |= (reach << step) & mask
            step *= 2
    bits = bin(reach)[2:].zfill(hi + 1)[::-1]
    return tuple(c == "1" for c in bits)


def _plan_hours(n: int, f: int, hours: int, full: int, tol: int, sums_of) -> tuple[list[float], list[int]] | None:
    """Position sizes for n heads, f of them full time, whose contracts add up to the cover hours and
    whose hours can be planned as whole shifts: planned minutes p_i (a sum of the person's shift
    lengths, ``sums_of(i)``) adding up exactly to the cover, full-time p_i within the tolerance of
    full time, part-time p_i as equal as whole shifts allow; each part-time contract is its p_i plus
    one common correction (so the contracts add up to the cover hours). None when no such plan exists.
    Equal sizes ignore that 7,5-hour shifts cannot make every contract: with one shift length a
    position has usually exactly one legal number of shifts, and the whole cover must still add up."""
    margin = 6  # minutes kept inside the tolerance for the rounding of sizes to 0,1 %
    pt = list(range(f, n))
    base = (hours - f * full) / max(1, n - f)
    if n - f and not 0 < base < full:
        return None

    def lo_hi(i):
        if i < f:
            return full - tol + margin, full + tol - margin
        return max(1, math.floor(base - 3 * tol)), min(full - 1, math.ceil(base + 3 * tol))

    dom = {}
    for i in range(n):
        lo, hi = lo_hi(i)
        ok = sums_of(i)
        dom[i] = [v for v in range(lo, min(hi, len(ok) - 1) + 1) if ok[v]]
        if not dom[i]:
            return None
    target = {i: (full if i < f else base) for i in range(n)}
    pos = {i: min(range(len(dom[i])), key=lambda k: (abs(dom[i][k] - target[i]), dom[i][k])) for i in range(n)}
    for _ in range(20 * n + 100):
        R = hours - sum(dom[i][pos[i]] for i in range(n))
        if R == 0:
            break
        step = 1 if R > 0 else -1
        best = None
        for i in range(n):
            k = pos[i] + step
            if not 0 <= k < len(dom[i]):
                continue
            v = dom[i][k]
            # smallest move first, keeping everyone near their target; never overshoot far
            key = (abs(R - (v - dom[i][pos[i]])) > abs(R), abs(v - target[i]) - abs(dom[i][pos[i]] - target[i]),
                   abs(v - dom[i][pos[i]]), i)
            if best is None or key < best[0]:
                best = (key, i, k)
        if best is None:
            return None
        pos[best[1]] = best[2]
    planned = [dom[i][pos[i]] for i in range(n)]
    if sum(planned) != hours:
        return None
    delta = ((hours - f * full) - sum(planned[i] for i in pt)) / max(1, len(pt))
    sizes = [100.0] * f + [round(100 * (planned[i] + delta) / full, 1) for i in pt]
    for i in range(n):
        if abs(sizes[i] * full / 100 - planned[i]) > tol - 1 or sizes[i] <= 0:
            return None
    return sizes, planned


def plan_group(P: M.Problem, g: str, cycle: int, norm: float, tol_h: float, mp: int, det_time: float | None,
               wall: float, progress=None, seed: int = 1, deadline: float | None = None,
               clock: dict | None = None, prior: dict | None = None) -> dict:
    """Largest number of full-time positions for one group under one roster model.

    Bound (arithmetic, valid for any roster): heads N >= max(person-weekends / weekends per person,
    hours / (full time + tolerance)); with N heads of which F full-time and the rest at least
    min_position, and contracts that add up to the cover hours: F x 100 + (N - F) x mp <= 100 x
    hours / (norm x weeks); the left side grows with N, so F <= F_ub(N_min). Whole shifts: a full-time
    position plans at most the largest sum of shift lengths within its tolerance (with only 7,5-hour
    shifts 210 of 213 h); part-time positions can absorb at most the tolerance each, so F x (full time
    - that sum) <= (N - F) x tolerance.

    Construction: N_min heads, F_ub of them full-time; planned hours per person as whole shifts that
    add up to the cover (``_plan_hours``); heads split into `cycle` weekend teams (team k works weekends
    k, k + cycle, ...); with night cover, nights only for one person per team (the largest positions)
    and day/evening shifts for the others, so their hours are multiples of the day shift and the plan's
    arithmetic holds; a greedy start roster is hinted to CP-SAT, which closes the rest under every
    rule. Then the same with everyone on every shift; then one full-time position less (up to 3
    times), then one head more. An attempt that reaches full cover and every contract stops at once
    (objective 0).

    Budget: the group stops after ``wall`` seconds or at ``deadline`` (a ``time.perf_counter()``
    instant), whichever comes first; ``det_time`` (CP-SAT deterministic seconds; None = the clock
    alone) is shared the same way. Each attempt gets what is left but a third, and but what the next
    attempt needs to run (the last, or one after which no other could run, all of it), less what the
    audit of its roster is expected to take; an
    attempt that could not be built and audited in the time left is not started (``clock``:
    {"rate": wall seconds per person for the rule conditions}, measured now and updated by each
    attempt; see ``_overhead``). ``log`` records each attempt: what it tried, what came of it and
    where its time went. ``prior``: this function's result from an earlier turn, to go on from: the
    attempts not yet ended, nearest the bounds first (in a small group each earlier run counts as a
    step away from them; in a large one an attempt with a roster to go on from comes first among
    equals), each from its last roster (else the greedy start), and one whose last run brought no
    better roster last; the result is ``prior``, brought up to date."""
    t0 = time.perf_counter()
    end = t0 + wall if deadline is None else min(t0 + wall, deadline)
    clock = clock if clock is not None else {"rate": _rate(P, cycle)}
    weeks = P.weeks
    hours_m = sum(c.min * P.shifts[P.shift_index[c.code]].work_minutes for c in P.cover)
    hours = hours_m / 60
    per_we, wsets = _weekend_persons(P, cycle)
    per_person = max(1, weeks // cycle)
    n_we = math.ceil(sum(per_we) / per_person - 1e-9)
    full_h = norm * weeks
    full_m, tol_m = round(full_h * 60), round(tol_h * 60)
    n_h = math.ceil(hours / (full_h + tol_h) - 1e-9)
    n_min = max(n_we, n_h, 1)
    codes = {c.code for c in P.cover if c.min > 0}
    used = [s for s, st in enumerate(P.shifts) if any(q in codes for q in st.periods)]
    nights = [s for s in used if P.shifts[s].time == "natt"]
    len_all = sorted({P.shifts[s].work_minutes for s in used})
    len_day = sorted({P.shifts[s].work_minutes for s in used if s not in nights})
    sums_all = _sums(len_all, full_m + tol_m)
    sums_day = _sums(len_day, full_m + tol_m) if len_day else [True] + [False] * (full_m + tol_m)
    cap_ft = max(v for v in range(full_m - tol_m, full_m + tol_m + 1) if sums_all[v]) \
        if any(sums_all[full_m - tol_m:]) else 0

    def f_ub(n):
        # contracts sum to the cover hours (the tolerance is for rounding, not for hidden hours)
        x = (100 * hours / full_h - n * mp) / (100 - mp)
        f = max(0, min(n, math.floor(x + 1e-9)))
        while f > 0 and f * (full_m - cap_ft) > (n - f) * tol_m:   # whole shifts
            f -= 1
        return f

    bound = {"heads_min": n_min, "heads_weekend": n_we, "heads_hours": n_h, "full_time_max": f_ub(n_min),
             "hours": round(hours, 1), "persons_per_weekend": max(per_we, default=0)}
    tries = []
    f = f_ub(n_min)
    while f >= 0 and len(tries) < 4:
        tries.append((n_min, f))
        f -= 1
    tries.append((n_min + 1, f_ub(n_min + 1)))
    # night split first (when the group has nights), then everyone on every shift
    splits = (True, False) if nights else (False,)
    attempts = [(n, f, split) for n, f in tries for split in splits]
    res = prior or {"bound": bound, "best": None, "attempts": len(attempts), "ended": {}, "runs": {},
                    "scores": {}, "rosters": {}, "log": [], "det_s": 0.0, "time_s": 0.0}
    ended, runs, scores = res["ended"], res["runs"], res["scores"]
    res["log"] = [a for a in res["log"] if not a["result"].startswith("not started")]   # said again if so

    def stalled(k):   # its last run found nothing better than the run before
        s = scores.get(k, [])
        return len(s) >= 2 and s[-1] >= s[-2]

    # the nearest the bounds first (the split and the mixed attempt of one staffing are equally near),
    # a stalled one last. A large group goes on from a roster it has before it starts an attempt as
    # near (building and a first roster cost it most, and its search gains run after run); in a small
    # group each run of an attempt counts as one step away from the bounds (a fresh start is cheap, and
    # a small group that does not close is more often stuck than slow)
    large = n_min > SMALL_GROUP

    def key(k):
        tier, r = k // len(splits), runs.get(k, 0)
        return (stalled(k), tier, k not in res["rosters"], r, k) if large else (stalled(k), tier + r, r, k)

    todo = sorted((k for k in range(len(attempts)) if k not in ended), key=key)
    det_used = 0.0
    exact = all(c.preferred <= c.min for c in P.cover)    # the objective is open cover and contracts alone
    for i, k in enumerate(todo):
        n, f, split = attempts[k]
        entry = {"attempt": k + 1, "heads": n, "full_time": f, "night_split": split}
        det_left = None if det_time is None else det_time - det_used
        if end - time.perf_counter() <= MIN_SEARCH or (det_left is not None and det_left <= 0.2):
            break
        sizes, night_ok = _sizes(P, n, f, split, cycle, nights, hours_m, full_m, tol_m, sums_all, sums_day,
                                 100 * hours / full_h)
        if sizes is None:
            ended[k] = "impossible"
            res["log"].append({**entry, "result": "impossible (whole shifts)"})
            continue
        t_a0 = time.perf_counter()
        left, cost = end - t_a0, _overhead(n, clock["rate"]) + MIN_SEARCH
        nxt = todo[i + 1] if i + 1 < len(todo) else None
        # a third is kept for the attempts after this one when the next one could search in it at least
        # twice as long as it takes to build; else this attempt gets it all (a later turn may go on)
        keep = left / 3 if nxt is not None else 0.0
        o = _overhead(attempts[nxt or 0][0], clock["rate"])
        if keep < max(3 * o, o + MIN_SEARCH) or left - keep < cost:
            keep = 0.0
        give = left - keep
        if give < 0.8 * cost:     # (the cost is an estimate: a little less may do)
            res["log"].append({**entry, "result": f"not started: {left:.1f} s left, about {cost:.1f} s needed to "
                               "build, search and audit it"})
            break
        persons = [M.Person(f"{g[:3]}{i_ + 1:02d}", g, sizes[i_], weekend_cycle=cycle) for i_ in range(n)]
        team = {i_: i_ % cycle for i_ in range(n)}
        forbid = {i_: {sl for w, st in enumerate(wsets) if w % cycle != team[i_] for sl in st} for i_ in range(n)}
        for i_ in range(n):
            if i_ not in night_ok:
                forbid[i_] |= {(d, s) for d in range(P.days) for s in nights}
        Q = dataclasses.replace(P, persons=persons, substitutes={})
        conds = M.all_conditions(Q)
        t_conds = time.perf_counter() - t_a0
        # the machine's load changes: half the latest measure (fixed costs counted as one more person)
        clock["rate"] = (clock["rate"] + t_conds / (n + 1)) / 2
        hint = res["rosters"].get(k) or M.construct(Q, forbid, top_up=False, conds=conds)
        entry["build_s"] = round(time.perf_counter() - t_a0, 2)
        if k in res["rosters"]:
            entry["from"] = "its last roster"
        # the audit afterwards takes about as long as the rule conditions did (measured just now)
        give = t_a0 + give - time.perf_counter() - (1.5 * t_conds + 0.05)
        # cover and contracts only (soft rules are audited, not optimised): a roster with full cover and
        # contracts met has objective 0 = the bound, so CP-SAT stops there by itself
        W = M.Weights(fairness=0, overcover=0, max_over=0, contract_soft=25, soft_rule=0)
        t_s = time.perf_counter()
        r = M.solve(Q, time_limit=max(0.1, give), weights=W, progress=progress, diagnose=False, hint=hint,
                    det_time=None if det_left is None else max(0.2, det_left / 2 if nxt is not None else det_left),
                    forbid=forbid, seed=seed + runs.get(k, 0), deadline=t_s + give)   # a new seed for a new run
        entry.update(solve_s=round(time.perf_counter() - t_s, 2), search_s=round(r.wall_time, 2),
                     det_s=round(r.det_time, 2))
        det_used += r.det_time
        runs[k] = runs.get(k, 0) + 1
        if not r.assignment:
            scores.setdefault(k, []).append((math.inf, math.inf))
            if r.status == "INFEASIBLE":
                ended[k] = "impossible"
            res["log"].append({**entry, "result": "proven impossible (solver)" if r.status == "INFEASIBLE" else
                               f"stopped by {r.stopped_by or 'the time limit'} before a first roster"})
            continue
        res["rosters"][k] = r.assignment
        # a solver roster keeps every hard rule but the contracts (soft in the search): a quick count of
        # open heads and contracts missed, and the full audit only for a roster that passes it
        worked: list[set] = [set() for _ in persons]
        for (pi, d), s in r.assignment.items():
            worked[pi].add((d, s))
        missed = sum(1 for c in conds if isinstance(c, M.Contract) and M.evaluate(c, worked[c.person], persons[c.person])[0])
        rep = None
        if r.shortfall == 0 and missed == 0:
            t_a = time.perf_counter()
            rep = audit(Q, r.assignment)
            entry["audit_s"] = round(time.perf_counter() - t_a, 2)
        cand = {"Q": Q, "asg": r.assignment, "rep": rep, "status": r.status, "heads": n, "full_time": f,
                "sizes": sizes, "attempt": k + 1, "night_split": split,
                "missing": rep["summary"]["missing_shifts"] if rep else r.shortfall,
                "hard": rep["summary"]["hard_violations"] if rep else missed}
        legal = rep is not None and cand["missing"] == 0 and cand["hard"] == 0
        scores.setdefault(k, []).append((cand["missing"], cand["hard"]))
        if legal:
            ended[k], result = "legal", "legal roster"
        elif r.status == "OPTIMAL" and exact:
            # the solver's best is proven, and open cover and contracts are all it weighs: no roster of this
            # attempt has full cover and every contract
            ended[k], result = "impossible", f"proven impossible (solver): at best {cand['missing']} shift-heads open"
        elif r.status == "OPTIMAL":
            # the optimum also weighs preferred cover, so it proves nothing, but a new run would find it again
            ended[k] = "searched"
            result = f"the solver's optimum (preferred cover weighed in) is not legal: {cand['missing']} shift-heads open"
        else:
            result = (f"stopped by {r.stopped_by or 'the time limit'}: {cand['missing']} shift-heads open, "
                      f"{cand['hard']} hard violations")
        res["log"].append({**entry, "result": result})
        b = res["best"]
        if b is None or (cand["missing"], cand["hard"], cand["attempt"]) < (b["missing"], b["hard"], b["attempt"]):
            res["best"] = cand
        if legal:
            break
    res["det_s"] += det_used
    res["time_s"] = round(res["time_s"] + time.perf_counter() - t0, 1)
    res["tried"] = len(set(runs) | set(ended))
    res["impossible"] = sum(1 for v in ended.values() if v == "impossible")
    return res


def _sizes(P, n, f, split, cycle, nights, hours_m, full_m, tol_m, sums_all, sums_day, cover_pct):
    """Position sizes for one attempt and who may work nights, or (None, _) when whole shifts rule the
    attempt out."""
    night_ok = set(range(n))
    if split:
        # one night person per weekend team, more when their hours cannot hold the nights
        night_h = sum(c.min * P.shifts[P.shift_index[c.code]].work_minutes for c in P.cover
                      if P.shift_index.get(c.code) in nights)
        for m_ in range(cycle, n + 1, cycle):
            night_ok = set(range(min(m_, n)))
            plan = _plan_hours(n, f, hours_m, full_m, tol_m, lambda i: sums_all if i in night_ok else sums_day)
            if plan and sum(plan[1][i] for i in night_ok) >= night_h:
                return plan[0], night_ok
        return None, night_ok
    plan = _plan_hours(n, f, hours_m, full_m, tol_m, lambda i: sums_all)
    if plan is not None:
        return plan[0], night_ok
    # no whole-shift plan: equal part-time sizes (the solver may still find one within tolerance)
    rest = cover_pct - 100 * f
    if n == f or rest / (n - f) > 100 + 1e-9:
        return ([100.0] * n if n == f else None), night_ok
    return [100.0] * f + [round(rest / (n - f), 1)] * (n - f), night_ok


MIN_SEARCH = 0.5   # wall seconds of search below which an attempt is not worth building
SMALL_GROUP = 12   # heads: a group this small starts an attempt afresh rather than go on with a stuck one


def _rate(P: M.Problem, cycle: int) -> float:
    """Wall seconds per person to derive the rule conditions on this machine, now: one person's (the
    better of two tries) holds fixed costs about as large as a person's, hence the half."""
    one = dataclasses.replace(P, persons=[M.Person("x", "x", 100.0, weekend_cycle=cycle)])
    best = math.inf
    for _ in range(2):
        t = time.perf_counter()
        M.all_conditions(one)
        best = min(best, time.perf_counter() - t)
    return best / 2


def _overhead(n: int, rate: float) -> float:
    """Wall seconds an attempt with n heads spends outside the search: its rule conditions, the greedy
    start, the solver's model and completed hint, the audit - measured, about 6 1/2 times the
    conditions of all n."""
    return 6.5 * n * rate + 0.2


def _long_cover(P: M.Problem, days_long: list[bool]) -> list[M.Cover]:
    """Long-shift models: on days with long shifts, min(dag, kveld) heads work L (day + evening in one
    shift) and the rest keep their traditional D or K shift; nights unchanged."""
    by: dict[tuple[int, str], dict[str, M.Cover]] = {}
    out = []
    for c in P.cover:
        if days_long[c.day] and c.code in ("D", "K"):
            by.setdefault((c.day, c.group), {})[c.code] = c
        else:
            out.append(c)
    for (d, g), cs in sorted(by.items()):
        a = cs["D"].min if "D" in cs else 0
        b = cs["K"].min if "K" in cs else 0
        lo = min(a, b)
        for code, v in (("L", lo), ("D", a - lo), ("K", b - lo)):
            if v > 0:
                out.append(M.Cover(d, code, g, v, v))
    return sorted(out, key=lambda c: (c.day, c.code, c.group))


def run_model(unit: UnitView, req: dict, rules: RuleSet, mf: ModelsFile, model: RosterModel,
              time_limit: float, progress=None, staff_template: StaffFile | None = None,
              det_time: float | None = None, rosters: dict | None = None, deadline: float | None = None,
              state: dict | None = None) -> dict:
    """One roster model: bounds, construction and audit per group, and the row's verdict.

    ``time_limit``: wall seconds for the model, building included; ``deadline``: a
    ``time.perf_counter()`` instant it never runs past (its share of a whole run); ``det_time``: CP-SAT
    deterministic seconds for the model (None: the clock alone decides). ``rosters``: when a dict is
    given, it receives {group: (problem, assignment)} of the roster behind each group's figures (for
    an independent audit). ``state``: a dict that keeps the model's search between calls; called
    again with it, the model goes on where it stopped (an attempt stopped by the clock continues from
    its best roster) instead of starting over."""
    t0 = time.perf_counter()
    end = t0 + time_limit if deadline is None else min(deadline, t0 + time_limit)
    st = state if state is not None else {}
    if not st:
        st.update(_setup(unit, req, rules, mf, model, det_time, checks=end > t0))
    st["spent"] = st.get("spent", 0.0)
    _search(st, mf, end, progress)
    st["spent"] += time.perf_counter() - t0
    st["budget"] = st.get("budget", 0.0) + max(0.0, end - t0)
    return _row(st, mf, rosters)


def _setup(unit: UnitView, req: dict, rules: RuleSet, mf: ModelsFile, model: RosterModel,
           det_time: float | None, checks: bool = True) -> dict:
    """Everything a model's search needs before it starts: one problem per group (with its cover
    size), the proof that the model cannot work if there is one, and the machine's pace now (these
    two only with ``checks``: a model whose time is up gets its bounds alone)."""
    t0 = time.perf_counter()
    norm = rules.norm_hours_per_week
    ch = rules.find(M.ContractHours)
    long_wd, long_we = model.weekday == "long", model.weekend == "long"
    extra = []
    if long_wd or long_we:
        ls = dict(mf.long_shift)
        ls.setdefault("time", "lang")
        ls["covers"] = [ls.get("code", "L")]
        ls["day_type"] = "all" if (long_wd and long_we) else ("helg" if long_we else "hverdag")
        extra.append(ls)
    arith = weekend_arithmetic(unit, req, model, norm, long_we)
    weeks = mf.weeks if mf.weeks else model.weekend_every * math.ceil(6 / model.weekend_every)
    row = {"model": model.id, "name": model.name, "weekend_every": model.weekend_every,
           "weekday": model.weekday, "weekend": model.weekend, "weeks": weeks,
           "heads_weekend_bound": sum(a["heads_min"] for a in arith.values()),
           "arsverk_needed": round(sum(a["arsverk"] for a in arith.values()), 2)}
    groups = list(arith)
    rs = list(rules.rules)
    if rules.find(M.WeekendFrequency) is None:
        rs.append(M.WeekendFrequency(id="weekend_frequency", cycle=model.weekend_every, source=model.source))
    problems, size = {}, {}
    for g in groups:
        greq = {sid: {g: row_[g]} for sid, row_ in req.items() if g in row_}
        sf = StaffFile(None, [StaffMember(f"{g[:3]}01", g, 100.0, model.weekend_every)], substitutes={})
        P = make_problem(unit, sf, RuleSet(None, "x", "x", rs, []), weeks, None, greq, True, extra)
        if long_wd or long_we:
            li = P.shift_index[extra[0].get("code", "L")]
            P.cover = _long_cover(P, [P.exists(d, li) for d in range(P.days)])
        problems[g], size[g] = P, sum(c.min for c in P.cover)
    # a proof that the model cannot work needs no search: a shift the cover needs that nobody may work
    proof = None
    if checks and groups:
        alone = _alone(problems[groups[0]], model.weekend_every)
        proof = next((f"{g}: {why}" for g in groups if (why := _unworkable(problems[g], alone))), None)
    return {"row": row, "groups": groups, "problems": problems, "size": size, "arith": arith, "proof": proof,
            "order": sorted(groups, key=lambda g: (size[g], g)), "cycle": model.weekend_every, "norm": norm,
            "tol_h": ch.tolerance_hours if ch else 0.0, "weeks": weeks, "results": {}, "det_left": det_time,
            "clock": {"rate": _rate(problems[groups[0]], model.weekend_every) if checks and groups else 0.0},
            "setup_s": time.perf_counter() - t0}


def _search(st: dict, mf: ModelsFile, end: float, progress) -> None:
    """The groups' searches until ``end``. Budget: shared over the groups, smallest cover first, so that
    what a quick group leaves goes to the larger ones after it; each group keeps a floor (building,
    searching and auditing one attempt of its size, ``_overhead``) and a share of the rest by heads of
    cover. Then a group still without a legal roster gets what the others left, and goes on where it
    stopped (``plan_group``'s ``prior``); so does every open group in a later turn of the model. A
    given ``det_time`` is shared by heads of cover alone."""
    size, arith, clock, results = st["size"], st["arith"], st["clock"], st["results"]

    def wall_for(g, pending):
        left = end - time.perf_counter()
        floor = {h: 1.15 * (_overhead(arith[h]["heads_min"], clock["rate"]) + MIN_SEARCH) for h in pending}
        if left <= sum(floor.values()):
            return max(0.0, min(left, floor[g]))      # short of time: what fits, smallest groups first
        rest = left - sum(floor.values())
        return floor[g] + rest * size[g] / max(1, sum(size[h] for h in pending))

    def det_for(g, pending):
        if st["det_left"] is None:
            return None
        return max(0.5, st["det_left"] * size[g] / max(1, sum(size[h] for h in pending)))

    def one(g, pending, prior=None):
        before = prior["det_s"] if prior else 0.0
        res = plan_group(st["problems"][g], g, st["cycle"], st["norm"], st["tol_h"], mf.min_position,
                         det_for(g, pending), 0.0 if st["proof"] else wall_for(g, pending), progress,
                         deadline=end, clock=clock, prior=prior)
        if st["det_left"] is not None:
            st["det_left"] = max(0.0, st["det_left"] - (res["det_s"] - before))
        return res

    for k, g in enumerate(st["order"]):
        if g not in results:
            results[g] = one(g, st["order"][k:])
    again = [g for g in st["order"] if _can_go_on(results[g])]
    for k, g in enumerate(again):
        if st["proof"] or (st["det_left"] is not None and st["det_left"] < 0.5):
            break
        results[g] = one(g, again[k:], results[g])


def _can_go_on(res: dict) -> bool:
    """A group without a legal roster that has an attempt not yet ended."""
    return not _legal(res) and len(res["ended"]) < res["attempts"]


def _row(st: dict, mf: ModelsFile, rosters: dict | None) -> dict:
    """The model's row: figures from the best roster of each group, withheld unless every group's is
    legal, and the verdict."""
    results, order, proof = st["results"], st["order"], st["proof"]
    row = dict(st["row"])
    persons, loads, hard, soft, missing, by_group, statuses = [], [], 0, 0, 0, {}, []
    heads_lb = ft_ub = 0
    hours_tot = 0.0
    for g in order:
        res = results[g]
        b, best = res["bound"], res["best"]
        heads_lb += b["heads_min"]
        ft_ub += b["full_time_max"]
        hours_tot += b["hours"]
        if best is None:
            statuses.append("UNKNOWN")
            by_group[g] = {"status": "UNKNOWN", "bound": b, "time_s": res["time_s"], "attempts": res["log"]}
            continue
        statuses.append("OK" if _legal(res) else "OPEN")
        rep, Q = best["rep"], best["Q"]
        if rosters is not None:
            rosters[g] = (Q, best["asg"])
        persons += Q.persons
        if rep is not None:      # audited: every legal roster (the figures come from these alone)
            loads += [v["weekend_shifts"] for v in rep["load"].values()]
            soft += rep["summary"]["soft_violations"]
        hard += best["hard"]
        missing += best["missing"]
        by_group[g] = {"status": statuses[-1], "heads": best["heads"], "full_time": best["full_time"],
                       "positions": sorted(best["sizes"], reverse=True), "attempt": best["attempt"],
                       "night_split": best["night_split"], "missing": best["missing"],
                       "hard_violations": best["hard"], "bound": b, "time_s": res["time_s"],
                       "det_s": round(res["det_s"], 1),
                       "below_min_position": any(0 < x < mf.min_position for x in best["sizes"]),
                       "attempts": res["log"]}
    by_group = {g: by_group[g] for g in st["groups"] if g in by_group}
    pct = [p.percent for p in persons]
    n = max(1, len(pct))
    ft = sum(1 for x in pct if x >= 100)
    legal = not proof and all(s == "OK" for s in statuses)
    row.update(
        status="OK" if legal else "NOT_FOUND",
        heads=len(pct), heads_bound=heads_lb, full_time_bound=ft_ub,
        proven=legal and all(by_group[g].get("full_time") == by_group[g]["bound"]["full_time_max"]
                             and by_group[g].get("heads") == by_group[g]["bound"]["heads_min"] for g in by_group),
        arsverk=round(sum(pct) / 100, 2), arsverk_cover=round(hours_tot / (st["norm"] * st["weeks"]), 2),
        full_time=ft, full_time_share=round(ft / n, 3), average_position=round(sum(pct) / n, 1),
        weekend_shifts_per_person=round(sum(loads) / n, 2),
        violations=hard, soft_violations=soft, missing_shifts=missing, by_group=by_group,
        det_time_s=round(sum(r["det_s"] for r in results.values()), 1),
        budget_s=round(st["budget"], 1), setup_s=round(st["setup_s"], 2), time_s=round(st["spent"], 1))
    row.update(outcome_row(row, results, order, proof))
    if not legal:
        # no legal roster with full cover: the figures would describe an illegal roster (or none), so
        # they are withheld (by_group keeps the best attempt for diagnosis)
        row.update(heads=None, arsverk=None, full_time=None, full_time_share=None, average_position=None,
                   weekend_shifts_per_person=None)
    return row


def _legal(res: dict) -> bool:
    b = res["best"]
    return b is not None and b["missing"] == 0 and b["hard"] == 0


def _alone(P: M.Problem, cycle: int) -> tuple[M.Person, dict]:
    """For one generic person of the model: {slot: hard conditions that this one shift breaks on its own}
    - conditions that more work can only break more (a length cap, a count of zero, a pattern of work
    only), so whoever works that shift breaks them, whatever else the roster holds. The conditions of
    a person do not depend on the group, so one index serves every group of a model."""
    p = M.Person("x", "x", 100.0, weekend_cycle=cycle)
    out: dict[tuple[int, int], list] = {}
    for c in M.all_conditions(dataclasses.replace(P, persons=[p], substitutes={})):
        if not c.hard:
            continue
        if isinstance(c, M.Linear) and c.lo is None and c.hi is not None and all(k >= 0 for _, k in c.terms):
            hit = [sl for sl, k in c.terms if k > c.hi]
        elif isinstance(c, M.CountAny):
            hit = [sl for st in c.sets for sl in st] if c.hi < 1 else []
        elif isinstance(c, M.Pattern) and c.elems and all(want for _, want in c.elems):
            hit = set(c.elems[0][0]).intersection(*(st for st, _ in c.elems[1:]))
        else:
            hit = []       # a contract can be broken by too little work as well
        for sl in hit:
            out.setdefault(sl, []).append(c)
    return p, out


def _unworkable(P: M.Problem, alone: tuple[M.Person, dict]) -> str | None:
    """A proof that a group's cover cannot be met by any roster, whatever its heads and positions: a
    (day, period) the cover needs where every shift that could fill it breaks a hard rule on its own
    (``_alone``; a shift longer than the law allows, say). One sentence naming the shift, the rule and
    how many of the days that need it are ruled out; None when there is none."""
    p, by_slot = alone
    dead, needed = [], sorted({(c.day, c.code) for c in P.cover if c.min > 0})
    for d, code in needed:
        why = None
        for s, st in enumerate(P.shifts):
            if code not in st.periods or not P.exists(d, s):
                continue
            if (d, s) not in by_slot:
                break      # this shift can be worked here
            why = why or (s, by_slot[d, s][0])
        else:
            if why is not None:
                dead.append((d, code, *why))
    if not dead:
        return None
    d, code, s, c = dead[0]
    n_dead = sum(1 for x in dead if x[1] == code)
    n_need = sum(1 for x in needed if x[1] == code)
    return (f"nobody may work {code} on {n_dead} of the {n_need} days its cover needs it: "
            f"{M.evaluate(c, {(d, s)}, p)[1]} (hard rule {c.rule})")


def outcome_row(row: dict, results: dict, order: list[str], proof: str | None = None) -> dict:
    """A row's verdict: ``proven`` (a legal roster at both arithmetic bounds: optimal for the model's
    question), ``feasible`` (legal, with its gap to the bounds), ``infeasible`` (proven: the model
    cannot work, a finding about it) or ``none_found_in_time`` (no legal roster within the limits: not a
    finding)."""
    if proof:
        return {"outcome": "infeasible", "outcome_reason": proof}
    if row["status"] == "OK":
        if row["proven"]:
            return {"outcome": "proven", "outcome_reason": "a legal roster with full cover at both arithmetic "
                    "bounds (fewest heads, most full-time positions)"}
        # did an attempt nearer the bounds than the one taken end without a proof (time ran out)?
        timed = any(k not in results[g]["ended"] for g in order for k in range(results[g]["best"]["attempt"] - 1))
        return {"outcome": "feasible", "outcome_reason":
                f"legal; gap to the bounds: {row['heads'] - row['heads_bound']} head(s) above the fewest, "
                f"{row['full_time_bound'] - row['full_time']} full-time position(s) below the most; "
                + ("a staffing nearer the bounds ran out of time (a longer --time-limit may close the gap)"
                   if timed else "the staffings nearer the bounds ended without a legal roster with the search's "
                   "weekend teams (a roster outside them may exist)")}
    open_ = [g for g in order if not _legal(results[g])]
    if all(len(results[g]["ended"]) >= results[g]["attempts"] for g in open_):
        # the search tried everything it tries: not a timeout, but not a finding about the model either
        return {"outcome": "none_found_in_time", "outcome_reason": "; ".join(
            f"{g}: each of the {results[g]['attempts']} staffings the search tries ({results[g]['bound']['heads_min']}"
            f" to {results[g]['bound']['heads_min'] + 1} heads) ended without a legal roster with its weekend teams "
            f"({results[g]['impossible']} proven impossible)" for g in open_)
            + " - not a proof about the model (a roster with more heads may exist)"}

    def best(g):
        b = results[g]["best"]
        return "no roster yet" if b is None else f"best: {b['missing']} shift-heads open, {b['hard']} hard violations"

    return {"outcome": "none_found_in_time", "outcome_reason":
            f"no legal roster within the model's {row['budget_s']:g} s for "
            + ", ".join(f"{g} ({best(g)})" for g in open_) + " - a timeout, not a proof; give a longer --time-limit "
            "(shared by the models, each at most the models file's time_limit:)"}


def run(unit: UnitView, req: dict, mf: ModelsFile, rules: RuleSet | None = None, time_limit: float | None = None,
        progress=None, det_time: float | None = None, deadline: float | None = None, done=None) -> dict:
    """Every model of the file. ``time_limit``: wall seconds for all of them together (default: the
    file's time_limit per model), or ``deadline``, a ``time.perf_counter()`` instant. Each model gets a
    share of the time left when it starts, by its heads bound (the size of its rosters), at most the
    file's time_limit: per model; smallest models first, so the time a quick model leaves goes to the
    larger ones. Time still left at the end goes to the models without a legal roster, which go on
    where they stopped. The rows keep the file's order. ``det_time``: CP-SAT deterministic seconds per
    model (None: the clock alone). ``done(row)`` is called as each model ends a turn."""
    t0 = time.perf_counter()
    if rules is None:
        if mf.rules is None:
            raise InputError(mf.path, "rules", "no worktime rules given", "add rules: ../rules/ks.yaml to the models file")
        rules = load_rules(mf.rules)
    if deadline is None:
        deadline = t0 + (time_limit if time_limit is not None else mf.time_limit * len(mf.models))
    size = {m.id: sum(a["heads_min"] for a in weekend_arithmetic(unit, req, m, rules.norm_hours_per_week,
                                                                   m.weekend == "long").values()) for m in mf.models}
    states: dict[str, dict] = {m.id: {} for m in mf.models}
    rows: dict[str, dict] = {}
    turn = sorted(mf.models, key=lambda m: (size[m.id], m.id))
    for first in (True, False, False):   # a turn for every model, then up to two for those left open
        for k, m in enumerate(turn):
            left = deadline - time.perf_counter()
            if not first and left < MIN_SEARCH:
                break
            share = left * size[m.id] / max(1, sum(size[x.id] for x in turn[k:]))
            cap = mf.time_limit - states[m.id].get("budget", 0.0)
            if not first:
                # a further turn gets at least what it needs to be worth it, when that is left
                need = _turn_cost(states[m.id])
                if min(left, cap) < need:
                    continue      # too little to build and search even its smallest open group
                share = max(share, need)
            share = max(0.0, min(share, cap))
            cb = (lambda o, b, t, _m=m: progress(_m.id, o, b, t)) if progress else None
            rows[m.id] = run_model(unit, req, rules, mf, m, share, cb, det_time=det_time, deadline=deadline,
                                   state=states[m.id])
            if done:
                done(rows[m.id])
        turn = [m for m in turn if rows[m.id]["outcome"] == "none_found_in_time" and _open(states[m.id])
                and states[m.id]["budget"] < mf.time_limit - MIN_SEARCH]
        if not turn or deadline - time.perf_counter() < MIN_SEARCH:
            break
    return {"unit": unit.id, "rules": rules.id, "weeks": mf.weeks, "norm_hours_per_week": rules.norm_hours_per_week,
            "min_position": mf.min_position, "time_limit_s": round(deadline - t0, 1),
            "time_s": round(time.perf_counter() - t0, 1), "models": [rows[m.id] for m in mf.models],
            "skipped": mf.skipped}


def _turn_cost(st: dict) -> float:
    """Wall seconds a further turn needs to be worth it: its smallest open group built, searched as long
    as building took, and audited."""
    return min(2 * _overhead(r["bound"]["heads_min"], st["clock"]["rate"]) + MIN_SEARCH
               for r in st["results"].values() if _can_go_on(r))


def _open(st: dict) -> bool:
    """A model whose search can go on: no proof against it and a group with an attempt left."""
    return not st["proof"] and any(_can_go_on(r) for r in st["results"].values())


__all__ = ["load_models", "run", "run_model", "weekend_arithmetic", "Calendar", "cover_list", "shift_types"]
