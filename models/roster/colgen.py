"""Column generation for rosters: per-person schedules priced under the rule library, a master LP over
them that covers the requirement and proves a lower bound, and integer rosters from the columns.

- **Classes**: people who are alike in everything the rules and the cover see (group, position, allowed
  shifts, days off, wishes ...) share one pricing model and one convexity row (its right-hand side the
  number of them): fewer, larger pricing problems and no symmetric copies in the master.
- **Pricing** (``Pricer``): the schedule of least reduced cost under all of a person's conditions (the
  same condition objects the audit evaluates, posted through ``post_conditions``) is found by a
  one-person CP-SAT model, built once and re-solved with new prices. Every hard rule of the library is
  local to a person (the cover that joins people is soft), so a priced schedule keeps every hard rule by
  construction, and its cost is the person's soft-rule penalty (``score.person_cost``).
- **Master** (``Master``): a convexity row per class and the cover rows with substitution (minimum,
  preferred, over-cover) as in the whole-roster CP-SAT model; solved by HiGHS. The fairness spread is
  left out: it is never negative, so leaving it out keeps the bound valid (it is judged on the rosters).
- **Bound**: for any prices, the prices times the right-hand sides, each cover variable at its best
  bound, and each class's least reduced cost times its size bound every roster's objective from below
  (the Lagrangian bound), so a bound is proven at every full pricing round, not only at the end.
- **Integer rosters**: the master with integer columns (HiGHS MIP over the columns found).
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from models.roster.cpsat import (
    Cond,
    Linear,
    Problem,
    Slot,
    Weights,
    all_conditions,
    cover_weights,
    demand,
    post_conditions,
    stoppable,
)
from models.roster.score import person_cost

SCALE = 1000          # prices are rounded to 1/SCALE in the pricing model (the error is taken off the bound)
ARTIFICIAL = 1e8      # cost of "no schedule": keeps the master feasible before real columns
# with a deterministic work limit (--det-time), HiGHS's branch and bound (count bound, integer roster) is limited
# in nodes, its wall limit only a guard: the same bound and roster on any load
DET_NODES = 2000


def classes(P: Problem, by_person: list[list[Cond]]) -> list[list[int]]:
    """People alike in everything but their id - their data and their rule conditions (a locked cell or
    a previous roster to keep makes a person's conditions their own) - in order of first appearance."""
    out: dict[tuple, list[int]] = {}
    for pi, p in enumerate(P.persons):
        key = (p.group, p.percent, p.percent_range, p.weekend_cycle, p.allowed, p.unavailable, p.night_exempt,
               p.accepts_long_shifts, p.wishes, p.avoid,
               tuple(repr(dataclasses.replace(c, person=0)) for c in by_person[pi]))
        out.setdefault(key, []).append(pi)
    return list(out.values())


def needed(conds: list[Cond]) -> set[Slot]:
    """Slots a hard condition needs worked (a locked shift), worth a variable even without cover."""
    return {sl for c in conds if c.hard and isinstance(c, Linear) and (c.lo or 0) > 0 for sl, _ in c.terms}


@dataclass(frozen=True)
class Column:
    cls: int
    worked: frozenset[Slot]
    cost: float                      # the schedule's soft-rule penalty


class Pricer:
    """One class's schedules as a CP-SAT model; ``price`` re-solves it under new prices."""

    def __init__(self, P: Problem, pi: int, conds: list[Cond], W: Weights, useful: set[Slot]) -> None:
        from ortools.sat.python import cp_model
        self.P = P
        m = self.m = cp_model.CpModel()
        self.y = {sl: m.new_bool_var(f"y{sl}") for sl in sorted(useful)}
        by_day: dict[int, list] = {}
        for (d, _), v in self.y.items():
            by_day.setdefault(d, []).append(v)
        for vs in by_day.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
        cache: dict[tuple, object] = {}

        def Y(q, sl):
            return self.y.get(sl) if q == pi else None

        def any_of(q, st):
            vs = [v for v in (Y(q, sl) for sl in st) if v is not None]
            if len(vs) <= 1:
                return vs[0] if vs else None
            key = tuple(sorted(v.Index() for v in vs))
            if key not in cache:
                z = cache[key] = m.new_bool_var("")
                for v in vs:
                    m.add_implication(v, z)
            return cache[key]

        pens, _ = post_conditions(m, P, conds, Y, any_of, W)
        self.penalty = sum(k * v for k, v in pens)
        self.hint: frozenset[Slot] | None = None
        self.det_used = 0.0
        self.infeasible = False

    def price(self, slot_price: dict[Slot, float], time_limit: float, seed: int = 1, keep: int = 3,
              det: float | None = None, stop: Callable[[], bool] | None = None
              ) -> tuple[list[tuple[frozenset[Slot], float]], float]:
        """([(schedule, its soft-rule penalty)], a lower bound on min(penalty + prices of the slots worked)).
        ``det``: a deterministic work limit (CP-SAT deterministic seconds) for this solve; ``stop``: ends
        it early (no bound then)."""
        from ortools.sat.python import cp_model
        m = self.m
        lin = [(round(SCALE * c), v) for sl, v in self.y.items() if (c := slot_price.get(sl, 0.0))]
        m.minimize(SCALE * self.penalty + sum(k * v for k, v in lin if k))
        if self.hint is not None:
            m.clear_hints()
            for sl, v in self.y.items():
                m.add_hint(v, sl in self.hint)
        sv = cp_model.CpSolver()
        sv.parameters.num_workers = 1
        sv.parameters.random_seed = int(seed)
        sv.parameters.max_time_in_seconds = max(0.01, float(time_limit))
        if det is not None:
            sv.parameters.max_deterministic_time = max(0.001, float(det))
        # measured on the shipped units: the LP relaxation inside the search and no presolve of this
        # small model make a pricing solve about 15 times faster than the defaults
        sv.parameters.linearization_level = 2
        sv.parameters.cp_model_presolve = False
        found: list[tuple[frozenset[Slot], float]] = []

        class _Keep(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(cb):
                found.append((frozenset(sl for sl, v in self.y.items() if cb.BooleanValue(v)),
                              float(cb.Value(self.penalty))))

        with stoppable(sv, stop):
            st = sv.Solve(m, _Keep())
        self.det_used += sv.deterministic_time
        if st == cp_model.INFEASIBLE:    # the person's hard rules cannot all hold: no roster exists
            self.infeasible = True
            return [], math.inf
        if found:
            self.hint = found[-1][0]
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return found[-keep:], -math.inf
        # rounding error of the prices: at most half a unit per priced slot worked (at most one a day); none
        # at zero prices, where the bound is the person's least soft cost alone, exact (whole and never
        # negative: a roster the count bound meets is then proven optimal)
        priced_days = len({sl[0] for sl, c in slot_price.items() if c and sl in self.y})
        return found[-keep:], sv.BestObjectiveBound() / SCALE - 0.5 * priced_days / SCALE


class Master:
    """The master LP (HiGHS): columns = class schedules; fixed variables = cover routing, shortfall and
    over-cover (as in the whole-roster CP-SAT model)."""

    def __init__(self, P: Problem, W: Weights, sizes: list[int], group_of: list[str]) -> None:
        import highspy
        self.P, self.W, self.group_of = P, W, group_of
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        self.inf = highspy.kHighsInf
        self.rows: list[tuple[float, float]] = []      # (lo, hi) per row
        self.fixed: list[tuple[float, float, float, list[tuple[int, float]]]] = []   # (cost, lo, hi, entries)
        self.conv = [self._row(n, n) for n in sizes]
        self.supply: dict[tuple[int, str, str], int] = {}
        self.over: dict[tuple[int, str], int] = {}
        self.maxover: dict[tuple[int, str], int] = {}
        _, demand_at, _ = demand(P)
        self.under_w, self.over_w = cover_weights(P)
        for key, dem in sorted(demand_at.items()):
            self._cover_rows(key, dem, sorted(set(group_of)))
        self.n_fixed = h.getNumCol()
        self.is_conv = [False] * len(self.rows)
        for r in self.conv:
            self.is_conv[r] = True
        for r in self.conv:   # "no schedule": keeps the LP feasible, never in a roster
            self._col(ARTIFICIAL, 0, self.inf, [(r, 1.0)])
        self.columns: list[Column | None] = [None] * h.getNumCol()
        self.known: set[tuple[int, frozenset]] = set()

    def _row(self, lo, hi) -> int:
        self.h.addRow(lo, hi, 0, [], [])
        self.rows.append((lo, hi))
        return len(self.rows) - 1

    def _col(self, cost, lo, hi, entries, fixed: bool = False) -> None:
        self.h.addCol(cost, lo, hi, len(entries), [r for r, _ in entries], [a for _, a in entries])
        if fixed:
            self.fixed.append((cost, lo, hi, entries))

    def _cover_rows(self, key: tuple[int, str], dem: dict[str, tuple[int, int]], groups: list[str]) -> None:
        """Rows and routing variables of one (day, period): as the cover part of the CP-SAT model."""
        W, inf, subs = self.W, self.inf, self.P.substitutes
        total_pref = sum(pr for _, pr in dem.values())
        ow = self.over_w.get(key, W.overcover)
        if ow:
            r = self.over[key] = self._row(-inf, total_pref)
            self._col(ow, 0, inf, [(r, -1.0)], fixed=True)
        if W.max_over is not None:
            self.maxover[key] = self._row(-inf, total_pref + W.max_over)
        for h in groups:
            if any(h == g or h in subs.get(g, []) for g in dem):
                self.supply[(*key, h)] = self._row(-inf, 0)
        for g, (mn, pr) in sorted(dem.items()):
            rows = []
            for need, weight in ((mn, self.under_w.get((*key, g), W.shortfall)), (pr if pr > mn else 0, W.preferred)):
                if need > 0:
                    rows.append(self._row(need, inf))
                    self._col(weight, 0, need, [(rows[-1], 1.0)], fixed=True)
            for h in groups:
                sup = self.supply.get((*key, h))
                if sup is not None and (h == g or h in subs.get(g, [])):
                    self._col(0.0, 0, max(pr, mn), [(sup, 1.0)] + [(q, 1.0) for q in rows], fixed=True)

    def entries(self, col: Column) -> list[tuple[int, float]]:
        acc: dict[int, float] = {self.conv[col.cls]: 1.0}
        g = self.group_of[col.cls]
        for d, s in col.worked:
            for per in self.P.shifts[s].periods:
                for r, a in ((self.supply.get((d, per, g)), -1.0), (self.over.get((d, per)), 1.0),
                             (self.maxover.get((d, per)), 1.0)):
                    if r is not None:
                        acc[r] = acc.get(r, 0.0) + a
        return sorted(acc.items())

    def add(self, col: Column) -> bool:
        key = (col.cls, col.worked)
        if key in self.known:
            return False
        self.known.add(key)
        self._col(col.cost, 0, self.inf, self.entries(col))
        self.columns.append(col)
        return True

    def solve_lp(self) -> tuple[float, list[float]]:
        # interior point without crossover: central duals, not the extreme ones of a degenerate vertex
        # (a roster with one schedule per person is very degenerate); the bound holds for any prices
        self.h.setOptionValue("solver", "ipm")
        self.h.setOptionValue("run_crossover", "off")
        self.h.run()
        return self.h.getInfo().objective_function_value, list(self.h.getSolution().row_dual)

    def signed(self, dual: list[float]) -> list[float]:
        """Prices with the sign their row allows (>= rows: >= 0, <= rows: <= 0, over-cover rows no lower
        than minus its weight, so that variable never has a negative reduced cost); conv rows 0."""
        out = []
        for r, (lo, hi) in enumerate(self.rows):
            v = dual[r]
            if self.is_conv[r]:
                v = 0.0
            elif lo == -self.inf:
                v = min(v, 0.0)
            elif hi == self.inf:
                v = max(v, 0.0)
            out.append(v)
        for key, r in self.over.items():
            out[r] = max(out[r], -float(self.over_w.get(key, self.W.overcover)))
        return out

    def lagrangian_rest(self, pi_: list[float]) -> float:
        """The part of the Lagrangian bound at prices ``pi_`` (conv rows 0) that is not the schedules':
        the prices times the right-hand sides, plus each fixed variable at its best bound."""
        v = sum(p * (hi if lo == -self.inf else lo) for p, (lo, hi) in zip(pi_, self.rows, strict=True) if p)
        for cost, lo, hi, ent in self.fixed:
            rc = cost - sum(a * pi_[r] for r, a in ent)
            if rc < 0 and hi == self.inf:
                return -math.inf
            v += rc * (lo if rc >= 0 else hi)
        return v

    def slot_prices(self, cls: int, pi_: list[float]) -> dict[Slot, float]:
        """Minus the prices of the rows a worked slot enters (its part of the reduced cost)."""
        P = self.P
        g = self.group_of[cls]
        out: dict[Slot, float] = {}
        for d in range(P.days):
            for s, st in enumerate(P.shifts):
                v = 0.0
                for per in st.periods:
                    for r, a in ((self.supply.get((d, per, g)), -1.0), (self.over.get((d, per)), 1.0),
                                 (self.maxover.get((d, per)), 1.0)):
                        if r is not None:
                            v -= a * pi_[r]
                if v:
                    out[d, s] = v
        return out

    def solve_mip(self, time_limit: float, stop: Callable[[], bool] | None = None,
                  max_nodes: int | None = None) -> list[list[Column]] | None:
        """The best integer roster over the columns found (HiGHS branch and bound, limited in time and, when
        given, in nodes - a limit that does not depend on the machine's load - and interrupted once ``stop()``
        returns True): per class, the schedules chosen (as many as its people)."""
        import highspy
        mip = highspy.Highs()
        mip.setOptionValue("output_flag", False)
        mip.setOptionValue("threads", 1)
        mip.setOptionValue("time_limit", max(0.1, float(time_limit)))
        if max_nodes is not None:
            mip.setOptionValue("mip_max_nodes", int(max_nodes))
        mip.passModel(self.h.getLp())
        n = mip.getNumCol()
        idx = list(range(self.n_fixed, n))
        mip.changeColsIntegrality(len(idx), idx, [highspy.HighsVarType.kInteger] * len(idx))
        if stop is not None:
            mip.cbMipInterrupt += lambda e: e.interrupt() if stop() else None
        mip.run()
        if mip.getInfo().primal_solution_status != 2:   # no feasible solution
            return None
        x = mip.getSolution().col_value
        out: list[list[Column]] = [[] for _ in self.conv]
        for j in idx:
            c = self.columns[j]
            k = round(x[j])
            if k > 0:
                if c is None:
                    return None     # a class without a real schedule
                out[c.cls] += [c] * k
        return out


@dataclass
class CGStats:
    rounds: int = 0
    columns: int = 0
    lp: float | None = None
    bound: float = -math.inf
    proven_lp: bool = False
    alone: float = -math.inf      # the Lagrangian bound at zero prices: each person's least soft cost alone
    history: list[tuple[float, float | None, float]] = field(default_factory=list)   # (t, lp, bound)


class Engine:
    """Column generation on a roster problem (see the module text)."""

    def __init__(self, P: Problem, W: Weights | None = None, conds: list[Cond] | None = None,
                 seed: int = 1, threads: int = 2, det_per_pricing: float | None = None) -> None:
        """``det_per_pricing``: price with a deterministic work limit per solve (and one thread), so the
        same input gives the same columns on any machine load."""
        self.P, self.W, self.seed = P, W or Weights(), seed
        self.det = det_per_pricing
        self.threads = 1 if det_per_pricing is not None else max(1, threads)
        conds = all_conditions(P) if conds is None else conds
        self.by_person: list[list[Cond]] = [[] for _ in P.persons]
        for c in conds:
            self.by_person[c.person].append(c)
        self.useful, _, _ = demand(P)
        self.members = classes(P, self.by_person)
        self.cls_of = {pi: k for k, ms in enumerate(self.members) for pi in ms}
        self.master = Master(P, self.W, [len(ms) for ms in self.members],
                             [P.persons[ms[0]].group for ms in self.members])
        self.pricers: dict[int, Pricer] = {}
        self.stats = CGStats()
        self.centre: list[float] | None = None     # the prices with the best Lagrangian bound so far
        self.best_l = -math.inf
        self.other_bound = -math.inf     # a bound on the same objective proven elsewhere (whole-roster model)
        self.counts = -math.inf          # a bound on cover + fairness from counts (``models.roster.bound``)
        self.split = -math.inf           # a bound on the whole objective from parts sharing no cover (the same)
        self.settled: list[tuple[set[str], float]] = []   # its parts: groups, proven least cover + rules

    @property
    def bound(self) -> float:
        """The best proven bound on the objective: the master's (Lagrangian), the whole-roster model's, or
        the people's least soft costs alone plus the count bound on cover and fairness (the objective is
        their sum, and each part is bounded on its own), or the bound from groups that share no cover
        (``models.roster.bound.split_bound``)."""
        return max(self.stats.bound, self.other_bound, self.stats.alone + self.counts, self.split)

    def count_bound(self, time_limit: float, split_limit: float | None = None) -> None:
        """The count bound within ``time_limit`` seconds, then the split bound within ``split_limit``
        (default the same)."""
        from models.roster.bound import count_bound, split_bound
        conds = [c for cs in self.by_person for c in cs]
        slots = [self.slots(pi) for pi in range(len(self.P.persons))]
        nodes = None if self.det is None else DET_NODES
        b = count_bound(self.P, self.W, conds, time_limit, slots, max_nodes=nodes)
        self.counts = max(self.counts, b.bound)   # 0 when nothing was proven: still a bound (no term is negative)
        # small groups that share no cover with the rest, proven alone (``split_bound``), with a time limit of
        # their own (measured beside a busy process: in what the counts left, medisinsk's doctors were not proven)
        sb = split_bound(self.P, self.W, conds, time_limit if split_limit is None else split_limit, slots,
                         det=None if self.det is None else 10 * self.det, max_nodes=nodes)
        self.split = max(self.split, sb.bound)
        self.settled = sb.parts or self.settled

    def pricer(self, k: int) -> Pricer:
        if k not in self.pricers:
            pi = self.members[k][0]
            self.pricers[k] = Pricer(self.P, pi, self.by_person[pi], self.W, self.slots(pi))
        return self.pricers[k]

    def slots(self, pi: int) -> set[Slot]:
        """The slots a person may usefully work: cover their group can fill, or a locked shift."""
        return {(d, s) for d, s in self.useful.get(self.P.persons[pi].group, set()) | needed(self.by_person[pi])
                if self.P.exists(d, s)}

    @property
    def det_used(self) -> float:
        return sum(p.det_used for p in list(self.pricers.values()))   # a copy: pricers are added in another thread

    @property
    def infeasible(self) -> list[int]:
        """People whose hard rules cannot all hold (proven by their class's pricing model)."""
        # a copy of the pricers (taken at once): the search's stop reads this while the other thread adds them
        return sorted(pi for k, p in list(self.pricers.items()) if p.infeasible for pi in self.members[k])

    def add_roster(self, asg: dict[tuple[int, int], int]) -> int:
        """Every person's schedule in ``asg`` that keeps the person's hard rules becomes a column."""
        worked: list[set[Slot]] = [set() for _ in self.P.persons]
        for (pi, d), s in asg.items():
            worked[pi].add((d, s))
        n = 0
        for pi, w in enumerate(worked):
            cost, hard = person_cost(self.P, self.by_person[pi], w, self.W)
            if hard == 0 and w <= self.slots(pi):
                n += self.master.add(Column(self.cls_of[pi], frozenset(w), cost))
        return n

    def generate(self, until: float, progress: Callable[[CGStats], None] | None = None,
                 per_pricing: float = 2.0, alpha: float = 0.8, det_budget: float | None = None,
                 rounds: int | None = None, stop: Callable[[], bool] | None = None) -> CGStats:
        """Price and re-solve until no schedule has a negative reduced cost (the LP is solved), ``until``
        (a perf_counter instant) comes, or the pricing has used ``det_budget`` deterministic seconds in
        all, or after ``rounds`` master re-solves (0: the first pricing of every class alone only, which
        proves a person's rules infeasible and gives a first bound), or once ``stop()`` returns True (also
        inside a pricing solve). May be called again (after
        ``add_roster``).

        Prices are smoothed (Wentges): the pricing runs at ``alpha`` x the best prices so far (the centre,
        the one with the highest Lagrangian bound) + (1 - alpha) x the master's; the first master duals
        of a roster with one schedule per person are extreme (every slot worth a missing head), and
        smoothing keeps the search near prices that prove something."""
        st, M_ = self.stats, self.master

        def more() -> bool:
            return time.perf_counter() < until and (det_budget is None or self.det_used < det_budget) \
                and (rounds is None or st.rounds < rounds) and not (stop and stop())

        pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        try:
            if self.centre is None:
                # the schedules that are best for each class alone (no prices) are the first columns
                self.centre = [0.0] * len(M_.rows)
                if self._round(self.centre, None, until, per_pricing, pool, stop) is None:
                    return st
            while more():
                lp, dual = M_.solve_lp()
                st.lp, st.rounds = lp, st.rounds + 1
                added, a = self._smoothed(dual, alpha, until, per_pricing, pool, more, stop)
                st.columns = len(M_.known)
                st.history.append((time.perf_counter(), lp, st.bound))
                if progress:
                    progress(st)
                if added == 0 and a == 0.0:
                    st.proven_lp = True      # no schedule improves the master: the LP is solved
                    break
        finally:
            if pool:
                pool.shutdown(wait=True)
        return st

    def _smoothed(self, dual: list[float], alpha: float, until: float, per_pricing: float, pool, more, stop=None):
        """Price at the smoothed prices, halving the smoothing while no schedule enters (mis-pricing);
        returns (schedules added, the smoothing last used)."""
        out = self.master.signed(dual)
        added, a = 0, alpha
        while more():
            sep = [a * c + (1 - a) * o for c, o in zip(self.centre or out, out, strict=True)]
            res = self._round(sep, dual, until, per_pricing, pool, stop)
            if res is None:
                break
            added = res
            if added or a == 0.0:
                break
            self.centre = sep          # mis-priced: move the centre to the prices just tried
            a = 0.0 if a < 0.2 else a / 2
        return added, a

    def _round(self, sep: list[float], dual: list[float] | None, until: float, per_pricing: float, pool,
               stop: Callable[[], bool] | None = None):
        """Price every class at ``sep``; raise the bound; add the schedules that improve the master at its
        own prices ``dual`` (all of them when None). Returns how many were added, None when the time ran
        out (or ``stop()`` held) before every class was priced."""
        M_ = self.master
        n = len(self.members)
        left = until - time.perf_counter()
        if left <= 0.05:
            return None
        # with a deterministic work limit per pricing, the wall only guards the end: a share would bind under load
        each = left if self.det is not None else max(0.05, min(per_pricing, left * self.threads / max(1, n)))
        prices = [M_.slot_prices(k, sep) for k in range(n)]

        def job(k):
            if stop and stop():
                return [], -math.inf
            return self.pricer(k).price(prices[k], min(each, max(0.01, until - time.perf_counter())), self.seed,
                                        det=self.det, stop=stop)
        results = list(pool.map(job, range(n))) if pool else [job(k) for k in range(n)]
        if self.infeasible:
            return None       # no roster exists: nothing to bound or price (the caller diagnoses)
        if stop and stop():
            return None       # asked to stop: a round cut short proves no bound
        total = M_.lagrangian_rest(sep)
        added = 0
        own = [M_.slot_prices(k, dual) for k in range(n)] if dual is not None else None
        for k, (scheds, lb) in enumerate(results):
            # -inf when a pricing stopped without a bound, +inf when it proved the class infeasible
            total += len(self.members[k]) * lb
            for w, cost in scheds:
                if own is None or dual is None or \
                        cost + sum(own[k].get(sl, 0.0) for sl in w) - dual[M_.conv[k]] < -1e-6:
                    added += M_.add(Column(k, w, cost))
        # at zero prices the bound is each person's least soft cost alone (the count bound adds to it)
        self.stats.alone = self.stats.alone if any(sep) else max(self.stats.alone, total)
        if total > self.best_l:
            self.best_l, self.centre = total, sep
            self.stats.bound = max(self.stats.bound, total)
        return added

    def integer_roster(self, time_limit: float, stop: Callable[[], bool] | None = None
                       ) -> dict[tuple[int, int], int] | None:
        chosen = self.master.solve_mip(time_limit, stop, None if self.det is None else DET_NODES)
        if chosen is None:
            return None
        asg = {}
        for k, cols in enumerate(chosen):
            for pi, c in zip(self.members[k], cols, strict=False):
                for d, s in c.worked:
                    asg[pi, d] = s
        return asg
