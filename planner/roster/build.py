"""Build a roster - the anytime engine - and explain what could not be covered."""
from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable

from models.roster import cpsat as M
from models.roster.colgen import Engine
from models.roster.lns import Search, residual_cover
from models.roster.locks import legalise
from models.roster.score import score

# shares of the budget (wall seconds, or deterministic seconds with --det-time) by phase; what is left
# after them goes to the whole-roster CP-SAT model from the best roster (it proves small units optimal)
FIRST_LNS, COLGEN, MIP, WHOLE = 0.4, 0.3, 0.1, 0.15
WHOLE_PARALLEL = 0.4   # wall-time mode: the last share of the time in which the whole model runs beside the search
# ... and from this many seconds of that stage on, with two CP-SAT workers (two run CP-SAT's own neighbourhood
# search over everyone; they share the cores with the search). Measured at 300 s (a 118 s stage): sykehjem 116 -> 96
# (bound 95), medisinsk_sengepost 851 -> 631 (bound 560). At 60 s (a 23 s stage) they did not help: sykehjem 115,
# hjemmesykepleie 73 in three seeds of three where one worker reached 53 in two
WHOLE_TWO = 60.0
FIRST_WAIT = 5.0       # wall-time mode: seconds the first pricing waits for the search's first legal roster
COUNT_LIMIT = 5.0   # seconds at most for the count bound on cover and fairness (``models.roster.bound``)
# ... and for the split bound after it, at most this share of the time (wall-time mode): medisinsk's doctors
# take 3-4.5 s to prove, which 10 % of a 30 s run beside a busy process did not give them
SPLIT_LIMIT, SPLIT_SHARE = 6.0, 0.2
STALL = 60    # with --det-time: neighbourhoods in a row without a better roster that end a search stage
GRACE = 1.0   # seconds the search waits for the other thread after a stop (it may be building a model)
# the search and its bound take about this many times the rule conditions' build time to set up, the audit
# after the run once more: with less time left after the start roster, it is the answer
SETUP = 7.0
# wall-time mode, a soft rule still broken: the whole model with the spreads held (``_soft_first``), both cores,
# from SOFT_AT of the time until the whole model's last stage (``WHOLE_PARALLEL``), ended once SOFT_IDLE
# seconds pass without a better roster
SOFT_AT, SOFT_IDLE = 0.3, 6.0
# ... and only once the search has removed no soft violation for this long (seconds, or this share of the time)
SOFT_STALL, SOFT_STALL_SHARE = 2.0, 0.05
# the soft-first neighbourhoods (``_soft_hoods``): wall seconds per sub-solve, and without a soft violation gone
SOFT_HOOD_LIMIT, SOFT_HOOD_IDLE = 3.0, 6.0


def solve_problem(P: M.Problem, time_limit: float, progress=None, weights: M.Weights | None = None,
                  workers: int = 2, seed: int = 1, det_time: float | None = None, lns: bool = True,
                  deadline: float | None = None, stop: Callable[[], bool] | None = None,
                  start: dict | None = None, start_people: set[int] | None = None) -> M.Result:
    """The roster engine (anytime): a greedy start roster, then large-neighbourhood search
    (``models.roster.lns``), column generation for the lower bound and integer rosters from its columns
    (``models.roster.colgen``), then the search again from the best roster. Every roster is judged by the
    same objective (``models.roster.score``); the one returned is never worse than the start roster.

    ``deadline`` (a ``time.perf_counter()`` instant, default ``time_limit`` from now) is never passed.
    With ``det_time`` every stage is limited by CP-SAT deterministic seconds instead of wall seconds
    (the wall limit still guards), so the same input and ``seed`` give the same roster on any load.
    Problems with positions of variable size (the heltid analysis) go to the whole-roster CP-SAT model.

    ``stop``: polled by every stage (and inside their solves); once it returns True the engine returns
    its best roster so far at once (within about a second), ``stopped_by`` "stop".

    ``start``: {(person, day): shift}, a roster to search on from instead of the greedy start, ``start_people``
    the people it has a row for (``start_roster``'s ``given``, ``given_people``)."""
    if any(p.percent_range for p in P.persons) or not lns:
        return solve_cpsat(P, time_limit, progress, weights, workers, seed, det_time, lns, deadline, stop)
    t0 = time.perf_counter()
    end = t0 + time_limit if deadline is None else min(deadline, t0 + time_limit)
    W = weights or M.Weights()
    conds = M.all_conditions(P)
    built = time.perf_counter() - t0
    clash = contract_arithmetic(P, conds)
    if clash:
        # proven by arithmetic, before any search: a year's horizon would otherwise end "none found in time"
        r = M.Result("INFEASIBLE", None, None, None, {}, 0, {}, clash, time.perf_counter() - t0, 0.0)
        r.outcome = "infeasible"
        return r
    # scoring a roster and auditing it take about as long as building the conditions each (a year of Skarbøvik:
    # 2.3 s each): the start leaves that much, so a start-only answer is judged and audited within the limit too
    start = start_roster(P, conds, start, start_people, deadline=end - 2 * built)
    if end - time.perf_counter() < SETUP * built:
        # setting up the search and its bound takes several times as long as the rule conditions took (a year
        # of Skarbøvik: 2 s for the conditions, 4 s for the search, 7 s for the bound's engine): with less time
        # left than that, the start roster is the answer (a year's horizon, or a few seconds on a large unit)
        return _start_only(P, start, W, conds, t0)
    # a step's and a pricing's work are a small share of a small --det-time: the budget is checked between them,
    # so each may overrun it by one (0.5 s steps on a budget of 0.5 s ended at 1.0)
    S = Search(P, start, W, conds, seed=seed, det_step=min(0.5, 0.1 * det_time) if det_time else None)
    first = [time.perf_counter() - t0 if _search_legal(S) else None]
    best_seen = [math.inf]
    E: Engine | None = None

    def report(*_):
        if first[0] is None and _search_legal(S):
            first[0] = time.perf_counter() - t0
        if progress and S.sc.total < best_seen[0]:
            best_seen[0] = S.sc.total
            bound = E.bound if E is not None else -math.inf
            progress(S.sc.total, max(0.0, bound), time.perf_counter() - t0)

    E = Engine(P, W, conds, seed=seed, threads=1 if det_time is None else workers,
               det_per_pricing=min(0.05, 0.01 * det_time) if det_time else None)
    report()
    E.add_roster(S.best)
    if det_time is None and workers > 1:
        _parallel(S, E, end, report, stop)
    else:
        _in_turn(S, E, t0, end, det_time or 0.0, report, stop)
    if E.infeasible:
        return _infeasible(P, E, conds, t0, end, seed)
    return _result(P, S, E, start, t0, end, det_time, first[0], stop)


