"""A lower bound on the cover and fairness parts of the roster objective, from counts.

Each person's schedule is summed up by how many slots of each shift they work in each *slot class*: the
slots of one weekend (the ``WeekendFrequency`` sets), and the rest. On those counts hold, exactly or
relaxed, what every legal roster keeps:

- at most one shift a day (per class, no more slots than the class has days);
- the contract's hours over the horizon (``Contract``), with each class's least and largest minutes;
- slots a hard condition forbids (unavailable days, shifts a person may not take) are never worked;
- weekend frequency (``CountAny`` over whole weekends) on a 0/1 "worked that weekend" per weekend;
- the cover of each period summed over the horizon: minimum and preferred rows with their shortfall,
  routing between groups by the substitution table, over-cover above the preferred heads.

The fairness spreads (most - fewest weekends, nights, evenings over the people of each spread,
``fairness_people``) are then exact functions of the counts. Summing each cover row over the days and
taking each weight's least value over the days can only lower the cost, and every constraint above holds
for the counts of any legal roster, so the best value of this small integer model (HiGHS), or its proven
dual bound when time runs out, is a lower bound on cover + fairness. The rules' soft penalties are
bounded apart (each person's least penalty alone, ``colgen``), and the two bounds add.

Why it matters: fairness is left out of the column-generation master, and the whole-roster CP-SAT model
proves little about it in a minute, while on units with small and large positions most of what is left of
the objective is the evening spread that the groups' cover forces (a few nurses carry the nurses'
evenings). Counts see exactly that.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from models.linked import linked_sets
from models.roster.cpsat import (
    Contract,
    CountAny,
    Linear,
    Problem,
    Slot,
    Weights,
    all_conditions,
    cover_weights,
    demand,
    fairness_people,
    weekend_sets,
)


@dataclass
class CountBound:
    bound: float            # proven lower bound on cover + fairness (0 when nothing was proven)
    value: float | None     # the count model's best value (None: no solution in time)
    optimal: bool           # the count model was solved to optimality


class _Counts:
    """The count model (HiGHS), built part by part."""

    def __init__(self, P: Problem, W: Weights) -> None:
        import highspy
        self.P, self.W = P, W
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.inf = highspy.kHighsInf
        self.n = 0
        self.integer: list[int] = []
        self.useful, self.demand_at, _ = demand(P)
        self.wsets = weekend_sets(P)
        self.wk_of = {sl: w for w, st in enumerate(self.wsets) for sl in st}
        self.wk_index = {tuple(st): w for w, st in enumerate(self.wsets)}
        self.supply: dict[tuple[str, str], list[int]] = {}        # (period, group) -> count variables
        self.kind_terms: list[dict[str, list[tuple[int, float]]]] = []

    def col(self, cost: float, lo: float, hi: float, is_int: bool = False) -> int:
        self.h.addCol(cost, lo, hi, 0, [], [])
        self.n += 1
        if is_int:
            self.integer.append(self.n - 1)
        return self.n - 1

    def row(self, lo: float, hi: float, entries: list[tuple[int, float]]) -> None:
        acc: dict[int, float] = {}
        for j, a in entries:
            acc[j] = acc.get(j, 0.0) + a
        self.h.addRow(lo, hi, len(acc), list(acc), list(acc.values()))

    def person(self, pi: int, conds: list, slots: set[Slot], worked: set[Slot] | None) -> None:
        """One person's counts per (shift, class, periods with cover), and the rules on them; ``worked``:
        fix them at this schedule's."""
        P = self.P
        groups = self._classes(conds, slots, worked)
        var: dict[tuple[int, int, frozenset[str]], int] = {}
        for key, sls in groups.items():
            n = sum(1 for sl in sls if sl in worked) if worked is not None else None
            var[key] = self.col(0.0, n, n, True) if n is not None else self.col(0.0, 0, len(sls), True)
        for cls in {k[1] for k in groups}:      # one shift a day, per class
            days = {d for k, sls in groups.items() if k[1] == cls for d, _ in sls}
            self.row(-self.inf, len(days), [(var[k], 1.0) for k in groups if k[1] == cls])
        zw = self._weekend_flags(groups, var, worked)
        for c in conds:
            if c.hard and isinstance(c, Contract):
                self._contract(c, P.persons[pi].percent, groups, var)
            elif c.hard and isinstance(c, CountAny):
                self._weekends(c, zw)
        kt: dict[str, list[tuple[int, float]]] = {"weekend": [(z, 1.0) for z in zw.values()]}
        for key, j in var.items():
            for per in key[2]:
                self.supply.setdefault((per, P.persons[pi].group), []).append(j)
            kt.setdefault(P.shifts[key[0]].time, []).append((j, 1.0))
        self.kind_terms.append(kt)

    def _classes(self, conds: list, slots: set[Slot], worked: set[Slot] | None
                 ) -> dict[tuple[int, int, frozenset[str]], list[Slot]]:
        """The person's slots by (shift, weekend index or -1, periods with cover), without those a hard
        condition forbids (a limit of 0 on slots: unavailable days, shifts not allowed)."""
        banned: set[Slot] = set()
        for c in conds:
            if c.hard and isinstance(c, Linear) and c.hi is not None and c.hi <= 0 and (c.lo or 0) <= 0 \
                    and all(k > 0 for _, k in c.terms):
                banned.update(sl for sl, _ in c.terms)
        groups: dict[tuple[int, int, frozenset[str]], list[Slot]] = {}
        for d, s in sorted((slots - banned) | (worked or set())):
            pers = frozenset(q for q in self.P.shifts[s].periods if (d, q) in self.demand_at)
            groups.setdefault((s, self.wk_of.get((d, s), -1), pers), []).append((d, s))
        return groups

    def _weekend_flags(self, groups: dict, var: dict, worked: set[Slot] | None) -> dict[int, int]:
        """A 0/1 per weekend: at least every count of that weekend's slots (over its size), at most their sum."""
        zw: dict[int, int] = {}
        for w in sorted({k[1] for k in groups if k[1] >= 0}):
            ks = [k for k in groups if k[1] == w]
            on = int(any(sl in worked for k in ks for sl in groups[k])) if worked is not None else None
            z = zw[w] = self.col(0.0, on, on, True) if on is not None else self.col(0.0, 0, 1, True)
            self.row(-self.inf, 0, [(z, 1.0)] + [(var[k], -1.0) for k in ks])
            for k in ks:
                self.row(-self.inf, 0, [(var[k], 1.0), (z, -float(len(groups[k])))])
        return zw

    def _contract(self, c: Contract, percent: float, groups: dict, var: dict) -> None:
        target = c.per_percent * percent
        tm: dict[Slot, int] = {}
        for sl, k in c.terms:
            tm[sl] = tm.get(sl, 0) + k
        lo_e = [(var[key], float(min(tm.get(sl, 0) for sl in sls))) for key, sls in groups.items()]
        hi_e = [(var[key], float(max(tm.get(sl, 0) for sl in sls))) for key, sls in groups.items()]
        self.row(-self.inf, target + c.tolerance, lo_e)   # the least minutes can't exceed the upper end
        self.row(target - c.tolerance, self.inf, hi_e)    # nor the largest fall short of the lower end

    def _weekends(self, c: CountAny, zw: dict[int, int]) -> None:
        """A limit over whole weekends (weekend frequency) on the weekend 0/1s; other sets are left out."""
        ws = [self.wk_index.get(tuple(st)) for st in c.sets]
        zs = [(zw[w], 1.0) for w in ws if w is not None and w in zw]
        if zs and None not in ws:
            self.row(-self.inf, c.hi, zs)

    def cover(self) -> None:
        """Each row of the whole-roster model summed over the days, at its least weight."""
        weights = cover_weights(self.P)
        by_period: dict[str, list[tuple[int, dict[str, tuple[int, int]]]]] = {}
        for (d, per), dem in self.demand_at.items():
            by_period.setdefault(per, []).append((d, dem))
        for per, items in sorted(by_period.items()):
            self._period(per, items, weights)

    def _period(self, per: str, items: list[tuple[int, dict[str, tuple[int, int]]]], weights) -> None:
        W, inf, subs = self.W, self.inf, self.P.substitutes
        under_w, over_w = weights
        have = sorted({g for (q, g) in self.supply if q == per})
        pref_total = sum(sum(pr for _, pr in dem.values()) for _, dem in items)
        ow = min(over_w.get((d, per), W.overcover) for d, _ in items)
        all_supply = [(j, 1.0) for g in have for j in self.supply[(per, g)]]
        if ow:
            self.row(-inf, pref_total, all_supply + [(self.col(float(ow), 0, inf), -1.0)])
        if W.max_over is not None:
            self.row(-inf, pref_total + W.max_over * len(items), all_supply)
        wanted = sorted({g for _, dem in items for g in dem})
        flow = {(h, g): self.col(0.0, 0, sum(max(dem[g]) for _, dem in items if g in dem))
                for g in wanted for h in have if h == g or h in subs.get(g, [])}
        for h in have:
            out = [(j, 1.0) for (a, _), j in flow.items() if a == h]
            if out:
                self.row(-inf, 0, out + [(j, -1.0) for j in self.supply[(per, h)]])
        for g in wanted:
            mins = sum(dem[g][0] for _, dem in items if g in dem)
            prefs = sum(max(dem[g]) for _, dem in items if g in dem and dem[g][1] > dem[g][0])
            inflow = [(j, 1.0) for (_, b), j in flow.items() if b == g]
            if mins > 0:
                uw = min(under_w.get((d, per, g), W.shortfall) for d, dem in items if g in dem)
                self.row(mins, inf, inflow + [(self.col(float(uw), 0, mins), 1.0)])
            if prefs > 0:
                # short of the preferred cover where it asks for more than the minimum: the whole inflow is
                # at least the inflow into those days, so the summed row stays a relaxation
                self.row(prefs, inf, inflow + [(self.col(float(W.preferred), 0, prefs), 1.0)])

    def fairness(self) -> None:
        """The spreads over each spread's people (``fairness_people``), exact on the counts."""
        P, W = self.P, self.W
        for _kind, people in fairness_people(P, self.useful, self.wsets).items():
            if len(people) < 2:
                continue
            hi = self.col(float(W.fairness), 0, P.days)
            lo = self.col(-float(W.fairness), 0, P.days)
            for pi in people:
                terms = self.kind_terms[pi].get(_kind, [])
                self.row(-self.inf, 0, [(lo, 1.0)] + [(j, -a) for j, a in terms])
                self.row(0, self.inf, [(hi, 1.0)] + [(j, -a) for j, a in terms])

    def solve(self, time_limit: float, max_nodes: int | None = None) -> CountBound:
        import highspy
        h = self.h
        if self.integer:
            h.changeColsIntegrality(len(self.integer), self.integer,
                                    [highspy.HighsVarType.kInteger] * len(self.integer))
        h.setOptionValue("time_limit", max(0.05, float(time_limit)))
        if max_nodes is not None:
            h.setOptionValue("mip_max_nodes", int(max_nodes))
        h.run()
        info = h.getInfo()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        value = info.objective_function_value if info.primal_solution_status == 2 else None
        dual = value if optimal else info.mip_dual_bound
        bound = 0.0 if dual is None or not math.isfinite(dual) else max(0.0, dual)
        return CountBound(bound, value, optimal)


