"""The unit staffing MIP: task hours to groups, integer heads per shift, lexicographic objective.

Stage 1 minimises paid staff hours (or cost) per week; stage 2 keeps that optimum and minimises
level-weighted task hours, so the allocation shown is the bottom-up (LEON) one. Shifts that no rule
or movable task couples are solved as separate small models; the optimum is the same because the
model then separates, and each piece solves in milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from models.linked import linked_sets
from models.lp import LinearModel, Solution

# stage-2 weight of level-weighted heads relative to level-weighted task hours: only breaks ties
# between head mixes that carry the same task hours (idle capacity goes to the lowest level)
HEAD_TIEBREAK = 1e-3
# Below that, ties the level cannot break: between groups of one level the first listed gets the head
# (kept under the 0.01 preference step, see `head_weight`), and between plans that differ only in which
# shift of a day carries a head (movable tasks make these common) the earlier shift gets it. Large
# enough to clear HiGHS's tolerances, so the answer does not depend on the solver's search path.
GROUP_TIEBREAK = 5e-4
SHIFT_TIEBREAK = 1e-2
# explaining a rule: plans whose paid hours or LEON value differ by less than this (relative) are equal
EXPLAIN_TOL = 1e-6


@dataclass(frozen=True)
class TaskClass:
    """Tasks with the same allowed groups and conditions, added up (hours per shift occurrence)."""

    name: str
    allowed: tuple[int, ...]                      # group indices
    work: tuple[float, ...]                       # hours per occurrence of each shift
    factor: tuple[float, ...] = ()                # time factor per allowed group (same order)
    supervisors: tuple[tuple[int, ...], ...] = () # per allowed group: groups one of whom must be on shift
    window: tuple[int, ...] = ()                  # movable: other shifts (same day type) it may go to
    fixed_shares: tuple[float, ...] | None = None # baseline: share per allowed group (today's practice)


@dataclass(frozen=True)
class Rule:
    """A forsvarlighet rule in linear form over heads (or paid hours) per shift.

    kind 'min_heads':  sum_{k in groups} n[k,s] >= value                 for s in shifts
    kind 'ratio':      sum_{k in groups} n[k,s] <= value * sum_{k in other} n[k,s]
    kind 'share':      sum_{k in groups} q >= value * sum_{k in other} q  (sense 'min'; 'max' flips)
                       q = heads or paid hours, per shift or per day (all its shifts of one day type)
    """

    id: str
    kind: str
    shifts: tuple[int, ...]
    groups: tuple[int, ...]
    value: float
    other: tuple[int, ...] = ()
    sense: str = "min"
    per: str = "shift"
    measure: str = "heads"


@dataclass(frozen=True)
class StaffingProblem:
    groups: tuple[str, ...]
    level: tuple[float, ...]
    cost_per_hour: tuple[float, ...]
    shifts: tuple[str, ...]
    paid_hours: tuple[float, ...]
    days_per_week: tuple[float, ...]
    day_type: tuple[str, ...]
    productive: tuple[tuple[float, ...], ...]     # [group][shift] share of paid time on tasks
    availability: tuple[tuple[float, ...], ...]   # [group][shift] most heads (inf = no limit)
    tasks: tuple[TaskClass, ...]
    rules: tuple[Rule, ...] = ()
    # stage-2 tie-break between groups of the same level (e.g. prefer groups the unit uses today)
    preference: tuple[float, ...] = ()
    # fixed shares hold in each shift ("shift") or over all shifts of a day type together ("day")
    share_scope: str = "shift"


@dataclass
class StaffingSolution:
    status: str
    objective: float                    # stage-1 value: paid hours (or NOK) per week
    heads: np.ndarray                   # [group, shift]
    allocation: np.ndarray              # [task class, group, shift] hours per shift occurrence
    bound: float = math.nan
    binding: list[dict] = field(default_factory=list)
    workload_only_heads: np.ndarray | None = None
    bends: list[dict] = field(default_factory=list)  # infeasible: what had to give
    stats: dict = field(default_factory=dict)


def leon_weight(p: StaffingProblem, k: int) -> float:
    """What a head of group k counts in the LEON value: its level, then the unit's preference."""
    return p.level[k] + (p.preference[k] if p.preference else 0.0)


def head_weight(p: StaffingProblem, k: int) -> float:
    """Stage-2 rank of a head of group k: its LEON weight, then list order."""
    return leon_weight(p, k) + GROUP_TIEBREAK * k


# ------------------------------------------------------------------------------------------------
# decomposition


