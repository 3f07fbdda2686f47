"""Large-neighbourhood search on a roster: re-plan a few people at a time, everyone else fixed.

A neighbourhood is everyone of one group over a window of two weeks (most of the time; while cover is
open, the people who may fill an open slot, around its day), or two to four people who can stand in for
each other (the same group, or a group that substitutes for it), led by a person whose schedule costs
much. Their schedules are re-planned together by CP-SAT under all of their rules against the cover the
others leave (minimum and preferred); the new roster is kept when the whole-roster objective
(``score``) is no worse. A window's sub-model holds every day outside it as constants and posts only the
conditions and cover that touch it, and the objective of a new roster re-evaluates only the people whose
schedule changed: on sykehjem that took the search from 17 to 78 neighbourhoods in 30 s, and its roster
from 10 175 to 1 255. Exchanges within a group over two weeks (one takes the other's Sunday, the
other's isolated day off goes away) are what remove most soft violations of a greedy start. Windows are
10 or 14 days: on sykehjem, the search alone did best with 14 days in 40 s (1 115 against 2 115 with 10
and 6 735 with 7; 3 or 4 weeks solve too slowly), but within the command's 30 s, beside the bound
stages, 10 days did better.
"""
from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable

from models.roster.bound import part_people, part_problem
from models.roster.cpsat import (
    Cond,
    Contract,
    CountAny,
    Cover,
    Linear,
    Pattern,
    Problem,
    Weights,
    all_conditions,
    cover_missing,
    cover_weights,
    demand,
    route,
    solve,
)
from models.roster.score import KINDS, Score, cover_cost, fairness_cost, person_part, prepare

Assignment = dict[tuple[int, int], int]
# Measured on sykehjem and medisinsk_sengepost (40 s of search alone, a loaded 2-core machine): a group
# window of at most 12 people and sub-solves of at most 1.5 s gave 695 / 1 131, against 1 675 / 4 191
# with whole groups (up to 31 people) and 5 s; 8 people did worse (955 / 2 151).
MAX_HOOD = 12
SUB_LIMIT = 1.5
FAIR_SHARE = 0.3   # once no soft violation is left: the share of neighbourhoods drawn at a fairness spread's ends


def residual_cover(P: Problem, asg: Assignment, free: set[int], demand_at: dict | None = None) -> list[Cover]:
    """The cover the free people must give when everyone else keeps their shifts: per day, period and
    group the heads missing below the minimum and below the preferred cover (substitution included),
    at the cover's own weights; an open slot of the whole problem stays open."""
    if demand_at is None:
        _, demand_at, _ = demand(P)
    under_w, over_w = cover_weights(P)
    open_at = {(c.day, c.code, c.group) for c in P.cover if c.open}
    heads: dict[tuple[int, str], dict[str, int]] = {}
    for (pi, d), s in asg.items():
        if pi in free:
            continue
        for per in P.shifts[s].periods:
            h = heads.setdefault((d, per), {})
            h[P.persons[pi].group] = h.get(P.persons[pi].group, 0) + 1
    # the others fill first what the free people cannot fill, so the heads left open are theirs to give
    free_groups = {P.persons[pi].group for pi in free}
    first = {g for g in {c.group for c in P.cover}
             if g not in free_groups and not free_groups & set(P.substitutes.get(g, []))}
    out = []
    for (d, per), dem in sorted(demand_at.items()):
        have = heads.get((d, per), {})
        mins = {g: mn for g, (mn, _) in dem.items() if mn > 0}
        prefs = {g: pr for g, (_, pr) in dem.items() if pr > 0}
        miss_min, _ = route(mins, have, P.substitutes, first=first)
        miss_pref, _ = route(mins, have, P.substitutes, then=prefs, first=first)
        for g in sorted(dem):
            uw, ow = under_w.get((d, per, g)), over_w.get((d, per))
            a, b = miss_min.get(g, 0), miss_pref.get(g, 0)
            if a or b:
                out.append(Cover(d, per, g, a, max(a, b), under_weight=uw, over_weight=ow))
            elif dem[g][1] > 0 or (d, per, g) in open_at:   # filled by the others: the free people may
                out.append(Cover(d, per, g, 0, 0, open=True, under_weight=uw, over_weight=ow))   # still work
    return out


def _worked(P: Problem, asg: Assignment) -> list[set]:
    worked: list[set] = [set() for _ in P.persons]
    for (pi, d), s in asg.items():
        worked[pi].add((d, s))
    return worked


