"""Load a national scenario file (`kind: national`) and its groups table into plain, frozen data.

The file's shape, types and ranges are planner.national.schema's models; this module checks what
needs more than one section (does this group, driver, area or archetype exist), reads the groups table
(planner.national.table) and merges each scenario's lever overrides. Every problem raises one
`planner.io.errors.InputError` naming the file, the field (with its line) and a fix; nothing here
solves a unit.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from planner.io.schema import Id
from planner.national import schema
from planner.national.located import Located, read_kind
from planner.national.table import Row, Table, read_table

LEVERS = schema.LEVERS
# the year of the NOU tables' last columns (`supply_2040`, `gap_2040_*`, `fte_2040`): a data year, not
# the horizon of a run, which is the file's `years.end`
HM_END = 2040
# columns of the groups table every file reads; the per-scenario ones are named after its HELSEMOD scenarios
HELSEMOD_COLUMNS = (
    "supply_2019", "supply_2040", "need_2019", "parttime_min70_2040", "parttime_full_2040",
)
_ID = TypeAdapter(Id)


# ----------------------------------------------------------------------------------------------
# Data classes
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Curve:
    """Piecewise-linear curve over years (flat outside the given points)."""

    points: tuple[tuple[int, float], ...]

    def at(self, year: float) -> float:
        pts = self.points
        if year <= pts[0][0]:
            return pts[0][1]
        if year >= pts[-1][0]:
            return pts[-1][1]
        for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
            if y0 <= year <= y1:
                return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class HelsemodScenario:
    id: str
    name: str
    standard_growth: float
    productivity_growth: float
    family_care: str
    health_improvement: bool
    totals_2040: dict[str, float]


@dataclass(frozen=True)
class GroupData:
    """One national group. `helsemod` groups have supply and need paths from the NOU tables."""

    id: str
    label: str
    helsemod: bool
    supply_anchors: dict[int, float] = field(default_factory=dict)       # year -> årsverk
    need_anchors: dict[str, dict[int, float]] = field(default_factory=dict)  # helsemod scen -> year -> årsverk
    gap_2040: dict[str, float] = field(default_factory=dict)
    parttime_2040: dict[str, float] = field(default_factory=dict)        # variant -> extra årsverk
    # non-HELSEMOD groups
    need_base: float = 0.0
    base_year: int = 0
    service_area: str = ""
    authorised: bool | None = None   # HELSEMOD's groups are all authorised professions; others: see skill.py


@dataclass(frozen=True)
class ServiceArea:
    id: str
    fte_2019: float
    fte_2040: dict[str, float]


@dataclass(frozen=True)
class VolumeDriver:
    id: str
    value: float
    year: int
    unit: str
    spread: Triangle | None = None       # sampled multiplier of `value` (mode 1)


@dataclass(frozen=True)
class Archetype:
    id: str
    unit_path: Path
    volume_driver: str
    service_area: str
    calibration_target: float | None
    calibration_year: int | None
    check: dict[str, Any] | None
    calibration_source: str = ""
    target_spread: Triangle | None = None    # sampled multiplier of the target (mode 1)


@dataclass(frozen=True)
class Triangle:
    """A sampled input: triangular(low, mode, high), `basis` = its source or the reason for its width."""

    low: float
    mode: float
    high: float
    basis: str = ""
    upper_bound: float | None = None


@dataclass(frozen=True)
class TechSaving:
    family: str
    share: float
    spread: Triangle | None = None       # sampled share (mode = `share`)


@dataclass(frozen=True)
class Levers:
    task_sharing: Curve | None
    technology: Curve | None
    tech_savings: tuple[TechSaving, ...]
    part_time_variant: str | None
    part_time_ramp: Curve | None
    sick_leave_target: float | None
    sick_leave_current: dict[str, float]
    sick_leave_ramp: Curve | None

    def fingerprint(self) -> tuple:
        return (
            self.task_sharing, self.technology, self.tech_savings, self.part_time_variant,
            self.part_time_ramp, self.sick_leave_target, tuple(sorted(self.sick_leave_current.items())),
            self.sick_leave_ramp,
        )


@dataclass(frozen=True)
class RunScenario:
    id: str
    helsemod: str
    levers: Levers
    standard_growth: float | None = None       # analyst override of the HELSEMOD value
    productivity_growth: float | None = None
    archetypes: tuple[str, ...] | None = None  # subset of archetypes that task sharing/technology reach
    supply: dict[str, str] = field(default_factory=dict)   # group -> supply basis (overrides the file's)


@dataclass(frozen=True)
class Uncertainty:
    mix_sd_common: float = 0.0
    mix_sd_unit: float = 0.0
    minutes_sd_common: float = 0.0
    minutes_sd_task: float = 0.0
    adoption_low: float = 1.0
    adoption_high: float = 1.0
    part_time: Triangle | None = None      # multiplier of the Tabell 9.1 effect
    sick_leave: Triangle | None = None     # multiplier of the sick-leave effect
    basis: dict[str, str] = field(default_factory=dict)   # input -> its source or width reason


@dataclass(frozen=True)
class Check:
    """A national figure the unit models are checked against (planner.national.validation)."""

    id: str
    measure: str                 # fte_per_volume | share | national_fte
    test: str                    # within | at_most
    archetypes: tuple[str, ...]
    groups: tuple[str, ...] | None
    exclude: tuple[str, ...]
    value: float
    year: int | None
    tolerance: float | None
    tolerance_reason: str
    source: str
    derived: str
    unchecked: str
    field: str                   # where the check is written, for messages
    note: str = ""


@dataclass(frozen=True)
class NationalConfig:
    path: Path
    id: str
    name: str
    base_year: int
    start: int
    end: int
    seed: int
    groups: dict[str, GroupData]
    unit_group_map: dict[str, str]
    helsemod: dict[str, HelsemodScenario]
    service_areas: dict[str, ServiceArea]
    volume_drivers: dict[str, VolumeDriver]
    archetypes: tuple[Archetype, ...]
    scenarios: dict[str, RunScenario]
    draws: int
    units_per_archetype: int
    uncertainty: Uncertainty
    raw: dict[str, Any]
    relax: bool = False
    time_limit: float | None = None
    checks: tuple[Check, ...] = ()
    # groups HELSEMOD does not count: group -> (supply basis, reason); working-age population by year;
    # authorised status where the file states it
    other_supply: dict[str, tuple[str, str]] = field(default_factory=dict)
    working_age: dict[int, float] | None = None
    other_authorised: dict[str, bool] = field(default_factory=dict)
    kommune: Any = None          # planner.national.kommune.Kommune: one kommune's volumes in place of Norway's
    planning_base: str | None = None   # every unit's planning base: a group, "none", or None = each unit's own

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    @property
    def horizon(self) -> int:
        """The year the tables report: the file's last year."""
        return self.end

    def supply_basis(self, scen: RunScenario, group: str) -> str | None:
        """How a group outside HELSEMOD gets its supply in this scenario (None: not stated)."""
        if group in scen.supply:
            return scen.supply[group]
        return self.other_supply[group][0] if group in self.other_supply else None

    def national_group(self, unit_group: str) -> str:
        return self.unit_group_map.get(unit_group, unit_group)