def count_bound(P: Problem, W: Weights | None = None, conds=None, time_limit: float = 5.0,
                slots: list[set[Slot]] | None = None, roster: dict[tuple[int, int], int] | None = None,
                max_nodes: int | None = None) -> CountBound:
    """The bound (module text). ``slots``: per person, the slots they may work (default: every slot that
    exists; a hard condition may still forbid some). Positions of variable size (heltid) are not bounded
    here (0). ``roster``: fix every count at this roster's (a check of the model: a legal roster's counts
    must be a solution, of value at most its cover + fairness)."""
    W = W or Weights()
    if any(p.percent_range for p in P.persons) or W.contract_soft:
        return CountBound(0.0, None, False)
    conds = all_conditions(P) if conds is None else conds
    by_person: list[list] = [[] for _ in P.persons]
    for c in conds:
        by_person[c.person].append(c)
    every = {(d, s) for d in range(P.days) for s in range(len(P.shifts)) if P.exists(d, s)}
    worked: list[set[Slot]] = [set() for _ in P.persons]
    for (pi, d), s in (roster or {}).items():
        worked[pi].add((d, s))
    m = _Counts(P, W)
    for pi in range(len(P.persons)):
        m.person(pi, by_person[pi], every if slots is None else slots[pi], worked[pi] if roster is not None else None)
    m.cover()
    if W.fairness:
        m.fairness()
    return m.solve(time_limit, max_nodes)


