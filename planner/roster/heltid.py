"""Heltid analysis: for a requirement, a rule set and roster models (weekend frequency, shift
lengths), how many heads are needed and how many of them can be full-time?

For each model:
1. arithmetic (the FAFO ideal-type reasoning of NOU 2023:4 Tabell 9.2): persons needed per weekend
   x weekend cycle = the fewest heads that can cover the weekends; weekly hours / norm = årsverk;
2. the roster builder with the position sizes as variables (each head in [min_position, 100] % or
   unused): maximise full-time positions, then fewest heads, subject to cover and every hard rule;
3. the audit of that roster (same rule objects).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from models import roster_cpsat as M
from planner.errors import InputError
from planner.loader import fail_at, read_yaml
from planner.roster.audit import audit
from planner.roster.rules import RuleSet, load_rules
from planner.roster.setup import (Calendar, StaffFile, StaffMember, UnitView, cover_list, make_problem,
                                  shift_types)


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
    path = Path(path)
    data, node = read_yaml(path)

    def err(loc, problem, fix):
        fail_at(path, node, loc, problem, fix)

    if not isinstance(data, dict) or data.get("kind") != "roster_models":
        err(("kind",), "is not a roster models file", "start the file with `kind: roster_models` (see docs/rosters.md)")
    rules = data.get("rules")
    rules = (path.parent / rules).resolve() if rules else None
    if rules is not None and not rules.exists():
        err(("rules",), f"rule file {data.get('rules')!r} does not exist", "correct the path (relative to this file)")
    weeks = data.get("weeks", "auto")
    if weeks == "auto":
        weeks = 0
    elif not isinstance(weeks, int) or weeks < 1:
        err(("weeks",), f"weeks must be a whole number (got {weeks!r})", "e.g. weeks: 12 (a multiple of 2, 3 and 4)")
    mp = data.get("min_position", 20)
    if not isinstance(mp, int) or not 1 <= mp <= 100:
        err(("min_position",), f"min_position must be a whole percent 1..100 (got {mp!r})", "e.g. min_position: 20")
    ls = data.get("long_shift") or {}
    models, skipped = [], []
    for i, m in enumerate(data.get("models") or []):
        if not isinstance(m, dict) or "id" not in m:
            err(("models", i), "each model needs an id", "see docs/rosters.md")
        if m.get("skip"):
            skipped.append({"id": m["id"], "name": m.get("name", m["id"]), "reason": m["skip"]})
            continue
        we = m.get("weekend_every")
        if not isinstance(we, int) or we < 1:
            err(("models", i, "weekend_every"), f"weekend_every must be a whole number >= 1 (got {we!r})", "2, 3 or 4")
        if weeks and weeks % we:
            err(("weeks",), f"{weeks} weeks is not a multiple of model {m['id']}'s weekend cycle {we}",
                f"use weeks: {math.lcm(weeks, we)}")
        for k in ("weekday", "weekend"):
            if m.get(k, "traditional") not in ("traditional", "long"):
                err(("models", i, k), f"{k} must be traditional or long (got {m.get(k)!r})", "write traditional or long")
        if "long" in (m.get("weekday"), m.get("weekend")) and not ls:
            err(("long_shift",), "a model uses long shifts but no long_shift is defined",
                'add long_shift: {code: L, start: "08:00", end: "20:30", paid_hours: 12}')
        models.append(RosterModel(str(m["id"]), str(m.get("name", m["id"])), we, m.get("weekday", "traditional"),
                                  m.get("weekend", "traditional"), str(m.get("source", ""))))
    if not models:
        err(("models",), "no models to compare", "add at least one model")
    return ModelsFile(path, rules, weeks, mp, float(data.get("time_limit", 30)), ls, models, skipped)


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


def plan_group(P: M.Problem, g: str, cycle: int, norm: float, tol_h: float, mp: int, det_time: float,
               wall: float, progress=None, seed: int = 1) -> dict:
    """Largest number of full-time positions for one group under one roster model.

    Bound (arithmetic, valid for any roster): heads N >= max(person-weekends / weekends per person,
    hours / (full time + tolerance)); with N heads of which F full-time and the rest at least
    min_position, and contracts that add up to the cover hours: F x 100 + (N - F) x mp <= 100 x
    hours / (norm x weeks); the left side grows with N, so F <= F_ub(N_min). Construction: N_min heads, F_ub of them full-time,
    the rest share the remaining hours equally; heads are split into `cycle` weekend teams (team k
    works weekends k, k + cycle, ...: the weekend frequency holds exactly and each weekend has its
    team); a greedy start roster is hinted to CP-SAT, which closes the remaining cover under every
    rule. If cover stays open, one full-time position less (more, smaller part-time positions) is
    tried, then one head more."""
    weeks = P.weeks
    hours = sum(c.min * P.shifts[P.shift_index[c.code]].work_minutes for c in P.cover) / 60
    per_we, wsets = _weekend_persons(P, cycle)
    per_person = max(1, weeks // cycle)
    n_we = math.ceil(sum(per_we) / per_person - 1e-9)
    full_h = norm * weeks
    n_h = math.ceil(hours / (full_h + tol_h) - 1e-9)
    n_min = max(n_we, n_h, 1)

    def f_ub(n):
        # contracts sum to the cover hours (the tolerance is for rounding, not for hidden hours)
        x = (100 * hours / full_h - n * mp) / (100 - mp)
        return max(0, min(n, math.floor(x + 1e-9)))

    bound = {"heads_min": n_min, "heads_weekend": n_we, "heads_hours": n_h, "full_time_max": f_ub(n_min),
             "hours": round(hours, 1), "persons_per_weekend": max(per_we, default=0)}
    tries = []
    f = f_ub(n_min)
    while f >= 0 and len(tries) < 4:
        tries.append((n_min, f))
        f -= 1
    tries.append((n_min + 1, f_ub(n_min + 1)))
    best = None
    t_left, det_used = wall, 0.0
    for k, (n, f) in enumerate(tries):
        if t_left <= 0.5 or det_used >= det_time:
            break
        total_pct = 100 * hours / full_h
        rest = total_pct - 100 * f
        sizes = [100.0] * f
        if n > f:
            base = rest / (n - f)
            if base > 100 + 1e-9:
                continue
            sizes += [round(base, 1)] * (n - f)
        persons = [M.Person(f"{g[:3]}{i + 1:02d}", g, sizes[i], weekend_cycle=cycle) for i in range(n)]
        team = {i: i % cycle for i in range(n)}
        forbid = {i: {sl for w, st in enumerate(wsets) if w % cycle != team[i] for sl in st} for i in range(n)}
        Q = M.Problem(P.days, P.shifts, persons, P.cover, P.rules, {}, P.sunday_holiday, P.eve_1500, P.cyclic,
                      P.day_labels, P.helg)
        conds = M.all_conditions(Q)
        hint = M.construct(Q, forbid, top_up=False, conds=conds)
        # cover and contracts only (soft rules are audited, not optimised): a roster with full cover and
        # contracts met has objective 0 = the bound, so CP-SAT stops there by itself
        W = M.Weights(fairness=0, overcover=0, max_over=0, contract_soft=25, soft_rule=0)
        r = M.solve(Q, time_limit=t_left, weights=W, progress=progress, diagnose=False, hint=hint,
                    det_time=max(0.2, det_time - det_used), forbid=forbid, seed=seed)
        t_left -= r.wall_time + 0.5
        det_used += r.det_time
        if r.status not in ("OPTIMAL", "FEASIBLE"):
            continue
        rep = audit(Q, r.assignment)
        cand = {"Q": Q, "asg": r.assignment, "rep": rep, "status": r.status, "heads": n, "full_time": f,
                "sizes": sizes, "attempt": k + 1, "missing": rep["summary"]["missing_shifts"],
                "hard": rep["summary"]["hard_violations"]}
        if best is None or (cand["missing"], cand["hard"]) < (best["missing"], best["hard"]):
            best = cand
        if cand["missing"] == 0 and cand["hard"] == 0:
            break
    return {"bound": bound, "best": best, "attempts": len(tries), "time_s": round(wall - t_left, 1),
            "det_s": det_used}


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
              det_time: float | None = None) -> dict:
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
    # next. The wall limit only guards against a slow machine.
    det_left = det_time if det_time is not None else 0.8 * time_limit
    order = sorted(groups, key=lambda g: (-weight[g][1], g))
    for k, g in enumerate(order):
        P, w = weight[g]
        rest_w = max(1, sum(weight[h][1] for h in order[k:]))
        share = w / rest_w
        used = _time.monotonic() - t0
        res = plan_group(P, g, model.weekend_every, norm, tol_h, mf.min_position, max(0.5, det_left * share),
                         max(2.0, (time_limit - used) * share), progress)
        det_left = max(0.0, det_left - res["det_s"])
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
        persons += Q.persons
        loads += [v["weekend_shifts"] for v in rep["load"].values()]
        hard += rep["summary"]["hard_violations"]
        soft += rep["summary"]["soft_violations"]
        missing += rep["summary"]["missing_shifts"]
        by_group[g] = {"status": statuses[-1], "heads": best["heads"], "full_time": best["full_time"],
                       "positions": sorted(best["sizes"], reverse=True), "attempt": best["attempt"],
                       "missing": best["missing"], "hard_violations": best["hard"],
                       "bound": b, "time_s": res["time_s"],
                       "below_min_position": any(0 < x < mf.min_position for x in best["sizes"])}
    pct = [p.percent for p in persons]
    n = max(1, len(pct))
    ft = sum(1 for x in pct if x >= 100)
    row.update(
        status="OK" if all(s == "OK" for s in statuses) else "OPEN",
        heads=len(pct), heads_bound=heads_lb, full_time_bound=ft_ub,
        proven=all(by_group[g].get("full_time") == by_group[g]["bound"]["full_time_max"]
                   and by_group[g].get("heads") == by_group[g]["bound"]["heads_min"] for g in by_group
                   if by_group[g]["status"] == "OK") and all(s == "OK" for s in statuses),
        arsverk=round(sum(pct) / 100, 2), arsverk_cover=round(hours_tot / (norm * weeks), 2),
        full_time=ft, full_time_share=round(ft / n, 3), average_position=round(sum(pct) / n, 1),
        weekend_shifts_per_person=round(sum(loads) / n, 2),
        violations=hard, soft_violations=soft, missing_shifts=missing, by_group=by_group,
        time_s=round(_time.monotonic() - t0, 1))
    return row


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
