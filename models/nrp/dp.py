"""Pricing by dynamic programming: one employee's least reduced-cost schedule, day by day.

The state after a day is (status, resources). Status: the shift worked and the length of the
current work run, or the length of the current days-off run (capped at the minimum). Resources:
minutes worked (in units of the shifts' common divisor), weekends worked, and the count of each
shift type whose limit can bind, as one flattened index. A numpy array holds the least cost of
each state, so a day is a few vectorised operations however many states there are.

The arrays are kept within `CELL_BUDGET` cells (a year's horizon would otherwise take gigabytes):

- Limits left out of the state (shift-type counts that do not fit, then the weekend limit) are
  priced instead: each gets a penalty per unit used that rises while the best schedule breaks it
  (Lagrangian relaxation). The penalised least cost less the penalties' allowance is still a lower
  bound on the least reduced cost, and the penalised best schedule is legal once it keeps them all.
- When minutes alone are too many states, only minute totals in a band around an even pace
  through the horizon are kept: a restriction, so its schedules are legal but its least cost is no
  bound (the pricer then reports none).

When the penalties leave no legal schedule good enough (see `price`), the employee falls back to
the exact CP-SAT pricer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce
from typing import Any

import numpy as np

from models.nrp.costs import request_costs, schedule_cost
from models.nrp.problem import OFF, NrpProblem

INF = math.inf
MAX_STATES = 2000  # resource states kept per status; count limits beyond this are priced (see Penalties)
CELL_BUDGET = 3_000_000  # day x status x resource cells of one DP (8 bytes each)
MIN_BAND = 6  # a minutes band reaches at least this many of the longest shifts either side of the pace
ALTERNATIVES = 4  # besides the best, up to this many schedules ending in other resource states
PENALTY_ROUNDS = 10  # DP runs with rising penalties before the exact fallback

Schedule = tuple[int, ...]


class DpPricer:
    """Same interface as `models.nrp.colgen.Pricer`; exact unless banded (see the module notes)."""

    def __init__(self, problem: NrpProblem, e: int, fallback: Callable[[], Any],
                 max_states: int = MAX_STATES, budget: int = CELL_BUDGET, warm: bool = False) -> None:
        self.employee = e
        self._fallback_factory = fallback  # () -> an exact pricer, built on first need
        self._fallback: Any = None
        self.fallbacks = 0
        self.horizon = h = problem.horizon
        employee = problem.employees[e]
        self.constant, self.costs = request_costs(problem, e)
        self.shifts = [s for s in range(problem.n_shifts)
                       if employee.max_shifts[s] > 0 and employee.max_consecutive_shifts > 0]
        self.cmax = max(1, employee.max_consecutive_shifts)
        self.cmin = employee.min_consecutive_shifts
        self.offmin = employee.min_consecutive_days_off
        self.offcap = max(1, self.offmin)
        n = len(self.shifts)
        # predecessors[j]: positions of the shifts that shift position j may follow the next day
        self.predecessors = [
            np.array([i for i in range(n) if (self.shifts[i], self.shifts[j]) not in problem.forbidden_next], int)
            for j in range(n)
        ]
        self.base_allowed = np.ones((h, n + 1), bool)  # last column: OFF
        for d in employee.days_off:
            if d < h:
                self.base_allowed[d, :n] = False
        self.allowed = self.base_allowed.copy()
        self.fixed: dict[int, int] = {}
        self._last_penalties: np.ndarray | None = None
        self.warm = warm  # start each call's penalties where the last call left them

        minutes = [problem.shift_minutes[s] for s in self.shifts]
        self.unit = reduce(math.gcd, minutes, 0) or 1
        self.steps = [m // self.unit for m in minutes]
        self.forbidden = problem.forbidden_next
        # Shift types a relaxed count may swap for: the same length, so the minutes do not change.
        self.twins = {s: [t for t in self.shifts if t != s and problem.shift_minutes[t] == problem.shift_minutes[s]]
                      for s in self.shifts}
        self.min_minutes, self.max_minutes = employee.min_minutes, employee.max_minutes
        self.weekend_days = {d for days in problem.weekends for d in days}
        self.max_weekends = employee.max_weekends
        weekends_bind = employee.max_weekends < len(problem.weekends)
        per_state = h * (n * self.cmax + self.offcap)  # cells per resource state
        full = max(0, employee.max_minutes) // self.unit + 1
        weekend_dim = employee.max_weekends + 1 if weekends_bind else 1
        self.offsets = np.zeros(h, int)  # minute units of index 0 after each day (a band moves them)
        self.banded = False
        if per_state * full * weekend_dim <= budget:
            dims = [full, weekend_dim]
        elif per_state * full <= budget:
            dims = [full, 1]
        else:
            dims = [self._band(budget // per_state), 1]
        self.track_weekends = dims[1] > 1
        self.relax_weekends = weekends_bind and not self.track_weekends
        self.counted, self.relaxed = self._split_counts(problem, dims, max_states, budget // per_state)
        self.dims = dims + [limit + 1 for s, limit in self.counted]
        self.size = int(np.prod(self.dims))
        self.strides = np.cumprod([1] + self.dims[::-1][:-1])[::-1]  # C order
        self.index = np.indices(self.dims).reshape(len(self.dims), -1)
        self._moves: dict[tuple[int, int, int], np.ndarray] = {}
        self._stacked: dict[tuple[int, bool], np.ndarray] = {}
        # Shift positions grouped by the positions they may follow (a run's best predecessor per group).
        sets = sorted({tuple(p) for p in self.predecessors})
        self.groups = [np.array(g, int) for g in sets]
        self.group_of = np.array([sets.index(tuple(p)) for p in self.predecessors], int)
        units = self.index[0] + self.offsets[-1]
        self.final_ok = (units * self.unit >= self.min_minutes) & (units * self.unit <= self.max_minutes)
        self.minutes_index = self.index[0]
        self.delta = np.diff(self.offsets, prepend=0)  # how far the band moves on each day
        self.cells = per_state * (self.size + 1)  # one DP's work and memory

    def _split_counts(self, problem: NrpProblem, dims: list[int], max_states: int,
                      states: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Shift-type limits that can bind, as (shift, limit): those the state can carry, and the
        rest (relaxed, priced by penalties)."""
        employee = problem.employees[self.employee]
        workable = self.horizon - len(employee.days_off)
        candidates = sorted(
            (employee.max_shifts[s], s) for s in self.shifts
            if employee.max_shifts[s] < min(workable, employee.max_minutes // problem.shift_minutes[s])
        )
        counted: list[tuple[int, int]] = []
        relaxed: list[tuple[int, int]] = []
        size = dims[0] * dims[1]
        for limit, s in candidates:
            if size * (limit + 1) <= min(max_states, states):
                counted.append((s, limit))
                size *= limit + 1
            else:
                relaxed.append((s, limit))
        return counted, relaxed

    def _band(self, states: int) -> int:
        """Keep only minute totals near an even pace (the minimum spread over the workable days):
        sets the offsets, returns the band's width in units."""
        lo = math.ceil(self.min_minutes / self.unit)
        hi = max(lo, self.max_minutes // self.unit)
        reach = max(MIN_BAND * max(self.steps, default=1), (states - (hi - lo) - 1) // 2)
        workable = np.cumsum(self.base_allowed[:, :-1].any(axis=1))
        pace = lo * workable / max(1, workable[-1])
        self.offsets = np.maximum(0, np.floor(pace).astype(int) - reach)
        self.banded = True
        return 2 * reach + hi - lo + 1

    # -- the Pricer interface

    def cost(self, schedule: Schedule) -> int:
        return schedule_cost(self.constant, self.costs, schedule)

    def reduced_cost(self, schedule: Schedule, duals: np.ndarray, convexity: float) -> float:
        return self.cost(schedule) - sum(duals[d, s] for d, s in enumerate(schedule) if s != OFF) - convexity

    def fix(self, day: int, shift: int) -> None:
        self.fixed[day] = shift
        self.allowed[day] = False
        if shift == OFF:
            self.allowed[day, -1] = True
        elif shift in self.shifts and self.base_allowed[day, self.shifts.index(shift)]:
            self.allowed[day, self.shifts.index(shift)] = True
        if self._fallback is not None:
            self._fallback.fix(day, shift)

    def unfix(self) -> None:
        self.fixed.clear()
        self.allowed = self.base_allowed.copy()
        if self._fallback is not None:
            self._fallback.unfix()

    def price(self, duals: np.ndarray, convexity: float, seconds: float,
              target: float | None = None) -> tuple[list[Schedule], float]:
        """Legal schedules found (the best last) and a lower bound on the least reduced cost
        (+inf: no legal schedule at all; -inf: none known).

        `target` None asks for the least schedule: the exact fallback answers unless the
        penalties prove the best one optimal. A number asks only for a schedule at or below it,
        or a proof that there is none (column generation: a column that prices out); +inf asks
        for any legal schedule. The fallback gets `seconds` (none: no fallback); if it runs out,
        what was found stands."""
        found, bound = self._penalised(duals, convexity, target)
        if bound == INF:
            return [], INF
        best = min(found.values(), default=INF)
        # Without relaxed limits the DP is exact: its best is the least (the bound says so, up to
        # rounding; at an optimal LP every column in use prices at exactly its target).
        exact = not (self.relaxed or self.relax_weekends or self.banded)
        settled = exact or (best <= bound + 1e-5 if target is None else best <= target or bound >= target - 1e-5)
        if not (found and settled) and seconds > 0 and not self.banded:  # CP-SAT cannot do a year either
            self.fallbacks += 1
            exact, exact_bound = self._exact().price(duals, convexity, seconds)
            if exact_bound == INF:
                return [], INF
            bound = max(bound, exact_bound)
            found.update((x, self.reduced_cost(x, duals, convexity)) for x in exact)
        return sorted(found, key=lambda x: -found[x]), bound

    def _penalised(self, duals: np.ndarray, convexity: float,
                   target: float | None) -> tuple[dict[Schedule, float], float]:
        """DP runs with rising penalties on the relaxed limits: the legal schedules met (with their
        reduced costs) and the best Lagrangian bound (-inf when banded, +inf when nothing is legal)."""
        offset = self.constant - convexity
        limits = np.array([limit for _, limit in self.relaxed] + [self.max_weekends] * self.relax_weekends, float)
        penalties = Penalties(limits, self._scales(duals), self._last_penalties if self.warm else None)
        found: dict[Schedule, float] = {}
        bound = -INF
        cell = self.costs - duals  # [day, shift]: what a swap in `_repair` costs
        for _ in range(PENALTY_ROUNDS):
            value, schedules = self._solve(duals, penalties.values)
            if not schedules:  # no schedule even with the limits relaxed (penalties change no legality)
                return found, -INF if self.banded else INF
            if not self.banded:
                bound = max(bound, value + offset - penalties.allowance() - 1e-6)
            repaired = (self._repair(x, cell) for x in schedules)
            legal = [x for x in repaired if x is not None and self._legal(x)]
            found.update((x, self.reduced_cost(x, duals, convexity)) for x in legal)
            # Stop once the bound proves there is nothing at or below the target, or once any
            # legal schedule will do; a target met early still leaves better columns to find.
            if target is not None and (bound >= target or found and target == INF):
                break
            if not penalties.update(self._usage(schedules[-1])):
                break
        self._last_penalties = penalties.values
        return found, bound

    def _scales(self, duals: np.ndarray) -> np.ndarray:
        """A first penalty per relaxed limit, from the size of the cell costs it weighs against."""
        cell = np.abs(self.costs - duals)
        scales = [cell[:, s].mean() + 1.0 for s, _ in self.relaxed]
        if self.relax_weekends:  # a weekend's worth: its two days at their best shifts
            days = sorted(self.weekend_days)
            scales.append(2 * cell[np.ix_(days, self.shifts)].max(axis=1).mean() + 1.0 if self.shifts else 1.0)
        return np.array(scales, float)

    def _repair(self, schedule: Schedule, cell: np.ndarray) -> Schedule | None:
        """The schedule with the relaxed shift types it over-uses swapped for interchangeable ones
        (same length, so the minutes hold; allowed that day; successions kept; limits kept), the
        cheapest swaps first; None if that cannot bring every count within its limit.

        Penalties alone often cannot: shift types of one length cost much the same, so the DP
        puts all of the work on whichever is cheapest under the current penalties."""
        excess = {s: schedule.count(s) - limit for s, limit in self.relaxed}
        if all(x <= 0 for x in excess.values()):
            return schedule
        row = list(schedule)
        room = {s: limit - row.count(s) for s, limit in self.relaxed + self.counted}
        for s, over in excess.items():
            swaps = sorted((cell[d, t] - cell[d, s], d, t) for d in range(self.horizon) if row[d] == s
                           for t in self.twins[s] if self.allowed[d, self.shifts.index(t)])
            progress = True
            while over > 0 and progress:  # again: a swap can open its neighbour's (a run swaps from its end)
                progress = False
                for _, d, t in swaps:
                    if over > 0 and row[d] == s and room.get(t, math.inf) > 0 and self._fits(row, d, t):
                        row[d] = t
                        over -= 1
                        progress = True
                        if t in room:
                            room[t] -= 1
            if over > 0:
                return None
        return tuple(row)

    def _fits(self, row: list[int], d: int, t: int) -> bool:
        """Shift t on day d keeps the successions with the neighbouring days."""
        before = d == 0 or row[d - 1] == OFF or (row[d - 1], t) not in self.forbidden
        return before and (d == self.horizon - 1 or row[d + 1] == OFF or (t, row[d + 1]) not in self.forbidden)

    def _usage(self, schedule: Schedule) -> np.ndarray:
        used = [schedule.count(s) for s, _ in self.relaxed]
        if self.relax_weekends:
            used.append(self._weekends(schedule))
        return np.array(used, float)

    def _weekends(self, schedule: Schedule) -> int:
        worked = {d // 7 for d in self.weekend_days if schedule[d] != OFF}
        return len(worked)

    def _legal(self, schedule: Schedule) -> bool:
        """The limits the state did not carry (the DP kept the rest)."""
        if any(schedule.count(s) > limit for s, limit in self.relaxed):
            return False
        return not self.relax_weekends or self._weekends(schedule) <= self.max_weekends

    def _exact(self) -> Any:
        if self._fallback is None:
            self._fallback = self._fallback_factory()
            for day, shift in self.fixed.items():
                self._fallback.fix(day, shift)
        return self._fallback

    # -- the dynamic programme

    def _solve(self, duals: np.ndarray, penalties: np.ndarray) -> tuple[float, list[Schedule]]:
        """Least penalised cost over the kept states, and schedules reaching it and a few other
        minute totals (best last)."""
        h, n, size = self.horizon, len(self.shifts), self.size
        cell = self.costs[:, self.shifts] - duals[:, self.shifts]  # [day, shift position]
        for k, (s, _) in enumerate(self.relaxed):
            cell[:, self.shifts.index(s)] += penalties[k]
        weekend_penalty = penalties[-1] if self.relax_weekends else 0.0
        cell = np.where(self.allowed[:, :n], cell, INF)  # a barred shift is never worked
        works = np.full((h, n, self.cmax, size + 1), INF)  # the last resource column stays infinite
        offs = np.full((h, self.offcap, size + 1), INF)
        start = np.full(size + 1, INF)
        start[0] = 0.0
        for d in range(h):
            work, off = works[d], offs[d]
            new_weekend = d in self.weekend_days
            if d == 0:
                from_off: np.ndarray | None = start
                pw, po = None, start[None, :]
            else:
                pw, po = works[d - 1], offs[d - 1]
                # Runs that may end after day d - 1: long enough, or begun on day 0.
                off_end = [r for r in range(self.offcap) if r + 1 >= self.offmin or r + 1 == d]
                from_off = po[off_end].min(axis=0) if off_end else None
            if from_off is not None and n:
                work[:, 0] = self._work_all(from_off[None, :], d, new_weekend, weekend_penalty) + cell[d][:, None]
            if pw is not None and self.cmax > 1 and n:
                # Continuing a run: the best predecessor per group of shifts that may follow the same ones.
                runs = np.stack([pw[g, :-1].min(axis=0) if len(g) else np.full(pw.shape[1:], INF)[:-1]
                                 for g in self.groups])[self.group_of]
                saturday_like = new_weekend and (d - 1) not in self.weekend_days
                work[:, 1:] = self._work_all(runs, d, saturday_like, weekend_penalty) + cell[d][:, None, None]
            if self.allowed[d, n]:
                self._add_rest(off, pw, po, d)
        work_days, off_days = list(works), list(offs)
        final = off_days[-1].min(axis=0)[:size]
        if n:
            final = np.minimum(final, work_days[-1].min(axis=(0, 1))[:size])
        final = np.where(self.final_ok, final, INF)
        best = int(np.argmin(final))
        if final[best] == INF:
            return INF, []
        # The best end state for a few other minute totals: different, still cheap columns.
        ends = [best]
        order = np.argsort(final)
        seen = {self.minutes_index[best]}
        for r in order[1 : 1 + 4 * ALTERNATIVES]:
            if len(ends) > ALTERNATIVES or final[r] == INF:
                break
            if self.minutes_index[r] not in seen:
                seen.add(self.minutes_index[r])
                ends.insert(0, int(r))
        schedules = [self._backtrack(work_days, off_days, r) for r in ends]
        return float(final[best]), schedules

    def _move(self, minutes: int, weekends: int, shift: int) -> np.ndarray:
        """For each resource state, the state it comes from when a day adds `minutes` units,
        `weekends` and one `shift` (-1: none) to the resources (index `size`, an always-infinite
        pad, when there is none)."""
        key = (minutes, weekends, shift)
        if key not in self._moves:
            step = [minutes, weekends if self.track_weekends else 0] + [int(c == shift) for c, _ in self.counted]
            source = self.index - np.array(step)[:, None]
            ok = np.all((source >= 0) & (source < np.array(self.dims)[:, None]), axis=0)
            flat = np.where(ok, np.dot(self.strides, np.clip(source, 0, None)), self.size)
            self._moves[key] = np.append(flat, self.size)
        return self._moves[key]

    def _work_move(self, d: int, i: int, weekend: bool) -> np.ndarray:
        return self._move(self.steps[i] - int(self.delta[d]), int(weekend), self.shifts[i])

    def _work(self, values: np.ndarray, d: int, i: int, weekend: bool, penalty: float) -> np.ndarray:
        """`values` (resources on the last axis) after working shift position i on day d."""
        moved = values[..., self._work_move(d, i, weekend)]
        return moved + penalty if weekend and penalty else moved

    def _work_all(self, values: np.ndarray, d: int, weekend: bool, penalty: float) -> np.ndarray:
        """`values` [1 or shift, ..., resources] after each shift position works day d: [shift, ..., resources]."""
        key = (int(self.delta[d]), weekend)
        if key not in self._stacked:
            self._stacked[key] = np.stack([self._work_move(d, i, weekend) for i in range(len(self.shifts))])
        moves = self._stacked[key]
        if values.ndim == 2:  # one row for every shift
            moved = values[0][moves]
        else:  # [shift, run, resources]
            rows = np.arange(values.shape[0])[:, None, None]
            runs = np.arange(values.shape[1])[None, :, None]
            moved = values[rows, runs, moves[:, None, :]]
        return moved + penalty if weekend and penalty else moved

    def _add_rest(self, off: np.ndarray, pw: np.ndarray | None, po: np.ndarray, d: int) -> None:
        """Day d off: a work run ends (if long enough) or an off run goes on."""
        n = len(self.shifts)
        work_end = [r for r in range(self.cmax) if r + 1 >= self.cmin or r + 1 == d]
        if pw is not None and work_end and n:
            off[0] = self._rest(pw[:, work_end].min(axis=(0, 1)), d)
        rested = self._rest(po, d)
        if pw is None:  # day 0: an off run begins
            off[0] = rested[0]
        elif self.offcap > 1:
            off[1 : len(rested) + 1] = rested[: self.offcap - 1]
            np.minimum(off[-1], rested[-1], out=off[-1])
        else:
            off[0] = np.minimum(off[0], rested[0])

    def _rest(self, values: np.ndarray, d: int) -> np.ndarray:
        """`values` after a day off on day d (only a band moves then)."""
        return values if not self.delta[d] else values[..., self._move(-int(self.delta[d]), 0, -1)]

    def _rest_source(self, d: int, resource: int) -> int:
        return resource if not self.delta[d] else int(self._move(-int(self.delta[d]), 0, -1)[resource])

    def _backtrack(self, work_days: list[np.ndarray], off_days: list[np.ndarray], resource: int) -> Schedule:
        h, n = self.horizon, len(self.shifts)
        last_work = work_days[-1][:, :, resource]
        last_off = off_days[-1][:, resource]
        if n and last_work.min() <= last_off.min():
            wi, wr = np.unravel_index(int(np.argmin(last_work)), last_work.shape)
            state: tuple[str, int, int] = ("work", int(wi), int(wr))
        else:
            state = ("off", 0, int(np.argmin(last_off)))
        row = [OFF] * h
        for d in range(h - 1, 0, -1):
            pw, po = work_days[d - 1], off_days[d - 1]
            kind, i, r = state
            if kind == "work":
                row[d] = self.shifts[i]
                weekend = d in self.weekend_days and (r > 0 and (d - 1) not in self.weekend_days or r == 0)
                source = int(self._work_move(d, i, weekend)[resource])
                if r == 0:
                    ends = [q for q in range(self.offcap) if q + 1 >= self.offmin or q + 1 == d]
                    q = min(ends, key=lambda q: po[q, source])
                    state = ("off", 0, q)
                else:
                    preds = self.predecessors[i]
                    j = min(preds, key=lambda j: pw[j, r - 1, source])
                    state = ("work", int(j), r - 1)
            else:
                source = self._rest_source(d, resource)
                if r == 0:
                    candidates = [("work", j, q) for j in range(n) for q in range(self.cmax)
                                  if q + 1 >= self.cmin or q + 1 == d]
                    if self.offcap == 1:
                        candidates.append(("off", 0, 0))
                else:
                    candidates = [("off", 0, r - 1)] + ([("off", 0, r)] if r == self.offcap - 1 else [])

                def value(c, pw=pw, po=po, source=source):   # bound now, though used at once
                    return pw[c[1], c[2], source] if c[0] == "work" else po[c[2], source]

                state = min(candidates, key=value)
            resource = source
        kind, i, _ = state
        if kind == "work":
            row[0] = self.shifts[i]
        return tuple(row)


class Penalties:
    """Penalties on the relaxed limits, searched one limit at a time: doubled while the best
    schedule breaks a limit, halved back towards the last breaking value while it leaves the limit
    slack (a penalty on a slack limit costs the bound its allowance)."""

    def __init__(self, limits: np.ndarray, scales: np.ndarray, start: np.ndarray | None = None) -> None:
        self.limits = limits
        self.first = scales / 2
        self.values = np.zeros(len(limits)) if start is None else start.copy()
        self.low = np.zeros(len(limits))  # largest penalty seen breaking the limit
        self.high = np.full(len(limits), INF)  # least penalty seen leaving it slack

    def allowance(self) -> float:
        return float(self.values @ self.limits)

    def update(self, used: np.ndarray) -> bool:
        """Next penalties after a best schedule using `used`; False when nothing would change
        (every limit kept, and each penalised one exactly met)."""
        over = used > self.limits
        slack = (used < self.limits) & (self.values > 0)
        if not over.any() and not slack.any():
            return False
        self.low = np.where(over, self.values, self.low)
        self.high = np.where(slack, self.values, self.high)
        raised = np.where(self.high < INF, (self.values + self.high) / 2, np.maximum(2 * self.values, self.first))
        lowered = (self.low + self.values) / 2
        self.values = np.where(over, raised, np.where(slack, lowered, self.values))
        return True
