"""The roster models file (`kind: roster_models`): the models to compare and the run's settings."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from planner.io.loader import fail_at, load_file, read_yaml
from planner.roster.rules import load_rules
from planner.roster.schema import RosterModelsFile
from planner.roster.setup import rotation_too_short

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
    if spec.weeks and rules is not None:
        _check_rotation(spec.weeks, rules, [m.weekend_every for m in models], err)
    _check_set_by_model(spec, err)
    ls = spec.long_shift.model_dump() if spec.long_shift else {}
    return ModelsFile(path, rules, spec.weeks, spec.min_position, float(spec.time_limit), ls, models, skipped)


def _check_rotation(weeks: int, rules: Path, cycles: list[int], err) -> None:
    """Every model's rotation is cyclic: `weeks` must hold the window of each rule in the file's `rules:`
    (setup.rotation_too_short; `roster heltid --rules` is checked against its own rules when each model's
    problem is made)."""
    short = rotation_too_short(load_rules(rules).rules, weeks, cycles)
    if short is not None:
        rule, need, why, suggest = short
        err(("weeks",), f"a {weeks}-week rotation does not hold the {need} weeks the rule {rule.id!r} of "
            f"{rules.name} needs to be judged: {why}", f"use a longer rotation, e.g. weeks: {suggest}, or weeks: auto")


def _check_set_by_model(spec: RosterModelsFile, err) -> None:
    """The long shift's `covers` and `day_type` are set by the model (model._setup), not read: a value
    other than the model's own would pass unnoticed and be read differently. `covers` may restate the
    model's LONG_COVERS (the documented form); `day_type` may not be given at all."""
    ls = spec.long_shift
    if ls is None:
        return
    for j, code in enumerate(ls.covers):
        if code not in LONG_COVERS:
            err(("long_shift", "covers", j), f"unknown shift code {code!r}: a long shift here covers "
                f"{' and '.join(LONG_COVERS)}", f"use the codes {', '.join(LONG_COVERS)} (day and evening), or "
                "leave `covers` out")
    if "covers" in ls.model_fields_set and sorted(ls.covers) != sorted(LONG_COVERS):
        err(("long_shift", "covers"), f"covers [{', '.join(ls.covers)}] would not be read as written: this field "
            f"is set by the model: on its long days a long shift always takes over {' and '.join(LONG_COVERS)} "
            f"(min(D, K) heads work {ls.code} instead of a D and a K shift)",
            f"remove `covers` from long_shift (or write covers: [{', '.join(LONG_COVERS)}], what the model does)")
    if "day_type" in ls.model_fields_set:
        err(("long_shift", "day_type"), f"day_type {ls.day_type} would not be read: this field is set by the model "
            "from each model's `weekday:` and `weekend:` (long on weekdays, weekends or both)",
            "remove `day_type` from long_shift; choose the long days with weekday: long / weekend: long per model")
