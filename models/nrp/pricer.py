"""The exact pricer: one employee's legal schedules as a small CP-SAT model, re-solved under each
round's duals (column generation) or under the cover's marginal costs (a best response)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from ortools.sat.python import cp_model

from models.nrp.compact import CompactModel
from models.nrp.costs import request_costs, schedule_cost
from models.nrp.problem import OFF, Cover, NrpProblem

SCALE = 100_000  # CP-SAT wants integer costs: pricing works in units of 1 / SCALE
MIN_SECONDS = 0.01  # the least time a pricing solve gets

Schedule = tuple[int, ...]  # one employee's row: shift index per day, or OFF


def alone(problem: NrpProblem, e: int) -> NrpProblem:
    """Employee e's hard rules and nothing else: no requests, no cover."""
    empty = tuple(tuple(Cover(0, 0, 0) for _ in row) for row in problem.cover)
    return dataclasses.replace(problem, employees=(problem.employees[e],), on_requests=(),
                               off_requests=(), cover=empty)


# ---------------------------------------------------------------------------------------------
# Pricing


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps every schedule the search passes through: the improving ones become columns too."""

    def __init__(self, cells: list[tuple[int, int, cp_model.IntVar]], horizon: int) -> None:
        super().__init__()
        self.cells, self.horizon = cells, horizon
        self.found: list[Schedule] = []

    def on_solution_callback(self) -> None:
        row = [OFF] * self.horizon
        for d, s, var in self.cells:
            if self.boolean_value(var):
                row[d] = s
        self.found.append(tuple(row))


class Pricer:
    """One employee's legal schedules as a CP-SAT model, re-solved under each round's duals."""

    def __init__(self, problem: NrpProblem, e: int) -> None:
        self.employee = e
        self.horizon = problem.horizon
        compact = CompactModel(alone(problem, e))
        self.model = compact.model
        self.cells = [(d, s, var) for (_, d, s), var in compact.shift_variables.items()]
        self.variables = [var for _, _, var in self.cells]
        self.constant, self.costs = request_costs(problem, e)
        self.rounding = 0.5 * problem.horizon / SCALE  # the most that rounding the costs can hide

    def cost(self, schedule: Schedule) -> int:
        return schedule_cost(self.constant, self.costs, schedule)

    def fix(self, day: int, shift: int) -> None:
        """Only schedules with `shift` (or OFF) on `day` from now on, until `unfix`."""
        for d, s, var in self.cells:
            if d == day:
                self._domain(var, int(s == shift), int(s == shift))

    def unfix(self) -> None:
        for _, _, var in self.cells:
            self._domain(var, 0, 1)

    def _domain(self, var: cp_model.IntVar, low: int, high: int) -> None:
        domain = self.model.proto.variables[var.index].domain
        domain[0], domain[1] = low, high

    def price(self, duals: np.ndarray, convexity: float, seconds: float,
              target: float | None = None) -> tuple[list[Schedule], float]:
        """The schedules the search passed through (the best last), and a proven lower bound on the
        least reduced cost: +inf only when the employee has no legal schedule at all, -inf when
        the time ran out before CP-SAT knew any bound. (`target` is for the DP pricer's callers.)

        Reduced cost of a schedule = its request penalty - cover duals of its cells - convexity dual.
        """
        coeffs = [round(SCALE * (self.costs[d, s] - duals[d, s])) for d, s, _ in self.cells]
        self.model.minimize(cp_model.LinearExpr.weighted_sum(self.variables, coeffs))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(MIN_SECONDS, seconds)
        # Measured a third faster on these small models, which probing and symmetry do not help.
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.cp_model_use_sat_presolve = False
        solver.parameters.symmetry_level = 0
        collector = _Collector(self.cells, self.horizon)
        status = solver.solve(self.model, collector)
        if status == cp_model.INFEASIBLE:
            return [], math.inf
        if status == cp_model.UNKNOWN and not collector.found:
            return [], -math.inf  # out of time: no schedule is no proof that none exists
        bound = solver.best_objective_bound / SCALE + self.constant - convexity - self.rounding
        return collector.found, bound

    def reduced_cost(self, schedule: Schedule, duals: np.ndarray, convexity: float) -> float:
        return self.cost(schedule) - sum(duals[d, s] for d, s in enumerate(schedule) if s != OFF) - convexity