def components(p: StaffingProblem) -> list[tuple[int, ...]]:
    """Groups of shifts that must be solved together (coupled by day rules or movable tasks)."""
    by_day: dict[str, list[int]] = {}
    for s, d in enumerate(p.day_type):
        by_day.setdefault(d, []).append(s)
    links: list[list[int]] = []
    for r in p.rules:
        if r.per == "day":
            links += [[s for s in ss if s in r.shifts] for ss in by_day.values()]
    for t in p.tasks:
        if (t.window and t.fixed_shares is None) or (t.fixed_shares is not None and p.share_scope == "day"):
            links += [[s for s in ss if s in t.window or t.work[s] > 0] for ss in by_day.values()]
    return [tuple(c) for c in linked_sets(range(len(p.shifts)), links)]


# ------------------------------------------------------------------------------------------------
# building


@dataclass
class _Built:
    model: LinearModel
    shifts: tuple[int, ...]
    n: dict[tuple[int, int], int]               # (group, shift) -> column
    x: dict[tuple[int, int, int], int]          # (task, group, shift) -> column
    stage1: dict[int, float]                    # column -> stage-1 coefficient
    stage2: dict[int, float]
    rule_rows: dict[tuple[str, str], list[int]] # (rule id, shift or day label) -> rows
    avail_cols: dict[tuple[int, int], int] = field(default_factory=dict)
    off1: tuple[int, ...] = ()                  # head columns a stage-1 dominance fixes at zero
    off2: tuple[int, ...] = ()                  # head columns a stage-2 dominance fixes at zero


