"""Inputs of the roster workflows: the unit's shifts and groups, the staff file, the requirement,
the calendar (Norwegian public holidays), and the plain `Problem` handed to models/roster/cpsat."""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.roster import cpsat as M
from planner.io.errors import InputError
from planner.io.loader import fail_at, load_file, read_text, read_yaml
from planner.roster.rules import RuleSet
from planner.roster.schema import CALENDAR_YEARS, TIMES, Cover, StaffFileSpec, calendar_outside, validate

LETTER = {"dag": "D", "kveld": "K", "natt": "N", "lang": "L"}
DEFAULT_START = dt.date(2027, 1, 4)   # a Monday; fixed so that the same input gives the same roster


# ---------------------------------------------------------------------------------------------
# Unit view: the only parts of a unit the roster needs
# ---------------------------------------------------------------------------------------------
@dataclass
class UnitShift:
    id: str
    day_type: str      # hverdag | helg
    time: str          # dag | kveld | natt | lang
    start: str
    end: str
    paid_hours: float


@dataclass
class GroupInfo:
    id: str
    level: float
    track: str = "care"
    name: str = ""


@dataclass
class UnitView:
    id: str
    path: Path | None
    shifts: list[UnitShift]
    groups: dict[str, GroupInfo]
    norm_hours_per_week: float = 35.5
    _inst: object = None

    def codes(self, overrides: dict[str, str] | None = None) -> dict[str, str]:
        """Unit shift id -> roster code. Same times share a code; D, K, N, L by time of day."""
        out, by_key, used = {}, {}, set()
        for s in self.shifts:
            if overrides and s.id in overrides:
                out[s.id] = overrides[s.id]
                used.add(out[s.id])
        for s in self.shifts:
            if s.id in out:
                continue
            key = (s.time, s.start, s.end, s.paid_hours)
            if key not in by_key:
                base = LETTER[s.time]
                code, k = base, 2
                while code in used:
                    code, k = f"{base}{k}", k + 1
                by_key[key] = code
                used.add(code)
            out[s.id] = by_key[key]
        return out


def _clock(t: str) -> int:
    h, m = t.split(":")
    return int(h) * 60 + int(m)


def load_unit_view(path: str | Path) -> UnitView:
    from planner.staffing.instance import load_unit
    inst = load_unit(path)
    shifts = [UnitShift(s.id, s.day_type, s.time, s.start, s.end, float(s.paid_hours)) for s in inst.shifts]
    groups = {g: GroupInfo(g, float(x.level), x.track, x.name) for g, x in inst.groups.items()}
    norm = float(getattr(inst.fte, "norm_hours_per_week", 35.5) or 35.5)
    return UnitView(inst.id, Path(path), shifts, groups, norm, inst)


def default_substitutes(groups: dict[str, GroupInfo]) -> dict[str, list[str]]:
    """A care group may fill a slot of a care group with a lower level. Only the care track is a
    ladder; the support track holds unrelated trades (cleaning, kitchen, lege, fysioterapeut), so
    nobody substitutes there unless the staff file says so."""
    out = {}
    for g, gi in groups.items():
        if gi.track != "care":
            continue
        subs = sorted((h for h, hi in groups.items() if hi.track == "care" and hi.level > gi.level),
                      key=lambda h: (groups[h].level, h))
        if subs:
            out[g] = subs
    return out


# ---------------------------------------------------------------------------------------------
# Staff file
# ---------------------------------------------------------------------------------------------
@dataclass
class StaffMember:
    id: str
    group: str
    percent: float
    weekend_every: int | None = None
    shifts: list[str] | None = None
    unavailable: list[dt.date] = field(default_factory=list)
    night_exempt: bool = False
    long_shifts: bool = True
    wishes: list[tuple[dt.date, str | None, int]] = field(default_factory=list)


@dataclass
class StaffFile:
    path: Path | None
    staff: list[StaffMember]
    rules: Path | None = None
    substitutes: dict[str, list[str]] | None = None
    shift_codes: dict[str, str] | None = None
    extra_shifts: list[dict] = field(default_factory=list)
    cover: dict | None = None
    start: dt.date | None = None
    unit: Path | None = None          # the unit the file names (`unit:`), resolved; informational
    node: Any = field(default=None, repr=False, compare=False)   # the file's YAML nodes: lines for later checks


_e = fail_at  # one way to name the file, field and line of bad input


