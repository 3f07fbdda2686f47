"""A linear stand-in for the unit model, for tests of the national machinery only.

`kind: toy_unit` files have the same attribute names the national layer perturbs on a real unit
(`beds`, `patient_counts`, `tasks[...].minutes`, `tasks[...].family`), but the "solve" is arithmetic:
weekly task hours are split over groups by today's shares (baseline) or by the LEON shares (leon),
then FTE = hours / norm hours per week, gross FTE = FTE × gross_up. It is never used unless a unit
file says `kind: toy_unit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ToyTask:
    id: str
    minutes: float
    family: str
    per_patient_per_day: dict[str, float]
    per_unit_per_day: float
    today: dict[str, float]
    leon: dict[str, float]


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


@dataclass(frozen=True)
class ToyResult:
    status: str
    fte_gross: dict[str, float]
    fte_net: dict[str, float]
    weekly_hours: dict[str, float]


def load_toy(path: str | Path) -> ToyInstance:
    d = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    tasks = {}
    groups: set[str] = set()
    for tid, t in d["tasks"].items():
        per = t.get("per_patient_per_day", {})
        if not isinstance(per, dict):
            per = {c: float(per) for c in d["patient_classes"]}
        tasks[tid] = ToyTask(tid, float(t["minutes"]), str(t.get("family", tid)),
                             {k: float(x) for k, x in per.items()}, float(t.get("per_unit_per_day", 0.0)),
                             {k: float(x) for k, x in t["today"].items()},
                             {k: float(x) for k, x in t.get("leon", t["today"]).items()})
        groups |= set(t["today"]) | set(t.get("leon", {}))
    return ToyInstance(id=str(d["id"]), type=str(d.get("type", "other")), beds=float(d["beds"]),
                       patient_counts={k: float(x) for k, x in d["patient_classes"].items()}, tasks=tasks,
                       norm_hours_per_week=float(d.get("norm_hours_per_week", 35.5)),
                       gross_up=float(d.get("gross_up", 1.0)), groups=tuple(sorted(groups)))


def solve_toy(inst: ToyInstance, modes=("baseline", "leon")) -> dict[str, ToyResult]:
    out = {}
    for mode in modes:
        hours = {g: 0.0 for g in inst.groups}
        for t in inst.tasks.values():
            occ = sum(inst.patient_counts.get(c, 0.0) * n for c, n in t.per_patient_per_day.items())
            occ += t.per_unit_per_day
            h = occ * 7 * t.minutes / 60.0
            for g, share in (t.today if mode == "baseline" else t.leon).items():
                hours[g] += h * share
        net = {g: h / inst.norm_hours_per_week for g, h in hours.items()}
        out[mode] = ToyResult("optimal", {g: x * inst.gross_up for g, x in net.items()}, net, hours)
    return out
