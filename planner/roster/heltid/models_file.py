"""The roster models file (`kind: roster_models`): the models to compare and the run's settings."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from planner.io.loader import fail_at, load_file, read_yaml
from planner.roster.schema import RosterModelsFile

# The cover periods a long shift takes over in a long-shift model: on its days min(D, K) heads work the long
# shift instead of a day and an evening shift (model._long_cover). They are the unit's default codes for dag
# and kveld (setup.UnitView.codes): a models file has no staff file to give other codes, so `covers` can
# name no others.
LONG_COVERS = ("D", "K")


@dataclass
class RosterModel:
    id: str
    name: str
    weekend_every: int
    weekday: str      # traditional | long
    weekend: str      # traditional | long
    source: str


@dataclass
class ModelsFile:
    path: Path
    rules: Path | None
    weeks: int
    min_position: int
    time_limit: float
    long_shift: dict
    models: list[RosterModel]
    skipped: list[dict]


def load_models(path: str | Path) -> ModelsFile:
    """A `kind: roster_models` file (format and bounds: planner/roster/schema.py)."""
    path = Path(path)
    spec: RosterModelsFile = load_file(path, "roster_models", RosterModelsFile)
    _, node = read_yaml(path)    # lines for the checks below

    def err(loc, problem, fix):
        fail_at(path, node, loc, problem, fix)

    rules = (path.parent / spec.rules).resolve() if spec.rules else None
    if rules is not None and not rules.is_file():
        err(("rules",), f"rule file {spec.rules!r} does not exist", "correct the path (relative to this file)")
    models, skipped, seen = [], [], set()
    for i, m in enumerate(spec.models):
        if m.id in seen:
            err(("models", i, "id"), f"duplicate model id {m.id!r}", "give every model its own id")
        seen.add(m.id)
        if m.skip:
            skipped.append({"id": m.id, "name": m.name or m.id, "reason": m.skip})
            continue
        we = m.weekend_every
        if spec.weeks and spec.weeks % we:
            err(("weeks",), f"{spec.weeks} weeks is not a multiple of model {m.id}'s weekend cycle {we}",
                f"use weeks: {math.lcm(spec.weeks, we)}")
        if "long" in (m.weekday, m.weekend) and spec.long_shift is None:
            err(("long_shift",), "a model uses long shifts but no long_shift is defined",
                'add long_shift: {code: L, start: "08:00", end: "20:30", paid_hours: 12}')
        models.append(RosterModel(m.id, m.name or m.id, we, m.weekday, m.weekend, m.source or ""))
    if not models:
        err(("models",), "no models to compare: every model is skipped", "add at least one model without skip:")
    _check_covers(spec, err)
    ls = spec.long_shift.model_dump() if spec.long_shift else {}
    return ModelsFile(path, rules, spec.weeks, spec.min_position, float(spec.time_limit), ls, models, skipped)


def _check_covers(spec: RosterModelsFile, err) -> None:
    """The long shift's `covers` names only codes a long shift takes over (a typo would pass unnoticed:
    the models cover LONG_COVERS whatever the list says)."""
    for j, code in enumerate(spec.long_shift.covers if spec.long_shift else []):
        if code not in LONG_COVERS:
            err(("long_shift", "covers", j), f"unknown shift code {code!r}: a long shift here covers "
                f"{' and '.join(LONG_COVERS)}", f"use the codes {', '.join(LONG_COVERS)} (day and evening), or "
                "leave `covers` out")
