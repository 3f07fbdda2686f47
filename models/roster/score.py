"""The roster objective, evaluated on a roster: what every search minimises and what a pilot is shown.

Three parts, in this order of weight (``Weights``):
1. open cover: heads missing below the minimum (``shortfall``) and below the preferred cover
   (``preferred``), heads above it (``overcover``);
2. the rules' soft violations: each soft condition's excess x the rule's weight x ``soft_rule``;
3. fairness: per kind (weekends, nights, evenings), ``fairness`` x (most - fewest) over the people who
   may take that kind.

The same conditions that the audit evaluates price a roster here (``evaluate``), one person at a time
(``person_cost``): the column-generation engine prices each person's schedule with it, and a test
checks it against the CP-SAT model's own objective on fixed rosters.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from models.roster.cpsat import (
    Cond,
    Contract,
    CountAny,
    CoverWeights,
    Linear,
    Pattern,
    Problem,
    Slot,
    Weights,
    cover_weights,
    demand,
    fairness_people,
    linear_sum,
    route,
    violated,
    weekend_sets,
)

KINDS = ("weekend", "natt", "kveld")


def excess(c: Cond, worked: set[Slot], person) -> float:
    """How far one condition is broken on one person's worked slots (0 = kept): 1 for a broken limit or
    pattern, the number of sets over the limit for a count, tenths of a minute outside the tolerance for
    contract hours (the units the CP-SAT model penalises)."""
    if isinstance(c, Contract):
        v = linear_sum(c, worked)
        target = round(10 * c.per_percent * person.percent)
        return max(0, abs(10 * v - target) - 10 * c.tolerance)
    if isinstance(c, CountAny):
        n = sum(1 for st in c.sets if any(sl in worked for sl in st))
        return max(0, n - c.hi)
    if isinstance(c, (Linear, Pattern)):
        return 1.0 if violated(c, worked, person) else 0.0
    raise TypeError(c)


def person_cost(P: Problem, conds: list[Cond], worked: set[Slot], W: Weights) -> tuple[float, int]:
    """(soft penalty, hard conditions broken) of one person's schedule under their conditions."""
    cost, hard, _ = person_part(P, conds, worked, W)
    return cost, hard


def person_part(P: Problem, conds: list[Cond], worked: set[Slot], W: Weights
                ) -> tuple[float, int, dict[str, tuple[int, float]]]:
    """``person_cost`` with the soft cost per rule: (soft penalty, hard broken, rule -> (count, cost))."""
    return _rules_part(P, conds, lambda _c: worked, W)


def _rules_part(P: Problem, conds: list[Cond], worked_of, W: Weights
                ) -> tuple[float, int, dict[str, tuple[int, float]]]:
    """(soft penalty, hard broken, rule -> (count, cost)) of conditions on the schedules ``worked_of(c)``."""
    cost, hard = 0.0, 0
    by_rule: dict[str, tuple[int, float]] = {}
    for c in conds:
        e = excess(c, worked_of(c), P.persons[c.person])
        if e <= 0:
            continue
        if c.hard:
            hard += 1
            continue
        k = c.weight * W.soft_rule * e
        cost += k
        n0, k0 = by_rule.get(c.rule, (0, 0.0))
        by_rule[c.rule] = (n0 + 1, k0 + k)
    return cost, hard, by_rule


@dataclass
class FairnessView:
    """Which people take part in each fairness spread, and how a schedule counts for it."""
    weekend_sets: list[list[Slot]]
    eligible: dict[str, list[int]] = field(default_factory=dict)   # kind -> persons

    def count(self, P: Problem, kind: str, worked: set[Slot]) -> int:
        if kind == "weekend":
            return sum(1 for st in self.weekend_sets if any(sl in worked for sl in st))
        return sum(1 for d, s in worked if P.shifts[s].time == kind)