# ----------------------------------------------------------------------------------------------
# Loader
# ----------------------------------------------------------------------------------------------
def deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_national(path: str | Path) -> NationalConfig:
    path = Path(path)
    at = read_kind(path, "national")
    f: schema.NationalFile = at.validate(schema.NationalFile, at.data)
    start, end = f.years.start, f.years.end
    if start < f.base_year or end > HM_END:
        at.fail(("years",), f"{start}-{end} lies outside the data ({f.base_year}-{HM_END}: HELSEMOD base year to "
                "the last year of NOU 2023:4 Tabell 2.1/2.2/2.5)", f"choose years within {f.base_year}-{HM_END}")
    hm = {sid: HelsemodScenario(id=sid, name=s.name or sid, standard_growth=s.standard_growth,
                                productivity_growth=s.productivity_growth, family_care=s.family_care,
                                health_improvement=s.health_improvement, totals_2040=s.totals_2040.model_dump())
          for sid, s in f.helsemod.scenarios.items()}
    areas = _service_areas(f, at, hm)
    groups = _groups(f, at, hm, areas)
    drivers = {did: VolumeDriver(did, d.value, d.year, d.unit, _spread(d.spread))
               for did, d in f.volume_drivers.items()}
    archetypes = _archetypes(f, at, drivers, areas, groups)
    _totals_agree(f, at, hm, groups)
    scenarios = _scenarios(f, at, hm, groups, [a.id for a in archetypes])
    other_supply = _other_groups(f, at, groups, scenarios)
    return NationalConfig(
        path=path, id=f.id or path.stem, name=f.name, base_year=f.base_year, start=start, end=end, seed=f.seed,
        groups=groups, unit_group_map=dict(f.groups.unit_group_map), helsemod=hm, service_areas=areas,
        volume_drivers=drivers, archetypes=archetypes, scenarios=scenarios, draws=f.monte_carlo.draws,
        units_per_archetype=f.monte_carlo.units_per_archetype, uncertainty=_uncertainty(f.uncertainty), raw=at.data,
        relax=f.solve.relax, time_limit=f.solve.time_limit, checks=_checks(f, at, archetypes, groups),
        other_supply=other_supply,
        working_age=dict(f.other_groups.working_age.years) if f.other_groups.working_age else None,
        other_authorised=dict(f.other_groups.authorised), planning_base=f.planning_base,
    )


