"""Rosters one employee at a time: each employee's best schedule given everyone else's.

All hard rules are per employee, so a roster of legal schedules is legal, and only the cover ties
the employees together. With the others' schedules fixed, the cover's cost of one employee's
schedule is linear in its cells: working (day, shift) saves the under-cover weight while the others
leave that cover short, and costs the over-cover weight once they fill it. So an employee's best
schedule given the others (a best response) is a pricing problem with those marginal weights as
duals, which the DP pricers (`models.nrp.dp`) solve in milliseconds on a month, in a fraction of a
second on a year, without the compact model.

- `construct`: employees in turn, each taking its best response to those placed before it.
- `improve`: one employee's best response, kept when it lowers the objective. Repeated in random
  order it is a descent that ends in a roster no single employee can improve.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from models.nrp.dp import DpPricer
from models.nrp.pricer import Pricer
from models.nrp.problem import OFF, NrpProblem, Roster

Schedule = tuple[int, ...]


# The cover's pull, weaker and weaker, for an employee whose limits the penalties cannot settle
# against it (the cover draws it to the very shifts and weekends its limits ration): with less
# pull, a legal schedule is easier to find, if a worse fit.
DAMPING = (1.0, 0.3, 0.0)


class Infeasible(Exception):
    """An employee has no legal schedule at all: no roster is legal."""


class Sweep:
    def __init__(self, problem: NrpProblem) -> None:
        self.problem = problem
        # Warm penalties: an employee's best responses are priced again and again under much the
        # same costs, so its last penalties are a good start (column generation's duals move more).
        self.pricers = [DpPricer(problem, e, functools.partial(Pricer, problem, e), warm=True)
                        for e in range(len(problem.employees))]
        self.need = np.array([[c.requirement for c in day] for day in problem.cover], int)
        self.under = np.array([[c.under_weight for c in day] for day in problem.cover], float)
        self.over = np.array([[c.over_weight for c in day] for day in problem.cover], float)
        self.staffed = np.zeros_like(self.need)
        self.rows: list[Schedule | None] = [None] * len(problem.employees)

    # -- the roster being built or improved

    def load(self, roster: Roster) -> None:
        self.staffed[:] = 0
        self.rows = [None] * len(self.rows)
        for e, row in enumerate(roster):
            self._place(e, tuple(row))

    def roster(self) -> Roster:
        return [list(row) if row is not None else [OFF] * self.problem.horizon for row in self.rows]

    def objective(self) -> int:
        """The roster's objective (requests and cover), as the independent evaluator counts it."""
        requests = sum(self.pricers[e].cost(row) for e, row in enumerate(self.rows) if row is not None)
        short = np.maximum(0, self.need - self.staffed)
        extra = np.maximum(0, self.staffed - self.need)
        return int(requests + round(float((short * self.under).sum() + (extra * self.over).sum())))

    def _place(self, e: int, row: Schedule) -> None:
        self._remove(e)
        self.rows[e] = row
        for d, s in enumerate(row):
            if s != OFF:
                self.staffed[d, s] += 1

    def _remove(self, e: int) -> None:
        row = self.rows[e]
        if row is not None:
            for d, s in enumerate(row):
                if s != OFF:
                    self.staffed[d, s] -= 1
        self.rows[e] = None

    def duals(self, e: int) -> np.ndarray:
        """What employee e earns per worked cell, given the others: the under-cover weight where
        they leave the cover short, minus the over-cover weight where they fill it."""
        others = self.staffed.copy()
        row = self.rows[e]
        if row is not None:
            for d, s in enumerate(row):
                if s != OFF:
                    others[d, s] -= 1
        return np.where(others < self.need, self.under, -self.over)

    # -- moves

    def construct(self, order: list[int], deadline: float, seconds_each: float = 1.0) -> bool:
        """Place the employees in `order`, each at its best response to those before it. False if
        the deadline or a pricer's time ran out first; raises `Infeasible` when an employee has
        no legal schedule."""
        for e in order:
            found: list[Schedule] = []
            duals = self.duals(e)
            for damping in DAMPING:
                if time.monotonic() > deadline:
                    return False
                seconds = min(seconds_each, max(0.0, deadline - time.monotonic()))
                found, bound = self.pricers[e].price(damping * duals, 0.0, seconds, target=math.inf)
                if bound == math.inf:
                    raise Infeasible(self.problem.employees[e].id)
                if found:
                    break
            if not found:
                return False
            self._place(e, found[-1])
        return True

    def improve(self, e: int) -> bool:
        """Employee e's best response, if it lowers the objective (no exact fallback: fast)."""
        row = self.rows[e]
        if row is None:
            return False
        duals = self.duals(e)
        pricer = self.pricers[e]
        current = pricer.reduced_cost(row, duals, 0.0)
        found, _ = pricer.price(duals, 0.0, 0.0, target=current - 1e-6)
        if not found or pricer.reduced_cost(found[-1], duals, 0.0) >= current - 1e-6:
            return False
        self._place(e, found[-1])
        return True
