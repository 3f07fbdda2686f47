"""Nurse-rostering: the compact model and large-neighbourhood search (Curtois & Qu instances).

One compact 0-1 model (x[e, d, s] = employee e works shift s on day d), built once with CP-SAT and
used three ways:

1. CP-SAT without the objective gives a first legal roster fast; CP-SAT on the full model then
   improves it for a short while (and proves the small instances optimal);
2. large-neighbourhood search (LNS) improves it: fix the incumbent outside a neighbourhood (a few
   employees, a window of days, or both), re-solve the rest with CP-SAT from the incumbent as hint;
3. single-employee copies of it are the pricing problems of column generation
   (`models.nrp.colgen`), which runs beside LNS as a `Helper`: its bound certifies the LNS
   roster (the search stops once they meet), its rosters are adopted, and LNS rosters go to it.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model

from models.nrp.problem import OFF, NrpProblem, Roster


@dataclass
class NrpSolution:
    roster: Roster | None
    objective: int | None
    bound: int
    seconds: float
    history: list[tuple[float, int, str]] = field(default_factory=list)  # (seconds, objective, by)

    @property
    def optimal(self) -> bool:
        return self.objective is not None and self.objective <= self.bound


# ---------------------------------------------------------------------------------------------
# The compact model


class CompactModel:
    """The 0-1 model of all hard and soft constraints; `x[e, d, s]` is a proto variable index."""

    def __init__(self, problem: NrpProblem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int, int], int] = {}
        self._vars: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self._work: dict[tuple[int, int], cp_model.IntVar] = {}
        self._weekend: dict[tuple[int, int], cp_model.IntVar] = {}  # (employee, weekend number)
        self._under: dict[tuple[int, int], cp_model.IntVar] = {}  # (day, shift)
        self._over: dict[tuple[int, int], cp_model.IntVar] = {}
        self._add_assignment()
        for e in range(len(problem.employees)):
            self._add_employee_rules(e)
        self.model.minimize(self._request_penalty() + self._cover_penalty())

    @property
    def shift_variables(self) -> dict[tuple[int, int, int], cp_model.IntVar]:
        """x[e, d, s] as model variables, for models built on this one (pricing problems)."""
        return self._vars

    # -- reading and writing solutions as full value vectors (one value per proto variable)

    @property
    def n_variables(self) -> int:
        return len(self.model.proto.variables)

    def roster(self, values: list[int]) -> Roster:
        p = self.problem
        roster = [[OFF] * p.horizon for _ in p.employees]
        for (e, d, s), i in self.x.items():
            if values[i]:
                roster[e][d] = s
        return roster

    def objective_value(self, values: list[int]) -> int:
        objective = self.model.proto.objective
        return round(objective.offset) + sum(
            c * (values[v] if v >= 0 else 1 - values[-v - 1])
            for v, c in zip(objective.vars, objective.coeffs, strict=True)
        )

    def values(self, roster: Roster) -> list[int]:
        """The full value vector of a roster (work, weekend and cover variables follow from it)."""
        p = self.problem
        values = [0] * self.n_variables
        for (e, d, s), i in self.x.items():
            values[i] = int(roster[e][d] == s)
        for (e, d), var in self._work.items():
            values[var.index] = int(roster[e][d] != OFF)
        for (e, k), var in self._weekend.items():
            values[var.index] = int(any(roster[e][d] != OFF for d in p.weekends[k]))
        for (d, s), under in self._under.items():
            staffed = sum(1 for row in roster if row[d] == s)
            values[under.index] = max(0, p.cover[d][s].requirement - staffed)
            values[self._over[d, s].index] = max(0, staffed - p.cover[d][s].requirement)
        return values

    def cells(self) -> dict[tuple[int, int], list[int]]:
        """Variable indexes of each (employee, day) cell: the unit that LNS frees or fixes."""
        cells: dict[tuple[int, int], list[int]] = {}
        for (e, d, _), i in self.x.items():
            cells.setdefault((e, d), []).append(i)
        return cells

    # -- constraint blocks

    def _add_assignment(self) -> None:
        """Variables only where a shift is possible; at most one shift a day; work indicators."""
        p = self.problem
        for e, employee in enumerate(p.employees):
            for d in range(p.horizon):
                if d in employee.days_off:
                    continue
                shifts = [s for s in range(p.n_shifts) if employee.max_shifts[s] > 0]
                for s in shifts:
                    var = self.model.new_bool_var(f"x[{employee.id},{d},{p.shift_ids[s]}]")
                    self._vars[e, d, s] = var
                    self.x[e, d, s] = var.index
                if shifts:
                    work = self.model.new_bool_var(f"work[{employee.id},{d}]")
                    self.model.add(sum(self._vars[e, d, s] for s in shifts) == work)
                    self._work[e, d] = work

    def _add_employee_rules(self, e: int) -> None:
        p = self.problem
        employee = p.employees[e]
        own = {(d, s): self._vars[e, d, s] for d in range(p.horizon) for s in range(p.n_shifts)
               if (e, d, s) in self._vars}
        for (d, s), var in own.items():
            for t in range(p.n_shifts):
                if (s, t) in p.forbidden_next and (d + 1, t) in own:
                    self.model.add(var + own[d + 1, t] <= 1)
        for s, limit in enumerate(employee.max_shifts):
            shifts = [v for (d, t), v in own.items() if t == s]
            if len(shifts) > limit:
                self.model.add(sum(shifts) <= limit)
        minutes = sum(p.shift_minutes[s] * v for (d, s), v in own.items())
        self.model.add_linear_constraint(minutes, employee.min_minutes, employee.max_minutes)
        self._add_sequence_rules(e)
        self._add_weekend_rule(e)

    def _add_sequence_rules(self, e: int) -> None:
        p = self.problem
        employee = p.employees[e]
        work = [self._work.get((e, d)) for d in range(p.horizon)]  # None: fixed day off
        cmax = employee.max_consecutive_shifts
        for start in range(p.horizon - cmax):
            window = [w for w in work[start : start + cmax + 1] if w is not None]
            if len(window) > cmax:
                self.model.add(sum(window) <= cmax)
        # Minimum runs bind only when both neighbours of the run lie inside the horizon.
        for length in range(1, employee.min_consecutive_shifts):
            for start in range(1, p.horizon - length):
                self._forbid_run(work, start, length, working=True)
        for length in range(1, employee.min_consecutive_days_off):
            for start in range(1, p.horizon - length):
                self._forbid_run(work, start, length, working=False)

    def _forbid_run(self, work: list, start: int, length: int, working: bool) -> None:
        """Clause forbidding a run of `length` days (working or off) framed by the opposite state."""
        pattern = [(start - 1, not working), (start + length, not working)]
        pattern += [(d, working) for d in range(start, start + length)]
        clause = []
        for d, works in pattern:
            if work[d] is None:
                if works:
                    return  # the run needs work on a fixed day off: it cannot occur
                continue  # off is certain there: that part of the pattern always holds
            clause.append(~work[d] if works else work[d])
        self.model.add_bool_or(clause)

    def _add_weekend_rule(self, e: int) -> None:
        p = self.problem
        worked = []
        for k, days in enumerate(p.weekends):
            days_work = [self._work[e, d] for d in days if (e, d) in self._work]
            if days_work:
                weekend = self.model.new_bool_var(f"weekend[{p.employees[e].id},{k}]")
                self._weekend[e, k] = weekend
                for w in days_work:
                    self.model.add(w <= weekend)
                worked.append(weekend)
        if len(worked) > p.employees[e].max_weekends:
            self.model.add(sum(worked) <= p.employees[e].max_weekends)

    def _request_penalty(self) -> cp_model.LinearExpr | int:
        """Unmet shift-on requests (a shift the employee cannot take is always unmet), met shift-off."""
        terms: list[cp_model.LinearExpr | int] = []
        for r in self.problem.on_requests:
            var = self._vars.get((r.employee, r.day, r.shift))
            terms.append(r.weight if var is None else r.weight * (1 - var))
        for r in self.problem.off_requests:
            var = self._vars.get((r.employee, r.day, r.shift))
            if var is not None:
                terms.append(r.weight * var)
        return sum(terms)

    def _cover_penalty(self) -> cp_model.LinearExpr | int:
        p = self.problem
        terms: list[cp_model.LinearExpr | int] = []
        n = len(p.employees)
        for d in range(p.horizon):
            for s, cover in enumerate(p.cover[d]):
                staffed = sum(self._vars[e, d, s] for e in range(n) if (e, d, s) in self._vars)
                under = self.model.new_int_var(0, cover.requirement, f"under[{d},{p.shift_ids[s]}]")
                over = self.model.new_int_var(0, n, f"over[{d},{p.shift_ids[s]}]")
                self.model.add(staffed - cover.requirement == over - under)
                self._under[d, s], self._over[d, s] = under, over
                terms += [cover.under_weight * under, cover.over_weight * over]
        return sum(terms)


# ---------------------------------------------------------------------------------------------
# The search


class _Neighbourhoods:
    """Three shapes of neighbourhood (employees, a window of days, employees x days), each with
    its own share of the roster that it frees; the share grows while the sub-problems solve to
    optimality within their time and shrinks when they do not."""

    def __init__(self, problem: NrpProblem, rng: random.Random) -> None:
        self.employees = len(problem.employees)
        self.horizon = problem.horizon
        self.rng = rng
        self.share = {"employees": 0.15, "days": 0.15, "block": 0.3}

    def pick(self) -> tuple[str, set[tuple[int, int]]]:
        kind = self.rng.choice(sorted(self.share))
        share = self.share[kind]
        if kind == "employees":
            people, days = self._count(share, self.employees, 2), self.horizon
        elif kind == "days":
            people, days = self.employees, self._count(share, self.horizon, 2)
        else:
            people = self._count(math.sqrt(share), self.employees, 2)
            days = self._count(math.sqrt(share), self.horizon, 3)
        chosen = self.rng.sample(range(self.employees), people)
        first = self.rng.randrange(self.horizon - days + 1)
        return kind, {(e, d) for e in chosen for d in range(first, first + days)}

    def learn(self, kind: str, solved: bool) -> None:
        factor = 1.15 if solved else 0.85
        self.share[kind] = min(0.9, max(0.02, self.share[kind] * factor))

    @staticmethod
    def _count(share: float, total: int, least: int) -> int:
        return min(total, max(least, round(share * total)))


class Helper(Protocol):
    """Another search running beside LNS (in its own process): it reports lower bounds and rosters,
    and takes the LNS incumbents."""

    def offer(self, roster: Roster) -> None: ...

    def reports(self) -> tuple[float, list[Roster]]: ...  # best bound and rosters since the last call

    def stop(self) -> tuple[float, list[Roster]]: ...  # the last reports


class Search:
    """First roster, a short full CP-SAT solve, then LNS; a helper's rosters and bounds are merged in."""

    def __init__(self, problem: NrpProblem, time_limit: float, workers: int, seed: int,
                 helper: Helper | None = None, start: float | None = None):
        self.start = time.monotonic() if start is None else start
        self.deadline = self.start + time_limit
        self.compact = CompactModel(problem)
        self.cells = self.compact.cells()
        self.rng = random.Random(seed)
        self.neighbourhoods = _Neighbourhoods(problem, self.rng)
        self.helper = helper
        self.workers = workers
        self.values: list[int] | None = None
        self.objective: int | None = None
        self.bound = 0
        self.infeasible = False
        self.history: list[tuple[float, int, str]] = []

    def run(self, first_share: float, step_seconds: float) -> NrpSolution:
        self._first_roster()
        if self.values is not None:
            self._full_solve(first_share * (self.deadline - self.start))
        while self.values is not None and self._left() > 0.05 and not self._done():
            self._lns_step(min(step_seconds, self._left()))
            self._sync_helper()
        self._sync_helper(final=True)
        roster = self.compact.roster(self.values) if self.values else None
        return NrpSolution(roster, self.objective, self.bound, self._elapsed(), self.history)

    def _first_roster(self) -> None:
        """Any legal roster, found without the objective: much faster than the optimising search."""
        feasibility = self.compact.model.clone()
        feasibility.clear_objective()
        solver, status = self._cp_solve(feasibility, self._left())
        self.infeasible = status == cp_model.INFEASIBLE
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._accept(list(solver.response_proto.solution), "first")

    def _full_solve(self, seconds: float) -> None:
        """CP-SAT on the whole model from the incumbent: proves the small instances optimal."""
        model = self.compact.model.clone()
        model.proto.solution_hint.vars.extend(range(self.compact.n_variables))
        model.proto.solution_hint.values.extend(self.values)
        solver, status = self._cp_solve(model, seconds)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            self.bound = max(self.bound, math.ceil(solver.best_objective_bound - 1e-6))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._accept(list(solver.response_proto.solution), "cp-sat")

    def _lns_step(self, seconds: float) -> None:
        kind, free = self.neighbourhoods.pick()
        status = self._solve_neighbourhood(free, seconds, f"lns-{kind}")
        self.neighbourhoods.learn(kind, status == cp_model.OPTIMAL)

    def _solve_neighbourhood(self, free: set[tuple[int, int]], seconds: float, by: str) -> cp_model.CpSolverStatus:
        """Fix every cell outside `free` to the incumbent and re-solve the rest from the incumbent."""
        values = self.values
        assert values is not None, "LNS starts from an incumbent"
        sub = self.compact.model.clone()
        variables = sub.proto.variables
        for cell, indexes in self.cells.items():
            if cell not in free:
                for i in indexes:
                    variables[i].domain[0] = variables[i].domain[1] = values[i]
        sub.proto.solution_hint.vars.extend(range(self.compact.n_variables))
        sub.proto.solution_hint.values.extend(values)
        solver, status = self._cp_solve(sub, seconds)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._accept(list(solver.response_proto.solution), by)
        return status

    def _cp_solve(self, model: cp_model.CpModel, seconds: float) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.rng.randrange(2**31)
        return solver, solver.solve(model)

    def _accept(self, values: list[int], by: str) -> None:
        """Take a roster no worse than the incumbent (equal ones too: that lets LNS drift)."""
        value = self.compact.objective_value(values)
        if self.objective is not None and value > self.objective:
            return
        improved = self.objective is None or value < self.objective
        self.values, self.objective = values, value
        if improved:
            self.history.append((round(self._elapsed(), 2), value, by))
            if self.helper:
                self.helper.offer(self.compact.roster(values))

    def _sync_helper(self, final: bool = False) -> None:
        if not self.helper:
            return
        bound, rosters = self.helper.stop() if final else self.helper.reports()
        if bound > -math.inf:
            self.bound = max(self.bound, math.ceil(bound - 1e-6))
        for roster in rosters:
            values = self.compact.values(roster)
            if self.objective is None or self.compact.objective_value(values) < self.objective:
                self._accept(values, "helper")

    def _done(self) -> bool:
        return self.infeasible or (self.objective is not None and self.objective <= self.bound)

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _elapsed(self) -> float:
        return time.monotonic() - self.start


def solve(problem: NrpProblem, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          first_share: float = 0.05, step_seconds: float = 1.0) -> NrpSolution:
    """Best roster found by CP-SAT and LNS alone within `time_limit` seconds, with CP-SAT's bound.

    A first legal roster comes from a feasibility solve, then `first_share` of the time goes to
    CP-SAT on the full model and the rest to LNS steps of at most `step_seconds` each.
    `models.nrp.colgen.solve` runs this beside column generation. Runs are reproducible only up
    to timing.
    """
    return Search(problem, time_limit, workers, seed).run(first_share, step_seconds)