# ------------------------------------------------------------------ sampled inputs and checks
def basis(entry: Any) -> str:
    """What a sampled input rests on: its source, its width reason, or both."""
    src, why = getattr(entry, "source", None), getattr(entry, "width_reason", None)
    return "; ".join(x for x in (f"source: {src}" if src else "", f"width: {why}" if why else "") if x)


def _spread(sp: Any) -> Triangle | None:
    """A `Spread` (multiplier low..high around 1) as a triangle with mode 1; None when it has no width."""
    return Triangle(sp.low, 1.0, sp.high, basis(sp)) if sp is not None and sp.has_width() else None


def _uncertainty(u: schema.Uncertainty) -> Uncertainty:
    """A section left out, or of zero width, adds no uncertainty from that input."""
    unc: dict[str, Any] = {"basis": {}}
    if u.patient_mix:
        unc.update(mix_sd_common=u.patient_mix.sd_common, mix_sd_unit=u.patient_mix.sd_unit)
        unc["basis"]["patient_mix"] = basis(u.patient_mix)
    if u.task_minutes:
        unc.update(minutes_sd_common=u.task_minutes.sd_common, minutes_sd_task=u.task_minutes.sd_task)
        unc["basis"]["task_minutes"] = basis(u.task_minutes)
    if u.adoption_pace:
        unc.update(adoption_low=u.adoption_pace.low, adoption_high=u.adoption_pace.high)
        unc["basis"]["adoption_pace"] = basis(u.adoption_pace)
    for name, e in (("part_time", u.part_time_effect), ("sick_leave", u.sick_leave_effect)):
        if e is not None:     # even without width: its mode is the lever's nominal multiplier
            unc[name] = Triangle(e.low, e.mode, e.high, basis(e), e.upper_bound)
            unc["basis"][f"{name}_effect"] = basis(e)
    return Uncertainty(**unc)


def _totals_agree(f: schema.NationalFile, at: Located, hm: dict, groups: dict) -> None:
    """The groups table's rows add up to the NOU's printed sums (within the tables' rounding to the
    nearest 100 per row), so a missing group or a mistyped cell is an input error, not a silent offset."""
    rows = [g for g in groups.values() if g.helsemod]
    slack = 50.0 * (len(rows) + 1)
    name = Path(f.groups.table).name
    for sid, h in hm.items():
        sums = {"supply": sum(g.supply_anchors[HM_END] for g in rows), "gap": sum(g.gap_2040[sid] for g in rows)}
        for what, total in sums.items():
            printed = h.totals_2040[what]
            if abs(total - printed) > slack:
                at.fail(("helsemod", "scenarios", sid, "totals_2040", what),
                        f"the rows of {name} add up to {total:,.0f} for {what} 2040, the table's sum is "
                        f"{printed:,.0f}: {abs(total - printed):,.0f} apart, more than the rounding of {len(rows)} "
                        f"rows to the nearest 100 ({slack:,.0f})".replace(",", " "),
                        f"check {name} for a missing group or a wrong cell; if the rows are meant to be a "
                        "subset, give the subset's own totals here")


