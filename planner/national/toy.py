"""A linear stand-in for the unit model, for tests of the national machinery only.

`kind: toy_unit` files have the same attribute names the national layer perturbs on a real unit
(`beds`, `patient_counts`, `tasks[...].minutes`, `tasks[...].family`), but the "solve" is arithmetic:
weekly task hours are split over groups by today's shares (baseline), the pooled shares (pooled:
today's performers in other shares; default today's), or the LEON shares (leon), then
FTE = hours / norm hours per week, gross FTE = FTE × gross_up. It is never used unless a unit file
says `kind: toy_unit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planner.national.located import read_kind
from planner.national.schema import ToyUnitFile


@dataclass(frozen=True)
class ToyTask:
    id: str
    minutes: float
    family: str
    per_patient_per_day: dict[str, float]
    per_unit_per_day: float
    today: dict[str, float]
    leon: dict[str, float]
    pooled: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ToyInstance:
    id: str
    type: str
    beds: float
    patient_counts: dict[str, float]
    tasks: dict[str, ToyTask]
    norm_hours_per_week: float = 35.5
    gross_up: float = 1.0
    groups: tuple[str, ...] = field(default_factory=tuple)
    authorised: tuple[str, ...] = ()      # groups the toy marks authorised (a real unit: its catalogue)


@dataclass(frozen=True)
class ToyResult:
    status: str
    fte_gross: dict[str, float]
    fte_net: dict[str, float]
    weekly_hours: dict[str, float]


def load_toy(path: str | Path) -> ToyInstance:
    at = read_kind(Path(path), "toy_unit")
    d: ToyUnitFile = at.validate(ToyUnitFile, at.data)
    tasks = {}
    groups: set[str] = set()
    for tid, t in d.tasks.items():
        per = t.per_patient_per_day
        per = dict(per) if isinstance(per, dict) else {c: per for c in d.patient_classes}
        leon = t.today if t.leon is None else t.leon
        pooled = t.today if t.pooled is None else t.pooled
        tasks[tid] = ToyTask(tid, t.minutes, t.family or tid, per, t.per_unit_per_day, dict(t.today), dict(leon),
                             dict(pooled))
        groups |= set(t.today) | set(t.leon or {})
    return ToyInstance(id=d.id, type=d.type, beds=d.beds, patient_counts=dict(d.patient_classes), tasks=tasks,
                       norm_hours_per_week=d.norm_hours_per_week, gross_up=d.gross_up, groups=tuple(sorted(groups)),
                       authorised=tuple(d.authorised))


def solve_toy(inst: ToyInstance, modes=("baseline", "pooled", "leon")) -> dict[str, ToyResult]:
    out = {}
    for mode in modes:
        hours = {g: 0.0 for g in inst.groups}
        for t in inst.tasks.values():
            occ = sum(inst.patient_counts.get(c, 0.0) * n for c, n in t.per_patient_per_day.items())
            occ += t.per_unit_per_day
            h = occ * 7 * t.minutes / 60.0
            for g, share in {"baseline": t.today, "pooled": t.pooled or t.today, "leon": t.leon}[mode].items():
                hours[g] += h * share
        net = {g: h / inst.norm_hours_per_week for g, h in hours.items()}
        out[mode] = ToyResult("optimal", {g: x * inst.gross_up for g, x in net.items()}, net, hours)
    return out
