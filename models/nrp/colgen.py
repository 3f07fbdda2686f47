"""Pattern (column) formulation of the nurse-rostering instances, solved by column generation.

A column is one employee's whole schedule. All hard rules of the format are per employee, so any
choice of one legal schedule per employee is a legal roster; only the cover couples employees.

- Master (HiGHS LP): choose a convex combination of schedules per employee; each day x shift row
  counts the staff, with under- and over-cover slack columns priced at the cover weights.
- Pricing (`models.nrp.dp`, a dynamic programme per employee, with a small CP-SAT model as the
  exact fallback): the legal schedule of least reduced cost under the master's duals. The proven
  least reduced costs give a Lagrangian lower bound on the whole problem at every round, so the
  bound is valid even when pricing stops early.
- Rosters: dives that fix whole schedules and re-price the rest (trying a few schedules before
  each of the last fixings, where greedy rounding goes wrong), and the integer master (HiGHS MIP
  over the generated schedules).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import multiprocessing
import queue
import random
import time

import highspy
import numpy as np

from models.nrp.cpsat import NrpSolution, Search
from models.nrp.dp import DpPricer
from models.nrp.pricer import SCALE, Pricer, alone  # noqa: F401  (Pricer and alone: this module's API before the split)
from models.nrp.problem import OFF, NrpProblem, Roster

SMOOTHING = 0.5  # weight of the best-bound duals in the pricing duals

Schedule = tuple[int, ...]  # one employee's row: shift index per day, or OFF


# ---------------------------------------------------------------------------------------------
# Master


class Master:
    """The pattern LP / MIP in HiGHS. Rows: one per (day, shift) cover, then one per employee."""

    def __init__(self, problem: NrpProblem) -> None:
        self.problem = problem
        self.n_cover = problem.horizon * problem.n_shifts
        self.highs = highspy.Highs()
        self.highs.silent()
        self.highs.setOptionValue("threads", 1)
        # (employee, schedule, cost). Columns get no upper bound of 1: the convexity row already
        # caps them, and a binding bound would take duals away from it.
        self.columns: list[tuple[int, Schedule, int]] = []
        self.known: set[tuple[int, Schedule]] = set()
        self.fixed: dict[int, dict[int, int]] = {}  # employee -> {day: shift or OFF} fixed by a dive
        self._add_rows()
        self._add_slacks()

    def _add_rows(self) -> None:
        p = self.problem
        need = np.array([p.cover[d][s].requirement for d in range(p.horizon) for s in range(p.n_shifts)], float)
        ones = np.ones(len(p.employees))
        self.highs.addRows(self.n_cover, need, need, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self.highs.addRows(len(ones), ones, ones, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))

    def _add_slacks(self) -> None:
        """Under-cover (+1) and over-cover (-1) per cover row, at the cover weights."""
        p = self.problem
        for d in range(p.horizon):
            for s, cover in enumerate(p.cover[d]):
                row = np.array([d * p.n_shifts + s], np.int32)
                self.highs.addCol(cover.under_weight, 0, cover.requirement, 1, row, np.ones(1))
                self.highs.addCol(cover.over_weight, 0, math.inf, 1, row, -np.ones(1))
        self.n_slacks = 2 * self.n_cover

    def add(self, e: int, schedule: Schedule, cost: int) -> bool:
        if (e, schedule) in self.known:
            return False
        self.known.add((e, schedule))
        self.columns.append((e, schedule, cost))
        rows = [d * self.problem.n_shifts + s for d, s in enumerate(schedule) if s != OFF]
        rows.append(self.n_cover + e)
        upper = math.inf if self.allowed(e, schedule) else 0
        self.highs.addCol(cost, 0, upper, len(rows), np.array(rows, np.int32), np.ones(len(rows)))
        return True

    def allowed(self, e: int, schedule: Schedule) -> bool:
        return all(schedule[d] == s for d, s in self.fixed.get(e, {}).items())

    def fix(self, e: int, day: int, shift: int) -> None:
        """Employee e works `shift` (or is OFF) on `day` until `unfix`: other columns are barred."""
        self.fixed.setdefault(e, {})[day] = shift
        for j, (owner, schedule, _) in enumerate(self.columns):
            if owner == e and schedule[day] != shift:
                self.highs.changeColBounds(self.n_slacks + j, 0, 0)

    def fix_schedule(self, e: int, schedule: Schedule) -> None:
        """Employee e works exactly `schedule` until `unfix` (the schedule must be a column)."""
        self.fixed[e] = dict(enumerate(schedule))
        for j, (owner, other, _) in enumerate(self.columns):
            if owner == e and other != schedule:
                self.highs.changeColBounds(self.n_slacks + j, 0, 0)

    def release(self, e: int) -> None:
        """Undo `fix_schedule(e, ...)` alone (e had no other fixings)."""
        del self.fixed[e]
        for j, (owner, _, _) in enumerate(self.columns):
            if owner == e:
                self.highs.changeColBounds(self.n_slacks + j, 0, math.inf)

    def unfix(self) -> None:
        self.fixed.clear()
        for j in range(len(self.columns)):
            self.highs.changeColBounds(self.n_slacks + j, 0, math.inf)

    def solve_lp(self) -> tuple[float, np.ndarray, np.ndarray]:
        """LP value (infinite if a dive's fixings left an employee no schedule), cover duals
        [day, shift] and convexity duals [employee]."""
        self.highs.run()
        p = self.problem
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return math.inf, np.zeros((p.horizon, p.n_shifts)), np.zeros(len(p.employees))
        duals = np.array(self.highs.getSolution().row_dual)
        return (self.highs.getInfo().objective_function_value,
                duals[: self.n_cover].reshape(p.horizon, p.n_shifts), duals[self.n_cover :])

    def lp_schedules(self) -> list[tuple[int, Schedule, float]]:
        """Schedules the LP uses, with their weights (what dives round)."""
        values = self.highs.getSolution().col_value
        return [(e, schedule, values[self.n_slacks + j]) for j, (e, schedule, _) in enumerate(self.columns)
                if values[self.n_slacks + j] > 1e-6]

    def solve_integer(self, seconds: float, start: Roster | None = None,
                      stop=None) -> tuple[Roster | None, float]:
        """Best roster over the generated schedules within `seconds`, and the MIP's dual bound.

        The bound holds only over these schedules, so it is no bound on the problem."""
        mip = highspy.Highs()
        mip.silent()
        mip.passModel(self.highs.getModel())
        for name, value in (("time_limit", max(0.1, seconds)), ("threads", 1), ("mip_rel_gap", 0.0),
                            ("mip_abs_gap", 0.99)):
            mip.setOptionValue(name, value)
        n = len(self.columns)
        mip.changeColsIntegrality(n, np.arange(self.n_slacks, self.n_slacks + n, dtype=np.int32),
                                  np.full(n, highspy.HighsVarType.kInteger))
        if start is not None:
            self._set_start(mip, start)
        if stop is not None:
            mip.cbMipInterrupt.subscribe(lambda event: stop.is_set() and event.interrupt())
        mip.run()
        if mip.getInfo().primal_solution_status != 2:  # 2: a feasible solution exists
            return None, mip.getInfo().mip_dual_bound
        values = mip.getSolution().col_value
        roster: Roster = [[OFF] * self.problem.horizon for _ in self.problem.employees]
        for j, (e, schedule, _) in enumerate(self.columns):
            if values[self.n_slacks + j] > 0.5:
                roster[e] = list(schedule)
        return roster, mip.getInfo().mip_dual_bound

    def _set_start(self, mip: highspy.Highs, roster: Roster) -> None:
        chosen = {(e, tuple(row)) for e, row in enumerate(roster)}
        values = np.zeros(self.n_slacks + len(self.columns))
        for j, (e, schedule, _) in enumerate(self.columns):
            values[self.n_slacks + j] = float((e, schedule) in chosen)
        staffed = np.zeros(self.n_cover)
        for row in roster:
            for d, s in enumerate(row):
                if s != OFF:
                    staffed[d * self.problem.n_shifts + s] += 1
        need = np.array([c.requirement for day in self.problem.cover for c in day], float)
        values[0 : self.n_slacks : 2] = np.maximum(0, need - staffed)
        values[1 : self.n_slacks : 2] = np.maximum(0, staffed - need)
        mip.setSolution(_solution(values))


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    return solution


# ---------------------------------------------------------------------------------------------
# Column generation


@dataclasses.dataclass
class RoundReport:
    lp: float  # master LP value this round
    bound: float  # Lagrangian lower bound this round (valid for the whole problem)
    added: int  # schedules added
    smoothed: bool  # priced at smoothed duals: adding nothing then does not prove the LP optimal


class ColumnGeneration:
    """The master with one pricer per employee; `round()` prices everyone once."""

    def __init__(self, problem: NrpProblem) -> None:
        self.problem = problem
        self.master = Master(problem)
        self.pricers = [DpPricer(problem, e, functools.partial(Pricer, problem, e))
                        for e in range(len(problem.employees))]
        self.bound = -math.inf
        self.lp = math.inf
        self.center: np.ndarray | None = None  # the prices of the best bound so far
        self.smooth = True

    def add_roster(self, roster: Roster) -> int:
        return sum(self.add(e, tuple(row)) for e, row in enumerate(roster))

    def add(self, e: int, schedule: Schedule) -> bool:
        return self.master.add(e, schedule, self.pricers[e].cost(schedule))

    def seed(self, seconds: float, deadline: float = math.inf) -> bool | None:
        """A cheap legal schedule per employee for its own requests: makes the master feasible.
        False when an employee has no legal schedule (then no roster is legal), None when the
        time ran out first."""
        zero = np.zeros((self.problem.horizon, self.problem.n_shifts))
        for pricer in self.pricers:
            if time.monotonic() > deadline:
                return None
            found, bound = pricer.price(zero, 0.0, seconds, target=math.inf)
            if bound == math.inf:
                return False
            if not found:
                return None
            self.add(pricer.employee, found[-1])
        return True

    def round(self, seconds_each: float, deadline: float = math.inf) -> RoundReport:
        """Solve the master LP and price every employee at smoothed duals (see `_prices`); the
        Lagrangian bound at those prices counts only when nothing is fixed and everyone was
        priced before `deadline`. Pricing asks only for a column that prices out (or a proof
        that none does)."""
        self.lp, duals, convexity = self.master.solve_lp()
        prices = self._prices(duals)
        bound, added = self._lagrangian_base(prices), 0
        for pricer in self.pricers:
            e = pricer.employee
            if len(self.master.fixed.get(e, ())) == self.problem.horizon:
                continue
            if time.monotonic() > deadline:
                bound = -math.inf
                break
            target = math.inf if self.lp == math.inf else convexity[e] - 1e-6
            found, least = pricer.price(prices, 0.0, seconds_each, target=target)
            bound += least
            for schedule in found:
                # With no LP solution (a dive's fixings barred every pooled schedule of someone),
                # any schedule that fits the fixings helps.
                if self.lp == math.inf or pricer.reduced_cost(schedule, duals, convexity[e]) < -1e-6:
                    added += self.add(e, schedule)
        smoothed = prices is not duals
        if not self.master.fixed and bound > self.bound:
            self.bound, self.center = bound, prices
        self.smooth = not (smoothed and added == 0)  # mispriced: next round at the LP's own duals
        return RoundReport(self.lp, bound, added, smoothed)

    def _prices(self, duals: np.ndarray) -> np.ndarray:
        """Wentges smoothing: price at a mix of the LP duals and those of the best bound so far,
        which damps the duals' oscillation and so saves rounds."""
        if self.center is None or not self.smooth or self.master.fixed or self.lp == math.inf:
            return duals
        return SMOOTHING * self.center + (1 - SMOOTHING) * duals

    def _lagrangian_base(self, prices: np.ndarray) -> float:
        """The cover part of the Lagrangian bound at `prices` (a mix of LP duals, so at least minus
        the over-cover weights): each row earns requirement x price, less what under-cover saves."""
        total = 0.0
        for d, day in enumerate(self.problem.cover):
            for s, cover in enumerate(day):
                total += cover.requirement * (prices[d, s] + min(0.0, cover.under_weight - prices[d, s]))
        return total

    def run(self, deadline: float, seconds_each: float = 0.5, on_round=None) -> bool:
        """Rounds until no schedule prices out (the LP is then optimal) or the deadline; True if converged."""
        while time.monotonic() < deadline:
            report = self.round(min(seconds_each, max(0.01, deadline - time.monotonic())), deadline)
            if on_round:
                on_round(report)
            if (report.added == 0 and not report.smoothed) or self.lp - self.bound < 1e-6:
                return True
        return False

    def dive(self, deadline: float, share: float = 0.1, rounds: int = 10, stop=None) -> Roster | None:
        """Depth-first rounding on cells: fix the (employee, day) cells whose LP value is the most
        nearly one (a `share` of the fractional ones), re-generate columns for up to `rounds`,
        repeat until the LP picks one schedule per employee, or until `DIVE_FINISH` seconds before
        the deadline, when the integer master completes the fixings. A batch that lifts the LP by more
        than `DIVE_TOLERANCE` is undone and retried at half its size. A heuristic: every roster
        it returns is legal, none is proven good."""
        kept: list[tuple[int, int, int]] = []
        batch: list[tuple[int, int, int]] = []
        before = math.inf
        try:
            while not (stop is not None and stop.is_set()):
                if time.monotonic() > deadline - DIVE_FINISH:
                    return self.master.solve_integer(deadline - time.monotonic(), stop=stop)[0]
                lp = self._reconverge(rounds, deadline - DIVE_FINISH)
                if lp == math.inf and len(batch) <= 1:
                    return None  # a dead end
                if len(batch) > 1 and lp > before + DIVE_TOLERANCE * abs(before) + 1:
                    batch = batch[: len(batch) // 2]
                    self._refix(kept + batch)
                    continue
                kept += batch
                fractional = self._fractional_cells()
                if not fractional:
                    return self._lp_roster()
                batch = [(e, d, s) for _, e, d, s in fractional[: max(1, math.ceil(share * len(fractional)))]]
                before = lp
                for cell in batch:
                    self.fix(*cell)
            return None
        finally:
            self.unfix()

    def dive_columns(self, deadline: float, rounds: int = 4, rng=None, stop=None,
                     look_ahead: int = 1) -> Roster | None:
        """Depth-first rounding on whole schedules: fix every employee whose LP schedule is
        (nearly) integral and the most used fractional one, re-generate columns for the others
        for up to `rounds`, repeat. Fixing a column that exists keeps the LP feasible (the cover
        has slacks), so the dive never dead-ends; near the deadline the integer master completes
        it. With `rng`, the fractional schedule is drawn among the most used ones: diverse dives.

        The LP barely moves while many employees are free and then climbs steeply over the last
        fixings, where a greedy choice often costs an uncovered shift. So once at most
        `LATE_SHARE` of the employees are free, a `look_ahead` > 1 tries that many of the most
        used fractional schedules (each fixed, re-priced, undone) and fixes the one that leaves
        the least LP."""
        employees = len(self.problem.employees)
        try:
            while not (stop is not None and stop.is_set()):
                if time.monotonic() > deadline - DIVE_FINISH:
                    return self.master.solve_integer(deadline - time.monotonic(), stop=stop)[0]
                self._reconverge(rounds, deadline - DIVE_FINISH)
                free = [(w, e, schedule) for e, schedule, w in self.master.lp_schedules()
                        if len(self.master.fixed.get(e, ())) < self.problem.horizon]
                if not free:
                    return self._lp_roster()
                free.sort(key=lambda item: -item[0])
                chosen = [item for item in free if item[0] > 1 - 1e-6]
                fractional = [item for item in free if item[0] <= 1 - 1e-6]
                if fractional:
                    late = len({e for _, e, _ in free}) <= LATE_SHARE * employees
                    if look_ahead > 1 and late and len(fractional) > 1:
                        for _, e, schedule in chosen:
                            self.master.fix_schedule(e, schedule)
                        chosen = [self._look_ahead(fractional[:look_ahead], rounds, deadline - DIVE_FINISH)]
                    else:
                        top = fractional[: 3] if rng is not None else fractional[:1]
                        weights = [w for w, _, _ in top]
                        chosen.append(rng.choices(top, weights)[0] if rng is not None else top[0])
                for _, e, schedule in chosen:
                    self.master.fix_schedule(e, schedule)
            return None
        finally:
            self.unfix()

    def _look_ahead(self, candidates, rounds: int, deadline: float):
        """The candidate (weight, employee, schedule) whose fixing leaves the least LP after
        re-pricing; the fixings are as before on return."""
        best, best_lp = candidates[0], math.inf
        for candidate in candidates:
            if time.monotonic() > deadline:
                break
            self.master.fix_schedule(candidate[1], candidate[2])
            lp = self._reconverge(rounds, deadline)
            if lp < best_lp:
                best, best_lp = candidate, lp
            self.master.release(candidate[1])
        return best

    def _reconverge(self, rounds: int, deadline: float) -> float:
        for _ in range(rounds):
            report = self.round(0.5, deadline)
            if (report.added == 0 and not report.smoothed) or time.monotonic() > deadline:
                break
        return self.master.solve_lp()[0]

    def _refix(self, cells: list[tuple[int, int, int]]) -> None:
        self.unfix()
        for cell in cells:
            self.fix(*cell)

    def fix(self, e: int, day: int, shift: int) -> None:
        self.master.fix(e, day, shift)
        self.pricers[e].fix(day, shift)

    def unfix(self) -> None:
        self.master.unfix()
        for pricer in self.pricers:
            pricer.unfix()

    def _cell_values(self) -> dict[tuple[int, int, int], float]:
        """LP value of each (employee, day, shift-or-OFF) cell: the weight of the schedules using it."""
        values: dict[tuple[int, int, int], float] = {}
        for e, schedule, weight in self.master.lp_schedules():
            for d, shift in enumerate(schedule):
                values[e, d, shift] = values.get((e, d, shift), 0.0) + weight
        return values

    def _fractional_cells(self) -> list[tuple[float, int, int, int]]:
        """Cells strictly between 0 and 1, the most nearly one first."""
        cells = [(-v, e, d, s) for (e, d, s), v in self._cell_values().items() if 1e-6 < v < 1 - 1e-6]
        return [(-v, e, d, s) for v, e, d, s in sorted(cells)]

    def _lp_roster(self) -> Roster:
        roster: Roster = [[OFF] * self.problem.horizon for _ in self.problem.employees]
        for e, schedule, weight in self.master.lp_schedules():
            if weight > 0.5:
                roster[e] = list(schedule)
        return roster


# ---------------------------------------------------------------------------------------------
# Column generation beside LNS: a child process (highspy's run() holds the GIL, so a thread would
# stall the CP-SAT search in the parent)


def _drain(offers) -> list[Roster]:
    found = []
    while True:
        try:
            found.append(offers.get_nowait())
        except queue.Empty:
            return found


def _colgen_process(problem: NrpProblem, deadline: float, out, offers, stop) -> None:
    """Child: column generation until the LP nearly converges (reporting Lagrangian bounds), then
    in turn a dive on whole schedules and more column generation (the dive's columns and the
    latest LNS roster's join the pool). The first dive follows the LP; later ones draw among its
    most used schedules, and every few dives the integer master searches the pool. `deadline` is
    on the `time.monotonic` clock, which the processes of one machine share."""
    seconds = deadline - time.monotonic()
    cg = ColumnGeneration(problem)
    seeded = cg.seed(min(5.0, seconds / 4), deadline)
    if seeded is False:
        out.put(("bound", math.inf))  # an employee has no legal schedule: no roster is legal
    if not seeded:
        return
    sent: set[tuple[tuple[int, ...], ...]] = set()

    def send(roster: Roster | None) -> None:
        key = tuple(map(tuple, roster)) if roster is not None else None
        if key is not None and key not in sent:
            sent.add(key)
            out.put(("roster", roster))

    incumbent = _generate(cg, deadline - 0.5 * seconds, DIVE_GAP, out, offers, stop)
    rng = random.Random(0)
    for dive in itertools.count():
        if stop.is_set() or time.monotonic() > deadline - 0.5:
            return
        send(cg.dive_columns(deadline, rounds=DIVE_ROUNDS, rng=rng if dive else None, stop=stop,
                             look_ahead=LOOK_AHEAD))
        if dive % MIP_EVERY == MIP_EVERY - 1:
            send(cg.master.solve_integer(min(5.0, deadline - time.monotonic()), start=incumbent, stop=stop)[0])
        # Back to the full LP, which the dive's columns have warmed: the bound can still rise.
        incumbent = _generate(cg, deadline - DIVE_FINISH, 0.0, out, offers, stop) or incumbent


DIVE_GAP = 0.005  # dives start once the LP is this close to the bound: the tail of column generation is slow
DIVE_ROUNDS = 4  # pricing rounds after each fixing in a dive
MIP_EVERY = 4  # dives between integer-master searches of the pool
DIVE_FINISH = 3.0  # seconds the integer master gets to complete a dive the deadline cuts short
LOOK_AHEAD = 4  # fractional schedules a dive tries before each late fixing
LATE_SHARE = 0.4  # a dive's fixings are late once at most this share of the employees is free
DIVE_TOLERANCE = 0.002  # a dive undoes a batch of fixings that lifts the LP by more than this share


def _generate(cg: ColumnGeneration, deadline: float, gap: float, out, offers, stop) -> Roster | None:
    """Rounds until the LP is within `gap` (a share) of the bound or the deadline, reporting bounds
    and adding the LNS rosters' schedules to the pool; returns the latest LNS roster."""
    incumbent, reported = None, -math.inf
    while not stop.is_set() and time.monotonic() < deadline:
        report = cg.round(0.5, deadline)
        if cg.bound > reported:  # a dive's first round may have raised it too
            reported = cg.bound
            out.put(("bound", reported))
        for incumbent in _drain(offers):
            cg.add_roster(incumbent)
        if (report.added == 0 and not report.smoothed) or cg.lp - cg.bound <= gap * abs(cg.lp):
            break
    return incumbent


class ColgenHelper:
    """The parent's handle on the column-generation child (a `models.nrp.cpsat.Helper`)."""

    def __init__(self, problem: NrpProblem, deadline: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.out, self.offers, self.stop_event = context.Queue(), context.Queue(), context.Event()
        # The child reads offers only between its phases and not after it stops: rosters left in
        # the pipe must not make this process wait for them at exit.
        self.offers.cancel_join_thread()
        self.process = context.Process(target=_colgen_process, daemon=True,
                                       args=(problem, deadline, self.out, self.offers, self.stop_event))
        self.process.start()

    def offer(self, roster: Roster) -> None:
        self.offers.put(roster)

    def reports(self) -> tuple[float, list[Roster]]:
        bound = -math.inf
        rosters: list[Roster] = []
        while True:
            try:
                kind, payload = self.out.get_nowait()
            except queue.Empty:
                return bound, rosters
            if kind == "bound":
                bound = max(bound, payload)
            else:
                rosters.append(payload)

    def stop(self) -> tuple[float, list[Roster]]:
        """Interrupt the child and collect its last reports (draining, so that it can exit)."""
        self.stop_event.set()
        bound = -math.inf
        rosters: list[Roster] = []
        give_up = time.monotonic() + STOP_WAIT
        while self.process.is_alive() and time.monotonic() < give_up:
            more_bound, more = self.reports()
            bound, rosters = max(bound, more_bound), rosters + more
            self.process.join(timeout=0.05)
        if self.process.is_alive():
            self.process.terminate()
        more_bound, more = self.reports()
        return max(bound, more_bound), rosters + more


STOP_WAIT = 2.0  # seconds the child gets to finish its step once told to stop
ROUND_SHARE = 0.05  # column generation runs only if a pricing round takes at most this share of the time
CELL_SECONDS = 1e-8  # seconds per DP cell (measured on the benchmark instances)
RELAXED_RUNS = 3  # extra DP runs a pricer with relaxed limits typically makes


def colgen_fits(problem: NrpProblem, seconds: float) -> bool:
    """Whether column generation can do its work in `seconds`: its DP pricers are exact (not
    banded) and one round of them takes at most a small share of the time."""
    pricers = [DpPricer(problem, e, lambda: None) for e in range(len(problem.employees))]
    if any(pricer.banded for pricer in pricers):
        return False
    # A pricer with relaxed limits may run its DP a few times (`models.nrp.dp.Penalties`).
    cells = sum(pricer.cells * (1 + RELAXED_RUNS * bool(pricer.relaxed or pricer.relax_weekends)) for pricer in pricers)
    return cells * CELL_SECONDS <= ROUND_SHARE * seconds


def solve(problem: NrpProblem, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          first_share: float = 0.05, step_seconds: float = 1.0) -> NrpSolution:
    """Best roster found within `time_limit` seconds on `workers` cores, with a proven lower bound.

    With two or more workers one of them runs column generation (in a child process, so call this
    from under `if __name__ == "__main__":` in scripts) where its pricing rounds are cheap enough
    for the time limit (`colgen_fits`), and the search (`models.nrp.cpsat.Search`: best responses,
    CP-SAT, LNS) gets the rest; otherwise the search runs alone. The answer comes within the time
    limit and a couple of seconds (the child's last step); `roster` is None when no legal roster
    was found in time, or none exists. Reproducible only up to timing.
    """
    start = time.monotonic()
    use_helper = workers >= 2 and colgen_fits(problem, time_limit)
    helper = ColgenHelper(problem, start + time_limit - 0.5) if use_helper else None
    search = Search(problem, time_limit, workers - 1 if helper else workers, seed, helper, start)
    return search.run(first_share, step_seconds)
