"""Forsvarlighet rule types: everything about one type of rule in one class.

A rule in a rules file (or a unit's `extra_rules`) is read by the class its `type:` names. The class
holds the type's fields with their bounds, its checks against the unit, the plain rows of
`models.staffing.mip` it becomes and its words in explanations and diagnoses. RULE_FIELDS, the rule
types a file may name and the field checks of `rule_overrides` are all read from these classes.

Adding a rule type is adding one class here, decorated with `@rule_type`, that provides:

    type: Literal["name"]       the `type:` value that selects it
    fields                      pydantic fields, every number with bounds (`between` below);
                                a field of another type in a rule of this one is an error naming it;
                                a field typed `Groups` (or `GroupsOrDefault`) is checked against
                                the groups file, `Tasks` against the catalogue; cross-field checks
                                go in a model validator
    check(refs)                 checks against the unit beyond those (the base class does groups,
                                tasks and the shift selector; override and call super() to add)
    rows(unit, shifts)          the `mip.Rule` rows for the selected shifts, or [] for a rule that
                                acts on who may do a task (it then overrides `on_task`)
    text()                      what the rule demands, as explanations and diagnoses quote it

and one line in the rules table (and bounds list) of docs/instance-format.md.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, Field, PlainValidator, ValidationError, field_validator, model_validator

from models.staffing import mip
from planner.io.errors import InputError
from planner.io.schema import Id, NonNeg, Problem, Sourced

ShiftSel = str | list[str]


def between(lo: float, hi: float, unit: str):
    """A finite number from lo to hi (`unit` says what it counts, for the message)."""
    def check(v: float) -> float:
        if not lo <= v <= hi:
            raise Problem(f"must be from {lo:g} to {hi:g} {unit}", f"give a value from {lo:g} to {hi:g}")
        return v
    return Annotated[float, Field(strict=True), AfterValidator(check)]


# Bounds on the numbers a rule hands the solver. Wide enough for any ward, narrow enough that a typo
# (1000 heads, 0.001 patients per nurse) is an error here rather than an infeasible or ill-scaled model.
Heads = between(0, 100, "heads")                           # min_heads: on one shift of one unit
Ratio = between(0.1, 20, "supervised per supervisor")      # supervision_ratio
Patients = between(0.25, 100, "patients per staff member")  # 0.25: four staff per patient (intensive care)


class _Names:
    """Marks a rule field that names groups or tasks, so that the base check looks every name up."""

    def __init__(self, what: str) -> None:
        self.what = what


GROUP_NAMES, TASK_NAMES = _Names("groups"), _Names("tasks")
Groups = Annotated[list[Id], GROUP_NAMES]
GroupsOrDefault = Annotated[list[Id] | None, GROUP_NAMES]  # None: the groups the type takes by default
Tasks = Annotated[list[str], TASK_NAMES]                    # task ids or family:NAME


@dataclass(frozen=True)
class RuleRefs:
    """What a rule is checked against (planner.staffing.instance builds one per rule)."""

    file: str                                       # the file the rule comes from: errors name it
    tasks: Mapping[str, Any]                        # the catalogue's tasks (TaskSpec)
    shift_ids: tuple[str, ...]                      # the unit's shifts
    known_group: Callable[[str, str], None]         # (group, field) -> InputError if no file defines it
    select: Callable[[ShiftSel, str], list[str]]    # (selector, field) -> shift ids; InputError if none


@dataclass(frozen=True)
class ModelUnit:
    """The unit as a rule's rows see it: its groups in the model's order, and its patients."""

    groups: Mapping[str, Any]                       # group id -> GroupSpec, model order
    patients: float

    def index(self, names) -> tuple[int, ...]:
        """Model indices of the named groups the unit has (a rule may name groups it lacks)."""
        order = list(self.groups)
        return tuple(order.index(g) for g in names if g in self.groups)

    def where(self, pred) -> tuple[int, ...]:
        return tuple(i for i, spec in enumerate(self.groups.values()) if pred(spec))

    @property
    def every(self) -> tuple[int, ...]:
        return tuple(range(len(self.groups)))

    @property
    def care(self) -> tuple[int, ...]:
        return self.where(lambda s: s.track == "care")


# ------------------------------------------------------------------------------------ the base type
class RuleType(Sourced):
    """The fields every rule has, and what a rule type must provide (see the module docstring)."""

    id: Id
    type: str
    name: str | None = None
    enabled: bool = True
    shifts: ShiftSel = "all"

    @model_validator(mode="after")
    def _sourced(self):
        if not self.source and not self.illustrative:
            raise Problem("a rule needs `source:` (document and line, or URL) or `illustrative: true`",
                          "cite where the number comes from, or mark it `illustrative: true`")
        return self

    def __getattr__(self, name: str):
        # A field of another type reads as its default there (None for most): code that walks every
        # rule, such as the rules sheet of the workbook, may ask any rule for its `groups`.
        if name in _FALLBACK:
            return _FALLBACK[name]
        return super().__getattr__(name)

    # ---- what a type provides
    def check(self, refs: RuleRefs) -> None:
        """Groups and tasks the rule names exist, its shift selector matches a shift of the unit."""
        for fld, info in type(self).model_fields.items():
            names = getattr(self, fld) or []
            if GROUP_NAMES in info.metadata:
                for g in names:
                    refs.known_group(g, f"rules.{self.id}.{fld}")
            if TASK_NAMES in info.metadata:
                for t in names:
                    _known_task(t, refs, f"rules.{self.id}.{fld}")
        refs.select(self.shifts, f"rules.{self.id}.shifts")

    @abstractmethod
    def rows(self, unit: ModelUnit, shifts: tuple[int, ...]) -> list[mip.Rule]:
        """The plain model rows the rule becomes on these shifts ([] for a rule that acts on tasks)."""

    @abstractmethod
    def text(self) -> str:
        """The rule in words, for explanations and diagnoses."""

    def asks_for(self) -> list[str]:
        """Groups whose heads the rule asks for (a diagnosis says so when the unit has none of them)."""
        return list(getattr(self, "groups", None) or [])

    def on_task(self, task, group: str) -> tuple[frozenset[str], bool]:
        """For a rule on who may do a task: (groups one of whom must be on shift when `group` does
        `task`, whether the rule keeps `group` from the task). Other rules: no condition."""
        return frozenset(), False

    # ---- overrides
    def overridden(self, update: dict, file, where: str) -> RuleType:
        """This rule with a unit's overrides, held to the same bounds and checks as a rule in a file."""
        try:
            return type(self).model_validate({**self.model_dump(exclude_unset=True), **update})
        except ValidationError as e:
            err = e.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            fix = getattr(err.get("ctx", {}).get("error"), "fix", None) or "see docs/instance-format.md"
            msg = err["msg"].removeprefix("Value error, ")
            raise InputError(file, f"{where}.{loc}" if loc else where,
                             f"{msg} (rule {self.id!r} as overridden)", fix) from None