def _parallel(S: Search, E: Engine, end: float, report, stop=None) -> None:
    """Wall-time mode: the search improves rosters in this thread; in another, each class of people is
    priced alone once (a person whose hard rules cannot hold is proven so there, and ends the search),
    then a second search runs beside the first on other people (each neighbourhood's solve leaves Python's
    lock to the other's model building; measured at 60 s, seed 1, with the later soft-first stage below:
    Skarbøvik 12 739 -> 6 360 quiet, 42 178 -> 9 121 busy), then, for the last ``WHOLE_PARALLEL`` of the
    time, the whole-roster CP-SAT model runs from the best
    roster, proving its bound (fairness included) and offering what it finds. CP-SAT leaves Python's lock
    while it solves, so the two share the cores. Measured on a loaded 2-core machine (sykehjem, 30 s,
    one busy process beside): the search alone for most of the time ended at 1 855, while column
    generation beside it from the start (its bound is weaker than the whole model's) left the search
    5 657, and the whole model from the start 7 417. While a soft rule is still broken at ``SOFT_AT`` of the
    time and the searches have stopped removing soft violations, they pause for ``_soft_first`` on both
    cores. ``stop`` ends both threads."""
    import threading
    span = end - time.perf_counter()
    whole_at = end - WHOLE_PARALLEL * span   # the whole model's stage begins: the second search and soft-first end
    box: dict = {}
    finished = threading.Event()   # the search's last stage has ended (by the time limit or a stop)
    paused = threading.Event()     # the soft-first stage runs: the second search waits
    stopped = stop or (lambda: False)

    def halt() -> bool:
        # every solve of this thread ends once the search has: a solve still running when the process exits
        # aborts it (CP-SAT's threads are C++), after the roster was written
        return stopped() or finished.is_set()

    def other():
        try:
            # the pricing waits until the search holds a legal roster (or FIRST_WAIT has passed): both are
            # mostly Python, and a pilot's first legal roster comes first
            wait_until = time.perf_counter() + min(FIRST_WAIT, 0.2 * span)
            while time.perf_counter() < wait_until and not _search_legal(S) and not halt():
                finished.wait(0.05)
            E.generate(end, rounds=0, stop=halt)
            left = end - time.perf_counter()
            if not E.infeasible and not halt() and left > 0.5:
                # within the time left, not only within their shares: they cannot be stopped from outside
                E.count_bound(min(COUNT_LIMIT, 0.1 * span, 0.3 * left), min(SPLIT_LIMIT, SPLIT_SHARE * span, 0.3 * left))
                S.set_floors(E.settled)
            # until the whole model's stage: a second search beside the first, on other people (``Search.claimed``),
            # paused while the soft-first stage has both cores
            while time.perf_counter() < whole_at - 0.2 and not E.infeasible and not finished.is_set() \
                    and not done():
                if paused.is_set():
                    finished.wait(0.05)
                    continue
                S.run(whole_at, report, stop=lambda: done() or paused.is_set() or finished.is_set())
            if not halt():
                stage = end - 0.02 * span - time.perf_counter()
                _whole(S, E, end - 0.02 * span, None, report, halt, workers=2 if stage >= WHOLE_TWO else 1)
        except BaseException as exc:     # noqa: BLE001 - re-raised in the calling thread below
            box["error"] = exc

    def done() -> bool:
        # a person whose hard rules cannot hold (found by the first pricing) ends the search early, leaving
        # the time for the diagnosis; a roster the bound proves optimal too: nothing is left to find
        return bool(E.infeasible) or stopped() or _proven(S, E)

    th = threading.Thread(target=other, daemon=True)
    th.start()
    S.run(time.perf_counter() + SOFT_AT * span, report, stop=done)
    if S.open_soft() > 0:
        # the soft-first stage only once the searches stop removing soft violations: while they still do
        # they are faster (measured on Skarbøvik at 30 % of 60 s: the search took 5 000 off the objective a
        # second, the stage 17 000 in its 17 s)
        S.run(whole_at, report, stop=lambda: done() or S.open_soft() == 0 or
              time.perf_counter() - S.soft_improved_at > max(SOFT_STALL, SOFT_STALL_SHARE * span))
    if S.open_soft() > 0 and not done():
        paused.set()
        _soft_first(S, whole_at, report, done)
        paused.clear()
    S.run(end, report, stop=done)
    finished.set()
    # the other thread's solves end at their next check of ``halt``; a model it is still building gets GRACE
    th.join(max(0.0, min(end, time.perf_counter()) + GRACE - time.perf_counter()))
    if "error" in box:
        raise box["error"]
    report()


def _in_turn(S: Search, E: Engine, t0: float, end: float, det: float, report, stop=None) -> None:
    """One stage after the other, each with its share of the deterministic budget (``det`` > 0) or of the
    wall time: the search, column generation, the integer roster over the columns, the search again.
    ``stop`` ends each stage (and so all of them)."""
    def until(share: float) -> float:
        return end if det else min(end, t0 + share * (end - t0))

    stall = STALL if det else None
    S.run(until(FIRST_LNS), report, det_budget=FIRST_LNS * det if det else None, stall=stall, stop=stop)
    E.add_roster(S.best)
    E.generate(until(FIRST_LNS + COLGEN), det_budget=COLGEN * det if det else None, stop=stop)
    # with ``det`` the bounds' and the integer roster's solves are limited in work (nodes, deterministic seconds),
    # the wall only guards the end: a wall share binds under load, and the same input gave another roster
    if not E.infeasible and not (stop and stop()):
        left = max(0.0, end - time.perf_counter())
        E.count_bound(left if det else min(COUNT_LIMIT, 0.1 * left))
        S.set_floors(E.settled)
    left = end - time.perf_counter()
    if E.stats.proven_lp and left > 1.0 and not E.infeasible and not (stop and stop()):
        cand = E.integer_roster(left if det else min(MIP * (end - t0), 0.5 * left), stop)
        if cand is not None:
            S.offer(cand)
            report()
    S.run(until(1 - WHOLE), report, det_budget=(1 - WHOLE - COLGEN) * det if det else None, stall=stall,
          stop=stop)
    # the whole model gets what the stages left of --det-time, nothing beyond it (at least 0.5 s before: a
    # budget of 1 s ended at 1.5)
    left_det = det - S.det_used - E.det_used if det else None
    if left_det is None or left_det >= 0.05:
        _whole(S, E, end, left_det, report, stop)