def _build(p: StaffingProblem, comp: tuple[int, ...], objective: str, elastic: bool = False,
           drop_rules: bool = False, relax: bool = False, all_rows: bool = False) -> _Built:
    """The model of one component. `all_rows` keeps supervision rows that a rule makes redundant,
    so that the rule can be dropped (to explain it) without dropping the condition it implies."""
    m = LinearModel(name="leon_staffing")
    G = range(len(p.groups))
    n: dict[tuple[int, int], int] = {}
    stage1: dict[int, float] = {}
    stage2: dict[int, float] = {}
    avail_cols: dict[tuple[int, int], int] = {}
    for s in comp:
        week = p.paid_hours[s] * p.days_per_week[s]
        for k in G:
            avail = p.availability[k][s]
            ub = math.inf if elastic else avail
            c = m.add_var(f"n[{p.groups[k]},{p.shifts[s]}]", 0.0, ub, integer=True)
            n[k, s] = c
            stage1[c] = week * (p.cost_per_hour[k] if objective == "cost" else 1.0)
            stage2[c] = HEAD_TIEBREAK * head_weight(p, k) * week * (1.0 + SHIFT_TIEBREAK * s)
            if elastic and avail < math.inf:
                e = m.add_var(f"bend_avail[{p.groups[k]},{p.shifts[s]}]", 0.0)
                avail_cols[k, s] = e
                m.add_row({c: 1.0, e: -1.0}, hi=avail, name=f"avail[{p.groups[k]},{p.shifts[s]}]")

    x: dict[tuple[int, int, int], int] = {}
    load: dict[tuple[int, int], dict[int, float]] = {(k, s): {} for k in G for s in comp}
    for ti, t in enumerate(p.tasks):
        movable = bool(t.window) and t.fixed_shares is None
        span = [s for s in comp if t.work[s] > 0 or (movable and s in t.window)]
        if movable and sum(t.work[s] for s in comp) <= 0:
            continue
        day_shares = t.fixed_shares is not None and p.share_scope == "day"
        shares = t.fixed_shares or ()
        for s in span:
            for j, k in enumerate(t.allowed):
                if day_shares:
                    if shares[j] <= 0:
                        continue
                    c = m.add_var(f"x[{t.name},{p.groups[k]},{p.shifts[s]}]", 0.0)
                elif t.fixed_shares is not None:
                    hours = t.fixed_shares[j] * t.work[s]
                    if hours <= 0:
                        continue
                    c = m.add_var(f"x[{t.name},{p.groups[k]},{p.shifts[s]}]", hours, hours)
                else:
                    c = m.add_var(f"x[{t.name},{p.groups[k]},{p.shifts[s]}]", 0.0)
                x[ti, k, s] = c
                stage2[c] = p.level[k] * p.days_per_week[s]
                f = t.factor[j] if t.factor else 1.0
                load[k, s][c] = load[k, s].get(c, 0.0) + f
        # cover
        if movable:
            for d in sorted({p.day_type[s] for s in comp}):
                ss = [s for s in span if p.day_type[s] == d]
                total = sum(t.work[s] for s in ss)
                if total > 0:
                    m.add_row({x[ti, k, s]: 1.0 for s in ss for k in t.allowed if (ti, k, s) in x},
                              total, total, name=f"cover[{t.name},{d}]")
                else:
                    for s in ss:
                        for k in t.allowed:
                            if (ti, k, s) in x:
                                m.col_ub[x[ti, k, s]] = 0.0
        elif t.fixed_shares is None or day_shares:
            for s in span:
                m.add_row({x[ti, k, s]: 1.0 for k in t.allowed if (ti, k, s) in x}, t.work[s], t.work[s],
                          name=f"cover[{t.name},{p.shifts[s]}]")
        if day_shares:  # today's share of each group over the day type's shifts (weighted by days)
            for d in sorted({p.day_type[s] for s in span}):
                ss = [s for s in span if p.day_type[s] == d]
                total = sum(t.work[s] * p.days_per_week[s] for s in ss)
                for j, k in enumerate(t.allowed):
                    if shares[j] > 0:
                        share = shares[j] * total
                        m.add_row({x[ti, k, s]: p.days_per_week[s] for s in ss}, share, share,
                                  name=f"share[{t.name},{p.groups[k]},{d}]")
        # conditions: a group may do the task only with a supervisor group on the same shift
        for j, k in enumerate(t.allowed):
            sup = t.supervisors[j] if t.supervisors else ()
            if not sup:
                continue
            for s in span:
                if (ti, k, s) not in x or (not (drop_rules or elastic or all_rows) and _rule_guarantees(p, s, sup)):
                    continue
                big = (sum(t.work[q] for q in span if p.day_type[q] == p.day_type[s])
                       if movable else t.work[s])
                terms = {x[ti, k, s]: 1.0}
                for g in sup:
                    terms[n[g, s]] = terms.get(n[g, s], 0.0) - big
                m.add_row(terms, hi=0.0, name=f"supervised[{t.name},{p.groups[k]},{p.shifts[s]}]")

    # capacity: task hours of a group fit in its productive paid hours
    for s in comp:
        for k in G:
            terms = dict(load[k, s])
            terms[n[k, s]] = -p.productive[k][s] * p.paid_hours[s]
            m.add_row(terms, hi=0.0, name=f"capacity[{p.groups[k]},{p.shifts[s]}]")

    if not relax:
        _add_rounding_cuts(m, p, comp, n)

    rule_rows: dict[tuple[str, str], list[int]] = {}
    if not drop_rules:
        for rule in p.rules:
            _add_rule(m, p, comp, rule, n, rule_rows, elastic, relax)

    for c, v in stage1.items():
        m.cost[c] = v
    off1: tuple[int, ...] = ()
    off2: tuple[int, ...] = ()
    if not elastic:
        D = _dominance(p, comp, objective, () if drop_rules else p.rules)
        off1 = tuple(n[k, s] for k in dominated_groups(p, comp, objective, strict=False, D=D) for s in comp)
        off2 = tuple(n[k, s] for k in dominated_groups(p, comp, objective, strict=True, D=D) for s in comp)
    return _Built(m, comp, n, x, stage1, stage2, rule_rows, avail_cols, off1, off2)


# ------------------------------------------------------------------------------------------------
# dominance: groups another group can always stand in for


def _rule_terms(r: Rule, k: int) -> tuple[str, float]:
    """The sense of rule r's row and group k's coefficient in it (per head; hours rules scale both
    groups by the same shift length)."""
    coef = (1.0 if k in r.groups else 0.0) - (r.value if r.kind in ("ratio", "share") and k in r.other else 0.0)
    ge = r.kind == "min_heads" or (r.kind == "share" and r.sense == "min")
    return ("ge" if ge else "le"), coef


def _dominance(p: StaffingProblem, comp: tuple[int, ...], objective: str,
               rules: tuple[Rule, ...]) -> np.ndarray:
    """D[a, b]: group a can replace group b head for head in every solution of this component.

    a may do every task b may (with no larger time factor and no stricter supervision), has at least b's
    productive time, no availability limit, costs no more (cost objective), and moves no rule row the
    wrong way; it also supervises wherever b does. Then swapping b's heads for a's keeps the plan
    feasible at the same paid hours.
    """
    G = len(p.groups)
    D = np.zeros((G, G), dtype=bool)
    busy = [t for t in p.tasks if any(t.work[s] > 0 for s in comp)]
    here = [r for r in rules if any(s in comp for s in r.shifts)]
    terms = [[_rule_terms(r, k) for r in here] for k in range(G)]
    sups = [sup for t in p.tasks if t.supervisors for sup in t.supervisors]
    for b in range(G):
        mine = [t for t in busy if b in t.allowed]
        if any(t.fixed_shares is not None for t in mine):
            continue  # today's shares pin b's hours
        for a in range(G):
            if a == b or any(p.productive[a][s] < p.productive[b][s] or p.availability[a][s] < math.inf
                             for s in comp):
                continue
            if objective == "cost" and p.cost_per_hour[a] > p.cost_per_hour[b]:
                continue
            if any(b in sup and a not in sup for sup in sups):
                continue
            if any(_task_blocks(t, a, b) for t in mine):
                continue
            if any((sa == "ge" and ca < cb) or (sa == "le" and ca > cb)
                   for (sa, ca), (_, cb) in zip(terms[a], terms[b], strict=True)):
                continue
            D[a, b] = True
    return D