def _known_task(t: str, refs: RuleRefs, where: str) -> None:
    fam = t.removeprefix("family:")
    if t.startswith("family:"):
        if not any(x.family == fam for x in refs.tasks.values()):
            raise InputError(refs.file, where, f"no task has family {fam!r}", "name a family used in the catalogue")
    elif t not in refs.tasks:
        raise InputError(refs.file, where, f"unknown task {t!r}", "name a task id from the catalogue")


RULE_TYPES: dict[str, type[RuleType]] = {}
RULE_COMMON = set(RuleType.model_fields)
# the fields each rule type reads (besides the common ones): a field a type does not read would be
# ignored without a word, so it is an error
RULE_FIELDS: dict[str, set[str]] = {}
_FALLBACK: dict[str, Any] = {}  # every type's own fields, with their defaults


def rule_type(cls: type[RuleType]) -> type[RuleType]:
    """Register a rule type under the value of its `type` field."""
    (name,) = get_args(cls.model_fields["type"].annotation)
    RULE_TYPES[name] = cls
    RULE_FIELDS[name] = set(cls.model_fields) - RULE_COMMON
    for fld in RULE_FIELDS[name]:
        info = cls.model_fields[fld]
        default = None if info.is_required() else info.default
        if _FALLBACK.setdefault(fld, default) != default:  # a field means one thing in every type
            raise TypeError(f"rule field {fld!r} has two defaults ({_FALLBACK[fld]!r}, {default!r})")
    return cls


