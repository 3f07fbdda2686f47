"""The compact 0-1 model of a nurse-rostering instance (x[e, d, s] = employee e works shift s on day d).

Built with CP-SAT: the reference model of the benchmark, the model that LNS re-solves in pieces
(`models.nrp.cpsat`), and, for one employee alone, the exact pricer (`models.nrp.pricer`).
`compact_size` tells beforehand how big it will be, so that a caller can keep off a model that
would take longer to build than the time it has.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models.nrp.problem import OFF, NrpProblem, Roster


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


BUILD_RATE = 150_000  # variables and constraints built per second (measured, with room for a slower machine)
BUILD_SHARE = 0.1  # of the time limit, at most, for building the model
MAX_SIZE = 300_000  # variables and constraints: beyond this CP-SAT's LNS takes over a gigabyte and gets little done


def compact_size(problem: NrpProblem) -> int:
    """Variables and constraints the compact model will have, counted without building it (the
    forbidden successions dominate: one constraint per pair and day)."""
    total = problem.horizon * problem.n_shifts * 3  # cover balance and slack variables
    for employee in problem.employees:
        shifts = [s for s in range(problem.n_shifts) if employee.max_shifts[s] > 0]
        pairs = sum(1 for s in shifts for t in shifts if (s, t) in problem.forbidden_next)
        days = problem.horizon - len(employee.days_off)
        runs = employee.min_consecutive_shifts + employee.min_consecutive_days_off
        total += days * (len(shifts) + 3 + pairs + runs)
    return total


def compact_fits(problem: NrpProblem, seconds: float, max_size: int = MAX_SIZE) -> bool:
    """Whether the compact model is small enough to build in a tenth of `seconds` and to solve in memory."""
    size = compact_size(problem)
    return size <= max_size and size <= BUILD_RATE * BUILD_SHARE * seconds
