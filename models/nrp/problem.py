"""Problem types for the nurse-rostering benchmark (Curtois & Qu shift-scheduling instances).

Plain data only: `planner.nrp.reader` fills these from instance files and audits rosters against them;
`models.nrp.cpsat` builds its solver models from them. Shifts, staff and days are 0-based indexes.
A roster is one row per employee, one entry per day: the shift index, or OFF.
"""

from __future__ import annotations

from dataclasses import dataclass

OFF = -1

Roster = list[list[int]]


@dataclass(frozen=True)
class Employee:
    id: str
    max_shifts: tuple[int, ...]  # per shift type
    max_minutes: int
    min_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int
    days_off: frozenset[int]


@dataclass(frozen=True)
class Request:
    """A wish to work (shift-on) or not work (shift-off) a given shift on a given day."""

    employee: int
    day: int
    shift: int
    weight: int


@dataclass(frozen=True)
class Cover:
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class NrpProblem:
    horizon: int
    shift_ids: tuple[str, ...]
    shift_minutes: tuple[int, ...]
    forbidden_next: frozenset[tuple[int, int]]  # (s, t): shift t may not follow shift s the next day
    employees: tuple[Employee, ...]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[tuple[Cover, ...], ...]  # [day][shift]

    @property
    def n_shifts(self) -> int:
        return len(self.shift_ids)

    @property
    def weekends(self) -> list[tuple[int, ...]]:
        """Saturday/Sunday day pairs (all instances start on a Monday), cut at the horizon."""
        return [
            tuple(d for d in (sat, sat + 1) if d < self.horizon) for sat in range(5, self.horizon, 7)
        ]
