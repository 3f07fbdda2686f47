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
from planner.loader import _line_of, read_yaml
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
        line = _line_of(node, loc)
        where = "".join(f"[{x}]" if isinstance(x, int) else (f".{x}" if i else str(x)) for i, x in enumerate(loc))
        raise InputError(path, where + (f" (line {line})" if line else ""), problem, fix)

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


def run_model(unit: UnitView, req: dict, rules: RuleSet, mf: ModelsFile, model: RosterModel,
              time_limit: float, progress=None, staff_template: StaffFile | None = None) -> dict:
    norm = rules.norm_hours_per_week
    wf = rules.find(M.WeekendFrequency)
    long_wd, long_we = model.weekday == "long", model.weekend == "long"
    extra = []
    if long_wd or long_we:
        ls = dict(mf.long_shift)
        ls.setdefault("time", "lang")
        ls.setdefault("covers", ["D", "K"])
        ls["day_type"] = "all" if (long_wd and long_we) else ("helg" if long_we else "hverdag")
        extra.append(ls)
    arith = weekend_arithmetic(unit, req, model, norm, long_we)
    heads_bound = sum(a["heads_min"] for a in arith.values())
    weeks = mf.weeks if mf.weeks else model.weekend_every * math.ceil(6 / model.weekend_every)
    # One sub-problem per group: in the heltid analysis each group covers its own slots (no
    # substitution), so the groups are independent and each model stays small enough for CP-SAT.
    row = {"model": model.id, "name": model.name, "weekend_every": model.weekend_every,
           "weekday": model.weekday, "weekend": model.weekend, "weeks": weeks,
           "heads_weekend_bound": heads_bound,
           "arsverk_needed": round(sum(a["arsverk"] for a in arith.values()), 2)}
    statuses, persons, loads, hard, soft, missing, by_group = [], [], [], 0, 0, 0, {}
    per_group = max(5.0, time_limit / max(1, len(arith)))
    for g, a in arith.items():
        n = max(a["heads_min"], math.ceil(a["arsverk"]))
        staff = [StaffMember(f"{g[:3]}{k + 1:02d}", g, 100.0, model.weekend_every) for k in range(n)]
        greq = {sid: {g: row_[g]} for sid, row_ in req.items() if g in row_}
        sf = StaffFile(None, staff, substitutes={})
        P = make_problem(unit, sf, rules, weeks, None, greq, True, extra)
        for p in P.persons:
            p.percent_range = (mf.min_position, 100)
            p.weekend_cycle = model.weekend_every
        if wf is None:
            P.rules = list(P.rules) + [M.WeekendFrequency(id="weekend_frequency", cycle=model.weekend_every,
                                                           source=model.source)]
        W = M.Weights(full_time=20_000, head=5_000, fairness=0, overcover=0, max_over=0)
        r = M.solve(P, time_limit=per_group, weights=W, progress=progress)
        statuses.append(r.status)
        if r.status not in ("OPTIMAL", "FEASIBLE"):
            by_group[g] = {"status": r.status}
            continue
        used = [pi for pi in range(len(P.persons)) if r.percent.get(pi, 0) > 0]
        keep = {pi: k for k, pi in enumerate(used)}
        for pi, p in enumerate(P.persons):
            p.percent = r.percent.get(pi, 0.0) or 0.0
            p.percent_range = None
        Q = M.Problem(P.days, P.shifts, [P.persons[pi] for pi in used], P.cover, P.rules, P.substitutes,
                      P.sunday_holiday, P.eve_1500, P.cyclic, P.day_labels, P.helg)
        asg = {(keep[pi], d): s for (pi, d), s in r.assignment.items() if pi in keep}
        rep = audit(Q, asg)   # the same rule objects audit the roster
        persons += Q.persons
        loads += [v["weekend_shifts"] for v in rep["load"].values()]
        hard += rep["summary"]["hard_violations"]
        soft += rep["summary"]["soft_violations"]
        missing += rep["summary"]["missing_shifts"]
        by_group[g] = {"status": r.status, "heads": len(Q.persons),
                       "full_time": sum(1 for p in Q.persons if p.percent >= 100),
                       "heads_weekend_bound": a["heads_min"], "arsverk_needed": round(a["arsverk"], 2),
                       "positions": sorted((p.percent for p in Q.persons), reverse=True),
                       "gap": round(r.gap, 3) if r.gap is not None else None}
    row["status"] = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else \
        ("FEASIBLE" if all(s in ("OPTIMAL", "FEASIBLE") for s in statuses) else "INCOMPLETE")
    pct = [p.percent for p in persons]
    n = max(1, len(pct))
    row.update(
        heads=len(pct), arsverk=round(sum(pct) / 100, 2), full_time=sum(1 for x in pct if x >= 100),
        full_time_share=round(sum(1 for x in pct if x >= 100) / n, 3), average_position=round(sum(pct) / n, 1),
        weekend_shifts_per_person=round(sum(loads) / n, 2),
        violations=hard, soft_violations=soft, missing_shifts=missing, by_group=by_group)
    return row


def run(unit: UnitView, req: dict, mf: ModelsFile, rules: RuleSet | None = None, time_limit: float | None = None,
        progress=None) -> dict:
    if rules is None:
        if mf.rules is None:
            raise InputError(mf.path, "rules", "no worktime rules given", "add rules: ../rules/ks.yaml to the models file")
        rules = load_rules(mf.rules)
    rows = []
    for m in mf.models:
        cb = (lambda o, b, t, _m=m: progress(_m.id, o, b, t)) if progress else None
        rows.append(run_model(unit, req, rules, mf, m, time_limit or mf.time_limit, cb))
    return {"unit": unit.id, "rules": rules.id, "weeks": mf.weeks, "norm_hours_per_week": rules.norm_hours_per_week,
            "min_position": mf.min_position, "models": rows, "skipped": mf.skipped}


__all__ = ["load_models", "run", "run_model", "weekend_arithmetic", "Calendar", "cover_list", "shift_types"]
