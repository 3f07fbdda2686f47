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
import math
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
    ok = [False] * (hi + 1)
    ok[0] = True
    for v in range(1, hi + 1):
        ok[v] = any(v >= L and ok[v - L] for L in lengths)
    return ok


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


def plan_group(P: M.Problem, g: str, cycle: int, norm: float, tol_h: float, mp: int, det_time: float,
               wall: float, progress=None, seed: int = 1, skip: int = 0, deadline: float | None = None) -> dict:
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
    times), then one head more. Each attempt gets half of the deterministic budget left (the last
    all of it); an attempt that reaches full cover and every contract stops at once (objective 0)."""
    import time as _time
    t0 = _time.monotonic()
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
    attempts = [(n, f, split) for n, f in tries for split in ((True, False) if nights else (False,))]
    best = None
    det_used = 0.0
    done = skip - 1
    impossible = 0   # attempts proven impossible: by the arithmetic of whole shifts, or by CP-SAT
    for k, (n, f, split) in enumerate(attempts):
        if k < skip:
            continue
        t_left = wall - (_time.monotonic() - t0)
        if deadline is not None:
            t_left = min(t_left, deadline - _time.perf_counter())
        det_left = det_time - det_used
        if t_left <= 0.5 or det_left <= 0.2:
            break
        night_ok = set(range(n))
        plan = None
        if split:
            # one night person per weekend team, more when their hours cannot hold the nights
            night_h = sum(c.min * P.shifts[P.shift_index[c.code]].work_minutes for c in P.cover
                          if P.shift_index.get(c.code) in nights)
            for m_ in range(cycle, n + 1, cycle):
                night_ok = set(range(min(m_, n)))
                plan = _plan_hours(n, f, hours_m, full_m, tol_m,
                                   lambda i: sums_all if i in night_ok else sums_day)
                if plan and sum(plan[1][i] for i in night_ok) >= night_h:
                    break
                plan = None
        else:
            plan = _plan_hours(n, f, hours_m, full_m, tol_m, lambda i: sums_all)
        if plan is None:
            if split:
                done, impossible = k, impossible + 1
                continue
            # no whole-shift plan: equal part-time sizes (the solver may still find one within tolerance)
            rest = 100 * hours / full_h - 100 * f
            if n > f and rest / (n - f) > 100 + 1e-9:
                done, impossible = k, impossible + 1
                continue
            sizes = [100.0] * f + [round(rest / (n - f), 1)] * (n - f)
        else:
            sizes = plan[0]
        persons = [M.Person(f"{g[:3]}{i + 1:02d}", g, sizes[i], weekend_cycle=cycle) for i in range(n)]
        team = {i: i % cycle for i in range(n)}
        forbid = {i: {sl for w, st in enumerate(wsets) if w % cycle != team[i] for sl in st} for i in range(n)}
        for i in range(n):
            if i not in night_ok:
                forbid[i] |= {(d, s) for d in range(P.days) for s in nights}
        Q = dataclasses.replace(P, persons=persons, substitutes={})
        conds = M.all_conditions(Q)
        hint = M.construct(Q, forbid, top_up=False, conds=conds)
        # cover and contracts only (soft rules are audited, not optimised): a roster with full cover and
        # contracts met has objective 0 = the bound, so CP-SAT stops there by itself
        W = M.Weights(fairness=0, overcover=0, max_over=0, contract_soft=25, soft_rule=0)
        last = k == len(attempts) - 1
        r = M.solve(Q, time_limit=t_left, weights=W, progress=progress, diagnose=False, hint=hint,
                    det_time=max(0.2, det_left if last else det_left / 2), forbid=forbid, seed=seed,
                    deadline=deadline)
        det_used += r.det_time
        done = k
        if r.status not in ("OPTIMAL", "FEASIBLE"):
            impossible += r.status == "INFEASIBLE"
            continue
        rep = audit(Q, r.assignment)
        cand = {"Q": Q, "asg": r.assignment, "rep": rep, "status": r.status, "heads": n, "full_time": f,
                "sizes": sizes, "attempt": k + 1, "night_split": split, "missing": rep["summary"]["missing_shifts"],
                "hard": rep["summary"]["hard_violations"]}
        if best is None or (cand["missing"], cand["hard"]) < (best["missing"], best["hard"]):
            best = cand
        if cand["missing"] == 0 and cand["hard"] == 0:
            break
    return {"bound": bound, "best": best, "attempts": len(attempts), "tried": done + 1, "impossible": impossible,
            "time_s": round(_time.monotonic() - t0, 1), "det_s": det_used}


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
              det_time: float | None = None, rosters: dict | None = None) -> dict:
    """One roster model: bounds, construction and audit per group. ``rosters``: when a dict is given,
    it receives {group: (problem, assignment)} of the roster behind each group's figures (for an
    independent audit)."""
    import time as _time
    t0 = _time.monotonic()
    norm = rules.norm_hours_per_week
    ch = rules.find(M.ContractHours)
    tol_h = ch.tolerance_hours if ch else 0.0
    wf = rules.find(M.WeekendFrequency)
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
    groups = [g for g in arith]
    rs = list(rules.rules)
    if wf is None:
        rs.append(M.WeekendFrequency(id="weekend_frequency", cycle=model.weekend_every, source=model.source))
    persons, loads, hard, soft, missing, by_group, statuses = [], [], 0, 0, 0, {}, []
    heads_lb = ft_ub = 0
    hours_tot = 0.0
    # budget: det_time per model split over groups by size (deterministic); wall time guards
    weight = {}
    for g in groups:
        greq = {sid: {g: row_[g]} for sid, row_ in req.items() if g in row_}
        sf = StaffFile(None, [StaffMember(f"{g[:3]}01", g, 100.0, model.weekend_every)], substitutes={})
        P = make_problem(unit, sf, RuleSet(None, "x", "x", rs, []), weeks, None, greq, True, extra)
        if long_wd or long_we:
            li = P.shift_index[extra[0].get("code", "L")]
            P.cover = _long_cover(P, [P.exists(d, li) for d in range(P.days)])
        weight[g] = (P, sum(c.min for c in P.cover))
    # budget: `det_time` deterministic seconds per model (default 0,8 x the wall limit), shared over
    # the groups by heads of cover still to plan; a group that finishes early leaves its rest to the
    # next, and a group still without a legal roster then gets what the others left (its remaining
    # attempts). The wall limit only guards against a slow machine: each group may use all of it
    # but a little for the groups after it, so on a loaded machine the deterministic budget decides.
    det_left = det_time if det_time is not None else 0.8 * time_limit
    order = sorted(groups, key=lambda g: (-weight[g][1], g))
    results = {}

    deadline = _time.perf_counter() - (_time.monotonic() - t0) + time_limit   # the model's own wall limit

    def wall_for(k):
        return min(max(2.0, time_limit - (_time.monotonic() - t0) - 1.0 * (len(order) - k - 1)),
                   deadline - _time.perf_counter())

    for k, g in enumerate(order):
        P, w = weight[g]
        rest_w = max(1, sum(weight[h][1] for h in order[k:]))
        share = w / rest_w
        res = plan_group(P, g, model.weekend_every, norm, tol_h, mf.min_position, max(0.5, det_left * share),
                         wall_for(k), progress, deadline=deadline)
        det_left = max(0.0, det_left - res["det_s"])
        results[g] = res
    for g in order:
        res = results[g]
        best = res["best"]
        if (best is not None and best["missing"] == 0 and best["hard"] == 0) or res["tried"] >= res["attempts"] \
                or det_left < 0.5:
            continue
        more = plan_group(weight[g][0], g, model.weekend_every, norm, tol_h, mf.min_position, det_left,
                          wall_for(len(order) - 1), progress, skip=res["tried"], deadline=deadline)
        det_left = max(0.0, det_left - more["det_s"])
        res["det_s"] += more["det_s"]
        res["time_s"] = round(res["time_s"] + more["time_s"], 1)
        res["tried"] = more["tried"]
        res["impossible"] += more["impossible"]
        b2 = more["best"]
        if b2 is not None and (best is None or (b2["missing"], b2["hard"]) < (best["missing"], best["hard"])):
            res["best"] = b2
    for g in order:
        res = results[g]
        b, best = res["bound"], res["best"]
        heads_lb += b["heads_min"]
        ft_ub += b["full_time_max"]
        hours_tot += b["hours"]
        if best is None:
            statuses.append("UNKNOWN")
            by_group[g] = {"status": "UNKNOWN", **b}
            continue
        statuses.append("OK" if best["missing"] == 0 and best["hard"] == 0 else "OPEN")
        rep, Q = best["rep"], best["Q"]
        if rosters is not None:
            rosters[g] = (Q, best["asg"])
        persons += Q.persons
        loads += [v["weekend_shifts"] for v in rep["load"].values()]
        hard += rep["summary"]["hard_violations"]
        soft += rep["summary"]["soft_violations"]
        missing += rep["summary"]["missing_shifts"]
        by_group[g] = {"status": statuses[-1], "heads": best["heads"], "full_time": best["full_time"],
                       "positions": sorted(best["sizes"], reverse=True), "attempt": best["attempt"],
                       "night_split": best["night_split"], "missing": best["missing"],
                       "hard_violations": best["hard"], "bound": b, "time_s": res["time_s"],
                       "det_s": round(res["det_s"], 1),
                       "below_min_position": any(0 < x < mf.min_position for x in best["sizes"])}
    by_group = {g: by_group[g] for g in groups if g in by_group}
    pct = [p.percent for p in persons]
    n = max(1, len(pct))
    ft = sum(1 for x in pct if x >= 100)
    legal = all(s == "OK" for s in statuses)
    row.update(
        status="OK" if legal else "NOT_FOUND",
        heads=len(pct), heads_bound=heads_lb, full_time_bound=ft_ub,
        proven=legal and all(by_group[g].get("full_time") == by_group[g]["bound"]["full_time_max"]
                             and by_group[g].get("heads") == by_group[g]["bound"]["heads_min"] for g in by_group),
        arsverk=round(sum(pct) / 100, 2), arsverk_cover=round(hours_tot / (norm * weeks), 2),
        full_time=ft, full_time_share=round(ft / n, 3), average_position=round(sum(pct) / n, 1),
        weekend_shifts_per_person=round(sum(loads) / n, 2),
        violations=hard, soft_violations=soft, missing_shifts=missing, by_group=by_group,
        det_time_s=round((det_time if det_time is not None else 0.8 * time_limit) - det_left, 1),
        time_s=round(_time.monotonic() - t0, 1))
    row.update(outcome_row(row, results, order))
    if not legal:
        # no legal roster with full cover within the budget: the figures would describe an illegal
        # roster, so they are withheld (by_group keeps the best attempt for diagnosis)
        row.update(heads=None, arsverk=None, full_time=None, full_time_share=None, average_position=None,
                   weekend_shifts_per_person=None)
    return row


def outcome_row(row: dict, results: dict, order: list[str]) -> dict:
    """A row's verdict: ``proven`` (a legal roster at both arithmetic bounds), ``feasible`` (legal, with its
    distance from the bounds), ``infeasible`` (every staffing tried for some group was proven impossible -
    a finding about this model) or ``none_found_in_time`` (a timeout, not a proof)."""
    if row["status"] == "OK":
        if row["proven"]:
            return {"outcome": "proven", "outcome_reason": "reaches both arithmetic bounds, full cover, no hard "
                    "violation"}
        return {"outcome": "feasible", "outcome_reason":
                f"legal; gap to the bounds: {row['heads'] - row['heads_bound']} head(s) above the fewest, "
                f"{row['full_time_bound'] - row['full_time']} full-time position(s) below the most"}
    dead = [g for g in order if results[g]["best"] is None and results[g]["attempts"] > 0
            and results[g]["tried"] >= results[g]["attempts"] and results[g]["impossible"] >= results[g]["attempts"]]
    if dead:
        return {"outcome": "infeasible", "outcome_reason": "; ".join(
            f"{g}: each of the {results[g]['attempts']} staffings tried ({results[g]['bound']['heads_min']} to "
            f"{results[g]['bound']['heads_min'] + 1} heads) is proven impossible under the hard rules "
            "(whole-shift arithmetic or the solver)" for g in dead)}
    return {"outcome": "none_found_in_time", "outcome_reason": "no legal roster with full cover within the "
            "limits - a timeout, not a proof; give more --time-limit/--det-time"}


def run(unit: UnitView, req: dict, mf: ModelsFile, rules: RuleSet | None = None, time_limit: float | None = None,
        progress=None, det_time: float | None = None) -> dict:
    if rules is None:
        if mf.rules is None:
            raise InputError(mf.path, "rules", "no worktime rules given", "add rules: ../rules/ks.yaml to the models file")
        rules = load_rules(mf.rules)
    rows = []
    for m in mf.models:
        cb = (lambda o, b, t, _m=m: progress(_m.id, o, b, t)) if progress else None
        rows.append(run_model(unit, req, rules, mf, m, time_limit or mf.time_limit, cb, det_time=det_time))
    return {"unit": unit.id, "rules": rules.id, "weeks": mf.weeks, "norm_hours_per_week": rules.norm_hours_per_week,
            "min_position": mf.min_position, "models": rows, "skipped": mf.skipped}


__all__ = ["load_models", "run", "run_model", "weekend_arithmetic", "Calendar", "cover_list", "shift_types"]