def _whole(S: Search, E: Engine, end: float, det: float | None, report, stop=None, workers: int = 1) -> None:
    """The whole-roster CP-SAT model from the best roster, until ``end`` (or ``stop``): it may improve the
    roster, and its bound (the same objective, fairness included) joins the column-generation bound."""
    if E.infeasible or not _room_for_whole(S, end) or (stop and stop()):
        return
    r = M.solve(S.P, time_limit=end - time.perf_counter(), workers=workers, seed=S.rng.randrange(1 << 30) if det is None
                else 1, weights=S.W, diagnose=False, hint=S.snapshot(), det_time=det, deadline=end, stop=stop)
    S.det_used += r.det_time
    if r.bound is not None:
        E.other_bound = max(E.other_bound, r.bound)
    _offer(S, r, report)


def _room_for_whole(S: Search, end: float) -> bool:
    """Time left for the whole model: it takes a while to build (about 0.05 s a person here)."""
    return end - time.perf_counter() >= 2.0 + 0.05 * len(S.P.persons)


def _offer(S: Search, r: M.Result, report) -> None:
    """The whole model's roster to the search (kept when no worse), an empty roster too (nothing to cover)."""
    if r.status in ("OPTIMAL", "FEASIBLE"):
        S.offer(r.assignment)
        report()


def _soft_first(S: Search, end: float, report, stop) -> None:
    """The soft-first stage on both cores: the neighbourhoods of ``_soft_hoods``, then, while a soft
    violation is left, the whole model (``_soft_whole``)."""
    _soft_hoods(S, end, report, stop)
    if S.open_soft() > 0 and not stop():
        _soft_whole(S, end, report, stop)


def _soft_whole(S: Search, end: float, report, stop) -> None:
    """The whole model from the search's roster on both cores, its fairness spreads held within the
    roster's (no spread may grow) instead of weighed: CP-SAT's own neighbourhoods over everyone remove soft
    violations that no neighbourhood of the search does (measured on hjemmesykepleie: four isolated days
    off that re-planning a whole group over the whole horizon left, the whole model took to one in 20 s).
    Every roster it finds is no worse on the whole objective. Its bound holds only within those spreads:
    it is not a bound of the problem."""
    if not _room_for_whole(S, end):
        return
    last = [time.perf_counter() + SOFT_IDLE]    # the model is built before its first roster: a grace

    def better(*_):
        last[0] = time.perf_counter()
    r = M.solve(S.P, time_limit=end - time.perf_counter(), workers=2, seed=S.rng.randrange(1 << 30),
                weights=dataclasses.replace(S.W, fairness=0), diagnose=False, hint=S.snapshot(), deadline=end,
                progress=better, conds=S.conds, stop=lambda: stop() or time.perf_counter() - last[0] > SOFT_IDLE,
                fair_caps=S.spreads())
    _offer(S, r, report)


def _soft_hoods(S: Search, end: float, report, stop) -> None:
    """Soft-first neighbourhoods on both cores: a person with a soft violation and up to 11 of those who
    can stand in for them (their group first), over the whole horizon, CP-SAT with two workers and its own
    neighbourhood search (one worker has none), until no soft violation is left or none has gone for
    ``SOFT_HOOD_IDLE`` seconds. Measured on medisinsk_sengepost from a 60 s roster with three
    ``min_days_off`` left (objective 1 051): one worker on the four helsesekretærer over the whole horizon
    found nothing better in 20 s, two workers removed theirs in 1.3 s, and the stage took the roster to
    651 in 8 s, the one left being the doctors' (proven unavoidable: ``models.roster.bound.split_bound``)."""
    t_last = time.perf_counter()
    soft = S.open_soft()
    while soft > 0 and not stop():
        now, left = time.perf_counter(), S.open_soft()
        if left < soft:
            soft, t_last = left, now
        if now - t_last > SOFT_HOOD_IDLE or end - now < 1.0:
            return
        hood = S.soft_pick()
        if S.step(hood, end, stop=stop, workers=2, limit=SOFT_HOOD_LIMIT):
            report()


def _whole_bound(E: Engine) -> float:
    """The proven bound, rounded up (every term of the objective is whole and none is negative)."""
    b = E.bound
    return max(0.0, math.ceil(b - 1e-6)) if b > -math.inf else 0.0


def _proven(S: Search, E: Engine) -> bool:
    """The search's roster is legal and scores no more than the proven bound: it is optimal."""
    return S.sc.hard == 0 and S.sc.total <= _whole_bound(E) + 1e-9


def _search_legal(S: Search) -> bool:
    """No hard violation and no open minimum cover."""
    return S.sc.hard == 0 and S.sc.open_min == 0


def _result(P, S: Search, E: Engine, start, t0, end, det_time, first_legal, stop=None) -> M.Result:
    with S.lock:    # after a stop the other thread may still offer a roster: read one roster and its score
        best, sc = dict(S.best), S.sc
    obj = sc.total
    bound = _whole_bound(E)
    optimal = sc.hard == 0 and obj <= bound + 1e-9
    det_used = S.det_used + E.det_used
    stopped = None
    if not optimal:
        stopped = "stop" if stop and stop() else \
            "det_time" if det_time and det_used >= 0.95 * det_time and time.perf_counter() < end - 0.5 \
            else "time_limit"
    r = M.Result("OPTIMAL" if optimal else "FEASIBLE", obj, float(bound), abs(obj - bound) / max(1.0, abs(obj)),
                 best, sc.open_min, {}, [], time.perf_counter() - t0, det_used, None, stopped)
    if sc.hard == 0:
        r.unavoidable = [(sorted(gs), least) for gs, least, _ in S.settled_parts() if least > 0]
    return _judged(r, sc, best == start, first_legal, S.conds, optimal)