def components(P: Problem) -> list[set[str]]:
    """The groups in sets that share no cover: linked by the substitution table (either way), so nobody
    of one set can fill another set's cover."""
    groups = sorted({p.group for p in P.persons} | {c.group for c in P.cover})
    links = ((g, h) for g, subs in P.substitutes.items() for h in subs)
    return sorted((set(gs) for gs in linked_sets(groups, links)), key=lambda gs: sorted(gs))


def part_people(P: Problem, groups: set[str]) -> list[int]:
    """The people of these groups, in the order ``part_problem`` numbers them."""
    return [pi for pi, p in enumerate(P.persons) if p.group in groups]


def part_problem(P: Problem, groups: set[str], conds: list, slots: list[set[Slot]] | None):
    """The problem of these groups alone: their people, their cover, their conditions (re-indexed)."""
    import dataclasses
    keep = part_people(P, groups)
    at = {pi: i for i, pi in enumerate(keep)}
    subs = {g: [h for h in v if h in groups] for g, v in P.substitutes.items() if g in groups}
    Q = dataclasses.replace(P, persons=[P.persons[pi] for pi in keep], substitutes=subs,
                            cover=[c for c in P.cover if c.group in groups])
    cs = [dataclasses.replace(c, person=at[c.person]) for c in conds if c.person in at]
    return Q, cs, None if slots is None else [slots[pi] for pi in keep]


