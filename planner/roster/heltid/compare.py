"""The comparison: every model of a models file within one time limit, shared by the size of their
rosters."""
from __future__ import annotations

import time

from planner.io.errors import InputError
from planner.roster.heltid.bounds import weekend_arithmetic
from planner.roster.heltid.group import MIN_SEARCH, _can_go_on, _overhead
from planner.roster.heltid.model import run_model
from planner.roster.heltid.models_file import ModelsFile
from planner.roster.rules import RuleSet, load_rules
from planner.roster.setup import UnitView


def run(unit: UnitView, req: dict, mf: ModelsFile, rules: RuleSet | None = None, time_limit: float | None = None,
        progress=None, det_time: float | None = None, deadline: float | None = None, done=None) -> dict:
    """Every model of the file. ``time_limit``: wall seconds for all of them together (default: the
    file's time_limit per model), or ``deadline``, a ``time.perf_counter()`` instant. Each model gets a
    share of the time left when it starts, by its heads bound (the size of its rosters), at most the
    file's time_limit: per model; smallest models first, so the time a quick model leaves goes to the
    larger ones. Time still left at the end goes to the models without a legal roster, then to those
    whose roster is short of the bounds while a nearer staffing is still open; they go on where they
    stopped. The rows keep the file's order. ``det_time``: CP-SAT deterministic seconds per
    model (None: the clock alone). ``done(row)`` is called as each model ends a turn."""
    t0 = time.perf_counter()
    rules = rules or _file_rules(mf)
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
        # the rows without a legal roster first, then those short of the bounds with a nearer staffing left
        turn = sorted((m for m in turn if rows[m.id]["outcome"] in ("none_found_in_time", "feasible")
                       and _open(states[m.id]) and states[m.id]["budget"] < mf.time_limit - MIN_SEARCH),
                      key=lambda m: (rows[m.id]["outcome"] == "feasible", size[m.id], m.id))
        if not turn or deadline - time.perf_counter() < MIN_SEARCH:
            break
    return {"unit": unit.id, "rules": rules.id, "weeks": mf.weeks, "norm_hours_per_week": rules.norm_hours_per_week,
            "min_position": mf.min_position, "time_limit_s": round(deadline - t0, 1),
            "time_s": round(time.perf_counter() - t0, 1), "models": [rows[m.id] for m in mf.models],
            "skipped": mf.skipped}


def _file_rules(mf: ModelsFile) -> RuleSet:
    """The models file's own rules (``rules:``), when none are given."""
    if mf.rules is None:
        raise InputError(mf.path, "rules", "no worktime rules given", "add rules: ../rules/ks.yaml to the models file")
    return load_rules(mf.rules)


def _turn_cost(st: dict) -> float:
    """Wall seconds a further turn needs to be worth it: its smallest open group built, searched as long
    as building took, and audited."""
    return min(2 * _overhead(r["bound"]["heads_min"], st["clock"]["rate"]) + MIN_SEARCH
               for r in st["results"].values() if _can_go_on(r))


def _open(st: dict) -> bool:
    """A model whose search can go on: no proof against it and a group with an attempt worth a run."""
    return not st["proof"] and any(_can_go_on(r) for r in st["results"].values())