def _start_only(P: M.Problem, start: dict, W: M.Weights, conds: list, t0: float) -> M.Result:
    """The start roster as the result, when the time limit leaves no time to search from it."""
    sc = score(P, start, W, conds)
    r = M.Result("FEASIBLE", sc.total, 0.0, 1.0, dict(start), sc.open_min, {}, [], time.perf_counter() - t0, 0.0,
                 None, "time_limit")
    return _judged(r, sc, True, r.wall_time if sc.hard == 0 else None, conds)


def _judged(r: M.Result, sc, kept_start: bool, first_legal: float | None, conds: list,
            optimal: bool = False) -> M.Result:
    """The builder's verdict on its roster, from its own score of it (no second evaluation at the end): a start
    roster proven optimal by the bound is optimal, nothing scores better, whoever found it."""
    r.kept_start = kept_start
    r.first_legal_s = first_legal
    r.by_rule = dict(sc.by_rule)
    r.outcome = "none_found_in_time" if sc.hard else "optimal" if optimal else "feasible"
    r.conds = conds
    return r


def contract_arithmetic(P: M.Problem, conds: list) -> list[str]:
    """People whose hard contract no roster meets, by arithmetic (``rule|person`` keys, as a proof's conflict):
    every shift they may work at all has one length and no whole number of such shifts lies within the
    tolerance of the contract (a 55 % night nurse over 52 weeks: 1 015.3 h, 10 h nights give 1 010 or 1 020 h,
    tolerance 4 h), or they may work no shift and the contract asks for more than the tolerance."""
    banned: dict[int, set] = defaultdict(set)   # slots a hard condition forbids outright (availability, shifts:)
    for c in conds:
        if M.forbids(c):
            banned[c.person].update(sl for sl, _ in c.terms)
    out = []
    for c in conds:
        p = P.persons[c.person]
        if not (c.hard and isinstance(c, M.Contract)) or p.percent_range:
            continue
        target, tol = c.per_percent * p.percent, c.tolerance
        lengths = {k for sl, k in c.terms if k > 0 and P.exists(*sl) and sl not in banned[c.person]}
        if not lengths:
            ok = target <= tol + 1e-6
        elif len(lengths) == 1:
            k = next(iter(lengths))
            n = math.floor(target / k)
            ok = min(abs(n * k - target), abs((n + 1) * k - target)) <= tol + 1e-6
        else:
            ok = True   # shifts of several lengths: left to the search (and its proof)
        if not ok:
            out.append(f"{c.rule}|{p.id}")
    return sorted(out)


def _infeasible(P, E: Engine, conds, t0, end, seed) -> M.Result:
    """Some person's hard rules cannot all hold (their pricing model proved it): name the rules."""
    conflict: list[str] = []
    for pi in E.infeasible:
        Q = dataclasses.replace(P, persons=[P.persons[pi]])
        left = end - time.perf_counter()
        if left <= 0.2:
            break
        q = M.solve(Q, time_limit=min(left, 10.0), workers=1, seed=seed, diagnose=True, deadline=end)
        conflict += q.conflict
    r = M.Result("INFEASIBLE", None, None, None, {}, 0, {}, sorted(conflict), time.perf_counter() - t0, 0.0)
    r.outcome = "infeasible"
    return r


def solve_cpsat(P: M.Problem, time_limit: float, progress=None, weights: M.Weights | None = None,
                workers: int = 2, seed: int = 1, det_time: float | None = None, lns: bool = True,
                deadline: float | None = None, stop: Callable[[], bool] | None = None) -> M.Result:
    """A deterministic greedy start roster (``start_roster``) is improved by a large-neighbourhood search
    over groups of people (``improve``: the others fixed, one small deterministic CP-SAT solve per
    neighbourhood), then hinted to CP-SAT on the whole problem; with ``det_time`` every solve runs in
    CP-SAT's deterministic mode, so the same input gives the same roster.

    Anytime: no stage runs past ``deadline`` (a ``time.perf_counter()`` instant; default: ``time_limit``
    from now), and the roster returned is never worse than the start roster by the audit (open cover,
    then hard violations). ``Result.outcome`` says what a pilot gets (``outcome``)."""
    import time
    t0 = time.perf_counter()
    end = t0 + time_limit if deadline is None else min(deadline, t0 + time_limit)
    conds = M.all_conditions(P)
    hint = start_roster(P, conds)
    first = time.perf_counter() - t0 if _legal(P, hint, conds) else None
    det_lns = 0.0
    if lns and det_time and end - time.perf_counter() > 1.0 and not (stop and stop()):
        hint, det_lns = improve(P, hint, budget=0.6 * det_time, seed=seed, weights=weights,
                                wall=0.5 * time_limit if deadline is None
                                else min(0.5 * time_limit, 0.5 * (end - time.perf_counter())))
        if first is None and _legal(P, hint, conds):
            first = time.perf_counter() - t0
    seen: list[float] = []   # when the whole-problem search first holds a legal roster (if nothing before did)

    def watch(asg: dict) -> bool:
        t = time.perf_counter() - t0
        if _legal(P, asg, conds):
            seen.append(t)
        return bool(seen)
    # leave room for building the final model and completing its hint (grows with the people)
    wall_left = max(1.0, time_limit - (time.perf_counter() - t0) - max(3.0, 0.05 * len(P.persons)))
    if deadline is not None:   # the solver takes what is left once its model is built (never past `end`)
        wall_left = max(0.1, end - time.perf_counter())
    r = M.solve(P, time_limit=wall_left, workers=workers, seed=seed, weights=weights, progress=progress,
                hint=hint, det_time=max(0.5, det_time - det_lns) if det_time else None, deadline=end,
                on_solution=watch if first is None else None, stop=stop)
    r.first_legal_s = first if first is not None else (seen[0] if seen else None)
    if r.status != "INFEASIBLE":
        # the whole-problem search keeps the hint or improves on it; never report a worse roster (also
        # when the search ran out of time before its first roster)
        found = bool(r.assignment) and r.status in ("OPTIMAL", "FEASIBLE")
        if not found or _score(P, hint, conds) < _score(P, r.assignment, conds):
            r.assignment = dict(hint)
            r.shortfall = sum(k for *_, k in M.cover_missing(P, hint))
            r.objective = r.hint_objective   # the solver's objective belongs to its own (worse) roster
            r.gap = (abs(r.objective - r.bound) / max(1.0, abs(r.objective))
                     if r.objective is not None and r.bound is not None else None)
            r.kept_start = True
    r.det_time += det_lns
    r.wall_time = time.perf_counter() - t0
    r.outcome = outcome(P, r, conds)
    return r