# ----------------------------------------------------------------------------------- the rule types
@rule_type
class MinHeads(RuleType):
    """Σ heads of `groups` ≥ `min` on each selected shift."""

    type: Literal["min_heads"]
    groups: GroupsOrDefault = None             # omitted: all groups of the unit
    min: Heads

    def rows(self, unit, shifts):
        return [mip.Rule(self.id, "min_heads", shifts, unit.index(self.groups) if self.groups else unit.every,
                         self.min)]

    def text(self):
        return f"at least {self.min:g} of {', '.join(self.groups or []) or 'staff'} on shift"


@rule_type
class NeverAlone(RuleType):
    """At least two heads (of `groups`, or anyone) on each selected shift."""

    type: Literal["never_alone"]
    groups: GroupsOrDefault = None             # omitted: all groups of the unit

    def rows(self, unit, shifts):
        return [mip.Rule(self.id, "min_heads", shifts, unit.index(self.groups) if self.groups else unit.every, 2.0)]

    def text(self):
        return "never alone: at least 2 on shift"


@rule_type
class SupervisionRatio(RuleType):
    """Heads of `supervised` ≤ `ratio` × heads of `supervisors` on each selected shift."""

    type: Literal["supervision_ratio"]
    supervised: GroupsOrDefault = None         # omitted: care-track groups that are not authorised
    supervisors: GroupsOrDefault = None        # omitted: authorised groups
    ratio: Ratio

    def rows(self, unit, shifts):
        sup = unit.index(self.supervised) if self.supervised else unit.where(
            lambda s: not s.authorised and s.track == "care")
        by = unit.index(self.supervisors) if self.supervisors else unit.where(lambda s: s.authorised)
        return [mip.Rule(self.id, "ratio", shifts, sup, self.ratio, other=by)]

    def text(self):
        return (f"{', '.join(self.supervised or ['non-authorised'])} at most {self.ratio:g} × "
                f"{', '.join(self.supervisors or ['authorised'])}")


@rule_type
class ShareOfCare(RuleType):
    """The share of `groups` among care-track staff, in heads or paid hours, per shift or per 24 h."""

    type: Literal["share"]
    groups: Groups
    min: NonNeg | None = None
    max: NonNeg | None = None
    per: Literal["shift", "day"] = "shift"     # day: all selected shifts of one day type together
    measure: Literal["heads", "hours"] = "heads"

    @field_validator("min", "max")
    @classmethod
    def _a_share(cls, v):
        if v is not None and v > 1:
            raise Problem("`share` min/max are shares between 0 and 1", "write e.g. 0.5 for 50 %")
        return v

    @model_validator(mode="after")
    def _bounds(self):
        if self.min is None and self.max is None:
            raise Problem("a `share` rule needs `min` or `max`", "add `min:` or `max:`, a share between 0 and 1")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise Problem(f"`min` {self.min:g} is above `max` {self.max:g}", "swap them or correct one")
        return self

    def rows(self, unit, shifts):
        # share of `groups` among care staff: groups - p * care >= 0 (min) or <= 0 (max)
        return [mip.Rule(self.id, "share", shifts, unit.index(self.groups), p, other=unit.care,
                         sense=sense, per=self.per, measure=self.measure)
                for sense, p in (("min", self.min), ("max", self.max)) if p is not None]

    def text(self):
        bounds = " and ".join(x for x in (f">= {self.min:.0%}" if self.min is not None else "",
                                          f"<= {self.max:.0%}" if self.max is not None else "") if x)
        return (f"{', '.join(self.groups) or 'staff'} {bounds} of care {self.measure} "
                f"per {'24 h' if self.per == 'day' else 'shift'}")

    def asks_for(self):
        return list(self.groups) if self.min else []  # a ceiling asks for no one