def _task_blocks(t: TaskClass, a: int, b: int) -> bool:
    """a cannot take over b's hours of task t: not allowed, slower, or needs a supervisor b does not."""
    if a not in t.allowed:
        return True
    ja, jb = t.allowed.index(a), t.allowed.index(b)
    if t.factor and t.factor[ja] > t.factor[jb]:
        return True
    sup_a = set(t.supervisors[ja]) if t.supervisors else set()
    sup_b = set(t.supervisors[jb]) if t.supervisors else set()
    return bool(sup_a) and not (sup_b and sup_b <= sup_a)   # b's supervisor on shift must also do for a


def _dominates(p: StaffingProblem, a: int, b: int, comp: tuple[int, ...], objective: str,
               rules: tuple[Rule, ...], strict: bool) -> bool:
    """a can replace b head for head (see `_dominance`); `strict` also asks for a lower stage-2 rank."""
    if strict and head_weight(p, a) >= head_weight(p, b):
        return False
    return bool(_dominance(p, comp, objective, rules)[a, b])


def dominated_groups(p: StaffingProblem, comp: tuple[int, ...], objective: str = "hours",
                     rules: tuple[Rule, ...] | None = None, strict: bool = True,
                     D: np.ndarray | None = None) -> list[int]:
    """Groups whose heads can be fixed at zero in this component without changing the optimum.

    Stage 1 (`strict=False`) keeps one group of each set of equivalent groups; stage 2 (`strict=True`)
    drops only groups that a group of lower stage-2 rank dominates: the swap then strictly lowers the
    level-weighted hours, so no stage-2 optimum uses them and the set of optima is unchanged.
    Fewer groups give HiGHS far fewer fractional head mixes to rule out.
    """
    if D is None:
        D = _dominance(p, comp, objective, p.rules if rules is None else rules)
    gone: list[int] = []
    for b in range(len(p.groups)):
        for a in map(int, np.flatnonzero(D[:, b])):
            if strict:
                if head_weight(p, a) < head_weight(p, b):
                    gone.append(b)
                    break
            elif a not in gone and (not D[b, a] or a < b):
                gone.append(b)
                break
    return gone


def _allowed_set_closure(p: StaffingProblem, limit: int = 32) -> set[frozenset[int]]:
    """Allowed sets of the task classes, closed under union (Hall-type sets), up to `limit` sets."""
    base = {frozenset(t.allowed) for t in p.tasks}
    closure = set(base) | {frozenset(range(len(p.groups)))}
    frontier = list(closure)
    while frontier and len(closure) < limit:
        a = frontier.pop()
        for b in base:
            u = a | b
            if u not in closure and len(closure) < limit:
                closure.add(u)
                frontier.append(u)
    return closure


def _add_rounding_cuts(m: LinearModel, p: StaffingProblem, comp: tuple[int, ...], n: dict) -> None:
    """Valid inequalities for whole heads that make the MIP fast to prove.

    For each set A of groups that is the allowed set of some task class (or a union of such sets),
    the work that only groups in A may do needs at least ceil(work / largest capacity of one head in A)
    heads from A on the shift.
    The LP relaxation does not see this rounding; with it, HiGHS closes the gap in a few nodes.
    Movable work may sit in another shift and is left out, which keeps the cut valid.
    """
    sets = sorted(_allowed_set_closure(p), key=sorted)
    allowed = [frozenset(t.allowed) for t in p.tasks]
    fixed = [t.window and t.fixed_shares is None for t in p.tasks]
    inside = [[ti for ti, al in enumerate(allowed) if not fixed[ti] and al <= A] for A in sets]
    for s in comp:
        # hours per task class that must be done on shift s (fewest, with the fastest allowed group)
        hours = []
        for t in p.tasks:
            if t.work[s] <= 0:
                hours.append(0.0)
            elif t.fixed_shares is not None and p.share_scope == "shift":
                # baseline: the hours of each group are fixed; count those of groups in A
                hours.append(sum(sh * t.work[s] * (t.factor[j] if t.factor else 1.0)
                                 for j, sh in enumerate(t.fixed_shares)))
            else:
                hours.append(t.work[s] * min(t.factor) if t.factor else t.work[s])
        for i, A in enumerate(sets):
            work = sum(hours[ti] for ti in inside[i])
            cap = max(p.productive[k][s] * p.paid_hours[s] for k in A)
            need = math.ceil(work / cap - 1e-9) if cap > 0 else 0
            if need > 0:
                m.add_row({n[k, s]: 1.0 for k in A}, lo=float(need), name=f"cut[{p.shifts[s]},{i}]")