def _checks(f: schema.NationalFile, at: Located, archetypes: tuple, groups: dict) -> tuple[Check, ...]:
    """`validation:` entries, then each archetype's `check:` as an at-most check of national årsverk."""
    ids = [a.id for a in archetypes]
    out = []
    for i, c in enumerate(f.validation):
        for k, aid in enumerate(c.archetypes):
            if aid not in ids:
                at.fail(("validation", i, "archetypes", k), f"unknown archetype {aid!r}", f"use one of {ids}")
        out.append(Check(c.id, c.measure, c.test, tuple(c.archetypes), None if c.groups is None else tuple(c.groups),
                         tuple(c.exclude), c.value, c.year, c.tolerance, c.tolerance_reason or "", c.source or "",
                         c.derived or "", c.unchecked or "", at.where(("validation", i)), c.note or ""))
    for i, a in enumerate(f.archetypes):
        if a.check is not None:
            out.append(Check(f"{a.id}_{a.check.group}_bound", "national_fte", "at_most", (a.id,), (a.check.group,),
                             (), a.check.upper_bound_fte, None, None, "", a.check.source or "",
                             a.check.derived or "", "", at.where(("archetypes", i, "check")),
                             "the archetype's `check:` (docs/national.md)"))
    return tuple(out)


def _service_areas(f: schema.NationalFile, at: Located, hm: dict) -> dict[str, ServiceArea]:
    for aid, a in f.service_areas.items():
        for sid in hm:
            if sid not in a.fte_2040:
                at.fail(("service_areas", aid, "fte_2040"), f"no 2040 årsverk for HELSEMOD scenario {sid!r}",
                        f"add `{sid}: ...` under `fte_2040` (one value per HELSEMOD scenario)")
        for sid in a.fte_2040:
            if sid not in hm:
                at.fail(("service_areas", aid, "fte_2040", sid), f"unknown HELSEMOD scenario {sid!r}",
                        f"use the ids under `helsemod.scenarios`: {sorted(hm)}")
    return {aid: ServiceArea(aid, a.fte_2019, dict(a.fte_2040)) for aid, a in f.service_areas.items()}


# ---------------------------------------------------------------------------------- groups
def _groups(f: schema.NationalFile, at: Located, hm: dict, areas: dict) -> dict[str, GroupData]:
    g = f.groups
    csv_path = (at.path.parent / g.table).resolve()   # absolute: the run never depends on the working folder
    if not csv_path.is_file():
        at.fail(("groups", "table"), f"{'is a folder' if csv_path.is_dir() else 'file not found'}: {csv_path}",
                "point `groups.table` (relative to this file) at the groups CSV")
    table = read_table(csv_path)
    groups = _group_rows(table, g, at, hm)
    name = csv_path.name
    for gid, anchors in g.supply_anchors.items():
        if gid not in groups:
            at.fail(("groups", "supply_anchors", gid), f"group {gid!r} has no row in {name}",
                    f"add a row for {gid!r} to {name}, or use one of {sorted(groups)}")
        old = groups[gid]
        groups[gid] = dataclasses.replace(old, supply_anchors={**old.supply_anchors, **anchors.years})
    for gid, nh in g.non_helsemod.items():
        if gid in groups:
            at.fail(("groups", "non_helsemod", gid), f"group {gid!r} is also a row of {name}",
                    f"remove it here or from {name}: a group is either HELSEMOD's or outside it")
        if nh.service_area not in areas:
            at.fail(("groups", "non_helsemod", gid, "service_area"), f"unknown service area {nh.service_area!r}",
                    f"use one of {sorted(areas)}")
        groups[gid] = GroupData(id=gid, label=gid, helsemod=False, need_base=nh.need_base,
                                base_year=nh.base_year, service_area=nh.service_area)
    for unit_group, national in g.unit_group_map.items():
        if national not in groups:
            at.fail(("groups", "unit_group_map", unit_group), f"group {national!r} has no row in {name} and is "
                    "not under `groups.non_helsemod`", f"map {unit_group!r} to one of {sorted(groups)}")
    return groups