def fairness_view(P: Problem) -> FairnessView:
    """The people of each spread (``fairness_people``), as in the CP-SAT model."""
    useful, _, _ = demand(P)
    fv = FairnessView(weekend_sets(P))
    fv.eligible = fairness_people(P, useful, fv.weekend_sets)
    return fv


def cover_cost(P: Problem, asg: dict[tuple[int, int], int], W: Weights,
               demand_at: dict | None = None, weights: CoverWeights | None = None) -> tuple[float, int]:
    """(cover part of the objective, open minimum-cover heads) of a roster: per day and period the
    best routing of the people present into the group slots (substitution allowed), minimum first.
    ``demand_at``: the problem's cover by (day, period), when the caller has it (``demand``);
    ``weights``: the cover's own weights, likewise (``cover_weights``)."""
    if demand_at is None:
        _, demand_at, _ = demand(P)
    under_w, over_w = cover_weights(P) if weights is None else weights
    heads: dict[tuple[int, str], dict[str, int]] = {}
    for (pi, d), s in asg.items():
        for per in P.shifts[s].periods:
            h = heads.setdefault((d, per), {})
            g = P.persons[pi].group
            h[g] = h.get(g, 0) + 1
    total, open_min = 0.0, 0
    for key, dem in demand_at.items():
        have = heads.get(key, {})
        mins = {g: mn for g, (mn, _) in dem.items() if mn > 0}
        prefs = {g: pr for g, (_, pr) in dem.items() if pr > 0}
        short, _ = route(mins, have, P.substitutes)
        sp, _ = route(mins, have, P.substitutes, then=prefs)
        # below the preferred cover counts only where it asks for more than the minimum
        n_short = sum(short.values())
        n_sp = sum(k for g, k in sp.items() if dem[g][1] > dem[g][0])
        over = max(0, sum(have.values()) - sum(pr for _, pr in dem.values()))
        if under_w:
            total += sum(under_w.get((*key, g), W.shortfall) * k for g, k in short.items())
        else:
            total += W.shortfall * n_short
        total += W.preferred * n_sp + over_w.get(key, W.overcover) * over
        open_min += n_short
    return total, open_min


@dataclass
class Score:
    total: float
    cover: float
    open_min: int
    soft: float
    hard: int
    fairness: float
    by_rule: dict[str, tuple[int, float]]   # rule id -> (violations, cost)


@dataclass
class Prepared:
    """What scoring needs of a problem that no roster changes: computed once for a search that scores
    many rosters of the same problem."""
    demand_at: dict
    fairness: FairnessView
    cover_weights: CoverWeights = ({}, {})


def prepare(P: Problem) -> Prepared:
    return Prepared(demand(P)[1], fairness_view(P), cover_weights(P))


def score(P: Problem, asg: dict[tuple[int, int], int], W: Weights | None = None,
          conds: list[Cond] | None = None, prep: Prepared | None = None) -> Score:
    """The objective of a roster (see the module text), with the soft part per rule."""
    from models.roster.cpsat import all_conditions
    W = W or Weights()
    conds = all_conditions(P) if conds is None else conds
    worked: list[set[Slot]] = [set() for _ in P.persons]
    for (pi, d), s in asg.items():
        worked[pi].add((d, s))
    soft, hard, by_rule = _rules_part(P, conds, lambda c: worked[c.person], W)
    prep = prep or prepare(P)
    cov, open_min = cover_cost(P, asg, W, prep.demand_at, prep.cover_weights)
    fair = fairness_cost(P, worked, W, prep.fairness)
    return Score(cov + soft + fair, cov, open_min, soft, hard, fair, by_rule)


def fairness_cost(P: Problem, worked: list[set[Slot]], W: Weights, fv: FairnessView) -> float:
    """The fairness part: per kind, ``fairness`` x (most - fewest) over the people eligible for it."""
    fair = 0.0
    if W.fairness:
        for kind in KINDS:
            el = fv.eligible[kind]
            if len(el) > 1:
                counts = [fv.count(P, kind, worked[pi]) for pi in el]
                fair += W.fairness * (max(counts) - min(counts))
    return fair
