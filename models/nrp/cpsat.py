"""Nurse-rostering: the search that owns the incumbent roster (Curtois & Qu instances).

1. A first legal roster by best responses (`models.nrp.sweep`): each employee's best schedule
   given the others, from the DP pricers, in a fraction of a second on the small instances;
2. CP-SAT on the compact model (`models.nrp.compact`) from it, for a short while (it proves the
   small instances optimal);
3. large-neighbourhood search (LNS): fix the incumbent outside a neighbourhood (a few employees, a
   window of days, or both), re-solve the rest with CP-SAT from the incumbent as hint.

A compact model that would take more than a tenth of the time limit to build (a year of a hundred
staff takes minutes and gigabytes) is not built: best responses then go on in place of 2 and 3.
Column generation (`models.nrp.colgen`) runs beside the search as a `Helper`: its bound certifies
the roster (the search stops once they meet), its rosters are adopted, and the search's go to it.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model

from models.nrp.compact import CompactModel, compact_fits
from models.nrp.problem import NrpProblem, Roster
from models.nrp.sweep import Infeasible, Sweep


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


DESCENT_SHARE = 0.5  # of the time limit, at most, for the first best-response descent


class Search:
    """A first roster, then improvement until the time limit or until the bound proves it optimal.

    The first roster is built one employee at a time (`models.nrp.sweep`): every employee's best
    schedule given those placed before, then best responses until no single employee can improve.
    When the compact model is small enough to build in a tenth of the time limit, a short CP-SAT
    solve of the whole model and LNS follow; otherwise best responses go on. A helper's rosters
    and bounds are merged in throughout."""

    def __init__(self, problem: NrpProblem, time_limit: float, workers: int, seed: int,
                 helper: Helper | None = None, start: float | None = None, compact: bool | None = None):
        self.start = time.monotonic() if start is None else start
        self.deadline = self.start + time_limit
        self.problem = problem
        self.rng = random.Random(seed)
        self.helper = helper
        self.workers = workers
        self.sweep = Sweep(problem)
        use_compact = compact_fits(problem, time_limit) if compact is None else compact
        self.compact = CompactModel(problem) if use_compact else None
        self.cells = self.compact.cells() if self.compact else {}
        self.neighbourhoods = _Neighbourhoods(problem, self.rng)
        self.roster: Roster | None = None
        self._values: list[int] | None = None  # the roster as compact-model values, when asked for
        self.objective: int | None = None
        self.bound = 0
        self.infeasible = False
        self.history: list[tuple[float, int, str]] = []

    def run(self, first_share: float, step_seconds: float) -> NrpSolution:
        self._first_roster()
        if self.roster is not None and self.compact is not None and not self._done():
            self._full_solve(first_share * (self.deadline - self.start))
        while self.roster is not None and self._left() > 0.05 and not self._done():
            if self.compact is not None:
                self._lns_step(min(step_seconds, self._left()))
            else:
                self._sweep_pass()
            self._sync_helper()
        self._sync_helper(final=True)
        return NrpSolution(self.roster, self.objective, self.bound, self._elapsed(), self.history)

    # -- first roster

    def _first_roster(self) -> None:
        """Built by best responses, which then go on until none improves the roster (or for
        `DESCENT_SHARE` of the time); CP-SAT on the compact model without its objective if that
        fails (a pricer out of time)."""
        order = list(range(len(self.problem.employees)))
        self.rng.shuffle(order)
        try:
            built = self.sweep.construct(order, self.deadline)
        except Infeasible:
            self.infeasible = True
            return
        if built:
            self._accept(self.sweep.roster(), self.sweep.objective(), "first")
            self._descend(self.start + DESCENT_SHARE * (self.deadline - self.start))
        elif self.compact is not None:
            feasibility = self.compact.model.clone()
            feasibility.clear_objective()
            solver, status = self._cp_solve(feasibility, self._left())
            self.infeasible = status == cp_model.INFEASIBLE
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self._accept_values(list(solver.response_proto.solution), "first")

    def _descend(self, until: float) -> None:
        """Best-response passes until none improves or `until`."""
        improved = True
        while improved and time.monotonic() < min(until, self.deadline):
            improved = self._sweep_pass(until)

    def _sweep_pass(self, until: float | None = None) -> bool:
        """Each employee's best response in random order (the pass stops at `until` or the
        deadline); True if one improved the roster."""
        assert self.roster is not None, "best responses start from a roster"
        self.sweep.load(self.roster)
        order = list(range(len(self.problem.employees)))
        self.rng.shuffle(order)
        improved = False
        for e in order:
            if time.monotonic() > min(until or self.deadline, self.deadline) or self._done():
                break
            if self.sweep.improve(e):
                improved = True
                self._accept(self.sweep.roster(), self.sweep.objective(), "best-response")
        return improved

    # -- CP-SAT on the compact model

    def _full_solve(self, seconds: float) -> None:
        """CP-SAT on the whole model from the incumbent: proves the small instances optimal."""
        assert self.compact is not None
        model = self.compact.model.clone()
        model.proto.solution_hint.vars.extend(range(self.compact.n_variables))
        model.proto.solution_hint.values.extend(self.values())
        solver, status = self._cp_solve(model, min(seconds, self._left()))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            self.bound = max(self.bound, math.ceil(solver.best_objective_bound - 1e-6))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._accept_values(list(solver.response_proto.solution), "cp-sat")

    def _lns_step(self, seconds: float) -> None:
        kind, free = self.neighbourhoods.pick()
        status = self._solve_neighbourhood(free, seconds, f"lns-{kind}")
        self.neighbourhoods.learn(kind, status == cp_model.OPTIMAL)

    def _solve_neighbourhood(self, free: set[tuple[int, int]], seconds: float, by: str) -> cp_model.CpSolverStatus:
        """Fix every cell outside `free` to the incumbent and re-solve the rest from the incumbent."""
        assert self.compact is not None, "LNS needs the compact model"
        values = self.values()
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
            self._accept_values(list(solver.response_proto.solution), by)
        return status

    def _cp_solve(self, model: cp_model.CpModel, seconds: float) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.rng.randrange(2**31)
        return solver, solver.solve(model)

    def values(self) -> list[int]:
        """The incumbent as a full value vector of the compact model."""
        assert self.compact is not None and self.roster is not None
        if self._values is None:
            self._values = self.compact.values(self.roster)
        return self._values

    # -- the incumbent

    def _accept_values(self, values: list[int], by: str) -> None:
        assert self.compact is not None
        if self._accept(self.compact.roster(values), self.compact.objective_value(values), by):
            self._values = values

    def _accept(self, roster: Roster, objective: int, by: str) -> bool:
        """Take a roster no worse than the incumbent (equal ones too: that lets LNS drift)."""
        if self.objective is not None and objective > self.objective:
            return False
        improved = self.objective is None or objective < self.objective
        self.roster, self.objective, self._values = roster, objective, None
        if improved:
            self.history.append((round(self._elapsed(), 2), objective, by))
            if self.helper:
                self.helper.offer(roster)
        return True

    def _sync_helper(self, final: bool = False) -> None:
        """Take the helper's bound and better rosters. A bound of +inf is its proof that some
        employee has no legal schedule: no roster exists."""
        if not self.helper:
            return
        bound, rosters = self.helper.stop() if final else self.helper.reports()
        if bound == math.inf:
            self.infeasible = True
        elif bound > -math.inf:
            self.bound = max(self.bound, math.ceil(bound - 1e-6))
        for roster in rosters:
            self.sweep.load(roster)
            objective = self.sweep.objective()
            if self.objective is None or objective < self.objective:
                self._accept(roster, objective, "helper")

    def _done(self) -> bool:
        return self.infeasible or (self.objective is not None and self.objective <= self.bound)

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _elapsed(self) -> float:
        return time.monotonic() - self.start


def solve(problem: NrpProblem, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          first_share: float = 0.05, step_seconds: float = 1.0) -> NrpSolution:
    """Best roster found by best responses, CP-SAT and LNS alone within `time_limit` seconds, with
    CP-SAT's bound.

    A first legal roster comes from best responses (until none improves it), then `first_share`
    of the time goes to CP-SAT on the full model and the rest to LNS steps of at most
    `step_seconds` each (best responses instead when the model is too big).
    `models.nrp.colgen.solve` runs this beside column generation. Runs are reproducible only up
    to timing.
    """
    return Search(problem, time_limit, workers, seed).run(first_share, step_seconds)