def outcome(P: M.Problem, r: M.Result, conds=None) -> str:
    """What a pilot gets: ``optimal`` (proven best), ``feasible`` (a roster without hard violations,
    not proven best), ``infeasible`` (proven: the hard rules cannot all hold) or ``none_found_in_time``
    (no roster without hard violations within the limits: not a proof of anything). Open cover is
    counted apart."""
    if r.status == "INFEASIBLE":
        return "infeasible"
    if not r.assignment or _score(P, r.assignment, conds or M.all_conditions(P))[1] > 0:
        return "none_found_in_time"
    if r.status == "OPTIMAL" and not r.kept_start:
        return "optimal"
    return "feasible"


def unavoidable_text(r: M.Result) -> list[str]:
    """Per part of the roster at its proven least: a sentence saying that its cost is forced."""
    return [f"unavoidable: {', '.join(gs)} {c:,.0f} - these groups share no cover with the others, and no "
            "roster of theirs meets their cover with less (proven)" for gs, c in r.unavoidable]


def verdict(r: M.Result, time_limit: float, det_time: float | None) -> str:
    """One sentence for the status line: what was proven, how far from the best the roster may be,
    and which limit ended the search."""
    limit = {"time_limit": f"the time limit ({time_limit:g} s wall)", "stop": "the request to stop",
             "det_time": f"the deterministic limit ({det_time:g} s)" if det_time else "the deterministic limit"}
    stop = limit.get(r.stopped_by or "time_limit")
    if r.outcome == "optimal":
        return "optimal: no roster scores better under the rules and weights (proven by the solver)"
    if r.outcome == "infeasible":
        return "infeasible: proven - no roster keeps every hard rule (the clash is listed below)"
    if r.outcome == "none_found_in_time":
        return (f"none_found_in_time: {stop} ended the search before a roster without hard violations was "
                "found; this proves nothing about the rules - give more --time-limit (and --det-time), or "
                "fewer --weeks to test the staff and rules quickly")
    src = "the start roster (the search found no better one)" if r.kept_start else "the best roster found"
    if r.objective is not None and r.bound is not None:
        gap = abs(r.objective - r.bound) / max(1.0, abs(r.objective))
        return (f"feasible: {src} keeps every hard rule; objective {r.objective:,.0f}, and no roster can score "
                f"below the proven bound {r.bound:,.0f}: gap {gap:.1%} = (objective - bound) / objective; {stop} "
                "ended the search")
    return (f"feasible: {src} keeps every hard rule; {stop} ended the search before the solver proved a "
            "bound, so how far it is from the best is not known")


def _legal(P: M.Problem, asg: dict, conds) -> bool:
    """No hard violation and no open minimum-cover head: a roster that may be handed out as it is."""
    return _score(P, asg, conds) == (0, 0)


def _score(P: M.Problem, asg: dict, conds) -> tuple[int, int]:
    """(open minimum-cover heads, hard violations): what the builder must not make worse."""
    miss = sum(k for *_, k in M.cover_missing(P, asg))
    hard = sum(1 for v in M.check(P, asg, conds) if v.hard)
    return miss, hard


def neighbourhoods(P: M.Problem, asg: dict) -> list[list[int]]:
    """People to re-plan together, in a fixed order: for each group with open cover (most open first) the
    people who may fill it, then every class of interchangeable people (same group and allowed shifts)."""
    classes: dict[tuple, list[int]] = {}
    for pi, p in enumerate(P.persons):
        classes.setdefault((p.group, tuple(sorted(p.allowed)) if p.allowed is not None else ()), []).append(pi)
    open_by: dict[str, int] = {}
    for _, _, g, k in M.cover_missing(P, asg):
        open_by[g] = open_by.get(g, 0) + k
    out = []
    for g, _ in sorted(open_by.items(), key=lambda kv: (-kv[1], kv[0])):
        fill = [g] + list(P.substitutes.get(g, []))
        out.append([pi for pi, p in enumerate(P.persons) if p.group == g])
        out.append([pi for pi, p in enumerate(P.persons) if p.group in fill])
    out += [pis for _, pis in sorted(classes.items())]
    seen, uniq = set(), []
    for n in out:
        if n and tuple(n) not in seen:
            seen.add(tuple(n))
            uniq.append(n)
    return uniq


def improve(P: M.Problem, asg: dict, budget: float, wall: float, seed: int = 1,
            weights: M.Weights | None = None, rounds: int = 2) -> tuple[dict, float]:
    """Large-neighbourhood search: re-plan one neighbourhood at a time (``neighbourhoods``) with everyone
    else fixed, by a single-worker deterministic CP-SAT solve on the sub-problem (the same rules for the
    people in it, the residual cover); keep the result when the whole roster gets no worse in open cover
    and hard violations. Returns (assignment, deterministic seconds spent)."""
    import time
    t0 = time.perf_counter()
    conds = M.all_conditions(P)
    best = dict(asg)
    score = _score(P, best, conds)
    used = 0.0
    for rnd in range(rounds):
        hoods = neighbourhoods(P, best)
        if rnd > 0 and score[0] == 0:
            break
        for k, hood in enumerate(hoods):
            left_det, left_wall = budget - used, wall - (time.perf_counter() - t0)
            if left_det <= 0.2 or left_wall <= 0.5:
                return best, used
            free = set(hood)
            loc = {pi: i for i, pi in enumerate(hood)}
            Q = dataclasses.replace(P, persons=[P.persons[pi] for pi in hood], cover=residual_cover(P, best, free))
            sub_hint = {(loc[pi], d): s for (pi, d), s in best.items() if pi in free}
            share = max(0.5, min(left_det, budget / max(4, len(hoods))))
            r = M.solve(Q, time_limit=left_wall, workers=1, seed=seed, weights=weights, diagnose=False,
                        hint=sub_hint, det_time=share, deadline=t0 + wall)
            used += r.det_time
            if r.status not in ("OPTIMAL", "FEASIBLE"):
                continue
            cand = {k2: v for k2, v in best.items() if k2[0] not in free}
            cand.update({(hood[i], d): s for (i, d), s in r.assignment.items()})
            sc = _score(P, cand, conds)
            if sc <= score:
                best, score = cand, sc
    return best, used


