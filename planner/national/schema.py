"""The national file formats as pydantic models: `kind: national` and `kind: toy_unit`.

One class per section of the file, each field declared once with its type and plausible range
(docs/national.md, «File format», lists them). A new field goes into its section's class here and is
built into planner.national.config's NationalConfig; checks that need another section or the groups
table (does this group, driver or archetype exist) live in config.py. Unknown keys are refused, so a
misspelt field or a block nothing reads is never silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, StrictBool, field_validator, model_validator

from planner.io.schema import Id, Problem, Sourced, Strict


class FieldProblem(Problem):
    """A problem of a whole entry that belongs to one of its fields (`at`), e.g. a missing source."""

    def __init__(self, problem: str, fix: str, at: tuple = ()) -> None:
        super().__init__(problem, fix)
        self.at = at


# ------------------------------------------------------------------------------- bounded numbers
def _n(x: float) -> str:
    """A bound or value as the messages write it: 10 000, 0.25 (also the command line's, run.py)."""
    return f"{int(x):,}".replace(",", " ") if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _bounded(lo: float, hi: float, what: str, above: bool = False):
    """A number in [lo, hi] (or (lo, hi] with `above`), with a message that says what it measures."""
    rng = f"above {_n(lo)} and at most {_n(hi)}" if above else f"between {_n(lo)} and {_n(hi)}"

    def check(x: float) -> float:
        if (x <= lo if above else x < lo) or x > hi:
            if x < 0 <= lo:
                side = "negative"
            elif x > hi:
                side = f"above {_n(hi)}"
            else:
                side = f"not above {_n(lo)}" if above else f"below {_n(lo)}"
            raise Problem(f"{_n(x)} is {side}: {what} lies {rng}", f"give {what} {rng} (docs/national.md)")
        return x
    return check


def Number(lo: float, hi: float, what: str, above: bool = False) -> Any:
    return Annotated[float, Field(strict=True), AfterValidator(_bounded(lo, hi, what, above))]


def Whole(lo: int, hi: int, what: str) -> Any:
    return Annotated[int, Field(strict=True), AfterValidator(_bounded(lo, hi, what))]


MAX_FTE = 2_000_000        # årsverk: all of Norway's employment is under 3 million
Year = Whole(1990, 2100, "a year")
Fte = Number(0, MAX_FTE, "årsverk")
FteAbove0 = Number(0, MAX_FTE, "årsverk", above=True)
Gap = Number(-MAX_FTE, MAX_FTE, "a gap in årsverk")
Growth = Number(-0.1, 0.1, "a yearly growth rate")
Share = Number(0, 1, "a share")
SickShare = Number(0, 0.5, "a sick-leave share")
Volume = Number(0, 10_000_000, "a volume (places, users or beds)", above=True)
Curve = Annotated[dict[Year, Share], Field(min_length=1)]    # year -> share, linear in between
Seconds = Number(0, 86_400, "a time limit in seconds per unit solve", above=True)
# the bounds of `monte_carlo` here are also those of `leon national run --draws / --units` (run.check_request)
DRAWS = (1, 10_000)
VARIANTS = (1, 100)
Draws = Whole(*DRAWS, "the number of draws")
Variants = Whole(*VARIANTS, "unit variants per archetype")
Seed = Whole(0, 2**32 - 1, "a seed")
BaseYear = Whole(1990, 2040, "the HELSEMOD base year")
MixSd = Number(0, 3, "a patient-mix standard deviation")
MinutesSd = Number(0, 2, "a log standard deviation of task minutes")
Pace = Number(0, 5, "an adoption-pace multiplier")
# the toy unit (tests of the national layer only)
ToyMinutes = Number(0, 1440, "minutes of a task", above=True)
PerPatient = Number(0, 100, "occurrences per patient and day")
PerUnit = Number(0, 1000, "occurrences per unit and day")
ToyBeds = Number(0, 100_000, "a volume (places, users or beds)", above=True)
Count = Number(0, 100_000, "a patient count")
WeekHours = Number(0, 60, "hours per week", above=True)
GrossUp = Number(1, 3, "a gross-up factor")


class Cited(Sourced):
    """An entry whose numbers need `source:` (or `illustrative: true`); `derived:` shows our arithmetic
    on sourced numbers, `external:` marks a source outside the seed documents."""

    derived: str | None = None
    external: StrictBool = False
    uncertain: str | None = None

    @model_validator(mode="after")
    def _cited(self):
        if not self.source and not self.illustrative:
            raise FieldProblem("no source given", "add `source:` (document and line, or URL) or mark it "
                               "`illustrative: true`", at=("source",))
        return self


# --------------------------------------------------------------------------------- sampled inputs
Multiplier = Number(0, 10, "a multiplier of the nominal value")


class Sampled(Cited):
    """A sampled input: it needs `source:` (`KEY, place`: where its width comes from) or `width_reason:`
    (why this width); `illustrative: true` alone is not enough. One of zero width samples nothing and
    needs neither."""

    width_reason: str | None = None

    def has_width(self) -> bool:
        return True

    @model_validator(mode="after")
    def _cited(self):      # replaces Cited's rule: a distribution says why it is as wide as it is
        if self.has_width() and not self.source and not self.width_reason:
            raise FieldProblem("a sampled input has neither `source:` nor `width_reason:`",
                               "add `source:` (`KEY, place` where the width comes from) or `width_reason:` "
                               "(why this width), see docs/national.md «Uncertainty»", at=("width_reason",))
        return self


class Spread(Sampled):
    """A triangular multiplier of a nominal value: low ≤ 1 ≤ high (1 = the value as written)."""

    low: Multiplier = 1.0
    high: Multiplier = 1.0

    def has_width(self) -> bool:
        return self.high > self.low

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= 1.0 <= self.high:
            raise FieldProblem(f"low {self.low:g} and high {self.high:g} do not surround 1 (the nominal value)",
                               "give low <= 1 <= high: the spread multiplies the value as written", at=("low",))
        return self


class Effect(Sampled):
    """A triangular multiplier of a lever's effect (low ≤ mode ≤ high). `upper_bound:` is the most the
    source allows (an «opptil»/«inntil» figure, or a what-if of everyone): high may not exceed it and
    the mode must lie below it, so the bound is never read as the likely value."""

    low: Multiplier = 1.0
    mode: Multiplier = 1.0
    high: Multiplier = 1.0
    upper_bound: Multiplier | None = None

    def has_width(self) -> bool:
        return self.high > self.low

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= self.mode <= self.high:
            raise FieldProblem(f"low {self.low:g}, mode {self.mode:g}, high {self.high:g} are not in order",
                               "give low <= mode <= high", at=("mode",))
        _below_bound(self.mode, self.high, self.upper_bound, "mode")
        return self


def _below_bound(mode: float, high: float, bound: float | None, name: str) -> None:
    if bound is None:
        return
    if high > bound:
        raise FieldProblem(f"high {high:g} is above the upper bound {bound:g}",
                           "an upper bound is the most the source allows: make `high` <= `upper_bound`",
                           at=("high",))
    if mode >= bound:
        raise FieldProblem(f"{name} {mode:g} is the upper bound {bound:g} read as a point value",
                           f"sample it below the bound: a `{name}` under {bound:g} with the bound as the "
                           "distribution's maximum, and say why in `width_reason:`", at=(name,))


# ------------------------------------------------------------------------------------------ groups
class ColumnMeta(Cited):
    """Where one column of the groups table comes from."""


class SupplyAnchors(Cited):
    """Extra supply points of one HELSEMOD group, written `2030: 94500` beside the source."""

    years: dict[Year, Fte] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _year_keys(cls, d: Any) -> Any:
        if not isinstance(d, dict):
            return d
        years = {k: v for k, v in d.items() if isinstance(k, int) and not isinstance(k, bool)}
        if not years:
            raise Problem("no year given", "write the årsverk by year, e.g. `2030: 94500`, beside `source:`")
        return {**{k: v for k, v in d.items() if k not in years}, "years": years}


class NonHelsemodGroup(Cited):
    """A group outside HELSEMOD's 14: its need moves with a service area's demand."""

    need_base: Fte
    base_year: Year
    service_area: Id
    # the older way of saying `other_groups.supply.<group>: {basis: follows_baseline_need}`
    supply: Literal["follows_baseline_need"] | None = None


class GroupsSection(Strict):
    table: str
    need_2040_basis: Literal["gap_table", "demand_table"] = "gap_table"
    columns: dict[str, ColumnMeta]
    supply_anchors: dict[Id, SupplyAnchors] = Field(default_factory=dict)
    unit_group_map: dict[Id, Id] = Field(default_factory=dict)
    non_helsemod: dict[Id, NonHelsemodGroup] = Field(default_factory=dict)


# ------------------------------------------------ groups outside HELSEMOD: supply paths and skill
SupplyBasis = Literal["working_age", "flat", "follows_baseline_need"]
Population = Number(0, 100_000_000, "a population")


class WorkingAge(Cited):
    """The population of working age by year (written `2022: 3450000` beside the source): the pool
    that staff without a health education are recruited from."""

    years: dict[Year, Population] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _year_keys(cls, d: Any) -> Any:
        return _years_beside_source(d, "the population by year, e.g. `2022: 3450000`")


def _years_beside_source(d: Any, what: str) -> Any:
    """`{2022: 3450000, source: ...}` -> `{years: {2022: 3450000}, source: ...}`."""
    if not isinstance(d, dict):
        return d
    years = {k: v for k, v in d.items() if isinstance(k, int) and not isinstance(k, bool)}
    if not years:
        raise Problem("no year given", f"write {what} beside `source:`")
    return {**{k: v for k, v in d.items() if k not in years}, "years": years}


class SupplyAssumption(Strict):
    """Where one group's supply comes from when no national table gives it, and why."""

    basis: SupplyBasis
    reason: str = Field(min_length=1)
    note: str | None = None


class OtherGroups(Strict):
    """Groups HELSEMOD does not count (`groups.non_helsemod` and the groups only the units staff):
    each one's supply assumption, and which are authorised health personnel where the units'
    catalogue does not say."""

    working_age: WorkingAge | None = None
    supply: dict[Id, SupplyAssumption] = Field(default_factory=dict)
    authorised: dict[Id, StrictBool] = Field(default_factory=dict)


# --------------------------------------------------------------------------------------- HELSEMOD
class Totals2040(Strict):
    need: Fte
    supply: Fte
    gap: Gap


class HelsemodScenario(Strict):
    name: str | None = None
    standard_growth: Growth
    productivity_growth: Growth
    family_care: str = ""
    health_improvement: StrictBool = False
    totals_2040: Totals2040


class HelsemodSection(Cited):
    scenarios: dict[Id, HelsemodScenario] = Field(min_length=1)


# ------------------------------------------------------------------ service areas, volumes, archetypes
class ServiceArea(Cited):
    """Demand of a HELSEMOD service area, 2019 and 2040 per HELSEMOD scenario."""

    fte_2019: FteAbove0
    fte_2040: dict[Id, FteAbove0]


class VolumeDriver(Cited):
    value: Volume
    year: Year
    unit: str = ""
    spread: Spread | None = None          # sampled multiplier of `value`


class Calibration(Cited):
    target_fte: FteAbove0
    year: Year
    spread: Spread | None = None          # sampled multiplier of `target_fte`


class Check(Cited):
    """A plausibility bound on the archetype's national årsverk of one group."""

    group: Id
    upper_bound_fte: FteAbove0


class Archetype(Strict):
    id: Id
    unit: str
    volume_driver: Id
    service_area: Id
    calibration: Calibration | None = None
    check: Check | None = None


# ------------------------------------------------------------------------------------------- levers
class SavingSpread(Sampled):
    """The range a technology saving is sampled in, triangular with the saving's `share` as its mode."""

    low: Share
    high: Share

    def has_width(self) -> bool:
        return self.high > self.low


class TechSaving(Cited):
    family: str
    share: Share
    upper_bound: Share | None = None      # the most the source allows («opptil 40 prosent»)
    spread: SavingSpread | None = None

    @model_validator(mode="after")
    def _in_spread(self):
        sp = self.spread
        if sp is not None and not sp.low <= self.share <= sp.high:
            raise FieldProblem(f"share {self.share:g} lies outside the spread {sp.low:g}-{sp.high:g}",
                               "give spread.low <= share <= spread.high (share is the likeliest value)",
                               at=("spread", "low"))
        if self.upper_bound is not None:
            if sp is None:
                raise FieldProblem(f"an upper bound ({self.upper_bound:g}) without a spread: the share is a "
                                   "point value", "add `spread: {low: ..., high: ...}` with high <= the bound "
                                   "and a `width_reason:`", at=("spread",))
            try:
                _below_bound(self.share, sp.high, self.upper_bound, "share")
            except FieldProblem as e:
                e.at = ("share",) if e.at == ("share",) else ("spread", "high")
                raise
        return self


class Lever(Sourced):
    """A lever's settings; each lever needs `source:` or `illustrative: true` (NAME says which lever)."""

    NAME: ClassVar[str] = ""

    @model_validator(mode="after")
    def _cited(self):
        if not self.source and not self.illustrative:
            raise FieldProblem(f"lever `{self.NAME}` has no source",
                               "add `source:` (document and line, or URL) or mark it `illustrative: true`",
                               at=("source",))
        return self


class TaskSharing(Lever):
    NAME: ClassVar[str] = "task_sharing"
    adoption: Curve


class Technology(Lever):
    NAME: ClassVar[str] = "technology"
    adoption: Curve
    savings: list[TechSaving] = Field(default_factory=list)


class PartTime(Lever):
    NAME: ClassVar[str] = "part_time"
    variant: Literal["min70", "full"]
    ramp: Curve


class SickLeave(Lever):
    NAME: ClassVar[str] = "sick_leave"
    target_share: SickShare
    current: dict[Id, SickShare] = Field(default_factory=dict)
    ramp: Curve


LEVER_MODELS: dict[str, type[Lever]] = {m.NAME: m for m in (TaskSharing, Technology, PartTime, SickLeave)}
LEVERS = tuple(LEVER_MODELS)
LeverName = Literal["task_sharing", "technology", "part_time", "sick_leave"]


class Levers(Strict):
    """The defaults every scenario starts from (a scenario switches a lever off or overrides fields)."""

    task_sharing: TaskSharing | None = None
    technology: Technology | None = None
    part_time: PartTime | None = None
    sick_leave: SickLeave | None = None


# -------------------------------------------------------------------------------------- scenarios
class Scenario(Strict):
    helsemod: Id | None = None            # default: the scenario's own id
    levers: dict[LeverName, Any] = Field(default_factory=dict)
    standard_growth: Growth | None = None
    productivity_growth: Growth | None = None
    archetypes: list[Id] | None = None
    supply: dict[Id, SupplyBasis] = Field(default_factory=dict)   # override of other_groups.supply bases

    @field_validator("levers")
    @classmethod
    def _switch_or_override(cls, v: dict) -> dict:
        for name, o in v.items():
            if not isinstance(o, (bool, dict)):
                raise FieldProblem(f"expected true, false or a mapping of overrides (got {o!r})",
                                   f"write `{name}: false`, `{name}: true` or e.g. `{name}: {{ramp: {{2040: 1}}}}`",
                                   at=(name,))
        return v


# ------------------------------------------------------------------------- solve and Monte Carlo
class Years(Strict):
    start: Year
    end: Year

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise FieldProblem(f"end {self.end} is before start {self.start}", "make `years.end` >= `years.start`",
                               at=("end",))
        return self


class Solve(Strict):
    relax: StrictBool = False
    time_limit: Seconds | None = None


class MonteCarlo(Sourced):
    draws: Draws = 50
    units_per_archetype: Variants = 1


class PatientMix(Sampled):
    sd_common: MixSd = 0.0
    sd_unit: MixSd = 0.0

    def has_width(self) -> bool:
        return self.sd_common > 0 or self.sd_unit > 0


class TaskMinutes(Sampled):
    sd_common: MinutesSd = 0.0
    sd_task: MinutesSd = 0.0

    def has_width(self) -> bool:
        return self.sd_common > 0 or self.sd_task > 0


class AdoptionPace(Sampled):
    low: Pace = 1.0
    high: Pace = 1.0

    def has_width(self) -> bool:
        return self.high > self.low

    @model_validator(mode="after")
    def _order(self):
        if self.low > self.high:
            raise FieldProblem(f"low {self.low:g} is above high {self.high:g}", "make `low` <= `high`", at=("low",))
        return self


class Uncertainty(Strict):
    patient_mix: PatientMix | None = None
    task_minutes: TaskMinutes | None = None
    adoption_pace: AdoptionPace | None = None
    part_time_effect: Effect | None = None    # multiplier of the Tabell 9.1 effect
    sick_leave_effect: Effect | None = None   # multiplier of the sick-leave lever's effect


# ------------------------------------------------------------------------------------- validation
RefValue = Number(0, MAX_FTE, "a reference figure", above=True)
Tolerance = Number(0, 1, "a tolerance (a share: 0.15 = 15 %, or 0.05 = 5 points of a share)")


class ValidationCheck(Cited):
    """A national figure the unit models can fail: årsverk per volume unit (`fte_per_volume`, the
    unit's baseline before calibration), a group's share of the unit's årsverk (`share`), or national
    årsverk of groups over archetypes after calibration (`national_fte`, moved to `year`).
    `within` passes when the difference is at most `tolerance` (relative; for a share, in points);
    `at_most` when the model does not exceed the figure. `unchecked:` says why the figure could not be
    confirmed in its source; such a line is shown but neither passes nor fails."""

    id: Id
    measure: Literal["fte_per_volume", "share", "national_fte"]
    test: Literal["within", "at_most"] = "within"
    archetypes: list[Id] = Field(min_length=1)
    groups: list[Id] | None = None          # national group ids; default: all
    exclude: list[Id] = Field(default_factory=list)   # `share`: groups left out of the whole
    value: RefValue
    year: Year | None = None                # `national_fte`: the figure's year
    tolerance: Tolerance | None = None
    tolerance_reason: str | None = None
    unchecked: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        if self.test == "within" and (self.tolerance is None or not self.tolerance_reason):
            raise FieldProblem("a `within` check needs `tolerance:` and `tolerance_reason:`",
                               "state the tolerance and why it is that wide, or use `test: at_most`",
                               at=("tolerance",))
        if self.measure == "national_fte" and self.year is None:
            raise FieldProblem("a national_fte check needs the figure's `year:`", "add `year:`", at=("year",))
        if self.measure != "national_fte" and len(self.archetypes) != 1:
            raise FieldProblem(f"{self.measure} compares one unit model with a figure: {len(self.archetypes)} "
                               "archetypes given", "name one archetype (national_fte may add several)",
                               at=("archetypes",))
        if self.measure == "share" and (self.value > 1 or not self.groups):
            raise FieldProblem("a share check needs `groups:` and a value between 0 and 1",
                               "name the groups whose share it is and give the share, e.g. 0.19",
                               at=("value",) if self.groups else ("groups",))
        return self


# ----------------------------------------------------------------------------------- the whole file
class NationalFile(Strict):
    kind: Literal["national"]
    id: Id | None = None                  # default: the file name
    name: str = ""
    base_year: BaseYear
    years: Years
    seed: Seed = 0
    groups: GroupsSection
    helsemod: HelsemodSection
    service_areas: dict[Id, ServiceArea] = Field(min_length=1)
    volume_drivers: dict[Id, VolumeDriver] = Field(min_length=1)
    archetypes: list[Archetype] = Field(min_length=1)
    levers: Levers = Field(default_factory=Levers)
    scenarios: dict[Id, Scenario | None] | None = None   # default: one per HELSEMOD scenario
    solve: Solve = Field(default_factory=Solve)
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    validation: list[ValidationCheck] = Field(default_factory=list)
    other_groups: OtherGroups = Field(default_factory=OtherGroups)
    # the planning base of every archetype unit: a group id (the lowest group that may do tasks needing
    # health competence), `none` (assistants as base), or left out (each unit's own `planning_base`)
    planning_base: Id | None = None
    planning_base_source: str | None = None

    # blocks earlier files carried that nothing reads: refused with what to do instead
    NOT_READ: ClassVar[dict[str, str]] = {
        "sectors": "remove the block: observed årsverk by sector are not an input of the projection",
        "services": "remove the block; a calibration target states its own source and arithmetic under "
                    "`archetypes[].calibration` (`source:`, `derived:`)",
        "group_fte": "remove the block: group årsverk come from the groups table (`groups.table`) and "
                     "`groups.non_helsemod`",
        "position_size": "remove the block: the part-time lever reads NOU Tabell 9.1 effects from the groups "
                         "table (columns parttime_min70_2040, parttime_full_2040)",
        "full_time_share_kommunal_2022": "remove it: the part-time lever reads NOU Tabell 9.1 effects from the "
                                         "groups table",
        "sick_leave": "remove the top-level block; the lever's shares go under `levers.sick_leave` "
                      "(`current:` per group, `target_share:`)",
    }


# ----------------------------------------------------------------------------------------- toy unit
class ToyTask(Strict):
    minutes: ToyMinutes
    family: str | None = None
    per_patient_per_day: PerPatient | dict[Id, PerPatient] = Field(default_factory=dict)
    per_unit_per_day: PerUnit = 0.0
    today: dict[Id, Share] = Field(min_length=1)
    leon: dict[Id, Share] | None = None
    pooled: dict[Id, Share] | None = None   # today's performers in other shares (default: today's)

    @model_validator(mode="after")
    def _pooled_by_todays(self):
        for g in self.pooled or {}:
            if g not in self.today:
                raise FieldProblem(f"{g!r} is not one of today's performers {sorted(self.today)}",
                                   "pooling keeps today's performers: name only groups under `today`",
                                   at=("pooled", g))
        return self


class ToyUnitFile(Strict):
    kind: Literal["toy_unit"]
    id: Id
    type: str = "other"
    beds: ToyBeds
    patient_classes: dict[Id, Count] = Field(min_length=1)
    norm_hours_per_week: WeekHours = 35.5
    gross_up: GrossUp = 1.0
    tasks: dict[Id, ToyTask] = Field(min_length=1)
    authorised: list[Id] = Field(default_factory=list)    # a real unit takes this from its catalogue

    @model_validator(mode="after")
    def _classes(self):
        for tid, t in self.tasks.items():
            for c in t.per_patient_per_day if isinstance(t.per_patient_per_day, dict) else ():
                if c not in self.patient_classes:
                    raise FieldProblem(f"unknown patient class {c!r}", f"use one of {sorted(self.patient_classes)}",
                                       at=("tasks", tid, "per_patient_per_day", c))
        return self


# ------------------------------------------------------------------------------------------ kommune
GrowthIndex = Number(0, 100, "a growth index (relative volume)", above=True)


class KommuneGrowth(Cited):
    """A kommune's own volume path (any base; geometric between the years, flat outside), written
    `2023: 1.0` beside the source; it replaces the national service area's demand index."""

    years: dict[Year, GrowthIndex] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _year_keys(cls, d: Any) -> Any:
        return _years_beside_source(d, "the index by year, e.g. `2023: 1.0` and `2040: 1.3`")


class KommuneVolume(Cited):
    """One kommune's places, users or beds for a national volume driver."""

    value: Volume
    year: Year
    unit: str = ""
    growth: KommuneGrowth | None = None


class KommuneFile(Strict):
    """One kommune's (or region's) volumes in place of the national file's: `leon national run FILE
    --kommune KOMMUNE.yaml`. A volume driver left out has no units in the kommune."""

    kind: Literal["kommune"]
    id: Id
    name: str = ""
    volumes: dict[Id, KommuneVolume] = Field(min_length=1)
    growth: KommuneGrowth | None = None      # for every volume without its own `growth:`


MODELS = {"national": NationalFile, "toy_unit": ToyUnitFile, "kommune": KommuneFile}
