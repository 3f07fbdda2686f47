"""One staff group under one roster model: the most full-time positions a legal roster allows, tried
staffing by staffing (``plan_group``)."""
from __future__ import annotations

import dataclasses
import math
import time

from models.roster import cpsat as M
from planner.roster.heltid import attempt
from planner.roster.heltid.bounds import _sizes, _sums, _weekend_persons


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
    arithmetic holds; from a greedy start roster, CP-SAT first asks for a legal roster exactly, then
    searches with open cover and contract deviation as penalties (``attempt``). Then the same with
    everyone on every shift; then with part-time sizes free and no weekend teams (``attempt.build_free``:
    each size fitted afterwards to the hours its roster plans; no roster there is proven for every size
    with ``_free_proof``); then one full-time position less (up to 3 times), then one head more. An
    attempt that reaches full cover and every contract stops at once (objective 0). Once the group has
    a legal roster, only staffings nearer the bounds are worth a further run (``_open_attempts``).

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
    step away from them; in a large one each attempt of a staffing runs once before one goes on from its
    roster), each from its last roster (else the greedy start), and one whose last run brought no
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
    # night split first (when the group has nights), then everyone on every shift, then (None) part-time
    # sizes free and no weekend teams (``attempt.build_free``)
    splits = ((True, False) if nights else (False,)) + (None,)
    attempts = [(n, f, split) for n, f in tries for split in splits]
    res = prior or {"bound": bound, "best": None, "attempts": len(attempts), "ended": {}, "runs": {},
                    "scores": {}, "rosters": {}, "log": [], "det_s": 0.0, "time_s": 0.0,
                    "staffings": [(n, f) for n, f, _ in attempts]}
    ended, runs, scores = res["ended"], res["runs"], res["scores"]
    exact_det = res.setdefault("exact_det", {})     # attempt -> deterministic seconds of its exact stages
    res["log"] = [a for a in res["log"] if not a["result"].startswith("not started")]   # said again if so

    def stalled(k):   # its last run found nothing better than the run before
        s = scores.get(k, [])
        return len(s) >= 2 and s[-1] >= s[-2]

    # the nearest the bounds first (the split and the mixed attempt of one staffing are equally near),
    # a stalled one last. A large group tries each attempt of a staffing once before it goes on from a
    # roster it has, then goes on from one before it starts a staffing further away (building and a
    # first roster cost it most, and its search gains run after run - but an attempt stopped one
    # violation short is often stuck: the 20 helsefagarbeidere of FAFO model 5 with night split went on
    # for 16-32 s without closing in 8 of the 21 runs that went on, where everyone on every shift closed
    # in 2-6 s in all 8 it was tried); in a small group each run of an attempt counts as one step away from the bounds
    # (a fresh start is cheap, and a small group that does not close is more often stuck than slow)
    large = n_min > SMALL_GROUP

    def key(k):
        tier, r = k // len(splits), runs.get(k, 0)
        return (stalled(k), tier, r, k not in res["rosters"], k) if large else (stalled(k), tier + r, r, k)

    todo = sorted(_open_attempts(res), key=key)
    det_used = 0.0
    exact = all(c.preferred <= c.min for c in P.cover)    # the objective is open cover and contracts alone
    for i, k in enumerate(todo):
        n, f, split = attempts[k]
        free = split is None
        entry = {"attempt": k + 1, "heads": n, "full_time": f, "night_split": bool(split)}
        if free:
            entry["free_sizes"] = True
        det_left = None if det_time is None else det_time - det_used
        if end - time.perf_counter() <= MIN_SEARCH or (det_left is not None and det_left <= 0.2):
            break
        sizes, night_ok = _sizes(P, n, f, bool(split), cycle, nights, hours_m, full_m, tol_m, sums_all, sums_day,
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
        if free:
            Q, planned, conds = attempt.build_free(P, g, cycle, sizes, full_m, mp, tol_m)
            forbid: dict[int, set] = {}
        else:
            Q, forbid = attempt.build(P, g, cycle, wsets, nights, sizes, night_ok)
            planned = conds = M.all_conditions(Q)
        t_conds = time.perf_counter() - t_a0
        # the machine's load changes: half the latest measure (fixed costs counted as one more person)
        clock["rate"] = (clock["rate"] + t_conds / (n + 1)) / 2
        hint = res["rosters"].get(k) or M.construct(Q, forbid, top_up=False, conds=planned)
        entry["build_s"] = round(time.perf_counter() - t_a0, 2)
        if k in res["rosters"]:
            entry["from"] = "its last roster"
        # the audit afterwards takes about as long as the rule conditions did (measured just now)
        give = t_a0 + give - time.perf_counter() - (1.5 * t_conds + 0.05)
        t_s = time.perf_counter()
        r, stage, times = attempt.solve(Q, hint, forbid, max(0.1, give),
                                        None if det_left is None else det_left / 2 if nxt is not None else det_left,
                                        seed + runs.get(k, 0), progress,
                                        exact and exact_det.get(k, 0.0) < 0.9 * attempt.EXACT_DET, conds)
        # (a new seed for a new run; the exact stage until it has had its deterministic seconds - the
        # clock may cut it short on a busy machine - then each run goes on from the penalised roster)
        exact_det[k] = exact_det.get(k, 0.0) + r.exact_det
        entry.update(solve_s=round(time.perf_counter() - t_s, 2), **times, det_s=round(r.det_time, 2))
        det_used += r.det_time
        runs[k] = runs.get(k, 0) + 1
        if not r.assignment:
            scores.setdefault(k, []).append((math.inf, math.inf))
            if r.status == "INFEASIBLE" and free:
                # the ranges that build a roster are narrower than any size allows: only the proof's count
                ended[k], result = _free_proof(P, g, cycle, sizes, full_m, mp, tol_m, hint, t_s + give,
                                               None if det_left is None else det_left - r.det_time, seed, progress)
            elif r.status == "INFEASIBLE":
                ended[k], result = "impossible", f"proven impossible (solver, {stage} stage)"
            else:
                result = f"stopped by {r.stopped_by or 'the time limit'} before a first roster"
            res["log"].append({**entry, "result": result})
            continue
        res["rosters"][k] = r.assignment
        if free:
            # each part-time position's size becomes the hours its roster plans
            Q = attempt.fit_sizes(Q, r.assignment, full_m)
            sizes = [p.percent for p in Q.persons]
            conds = M.all_conditions(Q)
        missing, hard, rep, audit_s = attempt.judge(Q, conds, r)
        outside = sum(1 for x in sizes[f:] if not mp <= x < 100) if free else 0
        if outside:     # a free size outside the positions offered (the weighted stage may leave one)
            hard, rep = hard + outside, None
        if rep is not None:
            entry["audit_s"] = round(audit_s, 2)
        cand = {"Q": Q, "asg": r.assignment, "rep": rep, "status": r.status, "heads": n, "full_time": f,
                "sizes": sizes, "attempt": k + 1, "night_split": split, "missing": missing, "hard": hard}
        legal = rep is not None and missing == 0 and hard == 0
        scores.setdefault(k, []).append((missing, hard))
        if legal:
            ended[k], result = "legal", f"legal roster ({stage} stage)"
        elif r.status == "OPTIMAL" and exact and stage == "weighted" and not free:
            # the solver's best is proven, and open cover and contracts are all it weighs: no roster of this
            # attempt has full cover and every contract
            ended[k], result = "impossible", f"proven impossible (solver): at best {missing} shift-heads open"
        elif r.status == "OPTIMAL" and stage == "weighted":
            # the optimum also weighs preferred cover (or, with free sizes, keeps the narrower ranges), so it
            # proves nothing, but a new run would find it again
            ended[k] = "searched"
            result = f"the solver's optimum (preferred cover weighed in) is not legal: {missing} shift-heads open"
        else:
            result = (f"stopped by {r.stopped_by or 'the time limit'}: {missing} shift-heads open, "
                      f"{hard} hard violations")
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


def _free_proof(P: M.Problem, g: str, cycle: int, sizes: list[float], full_m: int, mp: float, tol_m: int, hint: dict,
                end: float, det: float | None, seed: int, progress) -> tuple[str, str]:
    """(ended, result) of a free attempt whose roster ranges proved impossible: the same staffing with the
    ranges every part-time size allows (``attempt.free_range``), in its exact stage, until ``end``."""
    Q, _, conds = attempt.build_free(P, g, cycle, sizes, full_m, mp, tol_m, proof=True)
    give = end - time.perf_counter()
    if give < MIN_SEARCH:
        return "searched", "no roster with free sizes in the ranges that build one; no time left to prove more"
    r, _, _ = attempt.solve(Q, hint, {}, give, det, seed, progress, True, conds)
    if r.status == "INFEASIBLE":
        return "impossible", ("proven impossible with any part-time sizes and without weekend teams (solver, "
                              "exact stage)")
    return "searched", "no roster with free sizes in the ranges that build one, and no proof with any sizes"


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


def _open_attempts(res: dict) -> list[int]:
    """The attempts still worth a run: not ended, and - once the group has a legal roster - only those
    of a staffing nearer the bounds (the ones tried before it in the fallback order)."""
    best = res["best"]
    if not _legal(res):
        return [k for k in range(res["attempts"]) if k not in res["ended"]]
    k_best = best["attempt"] - 1
    return [k for k in range(k_best) if k not in res["ended"] and res["staffings"][k] != res["staffings"][k_best]]


def _can_go_on(res: dict) -> bool:
    """A group with an attempt worth a further run: without a legal roster, or with one short of the
    bounds and a nearer staffing not yet ended."""
    return bool(_open_attempts(res))


def _legal(res: dict) -> bool:
    b = res["best"]
    return b is not None and b["missing"] == 0 and b["hard"] == 0