def weekend_teams(P: M.Problem) -> dict[int, set]:
    """A search aid, not a rule: split the people who share a group, allowed shifts and weekend cycle
    into `cycle` weekend teams (team k works weekends k, k + cycle, ...), largest positions first, round
    robin. Returns {person: weekend slots outside the person's team} for the greedy start. With every
    third weekend and exactly 3 x the weekend persons, only such a team split covers every weekend; the
    plain greedy spends two people on one weekend (one on Saturday, one on Sunday) and runs short."""
    wf = next((r for r in P.rules if isinstance(r, M.WeekendFrequency) and r.hard), None)
    if wf is None:
        return {}
    wsets = wf.weekend_sets(P)
    nw = len(wsets)
    classes: dict[tuple, list[int]] = {}
    for pi, p in enumerate(P.persons):
        cyc = p.weekend_cycle or wf.cycle
        # a rotation repeats: its teams must come round evenly; an open horizon's windows of `cyc` weekends
        # hold one weekend of each team whatever the number of weekends (measured on the shipped units at 6
        # weeks without teams: 64-174 minimum-cover heads left open by the start, all on weekends)
        if cyc <= 1 or (P.cyclic and nw % cyc):
            continue
        key = (p.group, tuple(sorted(p.allowed)) if p.allowed is not None else (), cyc)
        classes.setdefault(key, []).append(pi)
    forbid: dict[int, set] = {}
    for k, (key, pis) in enumerate(sorted(classes.items())):
        cyc = key[2]
        for j, pi in enumerate(sorted(pis, key=lambda i: (-P.persons[i].percent, P.persons[i].id))):
            team = (j + k) % cyc
            forbid[pi] = {sl for w, st in enumerate(wsets) if w % cyc != team for sl in st}
    return forbid


def start_roster(P: M.Problem, conds: list | None = None, given: dict | None = None,
                 given_people: set[int] | None = None, deadline: float | None = None) -> dict:
    """Deterministic greedy start: the greedy (``construct``, keeping blocks of days) inside weekend teams
    and, when that leaves minimum cover open (or there are no teams), the plain greedy; the one that leaves fewer heads open
    (ties: the team one). A rule with an ``amend_start(P, start, conds)`` method then amends it in rule
    order (locked cells, a previous roster to keep: models/roster/locks.py).

    ``given`` ({(person, day): shift}, e.g. an earlier run's roster, ``leon roster build --improve``): the
    start is that roster instead, the greedy's rows only for the people it has no row for, and each row that
    breaks a hard rule re-planned alone with the fewest changes (``models.roster.locks.legalise``): a pilot's
    present roster, or more time for an earlier run's. Measured on sykehjem: a 60 s run from a 60 s roster of
    115 ended at 96 in two seeds of two (the whole-roster model's bound is 95); a 30 s run from a 30 s roster
    of 115 stayed at 115 (one seed). ``given_people``: the people the given roster has a row for (default: those
    it gives a shift), so that a row of days off stays one.

    ``deadline``: the greedy returns what it has planned by then (``M.construct``)."""
    conds = M.all_conditions(P) if conds is None else conds
    if given is None:
        start = _greedy_start(P, conds, deadline)
    else:
        named = given_people if given_people is not None else {pi for pi, _ in given}
        missing = set(range(len(P.persons))) - named
        start = {k: s for k, s in (_greedy_start(P, conds, deadline) if missing else {}).items() if k[0] in missing}
        start.update(given)
        start = legalise(P, start, conds)
    for r in P.rules:
        if callable(getattr(r, "amend_start", None)):
            start = r.amend_start(P, start, conds)
    return start


def _greedy_start(P: M.Problem, conds: list, deadline: float | None = None) -> dict:
    """``start_roster``'s greedy: in weekend teams, or plain where that leaves fewer minimum-cover heads open."""
    def open_heads(a: dict) -> int:
        return sum(k for *_, k in M.cover_missing(P, a))

    forbid = weekend_teams(P)
    # blocks: measured on the four shipped units, the start's min_days_off fell from 128-314 to 10-34 and its
    # objective by a third to two thirds, with the same cover and no hard violation
    start = M.construct(P, forbid=forbid, conds=conds, blocks=True, deadline=deadline) if forbid else {}
    left = open_heads(start) if forbid else None
    late = deadline is not None and time.perf_counter() > deadline
    if (left is None or left > 0) and not (late and forbid):
        plain = M.construct(P, conds=conds, blocks=True, deadline=deadline)
        if left is None or open_heads(plain) < left:
            start = plain
    return start


def grid_rows(P: M.Problem, assignment: dict) -> dict[str, list[str]]:
    rows = {p.id: [""] * P.days for p in P.persons}
    for (pi, d), s in sorted(assignment.items()):
        rows[P.persons[pi].id][d] = P.shifts[s].code
    return rows


def result_json(P: M.Problem, r: M.Result, extra: dict | None = None) -> dict:
    hm = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
    out = {
        "status": r.outcome or r.status, "solver_status": r.status, "stopped_by": r.stopped_by,
        "start_roster_kept": r.kept_start, "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "wall_time_s": round(r.wall_time, 2), "det_time_s": round(r.det_time, 2), "weeks": P.weeks, "start": P.label(0), "cyclic": P.cyclic,
        "shifts": {s.code: {"start": hm(s.start), "end": hm(s.end), "hours": s.work_minutes / 60, "time": s.time,
                            "covers": list(s.periods)} for s in P.shifts},
        "assignments": [{"person": P.persons[pi].id, "date": P.label(d), "shift": P.shifts[s].code}
                        for (pi, d), s in sorted(r.assignment.items(), key=lambda kv: (kv[0][0], kv[0][1]))],
        "shortfall": r.shortfall,
        "conflict": r.conflict,
        "unavoidable": [{"groups": gs, "cost": c} for gs, c in r.unavoidable],
    }
    if extra:
        out.update(extra)
    return out