def _group_rows(t: Table, g: schema.GroupsSection, at: Located, hm: dict) -> dict[str, GroupData]:
    """One GroupData per row of the groups table; every column the file reads is a finite number."""
    per_scenario = ["gap_2040"] + (["need_2040"] if g.need_2040_basis == "demand_table" else [])
    read = list(HELSEMOD_COLUMNS) + [f"{c}_{s}" for c in per_scenario for s in hm]
    if "group" not in t.header:
        t.fail(None, "", "column `group` is missing" + (" (the first header is "
               f"{t.header[0]!r})" if t.header else ""), "name the column of catalogue group ids `group`")
    for c in read:
        if c not in t.header:
            t.fail(None, "", f"column `{c}` is missing", f"add column `{c}`: the file reads it "
                   f"({'need_2040_basis: ' + g.need_2040_basis + ', ' if c.startswith('need_2040') else ''}"
                   f"HELSEMOD scenarios {', '.join(hm)})")
        if c not in g.columns:
            at.fail(("groups", "columns", c), "no source for this column of the table",
                    f"add `{c}: {{source: ...}}` under `groups.columns`")
    for c in g.columns:
        if c not in t.header:
            at.fail(("groups", "columns", c), f"{t.path.name} has no column `{c}`",
                    f"remove the entry or add the column to {t.path.name}")
    if not t.rows:
        t.fail(None, "", "no group rows", "add one row per HELSEMOD group")
    other = [c for c in g.columns if c not in read]     # sourced columns the run does not read: blank or numbers
    out: dict[str, GroupData] = {}
    lines: dict[str, int] = {}
    for r in t.rows:
        gid = r.cells["group"].text.strip()
        if not gid:
            t.fail(r, "group", "empty group id", "give the group's catalogue id, e.g. sykepleier")
        if not _is_id(gid):
            t.fail(r, "group", f"{gid!r} is not a group id", "use the catalogue id: lower-case letters, digits and _")
        if gid in out:
            t.fail(r, "group", f"group {gid!r} appears twice (also line {lines[gid]})", "keep one row per group")
        for c in other:
            t.number(r, c, -schema.MAX_FTE, schema.MAX_FTE, f"a number ({c})", blank=True)
        fte = functools.partial(_fte, t, r)
        s40 = fte("supply_2040")
        gaps = {s: t.number(r, f"gap_2040_{s}", -schema.MAX_FTE, schema.MAX_FTE,
                            f"the group's gap in årsverk (gap_2040_{s})") for s in hm}
        label = r.cells["nou_label"].text.strip() if "nou_label" in r.cells else ""
        lines[gid] = r.line
        out[gid] = GroupData(
            id=gid, label=label or gid, helsemod=True,
            supply_anchors={2019: fte("supply_2019"), 2040: s40},
            need_anchors={s: {2019: fte("need_2019"),
                              2040: s40 - gaps[s] if g.need_2040_basis == "gap_table" else fte(f"need_2040_{s}")}
                          for s in hm},
            gap_2040=gaps,
            parttime_2040={"min70": fte("parttime_min70_2040"), "full": fte("parttime_full_2040")},
        )
    return out


def _fte(t: Table, r: Row, column: str) -> float:
    return t.number(r, column, 0, schema.MAX_FTE, f"the group's årsverk ({column})")


def _is_id(text: str) -> bool:
    try:
        _ID.validate_python(text)
    except ValidationError:
        return False
    return True


