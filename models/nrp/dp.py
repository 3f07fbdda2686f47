"""Pricing by dynamic programming: one employee's least reduced-cost schedule, day by day.

The state after a day is (status, resources). Status: the shift worked and the length of the
current work run, or the length of the current days-off run (capped at the minimum). Resources:
minutes worked (in units of the shifts' common divisor), weekends worked, and the count of each
shift type whose limit can bind, as one flattened index. A numpy array holds the least cost of
each state, so a day is a few vectorised operations however many states there are.

Shift-type limits that would make the array too big are left out of the state (a relaxation);
when the best schedule breaks one, the employee falls back to the exact CP-SAT pricer. Either
way the least value found is a valid lower bound on the least reduced cost.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

from models.nrp.costs import request_costs, schedule_cost
from models.nrp.problem import OFF, NrpProblem

INF = math.inf
MAX_STATES = 2000  # resource states kept per status; count limits beyond this are relaxed
ALTERNATIVES = 4  # besides the best, up to this many schedules ending in other resource states


class DpPricer:
    """Same interface as `models.nrp.colgen.Pricer`, exact by the relaxation + fallback above."""

    def __init__(self, problem: NrpProblem, e: int, fallback, max_states: int = MAX_STATES) -> None:
        self.employee = e
        self._schedule_cost = schedule_cost
        self._fallback_factory = fallback  # () -> an exact pricer, built on first need
        self._fallback = None
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

        # Resources: minutes, weekends, and the binding shift counts while the state stays small.
        minutes = [problem.shift_minutes[s] for s in self.shifts]
        self.unit = reduce(math.gcd, minutes, 0) or 1
        self.min_minutes, self.max_minutes = employee.min_minutes, employee.max_minutes
        dims = [max(0, employee.max_minutes) // self.unit + 1]
        weekend_count = len(problem.weekends)
        self.weekend_days = {d for days in problem.weekends for d in days}
        self.track_weekends = employee.max_weekends < weekend_count
        dims.append(employee.max_weekends + 1 if self.track_weekends else 1)
        workable = h - len(employee.days_off)
        candidates = sorted(
            (employee.max_shifts[s], s) for s in self.shifts
            if employee.max_shifts[s] < min(workable, employee.max_minutes // problem.shift_minutes[s])
        )
        self.counted: list[int] = []  # shift types with a count dimension
        self.relaxed: list[tuple[int, int]] = []  # (shift, limit) checked after the fact
        size = dims[0] * dims[1]
        for limit, s in candidates:
            if size * (limit + 1) <= max_states:
                self.counted.append(s)
                dims.append(limit + 1)
                size *= limit + 1
            else:
                self.relaxed.append((s, limit))
        self.dims = dims
        self.size = size
        strides = np.cumprod([1] + dims[::-1][:-1])[::-1]  # C order
        index = np.indices(dims).reshape(len(dims), -1)
        # For each shift (position i) and weekend increment: where each resource state comes from
        # (index `size`, an always-infinite pad, when it cannot be reached by that shift).
        self.moves: dict[tuple[int, int], np.ndarray] = {}
        for i, s in enumerate(self.shifts):
            for dw in (0, 1):
                step = [problem.shift_minutes[s] // self.unit, dw if self.track_weekends else 0]
                step += [int(c == s) for c in self.counted]
                source = index - np.array(step)[:, None]
                ok = np.all(source >= 0, axis=0)
                flat = np.where(ok, np.dot(strides, np.maximum(source, 0)), size)
                self.moves[i, dw] = np.append(flat, size)
        self.final_ok = index[0] * self.unit >= self.min_minutes
        self.minutes_index = index[0]

    # -- the Pricer interface

    def cost(self, schedule) -> int:
        return self._schedule_cost(self.constant, self.costs, schedule)

    def reduced_cost(self, schedule, duals: np.ndarray, convexity: float) -> float:
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

    def price(self, duals: np.ndarray, convexity: float, seconds: float):
        """The best schedule (last) and a few good ones ending elsewhere, and the least reduced
        cost (a lower bound when the fallback answers)."""
        value, schedules = self._solve(duals)
        if not schedules:
            return [], INF
        offset = self.constant - convexity
        best = schedules[-1]
        if all(best.count(s) <= limit for s, limit in self.relaxed):
            legal = [x for x in schedules if all(x.count(s) <= limit for s, limit in self.relaxed)]
            return legal, value + offset - 1e-6
        self.fallbacks += 1
        found, bound = self._exact().price(duals, convexity, seconds)
        return found, max(bound, value + offset - 1e-6) if found else INF

    def _exact(self):
        if self._fallback is None:
            self._fallback = self._fallback_factory()
            for day, shift in self.fixed.items():
                self._fallback.fix(day, shift)
        return self._fallback

    # -- the dynamic programme

    def _solve(self, duals: np.ndarray) -> tuple[float, list[tuple[int, ...]]]:
        h, n, size = self.horizon, len(self.shifts), self.size
        cell = self.costs[:, self.shifts] - duals[:, self.shifts]  # [day, shift position]
        work_days: list[np.ndarray] = []  # [shift, run length - 1, resources] per day
        off_days: list[np.ndarray] = []  # [off run length - 1, resources]
        works = np.full((h, n, self.cmax, size + 1), INF)  # the last resource column stays infinite
        offs = np.full((h, self.offcap, size + 1), INF)
        for d in range(h):
            work, off = works[d], offs[d]
            if d == 0:
                start = np.full(size + 1, INF)
                start[0] = 0.0
                for i in range(n):
                    if self.allowed[0, i]:
                        work[i, 0] = self._move(start, i, 0 in self.weekend_days) + cell[0, i]
                if self.allowed[0, n]:
                    off[0] = start
            else:
                pw, po = work_days[-1], off_days[-1]
                saturday_like = d in self.weekend_days and (d - 1) not in self.weekend_days
                new_weekend = d in self.weekend_days
                # Runs that may end after day d - 1: long enough, or begun on day 0.
                off_end = [r for r in range(self.offcap) if r + 1 >= self.offmin or r + 1 == d]
                work_end = [r for r in range(self.cmax) if r + 1 >= self.cmin or r + 1 == d]
                from_off = po[off_end].min(axis=0) if off_end else None
                for i in range(n):
                    if not self.allowed[d, i]:
                        continue
                    if from_off is not None:
                        work[i, 0] = self._move(from_off, i, new_weekend) + cell[d, i]
                    preds = self.predecessors[i]
                    if self.cmax > 1 and len(preds):
                        run = pw[preds, :-1].min(axis=0)  # [run length - 1, resources]
                        work[i, 1:] = self._move(run, i, saturday_like) + cell[d, i]
                if self.allowed[d, n]:
                    if work_end:
                        off[0] = pw[:, work_end].min(axis=(0, 1)) if n else INF
                    if self.offcap > 1:
                        off[1:] = po[:-1]
                        np.minimum(off[-1], po[-1], out=off[-1])
                    else:
                        off[0] = np.minimum(off[0], po[0])
            work_days.append(work)
            off_days.append(off)
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
        schedules = [self._backtrack(work_days, off_days, r, cell) for r in ends]
        return float(final[best]), schedules

    def _move(self, values: np.ndarray, i: int, weekend: bool) -> np.ndarray:
        """`values` (resources on the last axis) after working shift position i."""
        return values[..., self.moves[i, int(weekend)]]

    def _backtrack(self, work_days, off_days, resource: int, cell: np.ndarray) -> tuple[int, ...]:
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
                source = int(self.moves[i, int(weekend)][resource])
                if r == 0:
                    ends = [q for q in range(self.offcap) if q + 1 >= self.offmin or q + 1 == d]
                    q = min(ends, key=lambda q: po[q, source])
                    state = ("off", 0, q)
                else:
                    preds = self.predecessors[i]
                    j = min(preds, key=lambda j: pw[j, r - 1, source])
                    state = ("work", int(j), r - 1)
                resource = source
            else:
                if r == 0:
                    candidates = [("work", j, q) for j in range(n) for q in range(self.cmax)
                                  if q + 1 >= self.cmin or q + 1 == d]
                    if self.offcap == 1:
                        candidates.append(("off", 0, 0))
                else:
                    candidates = [("off", 0, r - 1)] + ([("off", 0, r)] if r == self.offcap - 1 else [])

                def value(c, pw=pw, po=po, resource=resource):   # bound now, though used at once
                    return pw[c[1], c[2], resource] if c[0] == "work" else po[c[2], resource]

                state = min(candidates, key=value)
        kind, i, _ = state
        if kind == "work":
            row[0] = self.shifts[i]
        return tuple(row)