def _ref(path: Path, node, field: str, ref: str | None, what: str) -> Path | None:
    """A file the staff file names, resolved against the staff file's folder; it must exist."""
    if ref is None:
        return None
    out = (path.parent / ref).resolve()
    if not out.is_file():
        _e(path, node, (field,), f"{what} {ref!r} does not exist", "correct the path (relative to this file)")
    return out


def load_staff(path: str | Path, unit: UnitView | None = None) -> StaffFile:
    """A `kind: staff` file (format: planner/roster/schema.py). With `unit`, also every check against that
    unit that does not depend on the horizon (groups, substitutes, shift codes, allowed shifts, wishes,
    cover): `leon check` runs the same against the unit the file names."""
    path = Path(path)
    spec: StaffFileSpec = load_file(path, "staff", StaffFileSpec)
    _, node = read_yaml(path)    # lines for the checks below
    seen = set()
    for i, p in enumerate(spec.staff):
        if p.id in seen:
            _e(path, node, ("staff", i, "id"), f"duplicate id {p.id!r}", "give every person their own id")
        seen.add(p.id)
    people = [StaffMember(p.id, p.group, float(p.percent), p.weekend_every, p.shifts,
                          [a + dt.timedelta(days=k) for a, b in p.unavailable for k in range((b - a).days + 1)],
                          p.night_exempt, p.long_shifts,
                          [(w.date, None if w.off else w.shift, w.weight) for w in p.wishes])
              for p in spec.staff]
    sf = StaffFile(path, people, _ref(path, node, "rules", spec.rules, "rule file"), spec.substitutes,
                   spec.shift_codes, [x.model_dump() for x in spec.extra_shifts], spec.cover, spec.start,
                   _ref(path, node, "unit", spec.unit, "unit file"), node)
    if unit is not None:
        _check_against_unit(sf, unit, node)
    return sf


def _check_same_unit(sf: StaffFile, unit: UnitView, node) -> None:
    """A staff file whose `unit:` names another unit (by its id) than the one given: the usual mix-up of two
    units' files, said before the group and shift errors it would cause. A copy of the unit elsewhere, or a
    `unit:` that cannot be read (an upload), is not questioned."""
    if sf.unit is None or unit.path is None or not sf.unit.is_file() or sf.unit.resolve() == Path(unit.path).resolve():
        return
    try:
        data, _ = read_yaml(sf.unit)
    except InputError:
        return
    other = data.get("id") if isinstance(data, dict) else None
    if isinstance(other, str) and other != unit.id:
        _e(sf.path, node, ("unit",), f"this staff file is for unit {other!r} ({sf.unit.name}), not {unit.id!r} "
           f"({Path(unit.path).name})", "give the staff file of this unit, or point `unit:` at this unit's file")


def _check_against_unit(sf: StaffFile, unit: UnitView, node) -> None:
    path, groups = sf.path, unit.groups
    _check_same_unit(sf, unit, node)
    for i, p in enumerate(sf.staff):
        if p.group not in groups:
            _e(path, node, ("staff", i, "group"), f"unknown group {p.group!r} for {p.id}",
               f"use one of the unit's groups: {', '.join(groups)}")
    for g, lst in (sf.substitutes or {}).items():
        for h in [g] + lst:
            if h not in groups:
                _e(path, node, ("substitutes", g), f"unknown group {h!r}",
                   f"use the unit's groups: {', '.join(groups)}")
        for h in lst:
            if groups[h].track == "support" and groups[g].track != "support":
                # the catalogue: support staff never count as care staff
                _e(path, node, ("substitutes", g), f"{h} (support track) may not fill a {g} slot "
                   f"({groups[g].track} track): support staff never count as care staff",
                   f"remove {h} from substitutes.{g}")
            if groups[h].level < groups[g].level:
                _e(path, node, ("substitutes", g), f"{h} (level {groups[h].level:g}) may not fill a {g} slot "
                   f"(level {groups[g].level:g}): substitution only goes upward", f"remove {h} from substitutes.{g}")
    ids = [s.id for s in unit.shifts]
    for sid in sf.shift_codes or {}:
        if sid not in ids:
            _e(path, node, ("shift_codes", sid), f"{sid!r} is not a shift of unit {unit.id}",
               f"use the unit's shifts: {', '.join(ids)}")
    sts = shift_types(unit, sf)[0]
    codes = {s.code for s in sts}
    for j, x in enumerate(sf.extra_shifts):
        for c in x["covers"]:
            if c not in codes:
                _e(path, node, ("extra_shifts", j, "covers"), f"{c!r} is no shift code of unit {unit.id}",
                   f"use the codes {', '.join(sorted(codes))}")
    for i, p in enumerate(sf.staff):
        for t in p.shifts or []:
            if t not in codes and t not in TIMES:
                _e(path, node, ("staff", i, "shifts"), f"unknown shift {t!r} for {p.id}",
                   f"use codes ({', '.join(sorted(codes))}) or times ({', '.join(TIMES)})")
        # here, not when the roster is made, so that `leon check` refuses what the commands refuse
        mine = [st for st in sts if p.shifts is None or st.code in p.shifts or st.time in p.shifts]
        if not mine:   # e.g. shifts: [lang] on a unit without long shifts: a person who can work nothing
            _e(path, node, ("staff", i, "shifts"), f"{p.id} may work no shift: none of the unit's shifts "
               f"({', '.join(f'{st.code} {st.time}' for st in sts)}) is among {', '.join(p.shifts or [])}",
               "give a shift code or time the unit has, or add the shift under extra_shifts")
        if p.night_exempt and mine and all(st.time == "natt" for st in mine):
            _e(path, node, ("staff", i, "night_exempt"), f"{p.id} may work no shift: every shift allowed "
               f"({', '.join(st.code for st in mine)}) is a night, and night_exempt: true takes nights away",
               "drop night_exempt, or give the person day or evening shifts in shifts:")
        for j, (_, code, _) in enumerate(p.wishes):
            if code is not None and code not in codes:
                _e(path, node, ("staff", i, "wishes", j, "shift"), f"unknown shift code {code!r}",
                   f"use one of {', '.join(sorted(codes))}")
    if sf.cover is not None:
        check_cover(sf.cover, unit, path, "cover", node)