# ------------------------------------------------------------------------------ archetypes
def _archetypes(f: schema.NationalFile, at: Located, drivers: dict, areas: dict,
                groups: dict) -> tuple[Archetype, ...]:
    out, seen = [], set()
    for i, a in enumerate(f.archetypes):
        if a.id in seen:
            at.fail(("archetypes", i, "id"), f"duplicate archetype id {a.id!r}", "give each archetype its own id")
        seen.add(a.id)
        if a.volume_driver not in drivers:
            at.fail(("archetypes", i, "volume_driver"), f"unknown volume driver {a.volume_driver!r}",
                    f"use one of {sorted(drivers)} or add it under `volume_drivers`")
        if a.service_area not in areas:
            at.fail(("archetypes", i, "service_area"), f"unknown service area {a.service_area!r}",
                    f"use one of {sorted(areas)}")
        if a.check is not None and a.check.group not in groups:
            at.fail(("archetypes", i, "check", "group"), f"group {a.check.group!r} is not a national group",
                    f"use one of {sorted(groups)}")
        cal = a.calibration
        out.append(Archetype(
            a.id, (at.path.parent / a.unit).resolve(),   # absolute, so Dask workers elsewhere find it too
            a.volume_driver, a.service_area, cal.target_fte if cal else None, cal.year if cal else None,
            at.data["archetypes"][i].get("check"), (cal.source or "") if cal else "",
            _spread(cal.spread) if cal else None))
    return tuple(out)


# ------------------------------------------------------------------------- levers, scenarios
def _scenarios(f: schema.NationalFile, at: Located, hm: dict, groups: dict,
               arch_ids: list[str]) -> dict[str, RunScenario]:
    defaults = at.data.get("levers") or {}
    for name in LEVERS:
        lv = getattr(f.levers, name)
        if lv is not None:
            _known_current(lv, at, ("levers", name), groups)
    given = f.scenarios or {sid: schema.Scenario(helsemod=sid) for sid in hm}
    out: dict[str, RunScenario] = {}
    for sid, s in given.items():
        s = s or schema.Scenario()
        here = ("scenarios", sid)
        base = s.helsemod or sid
        if base not in hm:
            at.fail(here + ("helsemod",), f"unknown HELSEMOD scenario {base!r}", f"use one of {sorted(hm)}")
        for k, aid in enumerate(s.archetypes or []):
            if aid not in arch_ids:
                at.fail(here + ("archetypes", k), f"unknown archetype {aid!r}",
                        f"use one of {arch_ids} or add it under `archetypes:`")
        merged = {name: _lever(f, at, defaults.get(name), s.levers.get(name, True), here + ("levers", name), groups)
                  for name in LEVERS}
        out[sid] = RunScenario(sid, base, _levers(merged), s.standard_growth, s.productivity_growth,
                               None if s.archetypes is None else tuple(s.archetypes), dict(s.supply))
    return out


# ------------------------------------------------------------------ groups outside HELSEMOD
def _other_groups(f: schema.NationalFile, at: Located, groups: dict,
                  scenarios: dict[str, RunScenario]) -> dict[str, tuple[str, str]]:
    """Each group outside HELSEMOD's table with its supply basis and reason; the checks that need the
    units (does every group they staff have a supply?) are in planner.national.skill."""
    o = f.other_groups
    table = Path(f.groups.table).name
    out = {g: (a.basis, a.reason) for g, a in o.supply.items()}
    for g in o.supply:
        if g in groups and groups[g].helsemod:
            at.fail(("other_groups", "supply", g), f"group {g!r} is a row of {table}: its supply comes from the table",
                    f"remove it here; other_groups.supply is for groups {table} does not have")
    for g in o.authorised:
        if g in groups and groups[g].helsemod:
            at.fail(("other_groups", "authorised", g), f"group {g!r} is a row of {table}: HELSEMOD's groups are "
                    "authorised professions", "remove it here")
    for gid, nh in f.groups.non_helsemod.items():
        if nh.supply is not None and gid in o.supply:
            at.fail(("groups", "non_helsemod", gid, "supply"), "the supply is given twice (also under "
                    f"other_groups.supply.{gid})", f"keep `other_groups.supply.{gid}` and remove this line")
        if nh.supply is not None:
            out[gid] = (nh.supply, "stated under groups.non_helsemod")
        if gid not in out:
            at.fail(("groups", "non_helsemod", gid), "no supply assumption for this group",
                    f"add `other_groups.supply.{gid}: {{basis: working_age | flat | follows_baseline_need, "
                    "reason: ...}` (docs/national.md, «Groups outside HELSEMOD»)")
    for sid, scen in scenarios.items():
        for g in scen.supply:
            if g not in out:
                at.fail(("scenarios", sid, "supply", g), f"group {g!r} has no supply assumption to override",
                        f"use one of {sorted(out)} (other_groups.supply)")
    uses_wa = [("other_groups", "supply", g, "basis") for g, (b, _) in out.items() if b == "working_age"] + \
        [("scenarios", sid, "supply", g) for sid, sc in scenarios.items() for g, b in sc.supply.items()
         if b == "working_age"]
    if uses_wa and o.working_age is None:
        at.fail(uses_wa[0], "basis working_age needs the working-age population",
                "add `other_groups.working_age: {2022: ..., 2040: ..., source: ...}` or choose basis flat")
    return out