def _rule_guarantees(p: StaffingProblem, s: int, groups: tuple[int, ...]) -> bool:
    """A min-heads rule already puts one of `groups` on shift s (the big-M row would be redundant)."""
    return any(r.kind == "min_heads" and r.value >= 1 and s in r.shifts and r.measure == "heads"
               and set(r.groups) <= set(groups) for r in p.rules)


def _add_rule(m: LinearModel, p: StaffingProblem, comp: tuple[int, ...], r: Rule,
              n: dict, rule_rows: dict, elastic: bool, relax: bool = False) -> None:
    shifts = [s for s in comp if s in r.shifts]
    if not shifts:
        return
    if r.per == "day":
        blocks = [(d, [s for s in shifts if p.day_type[s] == d])
                  for d in sorted({p.day_type[s] for s in shifts})]
    else:
        blocks = [(p.shifts[s], [s]) for s in shifts]
    for label, ss in blocks:
        terms: dict[int, float] = {}

        def add(groups, coef, ss=ss, terms=terms):   # bound now: called within this iteration only
            for s in ss:
                w = p.paid_hours[s] if r.measure == "hours" else 1.0
                for k in groups:
                    terms[n[k, s]] = terms.get(n[k, s], 0.0) + coef * w

        if r.kind == "min_heads":
            add(r.groups, 1.0)
            # whole heads: "at least 2.4" means 3 (patients per staff gives fractions)
            lo, hi = (r.value if relax or r.measure == "hours" else math.ceil(r.value - 1e-9)), math.inf
        elif r.kind == "ratio":      # groups - value*other <= 0
            add(r.groups, 1.0)
            add(r.other, -r.value)
            lo, hi = -math.inf, 0.0
        elif r.kind == "share":      # groups - value*other >= 0 (min) / <= 0 (max)
            add(r.groups, 1.0)
            add(r.other, -r.value)
            lo, hi = (0.0, math.inf) if r.sense == "min" else (-math.inf, 0.0)
        else:
            raise ValueError(f"unknown rule kind {r.kind!r}")
        if elastic:  # a slack that lets the rule bend, at a price, to find what cannot hold
            e = m.add_var(f"bend[{r.id},{label}]", 0.0, cost=0.0)
            terms[e] = 1.0 if lo > -math.inf else -1.0
        row = m.add_row(terms, lo, hi, name=f"rule[{r.id},{label}]")
        rule_rows.setdefault((r.id, label), []).append(row)


# ------------------------------------------------------------------------------------------------
# solving


def _at_stage1_optimum(b: _Built, z1: float, off: tuple[int, ...]) -> LinearModel:
    """A copy of the model with the paid hours held at `z1`, the columns `off` at zero and no objective.

    An equality (fewer paid hours would beat stage 1), with a tiny tolerance for round-off: HiGHS
    presolves it better than a bound.
    """
    m = b.model.without_rows(set())
    for c in off:
        m.col_ub[c] = 0.0
    tol = 1e-7 * max(1.0, abs(z1))
    m.add_row(dict(b.stage1), z1 - tol, z1 + tol, name="stage1_optimum")
    m.cost = [0.0] * m.num_cols
    return m


def _lexicographic(b: _Built, solver: str, time_limit: float | None, relax: bool,
                   stage2: bool = True) -> Solution:
    m1 = b.model.without_rows(set()) if b.off1 else b.model
    for c in b.off1:
        m1.col_ub[c] = 0.0
    s1 = m1.solve(solver, time_limit, relax)
    if not s1.ok or not stage2:
        return s1
    z1 = s1.objective
    # stage 2: keep the stage-1 optimum and push hours down the ladder
    m = _at_stage1_optimum(b, z1, b.off2)
    for c, v in b.stage2.items():
        m.cost[c] = v
    s2 = m.solve(solver, time_limit, relax)
    if not s2.ok:
        # out of time in stage 2: stage 1's plan stands, but its split over the groups is not the best one
        return s1 if s2.status != "time_limit" else Solution("time_limit", s1.objective, s1.bound, s1.values)
    return Solution(s2.status if s1.status == "optimal" else s1.status, z1, s1.bound, s2.values)