# ---------------------------------------------------------------------------------------------
# Requirement
# ---------------------------------------------------------------------------------------------
def load_requirement(path: str | Path, unit: UnitView) -> dict[str, dict[str, float]]:
    """`leon solve --json` output -> {unit shift id: {group: heads}} (results.leon.staff)."""
    path = Path(path)
    text = read_text(path)  # a regular file of sensible size, recorded as read
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, "", f"is not valid JSON ({e})", "give the JSON written by `leon solve --json`") from None
    staff = None
    if isinstance(data, dict):
        res = data.get("results", data)
        mode = res.get("leon") if isinstance(res, dict) else None
        staff = mode.get("staff") if isinstance(mode, dict) else None
    if not isinstance(staff, dict):
        raise InputError(path, "results.leon.staff", "missing", "run `leon solve UNIT --json PATH` and pass that file")
    uid = data.get("unit", {}).get("id") if isinstance(data.get("unit"), dict) else data.get("unit")
    if isinstance(uid, str) and uid != unit.id:
        raise InputError(path, "unit", f"the requirement is for unit {uid!r}, not {unit.id!r}",
                         "pass the JSON computed for this unit")
    return check_cover(staff, unit, path, "results.leon.staff")


def check_cover(cover: dict, unit: UnitView, path, where: str, node=None) -> dict[str, dict[str, float]]:
    """Heads per shift and group (bounds: planner/roster/schema.py) for shifts and groups of the unit."""
    loc = tuple(where.split("."))
    cover = validate(Cover, cover, path, node, loc)
    ids = {s.id for s in unit.shifts}
    for sid, row in cover.items():
        if sid not in ids:
            _e(path, node, loc + (sid,), f"shift {sid!r} is not a shift of unit {unit.id}",
               f"use the unit's shifts ({', '.join(sorted(ids))}) - is this the requirement of another unit?")
        for g in row:
            if g not in unit.groups:
                _e(path, node, loc + (sid, g), f"unknown group {g!r}",
                   f"use the unit's groups: {', '.join(unit.groups)}")
    return cover


# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------
def easter(year: int) -> dt.date:
    """Gregorian computus (anonymous algorithm): 1. påskedag, from which the movable holidays follow."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def holidays(year: int) -> dict[dt.date, str]:
    """Helligdager (helligdagsloven § 2) and høytidsdager 1 and 17 May (høgtidsdagsloven): treated as
    Sundays by the Sunday rule."""
    e = easter(year)
    td = dt.timedelta
    return {dt.date(year, 1, 1): "nyttårsdag", e - td(3): "skjærtorsdag", e - td(2): "langfredag",
            e: "1. påskedag", e + td(1): "2. påskedag", dt.date(year, 5, 1): "1. mai",
            dt.date(year, 5, 17): "17. mai", e + td(39): "Kristi himmelfartsdag", e + td(49): "1. pinsedag",
            e + td(50): "2. pinsedag", dt.date(year, 12, 25): "1. juledag", dt.date(year, 12, 26): "2. juledag"}


def eves(year: int) -> set[dt.date]:
    e = easter(year)
    return {dt.date(year, 12, 24), e - dt.timedelta(1), e + dt.timedelta(48)}


@dataclass
class Calendar:
    start: dt.date
    days: int

    def __post_init__(self):
        self.dates = [self.start + dt.timedelta(d) for d in range(self.days)]
        years = {d.year for d in self.dates}
        self.hol = {k: v for y in years for k, v in holidays(y).items()}
        self.eve = {x for y in years for x in eves(y)}

    def is_helg(self, d: int) -> bool:
        x = self.dates[d]
        return x.weekday() >= 5 or x in self.hol

    def sunday_holiday(self) -> list[bool]:
        return [x.weekday() == 6 or x in self.hol for x in self.dates]

    def eve_1500(self) -> list[bool]:
        return [x in self.eve for x in self.dates]

    def eve_2200(self) -> list[bool]:
        """The day before 1 or 17 May is an ordinary weekday until 22:00 unless it is a Saturday, the
        day before Kristi himmelfartsdag, or itself a Sunday/holiday (høgtidsdagsloven § 2)."""
        out = []
        for x in self.dates:
            nxt = x + dt.timedelta(1)
            special = (nxt.month, nxt.day) in ((5, 1), (5, 17))
            out.append(special and x.weekday() not in (5, 6) and x not in self.hol
                       and self.hol.get(nxt) != "Kristi himmelfartsdag")
        return out

    def labels(self) -> list[str]:
        return [x.isoformat() for x in self.dates]


# ---------------------------------------------------------------------------------------------
# Problem
# ---------------------------------------------------------------------------------------------
def shift_types(unit: UnitView, staff: StaffFile | None, extra: list[dict] | None = None,
                replace: bool = False) -> tuple[list[M.ShiftType], dict[str, str]]:
    codes = unit.codes(staff.shift_codes if staff else None)
    out: dict[str, M.ShiftType] = {}
    if not replace:
        dts: dict[str, set] = {}
        for s in unit.shifts:
            dts.setdefault(codes[s.id], set()).add(s.day_type)
        for s in unit.shifts:
            c = codes[s.id]
            dtp = next(iter(dts[c])) if len(dts[c]) == 1 else "all"
            st = M.ShiftType(c, _clock(s.start), _clock(s.end), round(s.paid_hours * 60), s.time, (), dtp)
            if c in out and (out[c].start, out[c].end, out[c].work_minutes) != (st.start, st.end, st.work_minutes):
                raise InputError(staff.path if staff else unit.path, "shift_codes",
                                 f"code {c!r} is given to shifts with different times", "give each its own code")
            out[c] = st
    for j, x in enumerate((staff.extra_shifts if staff else []) + list(extra or [])):
        try:
            st = M.ShiftType(str(x["code"]), _clock(x["start"]), _clock(x["end"]), round(float(x["paid_hours"]) * 60),
                             x.get("time", "lang"), tuple(x.get("covers") or ()), x.get("day_type", "all"))
        except (KeyError, ValueError, TypeError, AttributeError):
            raise InputError(staff.path if staff else "model", f"extra_shifts[{j}]",
                             "an extra shift needs code, start, end (HH:MM), paid_hours and optional time, covers",
                             'e.g. {code: L, time: lang, start: "08:00", end: "20:30", paid_hours: 12, covers: [D, K]}') from None
        out[st.code] = st
    return list(out.values()), codes


def cover_list(unit: UnitView, req: dict, cal: Calendar, codes: dict[str, str]) -> list[M.Cover]:
    out = []
    by_id = {s.id: s for s in unit.shifts}
    for d in range(cal.days):
        dtp = "helg" if cal.is_helg(d) else "hverdag"
        acc: dict[tuple[str, str], list[int]] = {}
        for sid, row in req.items():
            s = by_id[sid]
            if s.day_type != dtp:
                continue
            for g, v in row.items():
                mn, pr = (v.get("min", 0), v.get("preferred", v.get("min", 0))) if isinstance(v, dict) else (v, v)
                a = acc.setdefault((codes[sid], g), [0, 0])
                a[0] += math.ceil(mn - 1e-6)
                a[1] += math.ceil(pr - 1e-6)
        for (c, g), (mn, pr) in sorted(acc.items()):
            if mn or pr:
                out.append(M.Cover(d, c, g, mn, pr))
    return out


def make_persons(staff: list[StaffMember], cal: Calendar, codes: set[str], path=None) -> list[M.Person]:
    idx = {x: i for i, x in enumerate(cal.dates)}
    out = []
    for i, s in enumerate(staff):
        allowed = None
        if s.shifts is not None:
            for t in s.shifts:
                if t not in codes and t not in ("dag", "kveld", "natt", "lang"):
                    raise InputError(path, f"staff[{i}].shifts", f"unknown shift {t!r} for {s.id}",
                                     f"use codes ({', '.join(sorted(codes))}) or times (dag, kveld, natt, lang)")
            allowed = frozenset(s.shifts)
        wishes = []
        for d, code, w in s.wishes:
            if d in idx:
                if code is not None and code not in codes:
                    raise InputError(path, f"staff[{i}].wishes", f"unknown shift code {code!r}",
                                     f"use one of {', '.join(sorted(codes))}")
                wishes.append((idx[d], code, w))
        out.append(M.Person(s.id, s.group, s.percent, weekend_cycle=s.weekend_every, allowed=allowed,
                            unavailable=frozenset(idx[d] for d in s.unavailable if d in idx),
                            night_exempt=s.night_exempt, accepts_long_shifts=s.long_shifts, wishes=tuple(wishes)))
    return out


def check_pattern_codes(rules: RuleSet, codes: set[str]) -> None:
    """A pattern element that is no shift code of this unit would match nothing and silently switch
    the pattern off: name it instead."""
    ok = codes | {"-", "*", "dag", "kveld", "natt", "lang"}
    for i, e in enumerate(rules.entries):
        if e["type"] != "unwanted_patterns":
            continue
        for pat in e["params"]["patterns"]:
            bad = [t for t in pat if t not in ok]
            if bad:
                raise InputError(rules.path or "rules", f"rules[{e.get('index', i)}].patterns ({e['id']})",
                                 f"pattern {pat} has {', '.join(map(repr, bad))}, which is no shift code of the unit",
                                 f"use shift codes ({', '.join(sorted(codes))}), dag/kveld/natt/lang, '-' (off) "
                                 "or '*' (any shift)")


def cyclic_weeks_needed(rule: M.Rule) -> tuple[int, str]:
    """The fewest weeks a cyclic rotation needs for `rule` to be judged, and why. In a rotation that repeats, a
    window longer than the rotation holds the same days again, but the rule's conditions leave such a window
    out (models/roster/cpsat.py: the Sunday rule needs two Sundays/holidays, `max_consecutive` a run of max + 1
    days inside the horizon), so a shorter rotation would pass a roster that breaks the rule every time it
    repeats. The weekend cycles are checked apart (the rotation a multiple of each cycle, make_problem)."""
    if isinstance(rule, M.SundayRule):
        return 2, ("it compares each Sunday with the next one, and a 1-week rotation repeats the same Sunday "
                   "every week, so whoever works it works every Sunday")
    if isinstance(rule, M.MaxConsecutive):
        return math.ceil((rule.max + 1) / 7), f"it counts runs of {rule.max + 1} days, which must fit in the rotation"
    return 1, ""


def rotation_too_short(rules: list[M.Rule], weeks: int, cycles=()) -> tuple[M.Rule, int, str, int] | None:
    """The rule that a cyclic rotation of `weeks` is too short to judge (the one needing the most weeks), with
    the weeks it needs, why, and the shortest rotation to suggest (a multiple of every weekend cycle in
    `cycles`, as `weeks` is when the cycles were checked first); None when every rule can be judged."""
    need = max(((r, *cyclic_weeks_needed(r)) for r in rules), key=lambda x: x[1], default=None)
    if need is None or need[1] <= weeks:
        return None
    step = math.lcm(*cycles) if cycles else 1
    return (*need, step * math.ceil(need[1] / step))


def _check_horizon(staff: StaffFile, start: dt.date, given: bool, weeks: int) -> None:
    """The horizon must lie in the years the calendar is computed for (schema.CALENDAR_YEARS); named by where
    the start came from: --start (or a grid's first date), else the staff file's `start:`."""
    bad = calendar_outside(start, weeks * 7)
    if bad is None:
        return
    lo, hi = CALENDAR_YEARS
    if given or staff.start is None:
        raise InputError("--start", "", bad, f"give a first day (a Monday) from {lo} on, so that the last day is by "
                         f"{hi}-12-31, e.g. --start 2027-01-04 (for `roster check`: the first date of the grid)")
    fail_at(staff.path, staff.node, ("start",), bad,
            f"give a start: (a Monday) from {lo} on, so that the last day is by {hi}-12-31, e.g. start: 2027-01-04")


def make_problem(unit: UnitView, staff: StaffFile, rules: RuleSet, weeks: int, start: dt.date | None = None,
                 requirement: dict | None = None, cyclic: bool = True, extra_shifts: list[dict] | None = None,
                 replace_shifts: bool = False, persons: list[M.Person] | None = None) -> M.Problem:
    given = start is not None
    start = start or staff.start or DEFAULT_START
    if start.weekday() != 0:
        raise InputError("--start", "", f"{start} is a {start.strftime('%A')}; a roster starts on a Monday",
                         f"use {start - dt.timedelta(start.weekday())}")
    if not isinstance(weeks, int) or weeks < 1 or weeks > 53:
        raise InputError("--weeks", "", f"{weeks!r} weeks is not a roster horizon", "use 6-12 (rotation) or 52 (årsturnus)")
    _check_horizon(staff, start, given, weeks)
    wf = next((r for r in rules.rules if isinstance(r, M.WeekendFrequency)), None)
    cycles = {p.weekend_every or (wf.cycle if wf else None) for p in staff.staff} - {None}
    if cyclic:
        for c in sorted(cycles):
            if c > 1 and weeks % c:
                who = [p.id for p in staff.staff if (p.weekend_every or (wf.cycle if wf else None)) == c][:3]
                # the multiples either side that are horizons (a rotation is 6-12 weeks, none is past 53)
                near = [k for k in (c * (weeks // c), c * math.ceil(weeks / c)) if 1 <= k <= 53]
                raise InputError("--weeks", "", f"a {weeks}-week rotation does not match a weekend cycle of every "
                                 f"{c}. weekend{' (' + ', '.join(who) + ')' if who else ''}",
                                 f"use --no-cyclic for a plan that does not repeat (e.g. an årsturnus of 52 weeks), "
                                 f"or a multiple of {c} weeks, e.g. " + " or ".join(f"--weeks {k}" for k in near))
        short = rotation_too_short(rules.rules, weeks, cycles)
        if short is not None:
            rule, need, why, suggest = short
            raise InputError("--weeks", "", f"a {weeks}-week rotation does not hold the {need} weeks the rule "
                             f"{rule.id!r} needs to be judged: {why}",
                             f"use a longer rotation, e.g. --weeks {suggest}, or --no-cyclic for a plan that does "
                             "not repeat")
    cal = Calendar(start, weeks * 7)
    sts, codes = shift_types(unit, staff, extra_shifts, replace_shifts)
    req = requirement
    if req is None and staff.cover is not None:
        req = check_cover(staff.cover, unit, staff.path, "cover")
    if req is None:
        raise InputError(staff.path, "cover", "no requirement: neither --requirement nor `cover:` in the staff file",
                         "pass --requirement RESULT.json from `leon solve --json`, or add `cover:` to the staff file")
    cover = cover_list(unit, req, cal, codes)
    periods = {p for st in sts for p in st.periods}
    for c in cover:
        if c.code not in periods:
            raise InputError(staff.path, "extra_shifts", f"no shift covers period {c.code!r}", "keep a shift for every cover period")
    check_pattern_codes(rules, {s.code for s in sts})
    subs = staff.substitutes if staff.substitutes is not None else default_substitutes(unit.groups)
    prs = persons if persons is not None else make_persons(staff.staff, cal, {s.code for s in sts}, staff.path)
    return M.Problem(days=cal.days, shifts=sts, persons=prs, cover=cover, rules=rules.rules,
                     substitutes={g: list(v) for g, v in subs.items()}, sunday_holiday=cal.sunday_holiday(),
                     eve_1500=cal.eve_1500(), cyclic=cyclic, day_labels=cal.labels(),
                     helg=[cal.is_helg(d) for d in range(cal.days)], eve_2200=cal.eve_2200())


def leon_requirement(unit):
    """No requirement given: leon's own minimum staffing of the unit (LEON mode)."""
    from planner.staffing.solve import solve_mode
    res = solve_mode(unit._inst, "leon")
    return {s: {g: v for g, v in row.items() if v > 1e-6} for s, row in res.staff.items()}
