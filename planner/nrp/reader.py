"""Curtois & Qu nurse-rostering instances: a reader and an independent roster evaluator.

The evaluator is written from the format's description, not from the solver model, so that it can
audit any roster (the solver's, a hand-made one) and certify the objective the solver reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from models.nrp.problem import OFF, Cover, Employee, NrpProblem, Request, Roster
from planner.io.errors import InputError


# ---------------------------------------------------------------------------------------------
# Reader


def read_instance(path: str | Path) -> NrpProblem:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(path, "", f"cannot read the file ({exc.strerror})") from exc
    return parse_instance(text, source=path)


def parse_instance(text: str, source: object = None) -> NrpProblem:
    sections = _split_sections(text, source)
    return _Parser(sections, source).problem()


def _split_sections(text: str, source: object) -> dict[str, list[str]]:
    """Data lines of each section, comments and blank lines dropped (files use CRLF)."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            current = sections.setdefault(line, [])
        elif current is None:
            raise InputError(source, "", f"data before the first section: {line!r}", "start with SECTION_HORIZON")
        else:
            current.append(line)
    for name in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF"):
        if not sections.get(name):
            raise InputError(source, name, "missing or empty section", f"add {name} with its data")
    return sections


class _Parser:
    def __init__(self, sections: dict[str, list[str]], source: object) -> None:
        self.sections = sections
        self.source = source

    def problem(self) -> NrpProblem:
        self.horizon = self._int(self.sections["SECTION_HORIZON"][0], "SECTION_HORIZON")
        shift_rows = [self._fields(line, "SECTION_SHIFTS", 3) for line in self.sections["SECTION_SHIFTS"]]
        self.shift_index = {row[0]: i for i, row in enumerate(shift_rows)}
        forbidden = frozenset(
            (self.shift_index[row[0]], self._shift(nxt, "SECTION_SHIFTS"))
            for row in shift_rows
            for nxt in row[2].split("|")
            if nxt
        )
        staff_rows = [self._fields(line, "SECTION_STAFF", 8) for line in self.sections["SECTION_STAFF"]]
        self.employee_index = {row[0]: i for i, row in enumerate(staff_rows)}
        days_off = self._days_off()
        return NrpProblem(
            horizon=self.horizon,
            shift_ids=tuple(row[0] for row in shift_rows),
            shift_minutes=tuple(self._int(row[1], "SECTION_SHIFTS") for row in shift_rows),
            forbidden_next=forbidden,
            employees=tuple(self._employee(row, days_off.get(row[0], frozenset())) for row in staff_rows),
            on_requests=self._requests("SECTION_SHIFT_ON_REQUESTS"),
            off_requests=self._requests("SECTION_SHIFT_OFF_REQUESTS"),
            cover=self._cover(),
        )

    def _employee(self, row: list[str], days_off: frozenset[int]) -> Employee:
        where = f"SECTION_STAFF {row[0]}"
        max_shifts = [0] * len(self.shift_index)
        for item in row[1].split("|"):
            shift, _, count = item.partition("=")
            max_shifts[self._shift(shift, where)] = self._int(count, where)
        numbers = [self._int(value, where) for value in row[2:8]]
        return Employee(row[0], tuple(max_shifts), *numbers, days_off=days_off)

    def _days_off(self) -> dict[str, frozenset[int]]:
        result = {}
        for line in self.sections.get("SECTION_DAYS_OFF", []):
            employee, *days = [f.strip() for f in line.split(",")]
            self._employee_id(employee, "SECTION_DAYS_OFF")
            result[employee] = frozenset(self._day(d, "SECTION_DAYS_OFF") for d in days if d)
        return result

    def _requests(self, name: str) -> tuple[Request, ...]:
        requests = []
        for line in self.sections.get(name, []):
            employee, day, shift, weight = self._fields(line, name, 4)
            requests.append(
                Request(
                    self._employee_id(employee, name),
                    self._day(day, name),
                    self._shift(shift, name),
                    self._int(weight, name),
                )
            )
        return tuple(requests)

    def _cover(self) -> tuple[tuple[Cover, ...], ...]:
        """Cover per day and shift; a pair the file leaves out has no requirement and no penalty."""
        cover = [[Cover(0, 0, 0)] * len(self.shift_index) for _ in range(self.horizon)]
        for line in self.sections.get("SECTION_COVER", []):
            day, shift, req, under, over = self._fields(line, "SECTION_COVER", 5)
            numbers = [self._int(v, "SECTION_COVER") for v in (req, under, over)]
            cover[self._day(day, "SECTION_COVER")][self._shift(shift, "SECTION_COVER")] = Cover(*numbers)
        return tuple(tuple(row) for row in cover)

    # -- field helpers: each names the section and the fix on bad input

    def _fields(self, line: str, where: str, count: int) -> list[str]:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != count:
            raise InputError(self.source, where, f"expected {count} comma-separated fields in {line!r}")
        return fields

    def _int(self, value: str, where: str) -> int:
        if not re.fullmatch(r"-?\d+", value.strip()):
            raise InputError(self.source, where, f"{value!r} is not a whole number")
        return int(value)

    def _day(self, value: str, where: str) -> int:
        day = self._int(value, where)
        if not 0 <= day < self.horizon:
            raise InputError(self.source, where, f"day {day} outside the horizon 0..{self.horizon - 1}")
        return day

    def _shift(self, value: str, where: str) -> int:
        if value not in self.shift_index:
            raise InputError(self.source, where, f"unknown shift {value!r}", "declare it in SECTION_SHIFTS")
        return self.shift_index[value]

    def _employee_id(self, value: str, where: str) -> int:
        if value not in self.employee_index:
            raise InputError(self.source, where, f"unknown employee {value!r}", "declare it in SECTION_STAFF")
        return self.employee_index[value]