@rule_type
class PatientsPerStaff(RuleType):
    """Heads of `groups` ≥ patients / `max_patients` on each selected shift."""

    type: Literal["patients_per_staff"]
    groups: GroupsOrDefault = None             # omitted: care-track groups
    max_patients: Patients

    def rows(self, unit, shifts):
        return [mip.Rule(self.id, "min_heads", shifts, unit.index(self.groups) if self.groups else unit.care,
                         unit.patients / self.max_patients)]

    def text(self):
        who = ", ".join(self.groups or []) or "staff"
        return f"at most {self.max_patients:g} patients per staff member ({who}) on shift"


class _TaskRule(RuleType):
    """A rule on who may do some tasks. Who may do a task is one list for all shifts, so the rule
    must select every shift; it gives no rows of its own (the task's allowed groups carry it)."""

    tasks: Tasks
    groups: Groups

    def check(self, refs):
        super().check(refs)
        picked = refs.select(self.shifts, f"rules.{self.id}.shifts")
        if len(picked) < len(refs.shift_ids):
            raise InputError(refs.file, f"rules.{self.id}.shifts", f"a `{self.type}` rule applies to every shift, "
                             f"but this one selects only {', '.join(picked)}",
                             "remove `shifts` (or set `shifts: all`), or split the task into one per shift")

    def covers(self, task) -> bool:
        return any(t == task.id or t == f"family:{task.family}" for t in self.tasks)

    def rows(self, unit, shifts):
        return []


@rule_type
class ReservedTask(_TaskRule):
    """Only `groups` may do `tasks`."""

    type: Literal["reserved_task"]

    def on_task(self, task, group):
        return frozenset(), self.covers(task) and group not in self.groups

    def text(self):
        return f"{', '.join(self.tasks)} only by {', '.join(self.groups)}"


@rule_type
class Delegation(_TaskRule):
    """`groups` may do `tasks` only with one of `supervisors` on the same shift."""

    type: Literal["delegation"]
    supervisors: Groups

    def on_task(self, task, group):
        if self.covers(task) and group in self.groups:
            return frozenset(self.supervisors), False
        return frozenset(), False

    def text(self):
        return (f"{', '.join(self.groups)} do {', '.join(self.tasks)} only with one of "
                f"{', '.join(self.supervisors)} on shift")


# ----------------------------------------------------------------------------- reading a rule entry
def unused_rule_fields(rule_type: str, names) -> list[str]:
    return sorted(set(names) - RULE_COMMON - RULE_FIELDS.get(rule_type, set()))


def _fail(kind: str, loc: tuple, value, **ctx):
    raise ValidationError.from_exception_data("rule", [{"type": kind, "loc": loc, "input": value, "ctx": ctx}])


def _read_rule(data) -> RuleType:
    """A rule entry -> the class of its type; errors point at the field (`type`, or the stray one)."""
    if isinstance(data, RuleType):
        return data
    if not isinstance(data, dict):
        _fail("dict_type", (), data)
    if "type" not in data:
        _fail("missing", ("type",), data)
    t = data["type"]
    cls = RULE_TYPES.get(t) if isinstance(t, str) else None
    if cls is None:
        names = [repr(x) for x in RULE_TYPES]
        _fail("literal_error", ("type",), t, expected=", ".join(names[:-1]) + f" or {names[-1]}")
    for f in unused_rule_fields(t, data):
        if f in _FALLBACK:  # another type's field (a misspelt one is pydantic's `extra_forbidden`)
            _fail("value_error", (f,), data[f], error=Problem(
                f"a `{t}` rule does not use `{f}`",
                f"remove it; a `{t}` rule reads " + ", ".join(f"`{x}`" for x in sorted(RULE_FIELDS[t]))))
    return cls.model_validate(data)


# a rule of any type, as file models declare it
RuleSpec = Annotated[RuleType, PlainValidator(_read_rule)]