def _days_of(c: Cond) -> frozenset[int]:
    """The days whose shifts a condition reads."""
    if isinstance(c, (Linear, Contract)):
        return frozenset(sl[0] for sl, _ in c.terms)
    if isinstance(c, CountAny):
        return frozenset(sl[0] for st in c.sets for sl in st)
    if isinstance(c, Pattern):
        return frozenset(sl[0] for st, _ in c.elems for sl in st)
    raise TypeError(c)


class Search:
    """The LNS state: the incumbent roster, its score, the per-person conditions."""

    def __init__(self, P: Problem, asg: Assignment, W: Weights | None = None, conds: list[Cond] | None = None,
                 seed: int = 1, det_step: float | None = None, push: bool = True) -> None:
        """``det_step``: limit each sub-solve by CP-SAT deterministic seconds (reproducible search).
        ``push``: neighbourhoods lean on the people at a fairness spread's ends (``solve``'s ``fair_ctx``)."""
        self.P, self.W = P, W or Weights()
        self.conds = all_conditions(P) if conds is None else conds
        self.by_person: list[list[Cond]] = [[] for _ in P.persons]
        for c in self.conds:
            self.by_person[c.person].append(c)
        # the days each condition looks at: a window's sub-model posts only the conditions that touch it
        self.cond_days: list[list[frozenset[int]]] = [[_days_of(c) for c in cs] for cs in self.by_person]
        self.best = dict(asg)
        self.prep = prepare(P)
        self.worked = _worked(P, self.best)
        self.parts = [self._part(pi, self.worked[pi]) for pi in range(len(P.persons))]
        self.sc = self._score(self.best, self.worked, self.parts)
        self.rng = random.Random(seed)
        self.det_step = det_step
        self.push = push
        self.lock = threading.RLock()
        # people whose neighbourhood is being solved: a second search thread (``run`` from two threads)
        # draws only others, so the two new schedules join without either undoing the other
        self.claimed: set[int] = set()
        self.soft_improved_at = time.perf_counter()   # when the rules' soft part of the roster last fell
        self.det_used = 0.0
        self.floors: list = []    # ``set_floors``
        self._settled: tuple = (None, [])
        self.tried = 0
        self.kept = 0
        mates: dict[int, list[int]] = {}
        for pi, p in enumerate(P.persons):
            # the people of the groups this person may fill (their own and those they substitute for): the
            # symmetric choice (also who may fill this person's) measured no better on sykehjem
            fills = {p.group} | {g for g, subs in P.substitutes.items() if p.group in subs}
            mates[pi] = [q for q, o in enumerate(P.persons) if q != pi and o.group in fills]
        self.mates = mates

    def set_floors(self, parts: list[tuple[set[str], float]]) -> None:
        """Groups that share no cover with the others, each with its proven least cover + rules cost
        (``models.roster.bound.split_bound``): while a part's people and cover cost no more than that, its
        soft violations cannot go (medisinsk's four doctors: one short break, 200, in every roster), and
        the search leaves them alone (``open_soft``)."""
        floors = []
        for groups, least in parts:
            Q, _, _ = part_problem(self.P, groups, [], None)
            floors.append((groups, least, part_people(self.P, groups), Q, demand(Q)[1], cover_weights(Q)))
        self.floors = floors

    def settled_parts(self) -> list[tuple[set[str], float, list[int]]]:
        """The parts (``set_floors``) whose roster costs no more than their proven least: groups, least,
        people (kept until the roster or the floors change: the solves' stop polls this every 50 ms)."""
        with self.lock:
            key = (self.kept, id(self.floors))
            if self._settled[0] == key:
                return self._settled[1]
            out = []
            W0 = dataclasses.replace(self.W, fairness=0, overcover=0)    # what split_bound proves
            for groups, least, people, Q, demand_at, weights in self.floors:
                at = {pi: i for i, pi in enumerate(people)}
                asg = {(at[pi], d): s for (pi, d), s in self.best.items() if pi in at}
                cost = sum(self.parts[pi][0] for pi in people) + cover_cost(Q, asg, W0, demand_at, weights)[0]
                if cost <= least + 1e-6:
                    out.append((groups, least, people))
            self._settled = (key, out)
        return out

    def settled(self) -> set[int]:
        """The people of the settled parts (``settled_parts``)."""
        return {pi for _, _, people in self.settled_parts() for pi in people}

    def open_soft(self) -> float:
        """The rules' soft cost that a better roster may still remove: all of it but that of settled people."""
        with self.lock:
            if not self.floors or self.sc.soft <= 0:
                return self.sc.soft
            return self.sc.soft - sum(self.parts[pi][0] for pi in self.settled())

    def person_costs(self) -> list[float]:
        return [part[0] for part in self.parts]

    def _part(self, pi: int, worked: set) -> tuple[float, int, dict[str, tuple[int, float]]]:
        """One person's (soft cost, hard conditions broken, cost by rule) under their conditions."""
        return person_part(self.P, self.by_person[pi], worked, self.W)

    def _score(self, asg: Assignment, worked: list[set], parts: list) -> Score:
        """``score`` of a roster from its people's parts (the same sum, without re-evaluating people
        whose schedule did not change; a test checks it against ``score``)."""
        P, W = self.P, self.W
        soft = sum(p[0] for p in parts)
        hard = sum(p[1] for p in parts)
        by_rule: dict[str, tuple[int, float]] = {}
        for p in parts:
            for rule, (n, k) in p[2].items():
                n0, k0 = by_rule.get(rule, (0, 0.0))
                by_rule[rule] = (n0 + n, k0 + k)
        cov, open_min = cover_cost(P, asg, W, self.prep.demand_at, self.prep.cover_weights)
        fair = fairness_cost(P, worked, W, self.prep.fairness)
        return Score(cov + soft + fair, cov, open_min, soft, hard, fair, dict(sorted(by_rule.items())))

    def pick(self, costs: list[float], size: int) -> list[int]:
        """A costly person (drawn by cost) and ``size - 1`` of the people who can stand in for them."""
        n = len(costs)
        total = sum(costs)
        if total > 0 and self.rng.random() < 0.8:
            x, acc, lead = self.rng.random() * total, 0.0, n - 1
            for pi, c in enumerate(costs):
                acc += c
                if acc >= x:
                    lead = pi
                    break
        else:
            lead = self.rng.randrange(n)
        mates = self.mates[lead]
        others = self.rng.sample(mates, min(size - 1, len(mates)))
        return [lead] + others

    def fair_pick(self, size: int) -> list[int]:
        """A person at the most of a fairness spread (the kind drawn by its spread) and ``size - 1`` of the
        people who can stand in for them, those with the fewest of that kind likelier: the people between
        whom a whole-horizon swap narrows the spread."""
        P = self.P
        spans = []
        for kind in KINDS:
            if len(self.prep.fairness.eligible[kind]) > 1:
                counts = self._kind_counts(kind)
                spans.append((max(counts.values()) - min(counts.values()), kind, counts))
        spans = [t for t in spans if t[0] > 0]
        if not spans:
            return self.pick([0.0] * len(P.persons), size)
        _, kind, counts = self.rng.choices(spans, weights=[t[0] for t in spans])[0]
        top = max(counts.values())
        lead = self.rng.choice([pi for pi, k in counts.items() if k == top])
        mates = [q for q in self.mates[lead] if q in counts]
        if not mates:
            return self.pick([0.0] * len(P.persons), size)
        return [lead] + self._draw_n(mates, [1.0 + top - counts[q] for q in mates], size - 1)

    def _draw_n(self, people: list[int], weights: list[float], n: int) -> list[int]:
        pool, w = list(people), list(weights)
        out: list[int] = []
        while pool and len(out) < n:
            k = self.rng.choices(range(len(pool)), weights=w)[0]
            out.append(pool.pop(k))
            w.pop(k)
        return out

    def window(self, length: int | None = None) -> tuple[list[int], set[int]]:
        """Everyone of one group (drawn by the group's cost) over a window of days (10 or 14 when not
        given): the people, and the days they may change."""
        P, costs = self.P, self.person_costs()
        length = length or self.rng.choice((10, 14))
        by_group: dict[str, list[int]] = {}
        for pi, p in enumerate(P.persons):
            by_group.setdefault(p.group, []).append(pi)
        if self.sc.open_min and self.rng.random() < 0.7:
            # open cover first: the people who may fill an open slot, around its day
            d, code, g, _ = self.rng.choice(cover_missing(P, self.best))
            fill = {g, *P.substitutes.get(g, [])}
            hood = [pi for pi, p in enumerate(P.persons) if p.group in fill]
            # the people who may work the open shift are likelier to be drawn, those off that day most
            shifts = [s for s, st in enumerate(P.shifts) if code in st.periods and P.exists(d, s)]
            may = {pi for pi in hood if any(P.allowed(P.persons[pi], d, s) for s in shifts)}
            if may and self.rng.random() < 0.8:
                # most of the time only those who may work it, over three weeks: measured on medisinsk's open
                # sykepleier night, its five night nurses over 21 days close it in one step (0.1 s), where 12
                # of the 15 nurses over 10-14 days did not
                hood, length = sorted(may), 21
            w = [(10.0 if (pi, d) not in self.best else 3.0) if pi in may else 1.0 for pi in hood]
            return self._draw(hood, w), \
                {(d - length // 2 + k) % P.days for k in range(min(length, P.days))}
        groups = sorted(by_group)
        w = [sum(costs[pi] for pi in by_group[g]) + 1.0 for g in groups]
        g = self.rng.choices(groups, weights=w)[0]
        d0 = self.rng.randrange(P.days)
        # a large group: its costliest people are likelier to be drawn
        hood = self._draw(by_group[g], [costs[q] + 1.0 for q in by_group[g]])
        return hood, {(d0 + k) % P.days for k in range(min(length, P.days))}

    def _draw(self, people: list[int], weights: list[float]) -> list[int]:
        """At most ``MAX_HOOD`` of ``people``, drawn by weight without replacement (all when fewer)."""
        if len(people) <= MAX_HOOD:
            return list(people)
        return self._draw_n(people, weights, MAX_HOOD)

    def soft_pick(self) -> list[int]:
        """A person with a soft violation (drawn by its cost) and up to ``MAX_HOOD - 1`` of the people who
        can stand in for them, their own group first: the neighbourhood of the soft-first stage."""
        costs = self.person_costs()
        settled = self.settled()
        bad = [pi for pi, c in enumerate(costs) if c > 0 and pi not in settled]
        if not bad:
            return []
        lead = self.rng.choices(bad, weights=[costs[pi] for pi in bad])[0]
        g = self.P.persons[lead].group
        same = [q for q in self.mates[lead] if self.P.persons[q].group == g]
        other = [q for q in self.mates[lead] if self.P.persons[q].group != g]
        hood = self.rng.sample(same, min(len(same), MAX_HOOD - 1))
        return [lead] + hood + self.rng.sample(other, min(len(other), MAX_HOOD - 1 - len(hood)))

    def step(self, hood: list[int], until: float, days: set[int] | None = None,
             stop: Callable[[], bool] | None = None, workers: int = 1, limit: float = SUB_LIMIT) -> bool:
        """Re-plan ``hood`` together (only on ``days`` when given: elsewhere nobody takes on a new shift);
        keep the result when the roster's objective is no worse. ``stop``: ends the sub-solve early;
        ``workers``, ``limit``: CP-SAT's workers and wall seconds for the sub-solve."""
        P = self.P
        free = set(hood)
        loc = {pi: i for i, pi in enumerate(hood)}
        cover = residual_cover(P, self.best, free, self.prep.demand_at)
        if days is not None:    # outside the window the cover is what it is
            cover = [c for c in cover if c.day in days]
        Q = dataclasses.replace(P, persons=[P.persons[pi] for pi in hood], cover=cover)
        hint = {(loc[pi], d): s for (pi, d), s in self.best.items() if pi in free}
        # the push while only fairness is left (or in half the neighbourhoods): measured on sykehjem, pushing
        # from the start slowed the removal of the last soft violations
        push = self.push and (self.open_soft() == 0 or self.rng.random() < 0.5)
        fair_ctx = self._fair_ctx(free, loc, push) if self.W.fairness else None
        left = until - time.perf_counter()
        if left <= 0.05:
            return False
        conds = [dataclasses.replace(c, person=loc[pi]) for pi in hood
                 for c, cd in zip(self.by_person[pi], self.cond_days[pi], strict=True)
                 if days is None or not cd.isdisjoint(days)]
        # with a deterministic step the wall limit only guards the run's end: a wall share would bind under load
        r = solve(Q, time_limit=left if self.det_step else min(limit, left), workers=workers,
                  seed=self.rng.randrange(1 << 30), weights=self.W,
                  diagnose=False, hint=hint, deadline=until, det_time=self.det_step, conds=conds, window=days,
                  fair_ctx=fair_ctx, stop=stop)
        self.tried += 1
        self.det_used += r.det_time
        if r.status not in ("OPTIMAL", "FEASIBLE"):
            return False
        new = {(hood[i], d): s for (i, d), s in r.assignment.items()}
        with self.lock:
            # into the roster as it is now (another search thread may have changed other people meanwhile;
            # every hard rule is one person's, so the joined roster breaks none the two did not): the free
            # people keep their shifts outside the window (the sub-model held them as constants)
            cand = {k: v for k, v in self.best.items() if k[0] not in free or (days is not None and k[1] not in days)}
            cand.update(new)
            return self.offer(cand)

    def _fair_ctx(self, free: set[int], loc: dict[int, int], push: bool = False) -> dict:
        """The fairness spreads as the neighbourhood's sub-model sees them: which of its people take part,
        and the fewest and most of the roster's other people (whose schedules stay as they are)."""
        fv, out = self.prep.fairness, {}
        for kind in KINDS:
            el = fv.eligible[kind]
            counts = self._kind_counts(kind)
            rest = [k for pi, k in counts.items() if pi not in free]
            whole = (min(counts.values()), max(counts.values())) if len(counts) > 1 else None
            out[kind] = ({loc[pi] for pi in el if pi in free}, (min(rest), max(rest)) if rest else None,
                         whole if push else None)
        return out

    def _kind_counts(self, kind: str) -> dict[int, int]:
        """Each person of a fairness spread and their count of that kind in the current roster."""
        fv = self.prep.fairness
        return {pi: fv.count(self.P, kind, self.worked[pi]) for pi in fv.eligible[kind]}

    def spreads(self) -> dict[str, tuple[int, int]]:
        """Per fairness kind, the (fewest, most) of the people in its spread, in the current roster."""
        out = {}
        with self.lock:
            for kind in KINDS:
                counts = self._kind_counts(kind).values()
                if counts:
                    out[kind] = (min(counts), max(counts))
        return out

    def offer(self, cand: Assignment) -> bool:
        """Keep ``cand`` when it is no worse: fewer hard violations first, then the objective (a tie
        moves the search to the new roster). Safe to call from another thread."""
        with self.lock:   # re-entrant: ``step`` holds it while it joins its neighbourhood into the roster
            if cand == self.best:
                return False
            worked = _worked(self.P, cand)
            parts = [self.parts[pi] if w == self.worked[pi] else self._part(pi, w) for pi, w in enumerate(worked)]
            sc = self._score(cand, worked, parts)
            if (sc.hard, sc.total) <= (self.sc.hard, self.sc.total):
                if sc.soft < self.sc.soft:
                    self.soft_improved_at = time.perf_counter()
                self.best, self.sc, self.worked, self.parts = cand, sc, worked, parts
                self.kept += 1
                return True
        return False

    def snapshot(self) -> Assignment:
        with self.lock:
            return dict(self.best)

    def run(self, until: float, on_better: Callable[[Assignment, float], None] | None = None,
            sizes: tuple[int, ...] = (2, 3, 4), det_budget: float | None = None,
            stall: int | None = None, stop: Callable[[], bool] | None = None) -> Assignment:
        """Search until ``until`` (perf_counter); with ``det_budget``, also until the sub-solves have used
        that many deterministic seconds in all (counted from the search's start); with ``stall``, also
        after that many neighbourhoods in a row without a better roster (a stop that does not depend on
        the machine's speed); with ``stop``, also as soon as it returns True (checked between
        neighbourhoods, and by the neighbourhood's solve while it runs)."""
        costs = self.person_costs()
        idle = 0
        while time.perf_counter() < until - 0.1 and (det_budget is None or self.det_used < det_budget) \
                and (stall is None or idle < stall) and not (stop and stop()):
            before = self.sc.total
            # measured on sykehjem (40 s, 4 variants): two-week windows of a group most of the time
            x = self.rng.random()
            if x < 0.8 - FAIR_SHARE * (self.open_soft() == 0):
                hood, days = self.window()
            elif x < 0.8:
                hood, days = self.fair_pick(self.rng.choice(sizes)), None
            else:
                hood, days = self.pick(costs, self.rng.choice(sizes)), None
            with self.lock:
                hood = [pi for pi in hood if pi not in self.claimed]
                self.claimed.update(hood)
            try:
                better = bool(hood) and self.step(hood, until, days, stop) and self.sc.total < before
            finally:
                with self.lock:
                    self.claimed.difference_update(hood)
            if better:
                idle = 0
                costs = self.person_costs()
                if on_better:
                    on_better(self.best, self.sc.total)
            else:
                idle += 1
        return self.best