def _value(coefs: dict[int, float], values: np.ndarray) -> float:
    return float(sum(v * values[c] for c, v in coefs.items()))


def _leon_value(p: StaffingProblem, b: _Built) -> dict[int, float]:
    """Stage-2 coefficients without the list-order and shift-order tie-breaks.

    Those two only pick one of several equally good plans, so they are no part of what a rule forces:
    the LEON value is the level-weighted task hours plus the level-weighted heads (idle capacity).
    """
    core = dict(b.stage2)
    for (k, s), c in b.n.items():
        core[c] = HEAD_TIEBREAK * leon_weight(p, k) * p.paid_hours[s] * p.days_per_week[s]
    return core


def _closest_optimum(b: _Built, alt: Solution, core: dict[int, float], target: dict[tuple[int, int], float],
                     below: float | None, solver: str, time_limit: float | None, relax: bool,
                     stage2: bool) -> Solution:
    """Of the optima of `b` (a model with a rule dropped), the one whose heads are nearest `target`.

    An optimum of the model without the rule may differ from the current plan in many ways the rule
    has nothing to do with. Holding `alt`'s paid hours and LEON value (`core`, stage 2 only) and
    minimising the L1 distance of heads to the current plan over the component's shifts leaves only
    what the rule forces. `below` caps the LEON value under the current plan's, so that a rule that
    binds on competence is not answered by the current plan itself.
    """
    m = _at_stage1_optimum(b, alt.objective, b.off2 if stage2 else b.off1)
    if stage2:
        v = _value(core, alt.values)
        hi = v + 1e-7 * max(1.0, abs(v))
        m.add_row(dict(core), hi=hi if below is None else min(hi, below), name="leon_value")
    for (k, s), c in b.n.items():
        up = m.add_var(f"d+[{k},{s}]", 0.0, cost=1.0)
        down = m.add_var(f"d-[{k},{s}]", 0.0, cost=1.0)
        m.add_row({c: 1.0, up: -1.0, down: 1.0}, target[k, s], target[k, s], name=f"distance[{k},{s}]")
    near = m.solve(solver, time_limit, relax)
    return near if near.ok else alt


def solve(p: StaffingProblem, objective: str = "hours", solver: str = "highs",
          time_limit: float | None = None, relax: bool = False, explain: bool = False,
          decompose: bool = True) -> StaffingSolution:
    """Solve the unit; with explain, also find which rules raise the optimum and by how much."""
    G, S, T = len(p.groups), len(p.shifts), len(p.tasks)
    heads = np.zeros((G, S))
    alloc = np.zeros((T, G, S))
    comps = components(p) if decompose else [tuple(range(S))]
    all_fixed = all(t.fixed_shares is not None for t in p.tasks)
    total, bound, statuses = 0.0, 0.0, []
    binding: list[dict] = []
    wl_heads = np.zeros((G, S)) if explain else None
    stats = {"components": len(comps), "rows": 0, "cols": 0, "nonzeros": 0}
    for comp in comps:
        b = _build(p, comp, objective, relax=relax)
        stats["rows"] += b.model.num_rows
        stats["cols"] += b.model.num_cols
        stats["nonzeros"] += b.model.num_nonzeros
        # with every share fixed (baseline) the level-weighted task hours are a constant: no stage 2
        sol = _lexicographic(b, solver, time_limit, relax, stage2=not all_fixed)
        # out of time before any plan was found is no answer, not a plan with zero heads
        statuses.append("no_solution" if sol.status == "time_limit" and not sol.ok else sol.status)
        if not sol.ok:
            continue
        total += sol.objective
        bound += sol.bound
        for (k, s), c in b.n.items():
            heads[k, s] = sol.values[c]
        for (t, k, s), c in b.x.items():
            alloc[t, k, s] = sol.values[c]
        if explain:
            eb = _build(p, comp, objective, relax=relax, all_rows=True)
            esol = _lexicographic(eb, solver, time_limit, relax, stage2=not all_fixed)
            if esol.status == "optimal":  # what a rule costs is measured from a proven optimum only
                current = {ks: float(sol.values[c]) for ks, c in b.n.items()}
                binding += _binding_rules(p, eb, esol, current, solver, time_limit, relax, not all_fixed)
            wb = _build(p, comp, objective, drop_rules=True, relax=relax)
            ws = _lexicographic(wb, solver, time_limit, relax)
            if ws.ok and wl_heads is not None:
                for (k, s), c in wb.n.items():
                    wl_heads[k, s] = ws.values[c]
    if not relax:
        heads = np.rint(heads) + 0.0  # + 0.0 turns -0.0 into 0.0
        if wl_heads is not None:
            wl_heads = np.rint(wl_heads) + 0.0
    else:  # solver round-off around zero would print as -0
        heads[np.abs(heads) < 1e-9] = 0.0
        if wl_heads is not None:
            wl_heads[np.abs(wl_heads) < 1e-9] = 0.0
    if any(st == "infeasible" for st in statuses):
        return StaffingSolution("infeasible", math.nan, heads, alloc,
                                bends=diagnose(p, objective, solver, time_limit, relax))
    failed = [st for st in statuses if st not in ("optimal", "time_limit")]
    if failed:
        return StaffingSolution(failed[0], math.nan, heads, alloc)
    status = "optimal" if all(st == "optimal" for st in statuses) else "time_limit"
    return StaffingSolution(status, total, heads, alloc, bound, binding, wl_heads, stats=stats)