# the diagnosis in the pilot's language ("nb", the web app's default) or English (the command line)
TEXT = {
    "en": {
        "rule_one": "the hard rule {rules} cannot hold",
        "rule_many": "the hard rules {rules} cannot all hold together",
        "person": "{pid} ({group}, {percent} %): {what} within the days and shifts the staff file allows{hint}",
        "no_core": "the hard rules cannot all hold; no smaller core was found within the time limit",
        "none_found": ("no roster without hard violations was found within the limits - a timeout, not a proof: "
                       "give more --time-limit (and --det-time), or build fewer --weeks to test the staff and rules"),
        "not_proven": ("best roster found in {s:.0f} s leaves {k} shift-heads open; the solver's bound does not "
                       "prove this unavoidable - a longer --time-limit may close them"),
        "open": "{k} {g} shift(s) open on {n} of {days} days ({times}): {own} {g}(e) at {pcts} %",
        "plus": " (plus {n} who may substitute)",
        "nobody_may": "nobody who may fill {g} may work {times} ({who}: see shifts: and night_exempt in the staff "
                      "file), so no roster covers these",
        "hours": " have {cap:.0f} h of contract over {weeks} weeks for {need:.0f} h of slots they can fill",
        "weekend_short": "; at one weekend in {cycle} they can work at most about {cap} of the {need} weekend shifts",
        "weekend_ok": "; weekend shifts needed {need}, at most about {cap} within the weekend rule",
        "proven": " - within the rest, weekly-rest and weekend rules the roster cannot cover them",
        "contract": " (contract {target} h over {weeks} weeks, tolerance {tol} h; ",
        "no_slot": "the requirement has no slot a {group} may fill on the shifts allowed)",
        "all_away": "every day with a slot they could fill is marked unavailable)",
        "too_long": "every shift they may fill is longer than the rules' longest shift, {cap} h: working_hours' "
                    "max_shift_hours, aml § 10-4; an averaging agreement allows longer ones)",
        "slots": "slots on {n} days, at most {h} h even before rest and weekend rules)",
        "whole": "; every shift they may work is {len} h, so {a} or {b} shifts give {ha} or {hb} h, neither within "
                 "± {tol} h of {target} h: change the position to one that whole shifts meet (e.g. {pct} % = {n} "
                 "shifts), or the rule's tolerance",
    },
    "nb": {
        "rule_one": "den harde regelen {rules} kan ikke holdes",
        "rule_many": "de harde reglene {rules} kan ikke holdes samtidig",
        "person": "{pid} ({group}, {percent} %): {what} innenfor dagene og vaktene bemanningsfila tillater{hint}",
        "no_core": "de harde reglene kan ikke holdes samtidig; ingen mindre kjerne ble funnet innen tidsgrensen",
        "none_found": ("ingen turnus uten brudd på harde regler ble funnet innen grensene - tiden gikk ut, det er "
                       "ikke bevist at ingen finnes: gi mer tid, eller bygg færre uker for å prøve bemanningen og "
                       "reglene"),
        "not_proven": ("beste turnus funnet på {s:.0f} s lar {k} vakter stå åpne; løserens grense beviser ikke at "
                       "det er uunngåelig - mer tid kan dekke dem"),
        "open": "{k} {g}-vakt(er) åpne på {n} av {days} dager ({times}): {own} {g} med {pcts} %",
        "plus": " (pluss {n} som kan erstatte)",
        "nobody_may": "ingen som kan fylle {g} kan jobbe {times} ({who}: se shifts: og night_exempt i "
                      "personalfilen), så ingen turnus dekker disse",
        "hours": " har {cap:.0f} t avtalt arbeidstid over {weeks} uker mot {need:.0f} t vakter de kan fylle",
        "weekend_short": "; med hver {cycle}. helg kan de ta høyst om lag {cap} av de {need} helgevaktene",
        "weekend_ok": "; helgevakter som trengs: {need}, høyst om lag {cap} innenfor helgeregelen",
        "proven": " - innenfor hvile-, ukehvile- og helgereglene kan ingen turnus dekke dem",
        "contract": " (avtalt {target} t over {weeks} uker, toleranse {tol} t; ",
        "no_slot": "bemanningsbehovet har ingen vakt en {group} kan fylle på de tillatte vaktene)",
        "all_away": "hver dag med en vakt de kunne fylt er merket utilgjengelig)",
        "too_long": "hver vakt de kan fylle er lengre enn reglenes lengste vakt, {cap} t: working_hours' "
                    "max_shift_hours, aml § 10-4; en gjennomsnittsavtale tillater lengre)",
        "slots": "vakter på {n} dager, høyst {h} t selv før hvile- og helgeregler)",
        "whole": "; hver vakt de kan ta er {len} t, så {a} eller {b} vakter gir {ha} eller {hb} t, ingen innenfor "
                 "± {tol} t av {target} t: endre stillingen til en som hele vakter treffer (f.eks. {pct} % = {n} "
                 "vakter), eller regelens toleranse",
    },
}


