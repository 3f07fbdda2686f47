"""The roster file formats as pydantic models: `kind: worktime_rules`, `kind: staff`, `kind: roster_models`.

Types, defaults and plausible bounds of every field live here, once; the loaders (planner/roster/rules.py,
setup.py, heltid/models_file.py) read a file through `planner.io.loader.load_file` and then do the checks that need
other files (the unit's groups and shifts, codes in patterns). Every number that reaches the solver is
bounded (docs/rosters.md, "Bounds"): a value outside is a typo or a misunderstanding, and a huge one
would only make the solver slow or overflow.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from planner.io.loader import fail_at, is_number, quoted_number_fix
from planner.io.schema import Id, Problem, Sourced, Strict

TIMES = ("dag", "kveld", "natt", "lang")
OFF = {"", "-", "f", "F", "fri", "FRI", "x"}   # grid cells that mean a day off (planner/roster/grids.py)
REGIMES = ("none", "individual", "tillitsvalgte", "arbeidstilsynet")   # aml § 10-5 (1)/(2)/(3)
DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# The years a roster may lie in: leon computes the calendar (Easter, the public holidays, their eves) for every
# day of the horizon, and a date far outside a planning range is a typo; near year 9999 it would not even be a date.
CALENDAR_YEARS = (1900, 2199)


def calendar_outside(start: dt.date, days: int) -> str | None:
    """What is wrong when a horizon of `days` from `start` leaves CALENDAR_YEARS (None: it lies inside)."""
    lo, hi = CALENDAR_YEARS
    where = f"the years {lo}-{hi}, for which leon computes the calendar (Easter and the public holidays)"
    if not lo <= start.year <= hi:
        return f"{start} is outside {where}"
    end = start + dt.timedelta(days=days - 1)    # no overflow: start is before 2200 and days at most a year
    if end.year > hi:
        return f"a roster from {start} over {days // 7} week(s) ends {end}, outside {where}"
    return None


# ----------------------------------------------------------------------------------------- helpers
def at(field: str, problem: str, fix: str, got: Any = None) -> ValidationError:
    """A failure located at one field of the model that raises it (pydantic prefixes the rest of the path)."""
    err = PydanticCustomError("value_error", "{problem}", {"problem": problem, "error": Problem(problem, fix)})
    return ValidationError.from_exception_data("roster file", [InitErrorDetails(type=err, loc=(field,), input=got)])


def _number(v: Any, whole: bool) -> float | int:
    """A number as YAML gives it: not a quoted "30", not true, not .inf or .nan, and whole where it counts."""
    kind = "a whole number" if whole else "a number"
    if v is None:
        raise Problem(f"is empty; it must be {kind}", "give a number, or leave the field out for its default")
    if isinstance(v, bool) or not isinstance(v, int if whole else (int, float)):
        raise Problem(f"must be {kind}", quoted_number_fix(v) if isinstance(v, str) and is_number(v)
                      else "give a number, e.g. 3")
    if not math.isfinite(v):
        raise Problem(f"must be a finite {kind[2:]}", "give a number, not .inf or .nan")
    return v if whole else float(v)


Whole = Annotated[int, PlainValidator(lambda v: _number(v, True))]
Number = Annotated[float, PlainValidator(lambda v: _number(v, False))]


def bounded(lo: float, hi: float, eg: str, *, whole: bool = False, above: bool = False):
    """A number in [lo, hi] (or (lo, hi] with above=True); the message says the range and gives `eg`."""
    kind = "a whole number" if whole else "a number"
    rng = f"above {lo:g} and at most {hi:g}" if above else f"from {lo:g} to {hi:g}"

    def check(v):
        v = _number(v, whole)
        if not (lo < v if above else lo <= v) or v > hi:
            raise Problem(f"must be {kind} {rng}", eg)
        return v
    return Annotated[int if whole else float, PlainValidator(check)]


Flag = Annotated[bool, Field(strict=True)]
Weight = bounded(0, 100, "e.g. weight: 10 (at most 100, so that no soft rule outweighs a missing head)",
                 whole=True)
Cycle = bounded(1, 8, "e.g. 3 (every third weekend)", whole=True)
Percent = bounded(0, 100, "give the stillingsprosent, e.g. 75", above=True)
Heads = bounded(0, 100, "give the heads on that shift, e.g. 2")
ShiftHours = bounded(0, 16, "e.g. paid_hours: 12 (aml § 10-6 (9): at most 16 h of work per 24 h)", above=True)


def _clock(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        raise Problem("a time of day must be quoted", 'write e.g. "20:30" (YAML reads 20:30 unquoted as a number)')
    if not isinstance(v, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
        raise Problem("is not a time of day", 'write HH:MM in quotes, e.g. "07:30"')
    return v


Clock = Annotated[str, PlainValidator(_clock)]


def _code(v: Any) -> str:
    if isinstance(v, str) and v in OFF:
        raise Problem(f"{v!r} means a day off in a roster grid", "use another code, e.g. D, K, N, L")
    if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z0-9ÆØÅæøå_+]{1,8}", v):
        raise Problem("is not a shift code", "use 1-8 letters or digits, e.g. D, K2, L")
    return v


Code = Annotated[str, PlainValidator(_code)]


def _day(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        raise Problem("is a date with a time", "write the date only, YYYY-MM-DD")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise Problem("is not an ISO date", "write YYYY-MM-DD, e.g. 2027-01-11")


Day = Annotated[dt.date, PlainValidator(_day)]


def week_minute(text: Any) -> int:
    """'sat 00:00' -> minutes after Monday 00:00 (weekend windows)."""
    m = re.fullmatch(r"([a-z]{3})[a-z]*\s+([01]\d|2[0-3]):([0-5]\d)", text.strip().lower()) \
        if isinstance(text, str) else None
    if not m or m.group(1) not in DAYS:
        raise Problem("is not a weekday and time", 'write e.g. "sat 00:00" or "sun 22:00"')
    return DAYS[m.group(1)] * 1440 + int(m.group(2)) * 60 + int(m.group(3))


def _week_time(v: str) -> str:
    week_minute(v)
    return v


WeekTime = Annotated[str, AfterValidator(_week_time)]


def validate(model: Any, data: Any, path=None, node=None, loc: tuple = ()) -> Any:
    """Validate data that does not come from a YAML file through load_file (rules given in code, the
    requirement JSON); the message names the field as load_file does."""
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as e:
        err = e.errors()[0]
        msg = "is required but missing" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        if err["type"] != "missing" and got is not None and not isinstance(got, (dict, list)):
            msg += f" (got {got!r})"
        fix = getattr(err.get("ctx", {}).get("error"), "fix", None) or "see docs/rosters.md"
        fail_at(path, node, loc + tuple(err["loc"]), msg, fix)


# ------------------------------------------------------------------------------ kind: worktime_rules
class RuleBase(Sourced):
    id: Id | None = None     # default: the type
    type: str
    hard: Flag = True
    weight: Weight = 1
    enabled: Flag = True

    @model_validator(mode="after")
    def _sourced(self):
        if not (self.source or self.illustrative):
            raise Problem(f"rule {self.id or self.type!r} has neither `source:` nor `illustrative: true`",
                          "cite the law or agreement as `KEY, place` (docs/sources.md) or mark it illustrative")
        return self

    @classmethod
    def params(cls) -> list[str]:
        return [k for k in cls.model_fields if k not in RuleBase.model_fields]


class DailyRestRule(RuleBase):
    type: Literal["daily_rest"]
    min_hours: Number = 11.0

    @field_validator("min_hours")
    @classmethod
    def _floor(cls, v):
        if v < 8:
            raise Problem(f"daily rest {v:g} h is below the legal floor of 8 h",
                          "use at least 8 (aml § 10-8 (3)); 11 without an agreement (§ 10-8 (1))")
        if v > 16:
            raise Problem(f"daily rest {v:g} h leaves less than 8 h of each 24 h to work", "use 11 (aml § 10-8 (1))")
        return v


READINGS = ("within_week", "starts_in_week")   # weekly rest: wholly inside the week, or only starting in it


class WeeklyRestRule(RuleBase):
    type: Literal["weekly_rest"]
    min_hours: Number = 35.0
    reading: str = "within_week"
    week_start: WeekTime = "mon 00:00"

    @field_validator("reading")
    @classmethod
    def _reading(cls, v):
        if v not in READINGS:
            raise Problem(f"unknown weekly-rest reading {v!r}",
                          "use within_week (the rest lies wholly inside each week, aml § 10-8 (2)) or "
                          "starts_in_week (it may run on into the next week)")
        return v

    @field_validator("min_hours")
    @classmethod
    def _floor(cls, v):
        if v < 28:
            raise Problem(f"weekly rest {v:g} h is below the legal floor of 28 h",
                          "use at least 28 (aml § 10-8 (3)); 35 without an agreement (§ 10-8 (2))")
        if v > 72:
            raise Problem(f"weekly rest {v:g} h is more than three days", "use 35 (aml § 10-8 (2))")
        return v


class WorkingHoursRule(RuleBase):
    type: Literal["working_hours"]
    averaging: str = "none"
    week_category: Whole = 38

    @field_validator("averaging")
    @classmethod
    def _regime(cls, v):
        if v not in REGIMES:
            raise Problem(f"unknown averaging regime {v!r}",
                          f"use one of {', '.join(REGIMES)} (aml § 10-5 (1)/(2)/(3))")
        return v

    @field_validator("week_category")
    @classmethod
    def _category(cls, v):
        if v not in (40, 38, 36):
            raise Problem("week_category must be 40, 38 or 36",
                          "38 for turnus with every third Sunday (aml § 10-4 (4))")
        return v


class ContractHoursRule(RuleBase):
    type: Literal["contract_hours"]
    norm_hours_per_week: Number = 35.5
    tolerance_hours: bounded(0, 40, "e.g. tolerance_hours: 4 (hours over the whole period)") = 4.0

    @field_validator("norm_hours_per_week")
    @classmethod
    def _norm(cls, v):
        if not 20 <= v <= 40:
            raise Problem(f"norm {v:g} h is not a weekly norm", "use 35.5 (turnus), 33.6 (helkontinuerlig / heavy) "
                          "or 37.5 (day work)")
        return v


class SundayRuleRule(RuleBase):
    type: Literal["sunday_rule"]
    averaging: Flag = False
    window_weeks: Whole = 26
    max_in_row: Whole = 3

    @model_validator(mode="after")
    def _some_sunday(self):
        if self.max_in_row < 1:
            raise at("max_in_row", f"max_in_row {self.max_in_row} would leave no Sunday to work",
                     "use max_in_row: 3 (aml § 10-8 (4))")
        if not 2 <= self.window_weeks <= 52:
            raise at("window_weeks", f"window_weeks {self.window_weeks} would leave no average over Sundays"
                     if self.window_weeks < 2 else f"window_weeks {self.window_weeks} is more than a year",
                     "use window_weeks: 26 (aml § 10-8 (4))")
        if self.max_in_row > self.window_weeks:
            raise at("max_in_row", f"max_in_row {self.max_in_row} is longer than window_weeks {self.window_weeks}",
                     "use max_in_row: 3 and window_weeks: 26 (aml § 10-8 (4))")
        return self


class WeekendFrequencyRule(RuleBase):
    type: Literal["weekend_frequency"]
    every: Cycle = 3
    start: WeekTime = "sat 00:00"
    end: WeekTime = "sun 22:00"

    @model_validator(mode="after")
    def _window(self):
        if week_minute(self.end) <= week_minute(self.start):
            raise at("end", f"the weekend ends ({self.end}) before it starts ({self.start})",
                     "give start and end within one Monday-to-Sunday week, e.g. sat 00:00 and sun 22:00")
        return self


class NightWorkRule(RuleBase):
    type: Literal["night_work"]
    avg_hours_per_24h: bounded(0, 24, "use avg_hours_per_24h: 8 (aml § 10-11 (6))", above=True) = 8.0
    block_weeks: bounded(1, 26, "use block_weeks: 4 (aml § 10-11 (6))", whole=True) = 4


class QuickReturnRule(RuleBase):
    type: Literal["quick_return"]
    min_hours: bounded(0, 16, "e.g. min_hours: 11", above=True) = 11.0


class MaxConsecutiveRule(RuleBase):
    type: Literal["max_consecutive"]
    max: bounded(1, 14, "e.g. max: 6 (days) or max: 3 (nights)", whole=True) = 6
    times: Annotated[list[Literal["dag", "kveld", "natt", "lang"]], Field(min_length=1)] | None = None  # None: all


class MinConsecutiveOffRule(RuleBase):
    type: Literal["min_consecutive_off"]
    min: bounded(1, 7, "e.g. min: 2 (no isolated day off)", whole=True) = 2


PatternItem = Annotated[str, Field(min_length=1)]


class UnwantedPatternsRule(RuleBase):
    type: Literal["unwanted_patterns"]
    patterns: Annotated[list[Annotated[list[PatternItem], Field(min_length=1, max_length=14)]],
                        Field(min_length=1)]


RULE_TYPES: dict[str, type[RuleBase]] = {get_args(m.model_fields["type"].annotation)[0]: m for m in (
    DailyRestRule, WeeklyRestRule, WorkingHoursRule, ContractHoursRule, SundayRuleRule, WeekendFrequencyRule,
    NightWorkRule, QuickReturnRule, MaxConsecutiveRule, MinConsecutiveOffRule, UnwantedPatternsRule)}


def _rule(v: Any) -> RuleBase:
    """One entry, validated by the model of its `type` (the field path then stays rules[i].field)."""
    if isinstance(v, RuleBase):
        return v
    if not isinstance(v, dict):
        raise Problem("each rule must be a mapping", "write `- id: ...` and `type: ...` under it")
    t = v.get("type")
    if not isinstance(t, str) or t not in RULE_TYPES:
        raise at("type", "is missing" if t is None else "is not a rule type",
                 f"use one of {', '.join(RULE_TYPES)}", t if not isinstance(t, (dict, list)) else None)
    model = RULE_TYPES[t]
    for k in v:
        if k not in model.model_fields:
            raise at(k, f"a {t} rule has no field {k!r}",
                     f"its parameters: {', '.join(model.params()) or '(none)'}; every rule: "
                     f"{', '.join(RuleBase.model_fields)}")
    return model.model_validate(v)


RuleEntry = Annotated[RuleBase, PlainValidator(_rule)]


class WorktimeRulesFile(Sourced):
    kind: Literal["worktime_rules"]
    id: Id | None = None          # default: the file name
    name: str | None = None
    rules: Annotated[list[RuleEntry], Field(min_length=1)]


# ------------------------------------------------------------------------------------- kind: staff
class ExtraShift(Sourced):
    code: Code
    time: Literal["dag", "kveld", "natt", "lang"] = "lang"
    start: Clock
    end: Clock
    paid_hours: ShiftHours
    covers: list[Code] = Field(default_factory=list)      # cover periods it fills; default its own code
    day_type: Literal["all", "hverdag", "helg"] = "all"

    @model_validator(mode="after")
    def _span(self):
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in (self.start, self.end))
        span = (end - start) % 1440 or 1440
        if self.paid_hours > span / 60 + 1e-9:
            raise at("paid_hours", f"paid_hours {self.paid_hours:g} is longer than the shift {self.start}-{self.end} "
                     f"({span / 60:g} h)", "correct start, end or paid_hours")
        return self


class HeadsRange(Strict):
    min: Heads = 0.0
    preferred: Heads | None = None   # default: min

    @model_validator(mode="after")
    def _order(self):
        if self.preferred is not None and self.preferred < self.min:
            raise at("preferred", f"preferred {self.preferred:g} is below min {self.min:g}",
                     "give preferred >= min")
        return self


def _heads(v: Any) -> float | dict:
    """A head count, or {min, preferred}: kept as plain data for the requirement code."""
    if isinstance(v, dict):
        r = HeadsRange.model_validate(v)
        return {"min": r.min, "preferred": r.min if r.preferred is None else r.preferred}
    return _HEADS.validate_python(v)


_HEADS = TypeAdapter(Heads)
# shift id -> group -> heads (or {min, preferred})
Cover = dict[str, dict[str, Annotated[Any, PlainValidator(_heads)]]]


def _unavailable(v: Any) -> tuple[dt.date, dt.date]:
    """A date or a range `YYYY-MM-DD..YYYY-MM-DD` (at most a year)."""
    if isinstance(v, str) and ".." in v:
        a, b = (_day(x.strip()) for x in v.split("..", 1))
        if b < a:
            raise Problem(f"the range ends ({b}) before it starts ({a})",
                          "write FIRST..LAST, e.g. 2027-01-18..2027-01-22")
        if (b - a).days > 366:
            raise Problem("the range is longer than a year", "give the days off within the roster's horizon")
        return a, b
    d = _day(v)
    return d, d


def _person_id(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)) or str(v).strip() == "":
        raise Problem("is not a staff id", "give every person an id (as in the roster's first column), e.g. spl01")
    return str(v)


class Wish(Strict):
    date: Day
    off: Flag = False
    shift: Code | None = None
    weight: Weight = 1

    @model_validator(mode="before")
    @classmethod
    def _off_key(cls, v):
        # YAML 1.1 reads an unquoted key `off` as the boolean false
        return {("off" if k is False else k): x for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _what(self):
        if self.off == (self.shift is not None):
            raise Problem("a wish is either off: true or shift: CODE", "e.g. {date: 2027-01-20, off: true, weight: 5}")
        return self


class Person(Strict):
    id: Annotated[str, PlainValidator(_person_id)]
    group: Id
    percent: Percent | None = None
    weekend_every: Cycle | None = None
    shifts: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None = None  # times or codes
    unavailable: list[Annotated[tuple[dt.date, dt.date], PlainValidator(_unavailable)]] = Field(default_factory=list)
    night_exempt: Flag = False
    long_shifts: Flag = True
    wishes: list[Wish] = Field(default_factory=list)
    note: str | None = None

    @field_validator("shifts", mode="before")
    @classmethod
    def _one_shift(cls, v):
        return [v] if isinstance(v, str) else v    # shifts: natt is shifts: [natt]

    @model_validator(mode="after")
    def _contract(self):
        if self.percent is None:
            raise at("percent", f"{self.id} has no contract (percent)",
                     "add percent: the stillingsprosent, e.g. percent: 75")
        return self


class StaffFileSpec(Sourced):
    kind: Literal["staff"]
    id: Id | None = None
    name: str | None = None
    unit: Annotated[str, Field(min_length=1)] | None = None     # the unit the staff belong to (relative path)
    rules: Annotated[str, Field(min_length=1)] | None = None    # default worktime rules (relative path)
    start: Day | None = None
    substitutes: dict[Id, list[Id]] | None = None
    shift_codes: dict[Id, Code] | None = None
    extra_shifts: list[ExtraShift] = Field(default_factory=list)
    cover: Cover | None = None
    staff: Annotated[list[Person], Field(min_length=1)]

    @field_validator("start")
    @classmethod
    def _monday(cls, v):
        # the shortest roster (one week) must lie in the calendar; the commands check the whole horizon
        bad = calendar_outside(v, 7) if v is not None else None
        if bad:
            lo, hi = CALENDAR_YEARS
            raise Problem(bad, f"give the roster's first day (a Monday) from {lo} to {hi}, e.g. 2027-01-04")
        if v is not None and v.weekday() != 0:
            raise Problem(f"{v} is a {v.strftime('%A')}; a roster starts on a Monday",
                          f"use {v - dt.timedelta(v.weekday())}")
        return v


# ----------------------------------------------------------------------------- kind: roster_models
def _weeks(v: Any) -> int:
    """`auto` (0: per model) or whole weeks."""
    if v == "auto":
        return 0
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 53:
        raise Problem("must be auto or a whole number of weeks from 1 to 53",
                      "e.g. weeks: 12 (a multiple of 2, 3 and 4), or weeks: auto")
    return v


class RosterModelSpec(Sourced):
    id: Id
    name: str | None = None
    weekend_every: Cycle | None = None
    weekday: Literal["traditional", "long"] = "traditional"
    weekend: Literal["traditional", "long"] = "traditional"
    skip: Annotated[str, Field(min_length=1)] | None = None    # why the model is not computed

    @model_validator(mode="after")
    def _cycle(self):
        if self.skip is None and self.weekend_every is None:
            raise at("weekend_every", f"model {self.id!r} has no weekend_every", "e.g. weekend_every: 3")
        return self


class RosterModelsFile(Sourced):
    kind: Literal["roster_models"]
    id: Id | None = None
    name: str | None = None
    rules: Annotated[str, Field(min_length=1)] | None = None
    weeks: Annotated[int, PlainValidator(_weeks)] = 0
    min_position: bounded(1, 100, "e.g. min_position: 20 (a whole percent)", whole=True) = 20
    time_limit: bounded(0, 3600, "give seconds per model, e.g. time_limit: 60", above=True) = 30.0
    long_shift: ExtraShift | None = None
    models: Annotated[list[RosterModelSpec], Field(min_length=1)]