def _binding_rules(p: StaffingProblem, b: _Built, sol: Solution, current: dict[tuple[int, int], float],
                   solver: str, time_limit: float | None, relax: bool, stage2: bool) -> list[dict]:
    """Rules that shape the optimum on a shift (or day), found by dropping them there.

    A rule binds on hours when dropping it lowers the stage-1 optimum (it costs paid hours), and on
    competence when the hours stay but the LEON value improves (it keeps a higher group on shift than
    the work needs). Only rules whose rows are tight at the solution can bind. `heads_without` is the
    plan without the rule that is nearest the `current` heads (see `_closest_optimum`).
    """
    z1 = sol.objective
    act = b.model.row_activity(sol.values)
    core = _leon_value(p, b) if stage2 else {}
    v2 = _value(core, sol.values)
    out = []
    for (rule_id, label), rows in b.rule_rows.items():
        if not any(min(abs(act[r] - b.model.row_lo[r]), abs(act[r] - b.model.row_hi[r])) < 1e-6 for r in rows):
            continue
        # dominance found with every rule still holds with one dropped (fewer rows to respect)
        dropped = _Built(b.model.without_rows(set(rows)), b.shifts, b.n, b.x, b.stage1, b.stage2, {},
                         off1=b.off1, off2=b.off2)
        alt = _lexicographic(dropped, solver, time_limit, relax, stage2=stage2)
        if alt.status != "optimal":  # cut short by a time limit: no claim about this rule
            continue
        entry = {"rule": rule_id, "shift": label, "saving_if_dropped": max(0.0, z1 - alt.objective)}
        floor = v2 - EXPLAIN_TOL * max(1.0, abs(v2))
        below: float | None
        if alt.objective < z1 - EXPLAIN_TOL * max(1.0, abs(z1)):
            entry["binds_on"], below = "hours", None
        elif stage2 and _value(core, alt.values) < floor:
            entry["binds_on"], below = "competence", floor
        else:
            continue
        near = _closest_optimum(dropped, alt, core, current, below, solver, time_limit, relax, stage2)
        entry["heads_without"] = {(k, s): float(near.values[c] if relax else np.rint(near.values[c]))
                                  for (k, s), c in b.n.items()}
        out.append(entry)
    return out


def diagnose(p: StaffingProblem, objective: str = "hours", solver: str = "highs",
             time_limit: float | None = None, relax: bool = False) -> list[dict]:
    """Elastic relaxation: let rules and availability limits bend at a price and report what bent,
    and for each bend the rules it cannot hold together with."""
    bends: list[dict] = []
    for comp in components(p):
        b = _build(p, comp, objective, elastic=True, relax=relax)
        bend_cols = [c for c, nm in enumerate(b.model.col_names) if nm.startswith("bend")]
        # bends first, staffing second: one unit of bend costs more than any staffing
        big = 1.0 + sum(b.stage1.values())
        for c in bend_cols:
            b.model.cost[c] = big
        sol = b.model.solve(solver, time_limit, relax)
        if not sol.ok:
            what = ("the time limit ran out before this part was diagnosed" if sol.status == "time_limit"
                    else "no plan even with every rule relaxed")
            bends.append({"rule": "(model)", "shift": ",".join(p.shifts[s] for s in comp),
                          "amount": math.nan, "what": what})
            continue
        for c in bend_cols:
            v = sol.values[c]
            if v > 1e-6:
                nm = b.model.col_names[c]
                inner = nm[nm.index("[") + 1:-1]
                if nm.startswith("bend_avail"):
                    g, s = inner.split(",")
                    entry = {"rule": f"availability of {g}", "shift": s, "amount": v,
                             "what": f"needs {v:g} more {g} than available"}
                else:
                    rid, label = inner.rsplit(",", 1)
                    entry = {"rule": rid, "shift": label, "amount": v, "what": f"short by {v:g}"}
                entry["conflicts_with"] = _conflicts(p, b, sol, c, entry, solver, time_limit, relax)
                bends.append(entry)
    return bends