# ---------------------------------------------------------------------------------------------
# Evaluator


@dataclass(frozen=True)
class Evaluation:
    objective: int
    violations: list[str]  # hard constraints broken; empty for a feasible roster

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(problem: NrpProblem, roster: Roster) -> Evaluation:
    return Evaluation(objective(problem, roster), violations(problem, roster))


def objective(problem: NrpProblem, roster: Roster) -> int:
    """Soft-constraint penalty: unmet shift-on and met shift-off requests, under- and over-cover."""
    total = sum(r.weight for r in problem.on_requests if roster[r.employee][r.day] != r.shift)
    total += sum(r.weight for r in problem.off_requests if roster[r.employee][r.day] == r.shift)
    for day in range(problem.horizon):
        for shift, cover in enumerate(problem.cover[day]):
            staffed = sum(1 for row in roster if row[day] == shift)
            total += cover.under_weight * max(0, cover.requirement - staffed)
            total += cover.over_weight * max(0, staffed - cover.requirement)
    return total


def violations(problem: NrpProblem, roster: Roster) -> list[str]:
    """Every hard constraint the roster breaks, one readable line each."""
    if len(roster) != len(problem.employees) or any(len(row) != problem.horizon for row in roster):
        return [f"roster must be {len(problem.employees)} rows of {problem.horizon} days"]
    found = []
    for employee, row in zip(problem.employees, roster):
        found += [f"{employee.id}: {text}" for text in _employee_violations(problem, employee, row)]
    return found


def _employee_violations(problem: NrpProblem, employee: Employee, row: list[int]) -> list[str]:
    found = []
    if any(s != OFF and not 0 <= s < problem.n_shifts for s in row):
        return ["unknown shift index"]
    found += [f"works on fixed day off {d}" for d in sorted(employee.days_off) if row[d] != OFF]
    found += [
        f"day {d}: {problem.shift_ids[row[d + 1]]} may not follow {problem.shift_ids[row[d]]}"
        for d in range(problem.horizon - 1)
        if (row[d], row[d + 1]) in problem.forbidden_next
    ]
    for shift, limit in enumerate(employee.max_shifts):
        count = row.count(shift)
        if count > limit:
            found.append(f"{count} {problem.shift_ids[shift]} shifts, at most {limit}")
    minutes = sum(problem.shift_minutes[s] for s in row if s != OFF)
    if not employee.min_minutes <= minutes <= employee.max_minutes:
        found.append(f"{minutes} minutes, allowed {employee.min_minutes}..{employee.max_minutes}")
    found += _block_violations(row, employee)
    worked = sum(1 for days in problem.weekends if any(row[d] != OFF for d in days))
    if worked > employee.max_weekends:
        found.append(f"{worked} weekends worked, at most {employee.max_weekends}")
    return found


def _block_violations(row: list[int], employee: Employee) -> list[str]:
    """Run lengths of work and of days off. Minimums bind only on runs with both ends inside."""
    found = []
    horizon = len(row)
    for start, end, working in _runs(row):
        length = end - start
        inside = start > 0 and end < horizon
        if working and length > employee.max_consecutive_shifts:
            found.append(f"{length} shifts in a row from day {start}, at most {employee.max_consecutive_shifts}")
        if working and inside and length < employee.min_consecutive_shifts:
            found.append(f"{length} shifts in a row from day {start}, at least {employee.min_consecutive_shifts}")
        if not working and inside and length < employee.min_consecutive_days_off:
            found.append(f"{length} days off in a row from day {start}, at least {employee.min_consecutive_days_off}")
    return found


def _runs(row: list[int]) -> list[tuple[int, int, bool]]:
    """Maximal runs as (first day, day after the last, working?)."""
    runs = []
    start = 0
    for day in range(1, len(row) + 1):
        if day == len(row) or (row[day] != OFF) != (row[start] != OFF):
            runs.append((start, day, row[start] != OFF))
            start = day
    return runs


def format_roster(problem: NrpProblem, roster: Roster) -> str:
    """One line per employee, shift ids or '.' for off — for reading and for test fixtures."""
    width = max(len(s) for s in problem.shift_ids)
    lines = []
    for employee, row in zip(problem.employees, roster):
        cells = [(problem.shift_ids[s] if s != OFF else ".").ljust(width) for s in row]
        lines.append(f"{employee.id}: {' '.join(cells)}")
    return "\n".join(lines)
