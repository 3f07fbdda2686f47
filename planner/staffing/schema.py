"""The file formats, as pydantic models: types, ranges and required fields in one place.

Cross-file checks (does this group exist, does that task) live in `planner.staffing.instance`; this module only
says what one file must look like. Unknown keys are rejected so that a misspelt field is not ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from planner.io.schema import Clock, Id, NonNeg, Num, Pos, Problem, Share, Sourced, Strict  # noqa: F401

def _need_source(obj: Sourced, what: str) -> None:
    if not obj.source and not obj.illustrative:
        raise Problem(f"{what} needs `source:` (`KEY, place` of docs/sources.md, or a URL) or `illustrative: true`",
                      "cite where the number comes from, or mark it `illustrative: true`")


# ---------------------------------------------------------------------------------------- groups
class GroupSpec(Sourced):
    id: Id
    name: str
    level: Num
    track: Literal["care", "support"] = "care"
    authorised: bool
    cost_per_hour: NonNeg

    @model_validator(mode="after")
    def _sourced(self):
        _need_source(self, "a group's cost_per_hour")
        return self


class GroupsFile(Strict):
    kind: Literal["groups"]
    description: str | None = None
    groups: list[GroupSpec] = Field(min_length=1)


# ------------------------------------------------------------------------------------- catalogue
class TaskName(Strict):
    nb: str
    en: str | None = None


class AllowedSpec(Strict):
    group: Id
    time_factor: Pos = 1.0
    training: str | None = None
    supervisor: list[Id] | None = None
    source: str | None = None
    note: str | None = None


class TaskSpec(Strict):
    id: Id
    name: TaskName
    family: str
    minutes: Pos
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
        return self


class CatalogueFile(Strict):
    kind: Literal["catalogue"]
    description: str | None = None
    groups: str
    tasks: list[TaskSpec] = Field(min_length=1)


# ----------------------------------------------------------------------------------------- rules
ShiftSel = Union[str, list[str]]


# the fields each rule type reads (besides id, type, name, enabled, shifts, source, note): a field that
# a type does not read would be ignored without a word, so it is an error
RULE_FIELDS = {
    "min_heads": {"groups", "min"},
    "never_alone": {"groups"},
    "supervision_ratio": {"supervised", "supervisors", "ratio"},
    "share": {"groups", "min", "max", "per", "measure"},
    "patients_per_staff": {"groups", "max_patients"},
    "reserved_task": {"tasks", "groups"},
    "delegation": {"tasks", "groups", "supervisors"},
}
RULE_COMMON = {"id", "type", "name", "enabled", "shifts", "source", "illustrative", "note"}


def unused_rule_fields(rule_type: str, names) -> list[str]:
    return sorted(set(names) - RULE_COMMON - RULE_FIELDS.get(rule_type, set()))


class RuleSpec(Sourced):
    id: Id
    type: Literal["min_heads", "never_alone", "supervision_ratio", "share", "patients_per_staff",
                  "reserved_task", "delegation"]
    name: str | None = None
    enabled: bool = True
    shifts: ShiftSel = "all"
    groups: list[Id] | None = None
    min: NonNeg | None = None
    max: NonNeg | None = None
    supervised: list[Id] | None = None
    supervisors: list[Id] | None = None
    ratio: Pos | None = None
    per: Literal["shift", "day"] = "shift"
    measure: Literal["heads", "hours"] = "heads"
    max_patients: Pos | None = None
    tasks: list[str] | None = None

    @model_validator(mode="after")
    def _fields_for_type(self):
        _need_source(self, "a rule")
        unused = unused_rule_fields(self.type, self.model_fields_set)
        if unused:
            raise Problem(f"a `{self.type}` rule does not use " + ", ".join(f"`{f}`" for f in unused),
                          f"remove it; a `{self.type}` rule reads " +
                          ", ".join(f"`{f}`" for f in sorted(RULE_FIELDS[self.type])))
        need = {
            "min_heads": ["min"],
            "supervision_ratio": ["ratio"],
            "patients_per_staff": ["max_patients"],
            "reserved_task": ["tasks", "groups"],
            "delegation": ["tasks", "groups", "supervisors"],
            "share": [],
        }.get(self.type, [])
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise Problem(f"a `{self.type}` rule needs " + ", ".join(f"`{f}`" for f in missing),
                          "add the missing field (see docs/instance-format.md, rule types)")
        if self.type == "share":
            if self.min is None and self.max is None:
                raise Problem("a `share` rule needs `min` or `max`", "add `min:` or `max:`, a share between 0 and 1")
            for v in (self.min, self.max):
                if v is not None and v > 1:
                    raise Problem("`share` min/max are shares between 0 and 1", "write e.g. 0.5 for 50 %")
            if self.groups is None:
                raise Problem("a `share` rule needs `groups`", "list the groups whose share the rule bounds")
            if self.min is not None and self.max is not None and self.min > self.max:
                raise Problem(f"`min` {self.min:g} is above `max` {self.max:g}", "swap them or correct one")
        return self


class RulesFile(Strict):
    kind: Literal["rules"]
    id: Id
    name: str | None = None
    description: str | None = None
    rules: list[RuleSpec] = Field(min_length=1)


# ------------------------------------------------------------------------------------------ unit
class ShiftSpec(Sourced):
    id: Id
    day_type: Literal["hverdag", "helg"]
    time: Literal["dag", "kveld", "natt", "lang"]
    start: Clock
    end: Clock
    paid_hours: Annotated[float, Field(strict=True, gt=0, le=24)]
    days_per_week: Annotated[float, Field(strict=True, gt=0, le=7)]

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
    id: Id
    name: str | None = None
    count: NonNeg
    description: str | None = None


class WorkloadEntry(Sourced):
    task: Id
    shifts: ShiftSel = "all"
    per_patient: NonNeg | dict[Id, NonNeg] | None = None
    per_unit: NonNeg | None = None

    @model_validator(mode="after")
    def _one_basis(self):
        if (self.per_patient is None) == (self.per_unit is None):
            raise Problem("needs exactly one of `per_patient` or `per_unit`",
                          "give occurrences per patient or per unit, not both")
        return self


class OverheadSpec(Sourced):
    """Minutes added to every occurrence of some tasks, done by whoever does the task (travel and
    documentation in home care follow the visit, they are not tasks another group can take)."""

    id: Id
    name: str | None = None
    minutes: Pos
    tasks: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _sourced(self):
        _need_source(self, "an overhead's minutes")
        return self


class FteSpec(Sourced):
    norm_hours_per_week: Annotated[float, Field(strict=True, gt=0, le=60)] = 35.5
    holiday_weeks: Annotated[float, Field(strict=True, ge=0, lt=52)] = 5.0
    sick_leave_share: Annotated[float, Field(strict=True, ge=0, lt=1)] = 0.0


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
    kind: Literal["unit"]
    id: Id
    name: str
    type: Literal["sykehjem", "sykehus", "hjemmetjeneste", "other"] = "other"
    description: str | None = None
    beds: Pos
    catalogue: str
    rules: list[str] = Field(default_factory=list)
    rule_overrides: dict[str, RuleOverride] = Field(default_factory=dict)
    extra_rules: list[RuleSpec] = Field(default_factory=list)
    groups: list[Id] = Field(min_length=1)
    shifts: list[ShiftSpec] = Field(min_length=1)
    patient_classes: list[PatientClass] = Field(min_length=1)
    workload: list[WorkloadEntry] = Field(min_length=1)
    overheads: list[OverheadSpec] = Field(default_factory=list)
    productive_share: Annotated[float, Field(strict=True, gt=0, le=1)] | dict[Id, Annotated[float, Field(strict=True, gt=0, le=1)]] = 1.0
    productive_share_source: str | None = None
    availability: dict[Id, dict[str, NonNeg]] = Field(default_factory=dict)
    training: list[str] = Field(default_factory=list)
    today_overrides: dict[Id, dict[Id, Share]] = Field(default_factory=dict)
    # today's shares hold over each day type's shifts together (day) or in every single shift (shift)
    baseline_shares: Literal["day", "shift"] = "day"
    fte: FteSpec = Field(default_factory=FteSpec)


# the kinds of file this module defines (planner.kinds registers them with their checks)
MODELS = {"groups": GroupsFile, "catalogue": CatalogueFile, "rules": RulesFile, "unit": UnitFile}