def _lever(f: schema.NationalFile, at: Located, default: Any, switch: bool | dict, here: tuple,
           groups: dict) -> schema.Lever | None:
    """A scenario's lever: off, the default, or the default with the scenario's overrides merged in."""
    name = here[-1]
    if switch is False or default is None and switch is True:
        return None
    if switch is True:
        return getattr(f.levers, name)
    merged = deep_merge(default or {}, switch)

    def in_file(rel: tuple) -> tuple:   # a merged field's problem is shown where the field was written
        return (("levers", name) + rel) if default and _has(default, rel) and not _has(switch, rel) else here + rel
    try:
        lv = schema.LEVER_MODELS[name].model_validate(merged)
    except ValidationError as e:
        at.fail_validation(e, (), schema.LEVER_MODELS[name], rebase=in_file)
    _known_current(lv, at, here, groups, switch)
    return lv


def _has(d: Any, rel: tuple) -> bool:
    for part in rel:
        if not isinstance(d, dict):
            return False
        key = next((k for k in d if str(k) == str(part)), None)
        if key is None:
            return False
        d = d[key]
    return True


def _known_current(lv: schema.Lever, at: Located, here: tuple, groups: dict, written: dict | None = None) -> None:
    """The sick-leave lever names groups of the table (an override names them where it writes them)."""
    if not isinstance(lv, schema.SickLeave):
        return
    mine = (written or {}).get("current") or {} if written is not None else None
    for g in lv.current:
        if g not in groups:
            loc = (here if mine is None or g in mine else ("levers", "sick_leave")) + ("current", g)
            at.fail(loc, f"group {g!r} has no row in {Path(at.data['groups']['table']).name} and is not under "
                    "`groups.non_helsemod`",
                    f"use one of {sorted(groups)}")


def _curve(points: dict[int, float] | None) -> Curve | None:
    return None if points is None else Curve(tuple(sorted(points.items())))


def _saving_spread(s: schema.TechSaving) -> Triangle | None:
    sp = s.spread
    if sp is None or not sp.has_width():
        return None
    return Triangle(sp.low, s.share, sp.high, basis(sp), s.upper_bound)


def _levers(m: dict[str, Any]) -> Levers:
    ts, tech, pt, sl = (m[k] for k in LEVERS)
    return Levers(
        task_sharing=_curve(ts.adoption) if ts else None,
        technology=_curve(tech.adoption) if tech else None,
        tech_savings=tuple(TechSaving(s.family, s.share, _saving_spread(s)) for s in tech.savings) if tech else (),
        part_time_variant=pt.variant if pt else None, part_time_ramp=_curve(pt.ramp) if pt else None,
        sick_leave_target=sl.target_share if sl else None, sick_leave_current=dict(sl.current) if sl else {},
        sick_leave_ramp=_curve(sl.ramp) if sl else None)