def diagnose(P: M.Problem, r: M.Result, gaps: list[tuple[int, str, str, int]], lang: str = "en") -> list[str]:
    """Human sentences: why cover is missing, or which hard rules cannot hold together (``lang``: en | nb)."""
    T = TEXT.get(lang, TEXT["en"])
    msgs = []
    if r.status == "INFEASIBLE":
        by_person = defaultdict(list)
        for key in r.conflict:
            rule, pid = key.split("|", 1)
            by_person[pid].append(rule)
        if by_person:
            for pid, rules in sorted(by_person.items())[:8]:
                pi, p = next((i, p) for i, p in enumerate(P.persons) if p.id == pid)
                names = sorted(set(rules))
                what = T["rule_one" if len(names) == 1 else "rule_many"].format(rules=", ".join(names))
                hint = _contract_hint(P, pi, lang) if "contract_hours" in names else ""
                msgs.append(T["person"].format(pid=pid, group=p.group, percent=f"{p.percent:g}", what=what, hint=hint))
        else:
            msgs.append(T["no_core"])
        return msgs
    if r.outcome == "none_found_in_time" or r.status not in ("OPTIMAL", "FEASIBLE") and not r.assignment:
        return [T["none_found"]]
    if not gaps:
        return msgs
    proven = r.bound is not None and r.bound >= M.Weights().shortfall * sum(k for *_, k in gaps) - 1e-6
    if not proven:
        msgs.append(T["not_proven"].format(s=r.wall_time, k=sum(k for *_, k in gaps)))
    ch = next((x for x in P.rules if isinstance(x, M.ContractHours)), None)
    wf = next((x for x in P.rules if isinstance(x, M.WeekendFrequency)), None)
    norm = ch.norm_hours_per_week if ch else 35.5
    per = defaultdict(lambda: [0, set(), set()])
    for d, code, g, k in gaps:
        per[g][0] += k
        per[g][1].add(code)
        per[g][2].add(d)
    for g, (k, codes, days) in sorted(per.items(), key=lambda kv: -kv[1][0]):
        fillers = [g] + [h for h in P.substitutes.get(g, [])]
        people = [p for p in P.persons if p.group in fillers]
        own = [p for p in P.persons if p.group == g]
        need = [c for c in P.cover if c.group in fillers]
        need_h = sum(c.min * _period_minutes(P, c.code) for c in need) / 60
        cap_h = sum(p.percent / 100 * norm * P.weeks for p in people)
        times = sorted({_time_of(P, c) for c in codes})
        pcts = ", ".join(f"{p.percent:g}" for p in own[:8]) + (" ..." if len(own) > 8 else "")
        s = T["open"].format(k=k, g=g, n=len(days), days=P.days, times="/".join(times), own=len(own),
                             pcts=pcts or "-")
        if len(people) > len(own):
            s += T["plus"].format(n=len(people) - len(own))
        blocked = {c for c in codes if not any(_may_work(P, p, c) for p in people)}
        if blocked:
            # the staff file, not the rules, leaves these open: said apart, before the hours
            there = [(d, kk) for d, c, gg, kk in gaps if gg == g and c in blocked]
            when = "/".join(sorted({_time_of(P, c) for c in blocked}))
            msgs.append(T["open"].format(k=sum(kk for _, kk in there), g=g, n=len({d for d, _ in there}),
                                         days=P.days, times=when, own=len(own), pcts=pcts or "-")
                        + ": " + T["nobody_may"].format(g=g, times=when, who=", ".join(sorted(set(fillers)))))
            if blocked == codes:
                continue
        s += T["hours"].format(cap=cap_h, weeks=P.weeks, need=need_h)
        if wf:
            we_need = sum(c.min for c in need if c.day % 7 >= 5)
            we_cap = sum(2 * (P.weeks // max(1, p.weekend_cycle or wf.cycle)) for p in people)
            s += T["weekend_short" if we_cap < we_need else "weekend_ok"].format(cycle=wf.cycle, cap=we_cap,
                                                                                 need=we_need)
        if proven:
            s += T["proven"]
        msgs.append(s)
    return msgs


def _may_work(P: M.Problem, p: M.Person, code: str) -> bool:
    """Whether the staff file lets the person work some shift that covers this cover period."""
    return any(code in st.periods and P.allowed(p, 0, si) and not (p.night_exempt and st.time == "natt")
               for si, st in enumerate(P.shifts))


def _num(x: float, fmt: str, lang: str) -> str:
    """A number as the language writes it: a decimal comma in Norwegian (106,5)."""
    out = format(x, fmt)
    return out.replace(".", ",") if lang == "nb" else out


def _contract_hint(P: M.Problem, pi: int, lang: str = "en") -> str:
    """Contract target against the most the person could work on the days left open to them."""
    T = TEXT.get(lang, TEXT["en"])
    ch = next((x for x in P.rules if isinstance(x, M.ContractHours)), None)
    if ch is None:
        return ""
    p = P.persons[pi]
    target = p.percent / 100 * ch.norm_hours_per_week * P.weeks
    caps = [x.max_shift_hours * 60 for x in P.rules if isinstance(x, M.WorkingHours) and x.hard]
    best: dict[int, int] = {}   # day -> longest shift the person may work there on a slot they can fill
    why = "no_slot"             # when there is none: the first thing that takes the slots away
    for c in P.cover:
        if max(c.min, c.preferred) <= 0 or p.group not in [c.group] + list(P.substitutes.get(c.group, [])):
            continue
        for s, st in enumerate(P.shifts):
            if not (c.code in st.periods and P.exists(c.day, s) and P.allowed(p, c.day, s)):
                continue
            if c.day in p.unavailable:
                why = "all_away"
            elif not all(st.work_minutes <= cap + 1e-6 for cap in caps):
                why = "too_long" if why == "no_slot" else why
            else:
                best[c.day] = max(best.get(c.day, 0), st.work_minutes)
    head = T["contract"].format(target=_num(target, ".1f", lang), weeks=P.weeks,
                                tol=_num(ch.tolerance_hours, "g", lang))
    if not best:
        return head + T[why].format(group=p.group, cap=_num(min(caps, default=0) / 60, "g", lang))
    return head + T["slots"].format(n=len(best), h=_num(sum(best.values()) / 60, ".1f", lang)) \
        + _whole_shifts(P, p, target, ch, set(best.values()), T, lang)


def _whole_shifts(P: M.Problem, p: M.Person, target: float, ch, lengths: set[int], T: dict, lang: str) -> str:
    """Shifts all of one length that no whole number of meets the contract within the tolerance (a 55 %
    night nurse over 12 weeks: 234.3 h, 10 h nights give 230 or 240 h, tolerance 4 h)."""
    if len(lengths) != 1:
        return ""
    hours = next(iter(lengths)) / 60
    if hours <= 0:
        return ""
    a = math.floor(target / hours)
    if min(abs(a * hours - target), abs((a + 1) * hours - target)) <= ch.tolerance_hours + 1e-6:
        return ""
    b = a + 1 if abs((a + 1) * hours - target) < abs(a * hours - target) else a
    pct = b * hours / (ch.norm_hours_per_week * P.weeks) * 100
    return T["whole"].format(len=_num(hours, "g", lang), a=a, b=a + 1, ha=_num(a * hours, "g", lang),
                             hb=_num((a + 1) * hours, "g", lang), tol=_num(ch.tolerance_hours, "g", lang),
                             target=_num(target, ".1f", lang), pct=_num(pct, ".1f", lang), n=b)


def _period_minutes(P, code):
    st = next((s for s in P.shifts if s.code == code), None) or next(s for s in P.shifts if code in s.periods)
    return st.work_minutes


def _time_of(P, code):
    st = next((s for s in P.shifts if s.code == code), None)
    return st.time if st else code
