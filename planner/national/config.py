"""Load and validate a national scenario file (`kind: national`) into plain, frozen data.

Every problem raises `planner.io.errors.InputError(file, field, problem, fix)`; nothing here solves a unit.
"""

from __future__ import annotations

import copy
import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from planner.io.errors import InputError
from planner.io.loader import read_yaml

LEVERS = ("task_sharing", "technology", "part_time", "sick_leave")
HELSEMOD_COLUMNS = (
    "supply_2019", "supply_2040", "need_2019", "parttime_min70_2040", "parttime_full_2040",
)


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


@dataclass(frozen=True)
class Archetype:
    id: str
    unit_path: Path
    volume_driver: str
    service_area: str
    calibration_target: float | None
    calibration_year: int | None
    check: dict[str, Any] | None


@dataclass(frozen=True)
class TechSaving:
    family: str
    share: float


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


@dataclass(frozen=True)
class Uncertainty:
    mix_sd_common: float = 0.0
    mix_sd_unit: float = 0.0
    minutes_sd_common: float = 0.0
    minutes_sd_task: float = 0.0
    adoption_low: float = 1.0
    adoption_high: float = 1.0


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

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    def national_group(self, unit_group: str) -> str:
        return self.unit_group_map.get(unit_group, unit_group)


# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------
class _V:
    """Validation context for one file."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, field_: str, problem: str, fix: str) -> None:
        raise InputError(self.path, field_, problem, fix)

    def get(self, d: Any, key: str, where: str, kind: type | tuple = object, required: bool = True,
            default: Any = None) -> Any:
        if not isinstance(d, dict):
            self.fail(where, "expected a mapping", f"write `{where}` as `key: value` pairs")
        if key not in d or d[key] is None:
            if required:
                self.fail(_join(where, key), "missing",
                          f"add `{key}:` under `{where}`" if where else f"add `{key}:` at the top level")
            return default
        val = d[key]
        if kind is not object and not isinstance(val, kind):
            self.fail(_join(where, key), f"expected {_kind_name(kind)}, got {val!r}",
                      f"write `{key}` as {_kind_name(kind)}")
        return val

    def mapping(self, d: Any, key: str, where: str) -> dict:
        """An optional mapping: {} when absent, an input error when it is something else."""
        val = self.get(d, key, where, required=False, default={})
        if not isinstance(val, dict):
            self.fail(_join(where, key), f"expected a mapping, got {val!r}", f"write `{key}` as `key: value` pairs")
        return val

    def entry(self, val: Any, where: str) -> dict:
        """One entry of a mapping or list that must itself be a mapping."""
        if not isinstance(val, dict):
            self.fail(where, f"expected a mapping, got {val!r}", f"write `{where}` as `key: value` pairs")
        return val

    def number(self, d: Any, key: str, where: str, required: bool = True, default: Any = None,
               minimum: float | None = 0.0, maximum: float | None = None) -> float | None:
        val = self.get(d, key, where, required=required, default=default)
        if val is None:
            return None
        return self.check_number(val, _join(where, key), minimum, maximum)

    def check_number(self, val: Any, field_: str, minimum: float | None = 0.0,
                     maximum: float | None = None) -> float:
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
            self.fail(field_, f"expected a number, got {val!r}", "write a plain number (decimal point, no spaces)")
        if minimum is not None and val < minimum:
            self.fail(field_, f"{val} is below {minimum}", f"use a value >= {minimum}")
        if maximum is not None and val > maximum:
            self.fail(field_, f"{val} is above {maximum}", f"use a value <= {maximum}")
        return float(val)

    def sourced(self, d: dict, where: str) -> None:
        if not isinstance(d, dict):
            return
        if not d.get("source") and d.get("illustrative") is not True:
            self.fail(f"{where}.source", "no source given",
                      "add `source:` (`KEY, place` of docs/sources.md, or a URL) or mark it `illustrative: true`")

    def curve(self, d: Any, where: str, lo: float = 0.0, hi: float | None = 1.0) -> Curve:
        if not isinstance(d, dict) or not d:
            self.fail(where, "expected a mapping year -> value", f"write e.g. `{where.split('.')[-1]}: {{2025: 0.1, 2040: 0.6}}`")
        pts = []
        for k, v in d.items():
            try:
                y = int(k)
            except (TypeError, ValueError):
                self.fail(f"{where}.{k}", "year is not an integer", "use years as keys, e.g. 2030")
            pts.append((y, self.check_number(v, f"{where}.{k}", lo, hi)))
        pts.sort()
        return Curve(tuple(pts))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind_name(kind: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", int: "an integer", float: "a number", bool: "true/false"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def _read_yaml(path: Path) -> dict:
    data, _ = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(path, "", "the file is not a YAML mapping", "start the file with `kind: national`")
    return data


def deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# ----------------------------------------------------------------------------------------------
# Loader
# ----------------------------------------------------------------------------------------------
def load_national(path: str | Path) -> NationalConfig:
    path = Path(path)
    raw = _read_yaml(path)
    v = _V(path)
    if raw.get("kind") != "national":
        v.fail("kind", f"expected `national`, got {raw.get('kind')!r}", "start the file with `kind: national`")
    base_year = int(v.number(raw, "base_year", ""))
    years = v.get(raw, "years", "", dict)
    start = int(v.number(years, "start", "years"))
    end = int(v.number(years, "end", "years"))
    if end < start:
        v.fail("years", f"end {end} is before start {start}", "make `years.end` >= `years.start`")
    seed = int(v.number(raw, "seed", "", required=False, default=0))

    # --- HELSEMOD scenarios
    hm = v.get(raw, "helsemod", "", dict)
    v.sourced(hm, "helsemod")
    hm_scen: dict[str, HelsemodScenario] = {}
    for sid, s in v.get(hm, "scenarios", "helsemod", dict).items():
        w = f"helsemod.scenarios.{sid}"
        tot = v.get(s, "totals_2040", w, dict)
        hm_scen[sid] = HelsemodScenario(
            id=sid, name=str(s.get("name", sid)),
            standard_growth=v.number(s, "standard_growth", w, minimum=-0.1, maximum=0.1),
            productivity_growth=v.number(s, "productivity_growth", w, minimum=-0.1, maximum=0.1),
            family_care=str(s.get("family_care", "")), health_improvement=bool(s.get("health_improvement", False)),
            totals_2040={k: v.number(tot, k, f"{w}.totals_2040", minimum=None) for k in ("need", "supply", "gap")},
        )
    hm_end = 2040  # the NOU tables end in 2040
    if start < base_year or end > hm_end:
        v.fail("years", f"{start}-{end} lies outside the data ({base_year}-{hm_end}: HELSEMOD base year to the "
               "last year of NOU2023:4, Tabell 2.1, 2.2 and 2.5)",
               f"choose years within {base_year}-{hm_end}")

    # --- groups table
    graw = v.get(raw, "groups", "", dict)
    table = path.parent / v.get(graw, "table", "groups", str)
    cols = v.get(graw, "columns", "groups", dict)
    for c, meta in cols.items():
        v.sourced(v.entry(meta, f"groups.columns.{c}"), f"groups.columns.{c}")
    basis = graw.get("need_2040_basis", "gap_table")
    if basis not in ("gap_table", "demand_table"):
        v.fail("groups.need_2040_basis", f"unknown basis {basis!r}",
               "use `gap_table` (need = supply + shortfall, NOU2023:4, Tabell 2.2 and 2.1) or `demand_table` (NOU2023:4, Tabell 2.5)")
    groups = _read_group_table(table, hm_scen, v, cols, basis)
    for gid, anchors in v.mapping(graw, "supply_anchors", "groups").items():
        w = f"groups.supply_anchors.{gid}"
        v.sourced(v.entry(anchors, w), w)
        if gid not in groups:
            v.fail(w, f"unknown group {gid!r}", f"use one of {sorted(groups)}")
        extra = {int(k): v.check_number(val, f"{w}.{k}") for k, val in anchors.items()
                 if str(k).isdigit()}
        g = groups[gid]
        groups[gid] = _replace(g, supply_anchors={**g.supply_anchors, **extra})
    unit_group_map = {str(k): str(val) for k, val in v.mapping(graw, "unit_group_map", "groups").items()}

    # --- service areas
    areas: dict[str, ServiceArea] = {}
    for aid, a in v.get(raw, "service_areas", "", dict).items():
        w = f"service_areas.{aid}"
        v.sourced(a, w)
        f40 = v.get(a, "fte_2040", w, dict)
        for sid in hm_scen:
            if sid not in f40:
                v.fail(f"{w}.fte_2040.{sid}", "missing", f"add the 2040 årsverk for `{sid}`")
        areas[aid] = ServiceArea(aid, v.number(a, "fte_2019", w, minimum=1e-9),
                                 {k: v.check_number(x, f"{w}.fte_2040.{k}", 1e-9) for k, x in f40.items()})

    for gid, nh in v.mapping(graw, "non_helsemod", "groups").items():
        w = f"groups.non_helsemod.{gid}"
        v.sourced(nh, w)
        area = v.get(nh, "service_area", w, str)
        if area not in areas:
            v.fail(f"{w}.service_area", f"unknown service area {area!r}", f"use one of {sorted(areas)}")
        groups[gid] = GroupData(id=gid, label=gid, helsemod=False,
                                need_base=v.number(nh, "need_base", w),
                                base_year=int(v.number(nh, "base_year", w)), service_area=area)

    # --- volume drivers
    drivers: dict[str, VolumeDriver] = {}
    for did, d in v.get(raw, "volume_drivers", "", dict).items():
        w = f"volume_drivers.{did}"
        v.sourced(d, w)
        val = v.get(d, "value", w)
        val = v.check_number(val, f"{w}.value", minimum=None)
        if val < 0:
            v.fail(f"{w}.value", f"negative volume {val:g}", "give the national count (places, users, beds) as a number >= 0")
        drivers[did] = VolumeDriver(did, val, int(v.number(d, "year", w)), str(d.get("unit", "")))

    # --- archetypes
    archetypes = []
    seen = set()
    for i, a in enumerate(v.get(raw, "archetypes", "", list)):
        w = f"archetypes[{i}]"
        aid = v.get(a, "id", w, str)
        w = f"archetypes[{i}] ({aid})"
        if aid in seen:
            v.fail(f"{w}.id", "duplicate archetype id", "give each archetype its own id")
        seen.add(aid)
        unit = path.parent / v.get(a, "unit", w, str)
        drv = v.get(a, "volume_driver", w, str)
        if drv not in drivers:
            v.fail(f"{w}.volume_driver", f"unknown volume driver {drv!r}",
                   f"use one of {sorted(drivers)} or add it under `volume_drivers`")
        area = v.get(a, "service_area", w, str)
        if area not in areas:
            v.fail(f"{w}.service_area", f"unknown service area {area!r}", f"use one of {sorted(areas)}")
        cal = a.get("calibration")
        target = year = None
        if cal is not None:
            v.sourced(v.entry(cal, f"{w}.calibration"), f"{w}.calibration")
            target = v.number(cal, "target_fte", f"{w}.calibration", minimum=1e-9)
            year = int(v.number(cal, "year", f"{w}.calibration"))
        check = a.get("check")
        if check is not None:
            v.sourced(v.entry(check, f"{w}.check"), f"{w}.check")
        archetypes.append(Archetype(aid, unit, drv, area, target, year, check))
    if not archetypes:
        v.fail("archetypes", "no archetypes", "add at least one archetype (unit file + volume driver)")

    # --- levers and scenarios
    lever_defaults = v.get(raw, "levers", "", dict, required=False, default={})
    for name, d in lever_defaults.items():
        if name not in LEVERS:
            v.fail(f"levers.{name}", "unknown lever", f"use one of {list(LEVERS)}")
        if d is not None:
            v.entry(d, f"levers.{name}")
    scen_raw = v.get(raw, "scenarios", "", dict, required=False, default=None)
    if not scen_raw:
        scen_raw = {sid: {"helsemod": sid} for sid in hm_scen}
    scenarios: dict[str, RunScenario] = {}
    for sid, s in scen_raw.items():
        w = f"scenarios.{sid}"
        s = v.entry(s or {}, w)
        base = s.get("helsemod", sid)
        if not isinstance(base, str) or base not in hm_scen:
            v.fail(f"{w}.helsemod", f"unknown HELSEMOD scenario {base!r}", f"use one of {sorted(hm_scen)}")
        over = s.get("levers") or {}
        if not isinstance(over, dict):
            v.fail(f"{w}.levers", "expected a mapping", "write e.g. `levers: {part_time: false}`")
        merged: dict[str, Any] = {}
        where_of: dict[str, str] = {}     # errors point at the scenario when it overrides the lever
        for name in LEVERS:
            o = over.get(name, True)
            if o is False or (name not in lever_defaults and o is True):
                merged[name] = None
            elif o is True:
                merged[name] = lever_defaults[name]
                where_of[name] = f"levers.{name}"
            elif isinstance(o, dict):
                merged[name] = deep_merge(lever_defaults.get(name) or {}, o)
                where_of[name] = f"{w}.levers.{name}"
            else:
                v.fail(f"{w}.levers.{name}", f"expected true, false or a mapping, got {o!r}", "write true, false or overrides")
        for name in over:
            if name not in LEVERS:
                v.fail(f"{w}.levers.{name}", "unknown lever", f"use one of {list(LEVERS)}")
        levers = _parse_levers(merged, v, where_of, groups)
        arch_ids = [a.id for a in archetypes]
        subset = s.get("archetypes")
        if subset is not None:
            if not isinstance(subset, list):
                v.fail(f"{w}.archetypes", "expected a list of archetype ids", f"write e.g. `archetypes: [{arch_ids[0]}]`")
            for k, aid in enumerate(subset):
                if aid not in arch_ids:
                    v.fail(f"{w}.archetypes[{k}]", f"unknown archetype {aid!r}",
                           f"use one of {arch_ids} or add it under `archetypes:`")
        sg = s.get("standard_growth")
        pg = s.get("productivity_growth")
        scenarios[sid] = RunScenario(
            sid, base, levers,
            None if sg is None else v.check_number(sg, f"{w}.standard_growth", -0.1, 0.1),
            None if pg is None else v.check_number(pg, f"{w}.productivity_growth", -0.1, 0.1),
            None if subset is None else tuple(subset))

    mc = v.mapping(raw, "monte_carlo", "")
    draws = int(v.number(mc, "draws", "monte_carlo", required=False, default=50, minimum=1))
    upa = int(v.number(mc, "units_per_archetype", "monte_carlo", required=False, default=1, minimum=1))
    u = v.mapping(raw, "uncertainty", "")
    pm, tm, ap = (v.mapping(u, k, "uncertainty") for k in ("patient_mix", "task_minutes", "adoption_pace"))
    for k, d in (("patient_mix", pm), ("task_minutes", tm), ("adoption_pace", ap)):
        if d:
            v.sourced(d, f"uncertainty.{k}")
    unc = Uncertainty(
        mix_sd_common=v.number(pm, "sd_common", "uncertainty.patient_mix", False, 0.0, 0, 3),
        mix_sd_unit=v.number(pm, "sd_unit", "uncertainty.patient_mix", False, 0.0, 0, 3),
        minutes_sd_common=v.number(tm, "sd_common", "uncertainty.task_minutes", False, 0.0, 0, 2),
        minutes_sd_task=v.number(tm, "sd_task", "uncertainty.task_minutes", False, 0.0, 0, 2),
        adoption_low=v.number(ap, "low", "uncertainty.adoption_pace", False, 1.0, 0, 10),
        adoption_high=v.number(ap, "high", "uncertainty.adoption_pace", False, 1.0, 0, 10),
    )
    if unc.adoption_low > unc.adoption_high:
        v.fail("uncertainty.adoption_pace", "low is above high", "make `low` <= `high`")

    sol = v.mapping(raw, "solve", "")
    relax = sol.get("relax", False)
    if not isinstance(relax, bool):
        v.fail("solve.relax", f"expected true/false, got {relax!r}", "write `relax: true` or `relax: false`")
    tl = v.number(sol, "time_limit", "solve", required=False, default=None, minimum=0.001)

    return NationalConfig(
        path=path, id=str(raw.get("id", path.stem)), name=str(raw.get("name", "")), base_year=base_year,
        start=start, end=end, seed=seed, groups=groups, unit_group_map=unit_group_map, helsemod=hm_scen,
        service_areas=areas, volume_drivers=drivers, archetypes=tuple(archetypes), scenarios=scenarios,
        draws=draws, units_per_archetype=upa, uncertainty=unc, raw=raw, relax=relax, time_limit=tl,
    )


def _replace(obj, **kw):
    import dataclasses
    return dataclasses.replace(obj, **kw)


def _read_group_table(table: Path, hm_scen: dict[str, HelsemodScenario], v: _V, cols: dict,
                      basis: str = "gap_table") -> dict[str, GroupData]:
    try:
        with table.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        v.fail("groups.table", f"file not found: {table}", "point `groups.table` at the CSV next to this file")
    except UnicodeDecodeError:
        v.fail("groups.table", f"{table} is not UTF-8 text", "save the table as CSV in UTF-8")
    except OSError as e:
        v.fail("groups.table", f"cannot read {table}: {e.strerror}", "point `groups.table` at a readable CSV file")
    tv = _V(table)
    needed = list(HELSEMOD_COLUMNS) + [f"need_2040_{s}" for s in hm_scen] + [f"gap_2040_{s}" for s in hm_scen]
    header = rows[0].keys() if rows else []
    for c in needed:
        if c not in header:
            tv.fail(c, "column missing", f"add column `{c}` (one row per group)")
        if c not in cols:
            v.fail(f"groups.columns.{c}", "no source for this column", f"add `{c}: {{source: ...}}` under `groups.columns`")
    out: dict[str, GroupData] = {}
    for i, r in enumerate(rows, start=2):
        gid = (r.get("group") or "").strip()
        if not gid:
            tv.fail(f"row {i}.group", "empty group id", "give the catalogue group id")
        if gid in out:
            tv.fail(f"row {i}.group", f"group {gid!r} appears twice", "keep one row per group")

        def num(c: str, allow_blank: bool = False) -> float | None:
            s = (r.get(c) or "").strip()
            if not s:
                if allow_blank:
                    return None
                tv.fail(f"row {i} ({gid}).{c}", "empty", "fill in the number")
            try:
                x = float(s)
            except ValueError:
                tv.fail(f"row {i} ({gid}).{c}", f"not a number: {s!r}", "use a plain number (no spaces, decimal point)")
            if c.startswith(("supply", "need", "parttime")) and x < 0:
                tv.fail(f"row {i} ({gid}).{c}", f"negative value {x:g}", "årsverk cannot be negative")
            return x

        out[gid] = GroupData(
            id=gid, label=(r.get("nou_label") or gid).strip(), helsemod=True,
            supply_anchors={2019: num("supply_2019"), 2040: num("supply_2040")},
            need_anchors={s: {2019: num("need_2019"),
                              2040: (num("supply_2040") - num(f"gap_2040_{s}")) if basis == "gap_table"
                              else num(f"need_2040_{s}")} for s in hm_scen},
            gap_2040={s: num(f"gap_2040_{s}") for s in hm_scen},
            parttime_2040={"min70": num("parttime_min70_2040"), "full": num("parttime_full_2040")},
        )
    return out


def _parse_levers(m: dict[str, Any], v: _V, where_of: dict[str, str], groups: dict) -> Levers:
    """`m`: lever name -> merged mapping (or None = off); `where_of`: the field path each came from."""
    def lever(name: str) -> dict | None:
        d = m.get(name)
        if d is None:
            return None
        w = where_of[name]
        v.entry(d, w)
        if not d.get("source") and d.get("illustrative") is not True:
            v.fail(f"{w}.source", f"lever `{name}` has no source",
                   "add `source:` (`KEY, place` of docs/sources.md, or a URL) or mark it `illustrative: true`")
        return d

    ts = tech = pt_ramp = sl_ramp = None
    savings: tuple[TechSaving, ...] = ()
    pt_variant = sl_target = None
    sl_current: dict[str, float] = {}
    if (d := lever("task_sharing")) is not None:
        ts = v.curve(d.get("adoption"), f"{where_of['task_sharing']}.adoption")
    if (d := lever("technology")) is not None:
        w = where_of["technology"]
        tech = v.curve(d.get("adoption"), f"{w}.adoption")
        savings = _tech_savings(d, v, w)
    if (d := lever("part_time")) is not None:
        w = where_of["part_time"]
        pt_variant = d.get("variant")
        if pt_variant not in ("min70", "full"):
            v.fail(f"{w}.variant", f"unknown variant {pt_variant!r}",
                   "use `min70` (everyone at least 70 %) or `full` (everyone full-time), NOU2023:4, Tabell 9.1")
        pt_ramp = v.curve(d.get("ramp"), f"{w}.ramp")
    if (d := lever("sick_leave")) is not None:
        w = where_of["sick_leave"]
        sl_target = v.number(d, "target_share", w, maximum=0.99)
        sl_current = _sick_leave_current(d, v, w, groups)
        sl_ramp = v.curve(d.get("ramp"), f"{w}.ramp")
    return Levers(ts, tech, savings, pt_variant, pt_ramp, sl_target, sl_current, sl_ramp)


def _tech_savings(d: dict, v: _V, where: str) -> tuple[TechSaving, ...]:
    items = d.get("savings") or []
    if not isinstance(items, list):
        v.fail(f"{where}.savings", f"expected a list, got {items!r}",
               "write each saving as a list item: `- {family: ..., share: 0.3, source: ...}`")
    out = []
    for i, s in enumerate(items):
        w = f"{where}.savings[{i}]"
        v.sourced(v.entry(s, w), w)
        out.append(TechSaving(str(v.get(s, "family", w, str)), v.number(s, "share", w, maximum=1.0)))
    return tuple(out)


def _sick_leave_current(d: dict, v: _V, where: str, groups: dict) -> dict[str, float]:
    out = {}
    for g, x in v.mapping(d, "current", where).items():
        out[str(g)] = v.check_number(x, f"{where}.current.{g}", 0, 0.99)
        if g not in groups:
            v.fail(f"{where}.current.{g}", f"unknown group {g!r}", f"use one of {sorted(groups)}")
    return out