@dataclass
class SplitBound:
    bound: float                            # proven lower bound on the whole objective (0: nothing proven)
    parts: list[tuple[set[str], float]]     # the small parts taken out: their groups, least cover + rules


def split_bound(P: Problem, W: Weights | None = None, conds=None, time_limit: float = 5.0,
                slots: list[set[Slot]] | None = None, det: float | None = None,
                max_nodes: int | None = None) -> SplitBound:
    """A bound on the whole objective from parts that share no cover (``components``): each small part's
    least cover + soft rules, proven by the whole-roster CP-SAT model of that part alone, plus the count
    bound (cover and fairness) of the rest. The objective is at least the sum: the parts' cover and rules
    are separate sums, the spreads over the rest's people are no wider than over everyone's, and
    over-cover (a sum over all groups of a period, which one part's heads can offset in another's) is left
    out of both. What it proves that the count bound alone cannot: rules a small group cannot keep with its
    own cover (medisinsk_sengepost's four doctors: one short break of a single day off, 200, whatever the
    others do). A small part proven to cost nothing stays with the rest (in its spreads). 0 when nothing
    is proven; ``det``: deterministic seconds per part's solve (a reproducible bound). The parts taken out
    come with their proven least: a roster whose part costs no more is at that least there (``Search``
    then leaves its soft violations alone)."""
    import dataclasses
    import time

    W = W or Weights()
    nothing = SplitBound(0.0, [])
    if any(p.percent_range for p in P.persons) or W.contract_soft or W.max_over is not None:
        return nothing
    parts = components(P)
    if len(parts) < 2:
        return nothing
    end = time.perf_counter() + time_limit
    conds = all_conditions(P) if conds is None else conds
    size = {i: sum(1 for p in P.persons if p.group in gs) for i, gs in enumerate(parts)}
    rest_i = max(size, key=lambda i: (size[i], -i))      # the largest part keeps the spreads
    W0 = dataclasses.replace(W, fairness=0, overcover=0)
    small = sorted((i for i in size if i != rest_i and size[i]), key=lambda i: (size[i], i))
    # the count bound of the rest keeps a quarter of the time (0.2-1 s on the shipped units, busy or not)
    best = _prove_parts(P, [parts[i] for i in small], conds, slots, W0, end - 0.25 * time_limit, det)
    if best is None:
        return nothing          # a part's hard rules cannot hold: the engine's own proof says so, with whom
    proven, taken, out = 0.0, set(), []
    for gs, b in best:
        Q, cs, sl = part_problem(P, gs, conds, slots)
        # worth taking out of the rest when it proves more than the count bound sees of it (its cover)
        if b > count_bound(Q, W0, cs, 1.0 if det is None else max(0.05, end - time.perf_counter()), sl,
                           max_nodes=max_nodes).bound + 0.5:
            proven += b
            taken |= gs
            out.append((gs, b))
    if not taken:
        return nothing
    rest = {g for gs in parts for g in gs} - taken
    Q, cs, sl = part_problem(P, rest, conds, slots)
    rest_b = count_bound(Q, dataclasses.replace(W, overcover=0), cs, max(0.05, end - time.perf_counter()), sl,
                         max_nodes=max_nodes)
    return SplitBound(proven + rest_b.bound, out)


def _prove_parts(P: Problem, parts: list[set[str]], conds: list, slots, W0: Weights, end: float,
                 det: float | None) -> list[tuple[set[str], float]] | None:
    """Each part's proven least cost under ``W0`` (whole-roster CP-SAT, one worker) by ``end``, in two
    passes: each part first a quarter of an equal share of the time, then the parts not yet proven optimal
    share what is left, so one that proves slowly (medisinsk's helsesekretærer with one worker) leaves the
    others theirs (beside a busy process the doctors were not proven when they came after it with equal
    shares). None when a part's hard rules cannot all hold."""
    import time

    from models.roster.cpsat import solve
    best = [0.0] * len(parts)
    done: set[int] = set()        # parts proven optimal
    for first in (True, False):
        todo = list(range(len(parts))) if first else [i for i in range(len(parts)) if i not in done]
        for k, i in enumerate(todo):
            left = end - time.perf_counter()
            if left < 0.1:
                break
            Q, cs, _ = part_problem(P, parts[i], conds, slots)
            # with ``det`` each part's work is limited by it, the wall only guards ``end`` (a share binds under load)
            share = left if det is not None else left / (len(todo) - k) / (4 if first else 1)
            r = solve(Q, time_limit=share, workers=1, weights=W0,
                      diagnose=False, conds=cs, det_time=det, deadline=end, prove=True)
            if r.status == "INFEASIBLE":
                return None
            best[i] = max(best[i], r.bound or 0.0)
            if r.status == "OPTIMAL":
                done.add(i)
    return list(zip(parts, best, strict=True))
