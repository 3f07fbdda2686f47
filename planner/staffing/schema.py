"""The file formats, as pydantic models: types, ranges and required fields in one place.

Cross-file checks (does this group exist, does that task) live in `planner.staffing.instance`; this module only
says what one file must look like. Unknown keys are rejected so that a misspelt field is not ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from planner.io.schema import Clock, Id, NonNeg, Num, Pos, Problem, Share, Sourced, Strict  # noqa: F401
# the rule types: one class each, with fields, checks, model rows and words
from planner.staffing.rule_types import RULE_COMMON, RULE_FIELDS, RuleSpec, ShiftSel, unused_rule_fields  # noqa: F401

# `true` is not "yes" and 30 is not "30": booleans and texts only as written (numbers are strict already)
_STRICT = ConfigDict(strict=True)


def _limited(lo: float, hi: float, lo_open: bool = False):
    """A strict finite number in [lo, hi] (or (lo, hi]), named in docs/instance-format.md, Limits."""
    low = {"gt": lo} if lo_open else {"ge": lo}
    return Annotated[float, Field(strict=True, le=hi, **low)]


# Limits on every number that reaches the solver: generous for any real unit, and small enough that no
# typo (1.0e+30 occurrences) can make the model numerically hopeless or hang the solver
MAX_MINUTES = 24 * 60         # minutes per occurrence of a task, and per overhead
MAX_PER_PATIENT = 100         # occurrences per patient per shift
MAX_PER_UNIT = 10_000         # occurrences per shift for the whole unit
MAX_PATIENTS = 10_000         # patients in the unit (all classes) and beds
MAX_HEADS = 1_000             # an availability cap: heads of one group on one shift
MAX_COST = 100_000            # NOK per paid hour
Level = _limited(0, 100)
Cost = _limited(0, MAX_COST)
TimeFactor = _limited(0.1, 10)
Minutes = _limited(0, MAX_MINUTES, lo_open=True)
PerPatient = _limited(0, MAX_PER_PATIENT)
PerUnit = _limited(0, MAX_PER_UNIT)
Patients = _limited(0, MAX_PATIENTS)
Beds = _limited(0, MAX_PATIENTS, lo_open=True)
Heads = _limited(0, MAX_HEADS)
Productive = _limited(0.1, 1)

def _need_source(obj: Sourced, what: str) -> None:
    if not obj.source and not obj.illustrative:
        raise Problem(f"{what} needs `source:` (`KEY, place` of docs/sources.md, or a URL) or `illustrative: true`",
                      "cite where the number comes from, or mark it `illustrative: true`")


# ---------------------------------------------------------------------------------------- groups
class GroupSpec(Sourced):
    model_config = _STRICT
    id: Id
    name: str
    level: Level
    track: Literal["care", "support"] = "care"
    authorised: bool
    cost_per_hour: Cost

    @model_validator(mode="after")
    def _sourced(self):
        _need_source(self, "a group's cost_per_hour")
        return self


class GroupsFile(Strict):
    model_config = _STRICT
    kind: Literal["groups"]
    description: str | None = None
    groups: list[GroupSpec] = Field(min_length=1)


# ------------------------------------------------------------------------------------- catalogue
class TaskName(Strict):
    model_config = _STRICT
    nb: str
    en: str | None = None


class AllowedSpec(Strict):
    model_config = _STRICT
    group: Id
    time_factor: TimeFactor = 1.0
    training: str | None = None
    supervisor: list[Id] | None = None
    source: str | None = None
    note: str | None = None


class TaskSpec(Strict):
    model_config = _STRICT
    id: Id
    name: TaskName
    family: str
    # does the task need health competence (NOU 2023:4 Boks 8.2)? With a unit's planning base, LEON
    # gives such a task only to groups at or above the base level; None: not marked
    health_competence: bool | None = None
    health_competence_source: str | None = None
    minutes: Minutes
    minutes_source: str | None = None
    illustrative: bool = False
    allowed: list[AllowedSpec] = Field(min_length=1)
    today: dict[Id, Share]
    # false, true (any shift of the same day type) or the times of day it may move to: [dag, kveld]
    movable: bool | list[Literal["dag", "kveld", "natt", "lang"]] = False
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self):
        if not self.minutes_source and not self.illustrative:
            raise Problem("`minutes` needs `minutes_source:` or `illustrative: true`",
                          "cite where the time comes from, or mark the task `illustrative: true`")
        total = sum(self.today.values())
        if abs(total - 1.0) > 1e-6:
            raise Problem(f"`today` shares add up to {total:g}", "make today's shares add up to 1")
        if self.health_competence_source and self.health_competence is None:
            raise Problem("`health_competence_source` without `health_competence`",
                          "add `health_competence: true` or `false`, or remove the source")
        return self


class CatalogueFile(Strict):
    model_config = _STRICT
    kind: Literal["catalogue"]
    description: str | None = None
    groups: str
    tasks: list[TaskSpec] = Field(min_length=1)


# ----------------------------------------------------------------------------------------- rules
# a rule is read by the class of its type, in planner.staffing.rule_types (RuleSpec)


class RulesFile(Strict):
    kind: Literal["rules"]
    id: Id
    name: str | None = None
    description: str | None = None
    rules: list[RuleSpec] = Field(min_length=1)


# ------------------------------------------------------------------------------------------ unit
class ShiftSpec(Sourced):
    model_config = _STRICT
    id: Id
    day_type: Literal["hverdag", "helg"]
    time: Literal["dag", "kveld", "natt", "lang"]
    start: Clock
    end: Clock
    paid_hours: _limited(0.5, 24)
    days_per_week: _limited(0.1, 7)

    @model_validator(mode="after")
    def _times(self):
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in (self.start, self.end))
        span = (end - start) % (24 * 60) or 24 * 60  # minutes; a shift over midnight wraps
        if end <= start and self.time in ("dag", "lang"):
            raise Problem(f"the `{self.time}` shift {self.id!r} ends ({self.end}) before it starts ({self.start})",
                          "swap start and end, or set `time: natt` (or kveld) for a shift over midnight")
        if self.paid_hours > span / 60 + 1e-9:
            raise Problem(f"paid_hours {self.paid_hours:g} is longer than the shift {self.start}-{self.end} "
                          f"({span / 60:g} h)", "correct start, end or paid_hours")
        return self


class PatientClass(Sourced):
    model_config = _STRICT
    id: Id
    name: str | None = None
    count: Patients
    description: str | None = None


class WorkloadEntry(Sourced):
    model_config = _STRICT
    task: Id
    shifts: ShiftSel = "all"
    per_patient: PerPatient | dict[Id, PerPatient] | None = None
    per_unit: PerUnit | None = None

    @model_validator(mode="after")
    def _one_basis(self):
        if (self.per_patient is None) == (self.per_unit is None):
            raise Problem("needs exactly one of `per_patient` or `per_unit`",
                          "give occurrences per patient or per unit, not both")
        return self


class OverheadSpec(Sourced):
    """Minutes added to every occurrence of some tasks, done by whoever does the task (travel and
    documentation in home care follow the visit, they are not tasks another group can take)."""

    model_config = _STRICT
    id: Id
    name: str | None = None
    minutes: Minutes
    tasks: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _sourced(self):
        _need_source(self, "an overhead's minutes")
        return self


class TaskMinutes(Sourced):
    """The unit's own minutes for one occurrence of a catalogue task (the catalogue's, for this unit only)."""

    model_config = _STRICT
    minutes: Minutes

    @model_validator(mode="after")
    def _sourced(self):
        _need_source(self, "a unit's task minutes")
        return self


class FteSpec(Sourced):
    model_config = _STRICT
    norm_hours_per_week: _limited(10, 60) = 35.5
    holiday_weeks: _limited(0, 26) = 5.0
    sick_leave_share: _limited(0, 0.5) = 0.0


class RuleOverride(Strict):
    enabled: bool | None = None
    min: NonNeg | None = None
    max: NonNeg | None = None
    ratio: Pos | None = None
    max_patients: Pos | None = None
    shifts: ShiftSel | None = None
    groups: list[Id] | None = None
    source: str | None = None
    note: str | None = None


class UnitFile(Sourced):
    model_config = _STRICT
    kind: Literal["unit"]
    id: Id
    name: str
    type: Literal["sykehjem", "sykehus", "hjemmetjeneste", "other"] = "other"
    description: str | None = None
    beds: Beds
    catalogue: str
    rules: list[str] = Field(default_factory=list)
    rule_overrides: dict[str, RuleOverride] = Field(default_factory=dict)
    extra_rules: list[RuleSpec] = Field(default_factory=list)
    groups: list[Id] = Field(min_length=1)
    shifts: list[ShiftSpec] = Field(min_length=1)
    patient_classes: list[PatientClass] = Field(min_length=1)
    workload: list[WorkloadEntry] = Field(min_length=1)
    # minutes per occurrence that replace the catalogue's for this unit: {task: {minutes, source}}
    task_minutes: dict[Id, TaskMinutes] = Field(default_factory=dict)
    overheads: list[OverheadSpec] = Field(default_factory=list)
    productive_share: Productive | dict[Id, Productive] = 1.0
    productive_share_source: str | None = None
    availability: dict[Id, dict[str, Heads]] = Field(default_factory=dict)
    training: list[str] = Field(default_factory=list)
    today_overrides: dict[Id, dict[Id, Share]] = Field(default_factory=dict)
    # today's shares hold over each day type's shifts together (day) or in every single shift (shift)
    baseline_shares: Literal["day", "shift"] = "day"
    # the lowest group that may do tasks needing health competence (NOU 2023:4 kap. 8: fagarbeider
    # competence as the starting point); None: assistants as base, every allowed group as before
    planning_base: Id | None = None
    planning_base_source: str | None = None
    fte: FteSpec = Field(default_factory=FteSpec)

    @model_validator(mode="after")
    def _base_source(self):
        if self.planning_base_source and self.planning_base is None:
            raise Problem("`planning_base_source` without `planning_base`",
                          "add `planning_base: <group id>`, or remove the source")
        return self

    @model_validator(mode="after")
    def _patients(self):
        total = sum(c.count for c in self.patient_classes)
        if total > MAX_PATIENTS:
            raise Problem(f"the patient classes add up to {total:g} patients, more than {MAX_PATIENTS:,}".replace(",", " ")
                          + " (the most leon accepts in one unit)",
                          "check the counts, or model a larger service as several units")
        return self


# the kinds of file this module defines (planner.kinds registers them with their checks)
MODELS = {"groups": GroupsFile, "catalogue": CatalogueFile, "rules": RulesFile, "unit": UnitFile}
