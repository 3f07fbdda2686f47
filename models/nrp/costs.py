"""An employee's request penalties as a constant plus a cost per worked cell (pricers share it)."""

from __future__ import annotations

import numpy as np

from models.nrp.problem import OFF, NrpProblem

Schedule = tuple[int, ...]  # one employee's row: shift index per day, or OFF


def request_costs(problem: NrpProblem, e: int) -> tuple[int, np.ndarray]:
    """Employee e's request penalty as a constant plus a cost per worked (day, shift) cell."""
    cells = np.zeros((problem.horizon, problem.n_shifts))
    constant = 0
    for r in problem.on_requests:
        if r.employee == e:
            constant += r.weight
            cells[r.day, r.shift] -= r.weight
    for r in problem.off_requests:
        if r.employee == e:
            cells[r.day, r.shift] += r.weight
    return constant, cells


def schedule_cost(constant: int, cells: np.ndarray, schedule: Schedule) -> int:
    return constant + round(sum(cells[d, s] for d, s in enumerate(schedule) if s != OFF))
