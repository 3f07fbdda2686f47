"""One roster model: its problems per group, the search over its groups within its share of the time,
and its row."""
from __future__ import annotations

import math
import time

from models.roster import cpsat as M
from planner.roster.heltid.bounds import weekend_arithmetic
from planner.roster.heltid.group import MIN_SEARCH, _can_go_on, _legal, _overhead, _rate, plan_group
from planner.roster.heltid.models_file import ModelsFile, RosterModel
from planner.roster.heltid.proof import _alone, _unworkable
from planner.roster.heltid.row import _row
from planner.roster.rules import RuleSet
from planner.roster.setup import StaffFile, StaffMember, UnitView, make_problem


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
    clock, results = st["clock"], st["results"]

    def one(g, pending, prior=None):
        before = prior["det_s"] if prior else 0.0
        res = plan_group(st["problems"][g], g, st["cycle"], st["norm"], st["tol_h"], mf.min_position,
                         _det_for(st, g, pending), 0.0 if st["proof"] else _wall_for(st, end, g, pending), progress,
                         deadline=end, clock=clock, prior=prior)
        if st["det_left"] is not None:
            st["det_left"] = max(0.0, st["det_left"] - (res["det_s"] - before))
        return res

    for k, g in enumerate(st["order"]):
        if g not in results:
            results[g] = one(g, st["order"][k:])
    for _ in range(3):     # a group may find a legal roster short of the bounds, then go on nearer them
        # groups without a legal roster first, then those that may come nearer the bounds
        again = sorted((g for g in st["order"] if _can_go_on(results[g])), key=lambda g: _legal(results[g]))
        runs = sum(len(results[g]["log"]) for g in again)
        for k, g in enumerate(again):
            if st["proof"] or (st["det_left"] is not None and st["det_left"] < 0.5):
                return
            results[g] = one(g, again[k:], results[g])
        if sum(len(results[g]["log"]) for g in again) == runs or time.perf_counter() >= end - MIN_SEARCH:
            return


def _wall_for(st: dict, end: float, g: str, pending: list[str]) -> float:
    """Group ``g``'s wall seconds, with ``pending`` (``g`` first) still to search until ``end``: its floor
    and its share of the rest by cover size."""
    size, arith, rate = st["size"], st["arith"], st["clock"]["rate"]
    left = end - time.perf_counter()
    floor = {h: 1.15 * (_overhead(arith[h]["heads_min"], rate) + MIN_SEARCH) for h in pending}
    if left <= sum(floor.values()):
        return max(0.0, min(left, floor[g]))      # short of time: what fits, smallest groups first
    rest = left - sum(floor.values())
    return floor[g] + rest * size[g] / max(1, sum(size[h] for h in pending))


def _det_for(st: dict, g: str, pending: list[str]) -> float | None:
    """Group ``g``'s share of the model's deterministic seconds left, by cover size (None: no such limit)."""
    if st["det_left"] is None:
        return None
    return max(0.5, st["det_left"] * st["size"][g] / max(1, sum(st["size"][h] for h in pending)))