def _label_shifts(p: StaffingProblem, comp: tuple[int, ...], label: str) -> set[int]:
    """The shifts of a component that a row label (shift id or day type) stands for."""
    return {s for s in comp if label in (p.shifts[s], p.day_type[s])}


def _candidates(p: StaffingProblem, b: _Built, own: set[int]) -> list[tuple[dict, set[int]]]:
    """What a bend on these shifts may conflict with: rule rows, availability limits and the
    supervision conditions of delegated tasks (per shift), each with its rows."""
    out = [({"rule": rid, "shift": label}, set(rows)) for (rid, label), rows in b.rule_rows.items()
           if own & _label_shifts(p, b.shifts, label)]
    avail: dict[str, set[int]] = {}
    supervised: dict[str, set[int]] = {}
    for r, nm in enumerate(b.model.row_names):
        if nm.startswith("avail["):
            avail.setdefault(nm, set()).add(r)
        elif nm.startswith("supervised["):
            supervised.setdefault(nm[nm.rindex(",") + 1:-1], set()).add(r)
    for s in sorted(own):
        for k in range(len(p.groups)):
            rows = avail.get(f"avail[{p.groups[k]},{p.shifts[s]}]")
            if rows:
                out.append(({"rule": f"availability of {p.groups[k]}", "shift": p.shifts[s]}, rows))
        if p.shifts[s] in supervised:
            out.append(({"rule": "supervisor present for delegated tasks", "shift": p.shifts[s]},
                        supervised[p.shifts[s]]))
    return out


def _conflicts(p: StaffingProblem, b: _Built, sol: Solution, col: int, entry: dict, solver: str,
               time_limit: float | None, relax: bool) -> list[dict]:
    """The rules and limits on the same shifts that this bend cannot hold together with.

    A deletion filter: hold the bent element and every candidate hard (other shifts may still bend);
    then drop each candidate whose removal leaves the model infeasible. What stays is a minimal set
    that, with the bent element, cannot all hold.
    """
    own = _label_shifts(p, b.shifts, entry["shift"])
    cands = [(c, rows) for c, rows in _candidates(p, b, own)
             if not (c["rule"] == entry["rule"] and c["shift"] == entry["shift"])]
    hard = {cc for cc, nm in enumerate(b.model.col_names) if nm.startswith("bend")
            and _bend_shifts(p, b, nm) & own}

    def infeasible(dropped: set[int]) -> bool:
        m = b.model.without_rows(dropped)
        for cc in hard | {col}:
            m.col_ub[cc] = 0.0
        return m.solve(solver, time_limit, relax).status == "infeasible"

    dropped: set[int] = set()
    if not infeasible(dropped):
        return []  # the bend trades off against rules on other shifts: no conflict on its own shifts
    keep = []
    # limits and conditions are tried first, so that the rules stay in the answer where they can
    for c, rows in reversed(cands):
        if infeasible(dropped | rows):
            dropped |= rows
        else:
            keep.append(c)
    if not keep:  # nothing but the work itself: the tasks of the shift and who may (or does today) do them
        baseline = any(t.fixed_shares is not None for t in p.tasks)
        keep.append({"rule": "today's task shares" if baseline else "the tasks only some groups may do",
                     "shift": entry["shift"]})
    return keep[::-1]


def _bend_shifts(p: StaffingProblem, b: _Built, name: str) -> set[int]:
    """Shifts of a bend column, from its name bend[rule,label] or bend_avail[group,shift]."""
    label = name[name.index("[") + 1:-1].rsplit(",", 1)[1]
    return _label_shifts(p, b.shifts, label)


def export_model(p: StaffingProblem, objective: str = "hours", relax: bool = False) -> LinearModel:
    """The whole stage-1 model, all shifts in one, as solved by `solve(decompose=False)`."""
    return _build(p, tuple(range(len(p.shifts))), objective, relax=relax).model
