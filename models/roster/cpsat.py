"""Roster (turnus) model on OR-Tools CP-SAT.

Plain problem in, assignment out. No file I/O, no YAML, no printing; never imports ``planner``.

One rule, one definition. Every working-time rule is a small class whose ``conditions(problem)``
method turns its parameters into a list of *conditions* over the person-day-shift slots. There are
four condition forms:

* ``Linear``  – lo <= sum(coef * worked(slot)) <= hi          (hours per window, availability)
* ``CountAny`` – number of slot sets with any worked slot <= hi (Sunday rule, weekend frequency,
  consecutive days, weekly rest: "not every candidate rest period is broken")
* ``Pattern`` – a sequence of (slot set, worked?) elements must not all match (daily rest pairs,
  quick returns, unwanted patterns, isolated days off)
* ``Contract`` – hours over the horizon within tolerance of stillingsprosent x norm

The builder posts each condition (hard: constraint; soft: weighted penalty) and the audit evaluates
the *same* condition objects on any roster. A built roster therefore passes its own audit by
construction, and a planted violation is reported by the condition that forbids it.

Time model: day 0 is a Monday at 00:00; minutes are absolute from there. A shift of type ``s`` on
day ``d`` occupies [d*1440 + start, d*1440 + start + duration). With ``cyclic=True`` the horizon is a
rotation that repeats, so day D-1 is followed by day 0 (windows wrap around).
"""
from __future__ import annotations

import abc
import dataclasses
import math
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # CP-SAT is imported where a model is built; the types only for the checker
    from ortools.sat.python.cp_model import IntVar

DAY = 1440
WEEK = 7 * DAY


# ----------------------------------------------------------------------------------------------
# Problem types
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShiftType:
    code: str            # roster code as written in the grid, e.g. "D", "K", "N", "L"
    start: int           # minutes after midnight
    end: int             # minutes after midnight; end <= start means the shift ends the next day
    work_minutes: int    # working time counted against the limits (paid hours x 60)
    time: str            # dag | kveld | natt | lang
    covers: tuple[str, ...] = ()  # cover periods this shift fills (default: its own code);
    #                               e.g. a long shift L covers ("D", "K")
    day_type: str = "all"         # all | hverdag | helg: on which days the shift exists

    @property
    def periods(self) -> tuple[str, ...]:
        return self.covers or (self.code,)

    @property
    def duration(self) -> int:
        d = self.end - self.start
        return d if d > 0 else d + DAY


@dataclass
class Person:
    id: str
    group: str
    percent: float = 100.0                     # stillingsprosent; fixed unless percent_range set
    percent_range: tuple[int, int] | None = None  # heltid analysis: position size is a variable
    weekend_cycle: int | None = None           # works at most 1 in this many weekends
    allowed: frozenset[str] | None = None      # shift codes or time classes; None = all
    unavailable: frozenset[int] = frozenset()  # day indices
    night_exempt: bool = False                 # aml § 10-2 (2)
    accepts_long_shifts: bool = True           # langvakt is voluntary (NSF)
    wishes: tuple = ()                         # (day, code or None = off, weight)
    avoid: tuple = ()                          # (day, code, weight): wished not to work that shift


@dataclass(frozen=True)
class Cover:
    day: int
    code: str
    group: str
    min: int
    preferred: int = 0
    open: bool = False   # the slot may be worked though no more heads are asked for (a search's sub-problem)
    under_weight: int | None = None  # per head missing below `min` here (None: Weights.shortfall)
    over_weight: int | None = None   # per head above the preferred cover of this day and period (None:
    #                                  Weights.overcover; the largest its groups give)


@dataclass
class Problem:
    days: int
    shifts: list[ShiftType]
    persons: list[Person]
    cover: list[Cover]
    rules: list[Rule]
    substitutes: dict[str, list[str]] = field(default_factory=dict)  # slot group -> who may fill it
    # Per-day lists: left empty, __post_init__ fills in the plain calendar, so after construction each
    # has one entry per day.
    sunday_holiday: list[bool] = field(default_factory=list)  # per day: Sunday or public holiday
    eve_1500: list[bool] = field(default_factory=list)  # per day: jul-/påske-/pinseaften (window from 15:00)
    cyclic: bool = True
    day_labels: list[str] = field(default_factory=list)  # ISO dates for messages
    helg: list[bool] = field(default_factory=list)  # per day: weekend or public holiday (cover day type)
    eve_2200: list[bool] = field(default_factory=list)  # per day: the eve of 1/17 May (window from 22:00)

    def __post_init__(self) -> None:
        if not self.sunday_holiday:
            self.sunday_holiday = [d % 7 == 6 for d in range(self.days)]
        if not self.eve_1500:
            self.eve_1500 = [False] * self.days
        if not self.eve_2200:
            self.eve_2200 = [False] * self.days
        if not self.day_labels:
            self.day_labels = [f"day {d + 1}" for d in range(self.days)]
        if not self.helg:
            self.helg = [d % 7 >= 5 for d in range(self.days)]
        self.shift_index = {s.code: i for i, s in enumerate(self.shifts)}

    @property
    def weeks(self) -> int:
        return self.days // 7

    @property
    def horizon(self) -> int:
        return self.days * DAY

    def label(self, d: int) -> str:
        return self.day_labels[d % self.days]

    def interval(self, d: int, s: int) -> tuple[int, int]:
        st = self.shifts[s]
        a = d * DAY + st.start
        return a, a + st.duration

    def exists(self, d: int, s: int) -> bool:
        t = self.shifts[s].day_type
        return t == "all" or (t == "helg") == self.helg[d % self.days]

    def allowed(self, p: Person, d: int, s: int) -> bool:
        st = self.shifts[s]
        return p.allowed is None or st.code in p.allowed or st.time in p.allowed

    def overlap(self, d: int, s: int, a: int, b: int) -> int:
        """Minutes of slot (d, s) inside [a, b) (wrapping when cyclic)."""
        x, y = self.interval(d, s)
        shifts = (0, -self.horizon, self.horizon) if self.cyclic else (0,)
        return sum(max(0, min(y + o, b) - max(x + o, a)) for o in shifts)

    def slots_overlapping(self, a: int, b: int) -> list[tuple[int, int]]:
        out = set()
        for dd in range(a // DAY - 2, (b - 1) // DAY + 1):
            if self.cyclic:
                d = dd % self.days
            elif 0 <= dd < self.days:
                d = dd
            else:
                continue
            for s in range(len(self.shifts)):
                if self.overlap(d, s, a, b) > 0:
                    out.add((d, s))
        return sorted(out)

    def day_slots(self, d: int) -> list[tuple[int, int]]:
        d = d % self.days
        return [(d, s) for s in range(len(self.shifts))]

    def next_day(self, d: int, k: int = 1) -> int | None:
        e = d + k
        if 0 <= e < self.days:
            return e
        return e % self.days if self.cyclic else None


# ----------------------------------------------------------------------------------------------
# Conditions: the shared vocabulary of builder and audit
# ----------------------------------------------------------------------------------------------
Slot = tuple[int, int]  # (day, shift index)


@dataclass
class Cond:
    rule: str
    person: int
    day: int
    hard: bool
    weight: int
    detail: str          # message; {value} is replaced by the measured value


@dataclass
class Linear(Cond):
    terms: list[tuple[Slot, int]] = field(default_factory=list)
    lo: int | None = None
    hi: int | None = None
    scale: float = 60.0  # divide the measured sum by this in messages (minutes -> hours)


@dataclass
class CountAny(Cond):
    sets: list[list[Slot]] = field(default_factory=list)
    hi: int = 0


@dataclass
class Pattern(Cond):
    elems: list[tuple[list[Slot], bool]] = field(default_factory=list)


@dataclass
class Contract(Cond):
    terms: list[tuple[Slot, int]] = field(default_factory=list)
    per_percent: float = 0.0   # minutes over the horizon for 1 % of a full-time position
    tolerance: int = 0         # minutes


def term_map(cond: Linear | Contract) -> dict[Slot, int]:
    """The condition's terms as {slot: weight}, made once per condition."""
    tm = cond.__dict__.get("_terms")
    if tm is None:
        tm = {}
        for sl, k in cond.terms:
            tm[sl] = tm.get(sl, 0) + k
        cond.__dict__["_terms"] = tm
    return tm


def forbids(c: Cond) -> bool:
    """A hard condition that forbids its slots outright (a limit of 0: unavailable days, shifts not allowed)."""
    return c.hard and isinstance(c, Linear) and c.lo is None and c.hi == 0 and all(k > 0 for _, k in c.terms)


def linear_sum(cond: Linear | Contract, worked: set[Slot]) -> int:
    """The condition's weighted count of worked slots. A schedule holds far fewer slots than a long
    condition has terms, so the terms are kept as a dict (made once per condition) and the worked
    slots looked up in it."""
    tm = term_map(cond)
    if len(worked) < len(tm):
        return sum(tm.get(sl, 0) for sl in worked)
    return sum(k for sl, k in tm.items() if sl in worked)


def violated(cond: Cond, worked: set[Slot], person: Person) -> bool:
    """Whether one condition is broken on one person's worked slots (``evaluate`` without the words)."""
    if isinstance(cond, Contract):
        return abs(linear_sum(cond, worked) - cond.per_percent * person.percent) > cond.tolerance + 1e-6
    if isinstance(cond, Linear):
        v = linear_sum(cond, worked)
        return (cond.lo is not None and v < cond.lo) or (cond.hi is not None and v > cond.hi)
    if isinstance(cond, CountAny):
        return sum(1 for st in cond.sets if any(sl in worked for sl in st)) > cond.hi
    if isinstance(cond, Pattern):
        return all(any(sl in worked for sl in st) == want for st, want in cond.elems)
    raise TypeError(cond)


def evaluate(cond: Cond, worked: set[Slot], person: Person) -> tuple[bool, str]:
    """Return (violated, detail) for one condition on one person's worked slots."""
    if isinstance(cond, Contract):
        v = linear_sum(cond, worked)
        target = cond.per_percent * person.percent
        bad = abs(v - target) > cond.tolerance + 1e-6
        return bad, cond.detail.format(value=f"{v / 60:.2f}", target=f"{target / 60:.2f}")
    if isinstance(cond, Linear):
        v = linear_sum(cond, worked)
        bad = (cond.lo is not None and v < cond.lo) or (cond.hi is not None and v > cond.hi)
        val = v / cond.scale
        return bad, cond.detail.format(value=f"{val:.2f}".rstrip("0").rstrip("."))
    if isinstance(cond, CountAny):
        n = sum(1 for st in cond.sets if any(sl in worked for sl in st))
        return n > cond.hi, cond.detail.format(value=n)
    if isinstance(cond, Pattern):
        match = all(any(sl in worked for sl in st) == want for st, want in cond.elems)
        return match, cond.detail.format(value="")
    raise TypeError(cond)


# ----------------------------------------------------------------------------------------------
# Rules
# ----------------------------------------------------------------------------------------------
@dataclass
class Rule(abc.ABC):
    id: str
    hard: bool = True
    weight: int = 1
    source: str = ""

    @abc.abstractmethod
    def conditions(self, P: Problem) -> Iterable[Cond]:
        """The rule as conditions over person × day × shift slots (posted and audited alike)."""

    def _kw(self, p: int, d: int, detail: str) -> dict:
        return {"rule": self.id, "person": p, "day": d, "hard": self.hard, "weight": self.weight, "detail": detail}


def _hours(m: float) -> str:
    return f"{m / 60:.2f}".rstrip("0").rstrip(".")


@dataclass
class DailyRest(Rule):
    """aml § 10-8 (1)/(3): at least `min_hours` off between two work periods."""
    min_hours: float = 11.0

    def conditions(self, P):
        need = round(self.min_hours * 60)
        S = range(len(P.shifts))
        found = []
        for d1 in range(P.days):
            for k in (1, 2):
                d2 = P.next_day(d1, k)
                if d2 is None:
                    continue
                for s1 in S:
                    b1 = P.interval(d1, s1)[1]
                    for s2 in S:
                        gap = P.interval(d1 + k, s2)[0] - b1
                        if gap < need:
                            found.append((d1, s1, d2, s2, gap))
        items = [(d2, (f"{_hours(gap)} h off between {P.shifts[s1].code} on {P.label(d1)} and "
                       f"{P.shifts[s2].code} on {P.label(d2)} (minimum {self.min_hours:g} h)"),
                  [([(d1, s1)], True), ([(d2, s2)], True)]) for d1, s1, d2, s2, gap in found]
        yield from _per_person(self, range(len(P.persons)), Pattern, "elems", items)


@dataclass
class QuickReturn(DailyRest):
    """Soft: fewer than `min_hours` between two shifts (e.g. kveld -> dag), aml § 10-2 (1)."""
    min_hours: float = 11.0


@dataclass
class WeeklyRest(Rule):
    """aml § 10-8 (2)/(3): a continuous off period of `min_hours` in each fixed week.

    within_week=True (strict, the default): the whole off period lies inside the week
    [week_start, week_start + 7 days), so seven worked days Monday-Sunday always break it.
    within_week=False (the reading "starting in the week"): the off period may start late in the week
    and run on into the next one. The law asks for the rest "innenfor hver periode på sju dager";
    the strict reading is the safe one for a planner.
    """
    min_hours: float = 35.0
    within_week: bool = True
    week_start: int = 0      # minutes after Monday 00:00 at which each fixed week begins

    def conditions(self, P):
        L = round(self.min_hours * 60)
        H = P.horizon
        offsets = (-H, 0, H) if P.cyclic else (0,)
        per_week = []
        for w in range(P.weeks):
            W0 = self.week_start + w * WEEK
            W1 = W0 + WEEK
            if not P.cyclic and W1 > H:
                continue     # a week that runs past an open horizon cannot be judged
            last = W1 - L if self.within_week else W1 - 1   # latest start of a candidate off period
            # an off period begins at the week start or where a shift ends: those starts are enough
            starts = {W0}
            for d in range(P.days):
                for s in range(len(P.shifts)):
                    b = P.interval(d, s)[1]
                    starts.update(b + o for o in offsets if W0 <= b + o <= last)
            sets, seen = [], set()
            for t in sorted(starts):
                st = tuple(P.slots_overlapping(t, t + L))
                if st not in seen:
                    seen.add(st)
                    sets.append(list(st))
            if all(len(s) > 0 for s in sets):
                per_week.append((W0 // DAY % P.days, sets))
        where = "within" if self.within_week else "starting in"
        for pi, _ in enumerate(P.persons):
            for d0, sets in per_week:
                yield CountAny(**self._kw(pi, d0, f"no continuous {self.min_hours:g} h off period "
                                          f"{where} the week of {P.label(d0)}"),
                               sets=sets, hi=len(sets) - 1)


@dataclass
class WorkingHours(Rule):
    """aml § 10-4 / § 10-5: hours per work period, per fixed 24 h, per fixed week, averages."""
    max_shift_hours: float = 9.0         # each continuous work period
    max_day_hours: float = 9.0           # each fixed 24 h period (calendar day)
    max_week_hours: float | None = 38.0  # each fixed week (single-week cap)
    avg_weeks: int | None = None         # averaging window for avg_week_hours (e.g. 8)
    avg_week_hours: float | None = None  # e.g. 48 h averaged over 8 weeks
    period_week_hours: float | None = None  # average over the whole horizon (40/38/36)
    regime: str = "none"

    def conditions(self, P):
        S = range(len(P.shifts))
        too_long = [s for s in S if P.shifts[s].work_minutes > self.max_shift_hours * 60 + 1e-6]
        day_terms = []
        for c in range(P.days):
            terms = []
            for d, s in P.slots_overlapping(c * DAY, (c + 1) * DAY):
                ov = P.overlap(d, s, c * DAY, (c + 1) * DAY)
                terms.append(((d, s), round(ov * P.shifts[s].work_minutes / P.shifts[s].duration)))
            if terms and sum(sorted(t for _, t in terms)[-2:]) > self.max_day_hours * 60:
                day_terms.append((c, terms))
        wk = [self._week_terms(P, w) for w in range(P.weeks)]
        windows = []
        if self.avg_weeks and self.avg_week_hours and P.weeks > 0:
            n = self.avg_weeks
            if P.cyclic or P.weeks >= n:
                for w0 in (range(P.weeks) if P.cyclic else range(P.weeks - n + 1)):
                    windows.append((w0, _merge([t for k in range(n) for t in wk[(w0 + k) % P.weeks]])))
        period = _merge([t for w in range(P.weeks) for t in wk[w]])
        for pi, _ in enumerate(P.persons):
            for s in too_long:
                st = P.shifts[s]
                for d in range(P.days):
                    yield Linear(**self._kw(pi, d, f"{st.code} on {P.label(d)} is {_hours(st.work_minutes)} h > "
                                            f"{self.max_shift_hours:g} h per work period (averaging: {self.regime})"),
                                 terms=[((d, s), 1)], hi=0, scale=1)
            for c, terms in day_terms:
                yield Linear(**self._kw(pi, c, f"{{value}} h worked on {P.label(c)} > {self.max_day_hours:g} h "
                                        f"per 24 h (averaging: {self.regime})"),
                             terms=terms, hi=round(self.max_day_hours * 60))
            if self.max_week_hours is not None:
                for w in range(P.weeks):
                    yield Linear(**self._kw(pi, w * 7, f"{{value}} h in the week of {P.label(w * 7)} > "
                                            f"{self.max_week_hours:g} h (averaging: {self.regime})"),
                                 terms=wk[w], hi=round(self.max_week_hours * 60))
            for w0, terms in windows:
                yield Linear(**self._kw(pi, w0 * 7, f"{{value}} h in {self.avg_weeks} weeks from {P.label(w0 * 7)} "
                                        f"> {self.avg_weeks} x {self.avg_week_hours:g} h"),
                             terms=terms, hi=round(self.avg_weeks * self.avg_week_hours * 60))
            if self.period_week_hours and P.weeks > 0:
                yield Linear(**self._kw(pi, 0, f"{{value}} h over the {P.weeks}-week period > "
                                        f"{P.weeks} x {self.period_week_hours:g} h"),
                             terms=period, hi=round(P.weeks * self.period_week_hours * 60))

    @staticmethod
    def _week_terms(P, w):
        terms = []
        for d, s in P.slots_overlapping(w * WEEK, (w + 1) * WEEK):
            ov = P.overlap(d, s, w * WEEK, (w + 1) * WEEK)
            terms.append(((d, s), round(ov * P.shifts[s].work_minutes / P.shifts[s].duration)))
        return terms


def _merge(terms: Iterable[tuple[tuple[int, int], int]]) -> list[tuple[tuple[int, int], int]]:
    acc: dict[tuple[int, int], int] = {}
    for sl, c in terms:
        acc[sl] = acc.get(sl, 0) + c
    return sorted(acc.items())


@dataclass
class ContractHours(Rule):
    """Tariff: hours over the horizon = stillingsprosent x norm x weeks (within a tolerance)."""
    norm_hours_per_week: float = 35.5
    tolerance_hours: float = 4.0

    def conditions(self, P):
        for pi in range(len(P.persons)):
            terms = [((d, s), P.shifts[s].work_minutes) for d in range(P.days) for s in range(len(P.shifts))]
            yield Contract(**self._kw(pi, 0, f"{{value}} h planned vs {{target}} h contract over {P.weeks} weeks "
                                      f"(tolerance {self.tolerance_hours:g} h)"),
                           terms=terms, per_percent=self.norm_hours_per_week * 60 * P.weeks / 100,
                           tolerance=round(self.tolerance_hours * 60))


def _sh_elements(P: Problem) -> list[tuple[int, int, int]]:
    """Runs of consecutive Sundays/holidays: (first day, window start, window end) in minutes."""
    out, d = [], 0
    sh = P.sunday_holiday
    while d < P.days:
        if sh[d]:
            e = d
            while e + 1 < P.days and sh[e + 1]:
                e += 1
            eve = (d - 1) % P.days
            a = d * DAY - DAY + (15 * 60 if P.eve_1500[eve] else 22 * 60 if P.eve_2200[eve] else 18 * 60)
            out.append((d, a, e * DAY + 22 * 60))
            d = e + 1
        else:
            d += 1
    return out


@dataclass
class SundayRule(Rule):
    """aml § 10-8 (4): who worked a Sunday/holiday (§ 10-10 window) is off the next one; with a
    written averaging agreement: at most half of them over `window_weeks`, at most `max_in_row`
    in a row."""
    averaging: bool = False
    window_weeks: int = 26
    max_in_row: int = 3

    def conditions(self, P):
        els = _sh_elements(P)
        n = len(els)
        if n < 2:
            return
        sets = [P.slots_overlapping(a, b) for _, a, b in els]
        for pi, _ in enumerate(P.persons):
            pairs = range(n) if P.cyclic else range(n - 1)
            if not self.averaging:
                for i in pairs:
                    j = (i + 1) % n
                    yield CountAny(**self._kw(pi, els[j][0], f"works Sunday/holiday {P.label(els[i][0])} and the "
                                              f"next one {P.label(els[j][0])}"), sets=[sets[i], sets[j]], hi=1)
            else:
                k = self.max_in_row + 1
                if n >= k:
                    for i in (range(n) if P.cyclic else range(n - k + 1)):
                        idx = [(i + t) % n for t in range(k)]
                        yield CountAny(**self._kw(pi, els[idx[-1]][0], f"{{value}} Sundays/holidays in a row up to "
                                                  f"{P.label(els[idx[-1]][0])} (max {self.max_in_row})"),
                                       sets=[sets[t] for t in idx], hi=self.max_in_row)
                m = min(n, self.window_weeks)  # Sundays in the averaging window (about one per week)
                starts = [0] if m == n else (range(n) if P.cyclic else range(n - m + 1))
                for i in starts:
                    idx = [(i + t) % n for t in range(m)]
                    yield CountAny(**self._kw(pi, els[idx[0]][0], f"{{value}} of {m} Sundays/holidays worked from "
                                              f"{P.label(els[idx[0]][0])} (max half)"),
                                   sets=[sets[t] for t in idx], hi=m // 2)


@dataclass
class WeekendFrequency(Rule):
    """Agreement/union policy: work at most one weekend in `cycle` (a person's own cycle wins)."""
    cycle: int = 3
    start_minute: int = 5 * DAY            # Saturday 00:00
    end_minute: int = 6 * DAY + 22 * 60    # Sunday 22:00

    def weekend_sets(self, P):
        return [P.slots_overlapping(w * WEEK + self.start_minute, w * WEEK + self.end_minute)
                for w in range(P.weeks)]

    def conditions(self, P):
        sets = self.weekend_sets(P)
        W = len(sets)
        for pi, p in enumerate(P.persons):
            n = p.weekend_cycle or self.cycle
            if n <= 1 or W < 2:
                continue
            k = min(n, W)
            for w0 in (range(W) if P.cyclic else range(W - k + 1)):
                idx = [(w0 + t) % W for t in range(k)]
                yield CountAny(**self._kw(pi, idx[-1] * 7 + 5, f"{{value}} weekends worked in {k} weekends from "
                                          f"{P.label(idx[0] * 7 + 5)} (every {n}. weekend)"),
                               sets=[sets[t] for t in idx], hi=1)


def weekend_sets(P: Problem) -> list[list[Slot]]:
    """The slots of each weekend as the problem's weekend-frequency rule sets them (its defaults when the
    problem has none): one definition for the fairness spread, the count bound and the loads report."""
    rule = next((r for r in P.rules if isinstance(r, WeekendFrequency)), None) or WeekendFrequency(id="_")
    return rule.weekend_sets(P)


@dataclass
class NightWork(Rule):
    """aml § 10-11 (6): average ≤ 8 h per 24 h over 4 weeks, weekly-rest minimum left out.
    Applied to everyone who may work nights (the law: regular night workers) – stricter, and it
    binds only above about 44 h/week."""
    avg_hours_per_24h: float = 8.0
    block_weeks: int = 4
    weekly_rest_hours: float = 35.0

    def conditions(self, P):
        n = self.block_weeks
        if P.weeks < n and not P.cyclic:
            return
        periods = (n * 7 * 24 - n * self.weekly_rest_hours) / 24
        cap = round(self.avg_hours_per_24h * periods * 60)
        nights = [s for s, st in enumerate(P.shifts) if st.time == "natt"]
        if not nights:
            return
        wk = [WorkingHours._week_terms(P, w) for w in range(P.weeks)]
        blocks = [(w0, _merge([t for k in range(n) for t in wk[(w0 + k) % P.weeks]]))
                  for w0 in (range(P.weeks) if P.cyclic else range(P.weeks - n + 1))]
        for pi, p in enumerate(P.persons):
            if p.night_exempt or (p.allowed is not None and "natt" not in p.allowed
                                  and not any(P.shifts[s].code in p.allowed for s in nights)):
                continue
            for w0, terms in blocks:
                yield Linear(**self._kw(pi, w0 * 7, f"{{value}} h in {n} weeks from {P.label(w0 * 7)} > "
                                        f"{self.avg_hours_per_24h:g} h x {periods:.2f} periods of 24 h"),
                             terms=terms, hi=cap)


@dataclass
class MaxConsecutive(Rule):
    """At most `max` consecutive days with a shift of the given times (None = any shift)."""
    max: int = 6
    times: tuple[str, ...] | None = None
    what: str = "working days"
    persons: frozenset[str] | None = None   # the people it binds (by id); None = everyone

    def conditions(self, P):
        k = self.max + 1
        if k > P.days:
            return
        ss = [s for s, st in enumerate(P.shifts) if self.times is None or st.time in self.times]
        day_sets = [[(d, s) for s in ss] for d in range(P.days)]
        items = []
        for d0 in (range(P.days) if P.cyclic else range(P.days - k + 1)):
            days = [(d0 + t) % P.days for t in range(k)]
            items.append((days[-1], f"{{value}} consecutive {self.what} up to {P.label(days[-1])} (max {self.max})",
                          [day_sets[d] for d in days]))
        yield from _per_person(self, _people(P, self.persons), CountAny, "sets", items, hi=self.max)


@dataclass
class MinConsecutiveOff(Rule):
    """Days off come in blocks of at least `min` days (default 2: no isolated day off)."""
    min: int = 2
    persons: frozenset[str] | None = None   # the people it binds (by id); None = everyone

    def conditions(self, P):
        yield from _short_runs(self, P, self.persons, working=False)


def _people(P: Problem, persons: frozenset[str] | None) -> list[int]:
    """Indexes of the people a rule binds: those named (by id), or everyone."""
    return [pi for pi, p in enumerate(P.persons) if persons is None or p.id in persons]


def _per_person(rule: Rule, people: Iterable[int], cls: type, field_name: str, items: list, **fixed):
    """One condition of ``cls`` per person and item (day, detail, slots), person by person. The slot lists
    are made once per rule and shared by everyone's conditions (nothing changes a condition once made): a
    year of a 149-person unit has over half a million conditions, and building their lists took seconds."""
    for pi in people:
        for d, detail, slots in items:
            yield cls(rule.id, pi, d, rule.hard, rule.weight, detail, **{field_name: slots}, **fixed)


@dataclass
class MinConsecutive(Rule):
    """A run of working days lasts at least `min` days, unless it touches the horizon's first or last
    day (non-cyclic: what came before or comes after is not known)."""
    min: int = 2
    persons: frozenset[str] | None = None

    def conditions(self, P):
        yield from _short_runs(self, P, self.persons, working=True)


def _short_runs(rule, P: Problem, persons: frozenset[str] | None, working: bool):
    """A Pattern per run of 1 to ``rule.min - 1`` days worked (``working``) or off, with the day before
    and after it of the other kind (on an open horizon only runs with both neighbours inside it)."""
    day = [[(d, s) for s in range(len(P.shifts))] for d in range(P.days)]
    what = "working day(s) in a row" if working else "day(s) off"
    items = []
    for L in range(1, rule.min):
        for d0 in range(P.days):
            b, e = d0 - 1, d0 + L
            if not P.cyclic and (b < 0 or e >= P.days):
                continue
            el = [(day[b % P.days], not working)]
            el += [(day[(d0 + t) % P.days], working) for t in range(L)]
            el += [(day[e % P.days], not working)]
            items.append((d0, f"only {L} {what} from {P.label(d0)} (min {rule.min})", el))
    yield from _per_person(rule, _people(P, persons), Pattern, "elems", items)


@dataclass
class ShiftLimit(Rule):
    """At most `max` shifts of the given codes over the horizon."""
    codes: tuple[str, ...] = ()
    max: int = 0
    persons: frozenset[str] | None = None

    def conditions(self, P):
        ss = [s for s, st in enumerate(P.shifts) if st.code in self.codes]
        if not ss or self.max >= P.days:
            return
        for pi in _people(P, self.persons):
            yield Linear(**self._kw(pi, 0, f"{{value}} shifts {'/'.join(self.codes)} (max {self.max})"),
                         terms=[((d, s), 1) for d in range(P.days) for s in ss], hi=self.max, scale=1)


@dataclass
class HorizonMinutes(Rule):
    """Working minutes over the whole horizon within [min_minutes, max_minutes]."""
    min_minutes: int | None = None
    max_minutes: int | None = None
    persons: frozenset[str] | None = None

    def conditions(self, P):
        terms = [((d, s), st.work_minutes) for d in range(P.days) for s, st in enumerate(P.shifts)]
        for pi in _people(P, self.persons):
            yield Linear(**self._kw(pi, 0, f"{{value}} h over the horizon (allowed {_hours(self.min_minutes or 0)}"
                                    f"..{_hours(self.max_minutes) if self.max_minutes is not None else '-'} h)"),
                         terms=terms, lo=self.min_minutes, hi=self.max_minutes)


@dataclass
class MaxWeekends(Rule):
    """At most `max` weekends worked over the horizon; a weekend is the Saturday and Sunday of a
    calendar week (day 0 a Monday), worked when any shift starts on either day."""
    max: int = 0
    persons: frozenset[str] | None = None

    def conditions(self, P):
        S = range(len(P.shifts))
        sets = [[(d, s) for d in (sat, sat + 1) if d < P.days for s in S] for sat in range(5, P.days, 7)]
        if len(sets) <= self.max:
            return
        for pi in _people(P, self.persons):
            yield CountAny(**self._kw(pi, 5, f"{{value}} weekends worked (max {self.max})"), sets=sets, hi=self.max)


@dataclass
class UnwantedPatterns(Rule):
    """Sequences over consecutive days. Element: shift code, time class, '-' (off) or '*' (any)."""
    patterns: tuple[tuple[str, ...], ...] = ()

    def conditions(self, P):
        S = range(len(P.shifts))

        def sel(tok, d):
            if tok in ("-", "*"):
                return [(d, s) for s in S], tok == "*"
            return [(d, s) for s in S if P.shifts[s].code == tok or P.shifts[s].time == tok], True

        for pat in self.patterns:
            L = len(pat)
            items = []
            for d0 in range(P.days):
                if not P.cyclic and d0 + L > P.days:
                    continue
                el = [sel(tok, (d0 + t) % P.days) for t, tok in enumerate(pat)]
                if any(want and not st for st, want in el):
                    continue
                items.append((d0, f"pattern {' '.join(pat)} from {P.label(d0)}", el))
            yield from _per_person(self, range(len(P.persons)), Pattern, "elems", items)


@dataclass
class Availability(Rule):
    """Staff data as hard limits: unavailable days, allowed shifts, night exemption (aml § 10-2 (2)),
    long shifts only for those who accept them."""
    long_shift_hours: float = 10.0   # a shift longer than this is a langvakt (Delta: > 10 h)

    def conditions(self, P):
        for pi, p in enumerate(P.persons):
            for d in range(P.days):
                for s, st in enumerate(P.shifts):
                    why = None
                    if not P.exists(d, s):
                        why = f"shift {st.code} is only used on {st.day_type} days"
                    elif d in p.unavailable:
                        why = "marked unavailable"
                    elif not P.allowed(p, d, s):
                        why = f"shift {st.code} ({st.time}) is not in the person's allowed shifts"
                    elif p.night_exempt and P.overlap(d, s, d * DAY + 21 * 60, d * DAY + 30 * 60 + 1) > 0 \
                            and st.time == "natt":
                        why = "night-exempt (aml § 10-2 (2))"
                    elif not p.accepts_long_shifts and st.work_minutes > self.long_shift_hours * 60:
                        why = "does not accept long shifts"
                    if why:
                        yield Linear(**self._kw(pi, d, f"{st.code} on {P.label(d)}: {why}"),
                                     terms=[((d, s), 1)], hi=0, scale=1)


@dataclass
class Wishes(Rule):
    """Soft: each person's wishes (a shift on a day, or a day off; a shift to avoid), each with its weight."""
    hard: bool = False

    def conditions(self, P):
        for pi, p in enumerate(P.persons):
            for d, code, w in p.wishes:
                if d >= P.days:
                    continue
                base = {"rule": self.id, "person": pi, "day": d, "hard": False, "weight": int(w) * self.weight}
                if code is None:
                    yield Linear(**base, detail=f"wished {P.label(d)} off", terms=[((d, s), 1)
                                 for s in range(len(P.shifts))], hi=0, scale=1)
                elif code in P.shift_index:
                    yield Linear(**base, detail=f"wished {code} on {P.label(d)}",
                                 terms=[((d, P.shift_index[code]), 1)], lo=1, scale=1)
            for d, code, w in p.avoid:
                if d < P.days and code in P.shift_index:
                    yield Linear(rule=self.id, person=pi, day=d, hard=False, weight=int(w) * self.weight,
                                 detail=f"wished not {code} on {P.label(d)}",
                                 terms=[((d, P.shift_index[code]), 1)], hi=0, scale=1)


# ----------------------------------------------------------------------------------------------
# Audit core (pure): evaluate all rule conditions and cover on an assignment
# ----------------------------------------------------------------------------------------------
@dataclass
class Violation:
    rule: str
    person: str
    day: int
    detail: str
    hard: bool
    weight: int


def all_conditions(P: Problem) -> list[Cond]:
    out: list[Cond] = []
    for r in P.rules:
        out.extend(r.conditions(P))
    return out


def check(P: Problem, assignment: dict[tuple[int, int], int], conds: list[Cond] | None = None) -> list[Violation]:
    """assignment: {(person index, day): shift index}. Returns violations in a stable order."""
    conds = all_conditions(P) if conds is None else conds
    worked: list[set] = [set() for _ in P.persons]
    for (pi, d), s in assignment.items():
        worked[pi].add((d, s))
    out = []
    for c in conds:
        bad, msg = evaluate(c, worked[c.person], P.persons[c.person])
        if bad:
            out.append(Violation(c.rule, P.persons[c.person].id, c.day, msg, c.hard, c.weight))
    out.sort(key=lambda v: (not v.hard, v.person, v.day, v.rule, v.detail))
    return out


def fill_slots(P: Problem, heads: dict[str, int], day: int, code: str) -> dict[str, int]:
    """Max-flow of the people present (heads per group) into the required slots of (day, code).
    Returns missing heads per required group. Substitution: a slot of group g may be filled by g
    itself or by any group in substitutes[g]."""
    req = {c.group: c.min for c in P.cover if c.day == day and c.code == code and c.min > 0}
    return _flow_missing(req, dict(heads), P.substitutes)


def _flow_missing(req: dict[str, int], heads: dict[str, int], subs: dict[str, list[str]]) -> dict[str, int]:
    return route(req, heads, subs)[0]


def route(req: dict[str, int], heads: dict[str, int], subs: dict[str, list[str]],
          then: dict[str, int] | None = None, first: Collection[str] = ()) -> tuple[dict[str, int], dict[str, int]]:
    """Max-flow of the heads present into the required slots (group -> heads): (missing heads per required
    group, heads left unused per supplying group). With ``then`` (the preferred cover, >= ``req``), the
    flow then grows towards it; an augmenting path never takes a head from a slot, so the minimum stays
    as filled as before, and the first result is then the missing heads below ``then``. The groups in
    ``first`` are filled before the others: when heads run short, the others are the ones left open."""
    # augmenting paths on a tiny bipartite graph (groups -> slot groups), unit steps
    flow: dict[tuple[str, str], int] = {}
    sinks = sorted(set(req) | set(then or {}))
    filled = {g: 0 for g in sinks}
    free = dict(heads)

    def can(h, g):
        return h == g or h in subs.get(g, [])

    def augment(g, seen):
        # find a supplier for one more head in slot g, possibly re-routing another slot's supplier
        for h in sorted(free, key=lambda x: (x != g, x)):
            if not can(h, g) or h in seen:
                continue
            seen.add(h)
            if free.get(h, 0) > 0:
                free[h] -= 1
                flow[(h, g)] = flow.get((h, g), 0) + 1
                return True
            for g2 in sinks:
                if g2 != g and flow.get((h, g2), 0) > 0 and augment(g2, seen):
                    flow[(h, g2)] -= 1
                    flow[(h, g)] = flow.get((h, g), 0) + 1
                    return True
        return False

    caps = req
    for tier in (req, then):
        if tier is None:
            continue
        caps = tier
        for g in sorted(tier, key=lambda x: (x not in first, x)):
            while filled[g] < tier[g] and augment(g, set()):
                filled[g] += 1
    return {g: caps[g] - filled[g] for g in sorted(caps) if caps[g] > filled[g]}, free


# ----------------------------------------------------------------------------------------------
# Builder
# ----------------------------------------------------------------------------------------------
PUSH_SCALE = 128   # the objective's weight against the fairness push in a neighbourhood (see ``solve``)


@dataclass
class Weights:
    shortfall: int = 100_000        # per missing head on a minimum-cover slot
    preferred: int = 50             # per missing head below the preferred cover
    overcover: int = 1              # per head above the preferred (or minimum) cover
    soft_rule: int = 100            # multiplies each soft rule's own weight
    fairness: int = 20              # per unit of (max - min) weekends / nights / evenings
    full_time: int = 0              # heltid analysis: reward per full-time position
    head: int = 0                   # heltid analysis: cost per person used
    max_over: int | None = None     # hard cap on heads above the preferred cover (None = no cap)
    contract_soft: int = 0          # > 0: hard contract hours become a penalty per 0,1 minute outside
    #                                 the tolerance (search aid: any hint is then a solution; the
    #                                 audit still reports a deviation as a hard violation)


@dataclass
class Result:
    status: str                     # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN | MODEL_INVALID
    objective: float | None
    bound: float | None
    gap: float | None
    assignment: dict[tuple[int, int], int]
    shortfall: int
    percent: dict[int, float]       # chosen position sizes (heltid mode)
    conflict: list[str]             # rules/persons in an infeasibility core (if any)
    wall_time: float
    det_time: float = 0.0           # CP-SAT deterministic seconds spent (reproducible work measure)
    hint_objective: float | None = None  # the objective of the hint given, when it could be evaluated
    stopped_by: str | None = None   # what ended an unfinished search: "time_limit", "det_time" or "stop" (asked)
    kept_start: bool = False        # the builder returned its start roster (the search found no better)
    outcome: str | None = None      # the builder's verdict for a pilot (planner.roster.build.outcome)
    first_legal_s: float | None = None  # wall seconds from the builder's start to its first roster with no
    #                                     hard violation and no open minimum cover (None: never held one)
    by_rule: dict[str, tuple[int, float]] = field(default_factory=dict)  # soft rule -> (violations, cost)
    # groups that share no cover with the others whose roster costs their proven least (> 0): their cover
    # and soft-rule cost that no roster avoids (``models.roster.bound.split_bound``): (groups, cost)
    unavoidable: list[tuple[list[str], float]] = field(default_factory=list)
    exact: str | None = None        # solve(exact_first=...)'s answer: "legal", "infeasible", None (none in time)
    exact_det: float = 0.0          # deterministic seconds of that exact stage (included in det_time)
    conds: list | None = None       # the problem's rule conditions the builder judged with (the audit reuses them)


def solve(P: Problem, time_limit: float = 30.0, workers: int = 2, seed: int = 1,
          weights: Weights | None = None, progress: Callable[[float, float, float], None] | None = None,
          diagnose: bool = True, hint: dict | None = None, det_time: float | None = None,
          forbid: dict[int, set] | None = None, deadline: float | None = None,
          on_solution: Callable[[dict], bool] | None = None, conds: list[Cond] | None = None,
          window: set[int] | None = None, fair_ctx: dict | None = None,
          stop: Callable[[], bool] | None = None, exact_first: tuple[float, float] | None = None,
          fair_caps: dict[str, tuple[int, int]] | None = None, prove: bool = False) -> Result:
    """Build and solve. If the hard rules cannot all hold, re-solve once with one assumption literal
    per (rule, person) and return an infeasibility core in ``Result.conflict``.

    ``det_time``: a deterministic work limit (CP-SAT deterministic seconds). With it the search is
    run in CP-SAT's deterministic interleaved mode (``interleave_search``), so the same problem, seed
    and ``det_time`` give the same roster on any machine load; ``time_limit`` then only guards
    against runaway wall time. ``hint``: {(person, day): shift} (e.g. from ``construct``), given for
    every variable (worked or not). ``forbid``: {person: slots} that person may not work (a search
    decomposition such as weekend teams; not a rule, so not audited). ``deadline``: a
    ``time.perf_counter()`` instant that nothing here runs past (model building, hint and diagnosis
    included); when it has passed before the search, the result is UNKNOWN without an assignment.
    ``on_solution``: called with each solution's {(person, day): shift} until it returns True.
    ``conds``: the problem's conditions when the caller has them (else ``all_conditions``).
    ``window``: the days that may change (a search neighbourhood): elsewhere every person keeps the
    ``hint``'s shifts as constants, so only conditions and cover that touch the window need posting
    (the caller may pass just those) and the model is a fraction of the whole horizon's.
    ``fair_ctx``: for a neighbourhood of a larger roster, per fairness kind (set of this problem's
    persons in that spread, (fewest, most) of the roster's other people in it, or None): the spread is
    then the whole roster's. A third element, (fewest, most) of the whole roster now, adds a push: a
    spread falls only when every person at its end moves at once, which one neighbourhood seldom holds,
    so each person of the neighbourhood at the roster's most (or fewest) costs a unit too small to
    outweigh any term of the objective (which is scaled by ``PUSH_SCALE``; the reported objective and
    bound are then scaled too). The search judges rosters by their own score, and takes ties: the
    pushes lead it across the plateau of equal spreads.
    ``fair_caps``: per fairness kind, (fewest, most) that every person of its spread keeps (hard): no
    spread can grow, so a roster better on the other terms is better on the whole objective too, even
    with ``Weights.fairness`` 0.
    ``stop``: polled while the solver runs; once it returns True the search ends at once (``stoppable``)
    with what it has, ``stopped_by`` "stop".
    ``exact_first`` (deterministic seconds, wall seconds): first, within these limits, the same model with
    every open minimum-cover head and every contract deviation (``Weights.contract_soft``) fixed at 0, a
    copy that costs no second build: a roster it finds is returned (``Result.exact`` "legal": full
    cover, every contract and hard rule), INFEASIBLE proves that no such roster exists (``Result.exact``
    "infeasible", no assignment; the penalised model itself is never infeasible); otherwise the search
    runs as without it, in the time left.
    ``prove``: the search is after the bound (core-based: on a small group's rules with one worker,
    beside a busy process, it proved medisinsk's doctors' least cost in 0,7 s where the default took 1,5 s)."""
    r = _solve(P, time_limit, workers, seed, weights, progress, False, hint, det_time, forbid, deadline,
               on_solution, conds, window, fair_ctx, stop=stop, exact_first=exact_first, fair_caps=fair_caps,
               prove=prove)
    if r.status == "INFEASIBLE" and diagnose:
        t_end = time.perf_counter() + max(5.0, time_limit / 2)
        if deadline is not None:
            t_end = min(t_end, deadline)
        r.conflict = _person_conflicts(P, t_end, seed, weights, forbid)
        left = t_end - time.perf_counter()
        if not r.conflict and left > 1.0:
            # no single person clashes (or the budget ended first): the whole problem, what is left
            r.conflict = _solve(P, left, 1, seed, weights, None, True, None, det_time, forbid, t_end).conflict
    return r


def _person_conflicts(P: Problem, t_end: float, seed: int, weights, forbid) -> list[str]:
    """Hard rules bind one person at a time (the cover that joins people is soft), so a clash shows
    on a one-person copy of the problem: small and quick to test, and its core names that person only."""
    out: list[str] = []
    for pi, p in enumerate(P.persons):
        left = t_end - time.perf_counter()
        if left <= 0.2:
            break
        Q = dataclasses.replace(P, persons=[p])
        fq = {0: (forbid or {}).get(pi, set())}
        q = _solve(Q, min(left, 10.0), 1, seed, weights, None, True, None, None, fq)
        out += q.conflict
    return sorted(out)


def fairness_people(P: Problem, useful: dict[str, set[Slot]], weekend_sets: list[list[Slot]]) -> dict[str, list[int]]:
    """Who takes part in each fairness spread (weekend, natt, kveld): the people with a useful slot of
    that kind that they may work (their allowed shifts; a night-exempt person takes no nights).
    Night-only staff are not in the evening spread, nor day staff in the night spread: a spread
    nobody can even out would only add a constant. Positions of variable size (heltid) are left out."""
    kinds: dict[str, list[int]] = {"weekend": [], "natt": [], "kveld": []}
    weekend = {sl for st in weekend_sets for sl in st}
    for pi, p in enumerate(P.persons):
        if p.percent_range:
            continue
        mine = [(d, s) for d, s in useful.get(p.group, ()) if P.allowed(p, d, s)
                and not (p.night_exempt and P.shifts[s].time == "natt")]
        if any(sl in weekend for sl in mine):
            kinds["weekend"].append(pi)
        for kind in ("natt", "kveld"):
            if any(P.shifts[s].time == kind for _, s in mine):
                kinds[kind].append(pi)
    return kinds


def demand(P: Problem) -> tuple[dict[str, set[Slot]], dict[tuple[int, str], dict[str, tuple[int, int]]],
                                dict[str, list[int]]]:
    """(useful, demand_at, period_shifts): the slots worth working per group (a day and shift with cover
    the group can fill, itself or as a substitute), the cover per (day, period) as group -> (min, preferred),
    and the shifts that fill each period. Every search model creates worked-slot variables on the useful
    slots only, so all of them score a roster the same way."""
    useful: dict[str, set[Slot]] = {}
    demand_at: dict[tuple[int, str], dict[str, tuple[int, int]]] = {}
    period_shifts: dict[str, list[int]] = {}
    for s, st in enumerate(P.shifts):
        for per in st.periods:
            period_shifts.setdefault(per, []).append(s)
    for c in P.cover:
        demand_at.setdefault((c.day, c.code), {})[c.group] = (c.min, max(c.min, c.preferred))
    open_at = {(c.day, c.code, c.group) for c in P.cover if c.open}
    for (d, per), dem in demand_at.items():
        for g, (_mn, pr) in dem.items():
            if pr > 0 or (d, per, g) in open_at:
                for h in [g] + list(P.substitutes.get(g, [])):
                    for s in period_shifts.get(per, []):
                        if P.exists(d, s):
                            useful.setdefault(h, set()).add((d, s))
    return useful, demand_at, period_shifts


CoverWeights = tuple[dict[tuple[int, str, str], int], dict[tuple[int, str], int]]


def cover_weights(P: Problem) -> CoverWeights:
    """The cover weights the cover itself gives, where it gives them: (day, period, group) -> per head
    missing below the minimum, and (day, period) -> per head above the preferred cover (the largest its
    groups give). Everywhere else ``Weights.shortfall`` and ``Weights.overcover`` hold."""
    under: dict[tuple[int, str, str], int] = {}
    over: dict[tuple[int, str], int] = {}
    for c in P.cover:
        if c.under_weight is not None:
            under[c.day, c.code, c.group] = c.under_weight
        if c.over_weight is not None:
            over[c.day, c.code] = max(c.over_weight, over.get((c.day, c.code), c.over_weight))
    return under, over


@contextmanager
def stoppable(solver, stop: Callable[[], bool] | None, every: float = 0.05) -> Iterator[None]:
    """While the block runs, a watcher thread asks ``solver`` (a CP-SAT CpSolver) to stop its search as soon
    as ``stop()`` returns True: a solve cannot otherwise be ended from outside before its limits. The request
    is repeated while ``stop()`` holds (one made before the solve starts would be lost). No thread without
    ``stop``."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(every):
            if stop():
                solver.stop_search()

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    try:
        yield
    finally:
        done.set()
        th.join()


def _solve(P, time_limit, workers, seed, weights, progress, diagnose, hint, det_time=None, forbid=None,
           deadline=None, on_solution=None, conds=None, window=None, fair_ctx=None,
           stop=None, exact_first=None, fair_caps=None, prove=False) -> Result:
    from ortools.sat.python import cp_model

    W = weights or Weights()
    m = cp_model.CpModel()
    S = range(len(P.shifts))
    conds = all_conditions(P) if conds is None else conds
    fixed = (hint or {}) if window is not None else None
    one = m.new_constant(1) if window is not None else None

    useful, demand_at, period_shifts = demand(P)

    # a slot a hard condition needs worked (e.g. a locked shift) gets its variable even without cover
    needed = {(c.person, sl) for c in conds if c.hard and isinstance(c, Linear) and (c.lo or 0) > 0
              for sl, _ in c.terms}
    y: dict[tuple[int, int, int], IntVar] = {}
    days = range(P.days) if window is None else sorted(window)
    for pi, p in enumerate(P.persons):
        for d in days:
            for s in S:
                if ((d, s) in useful.get(p.group, ()) or (pi, (d, s)) in needed) and P.exists(d, s):
                    y[pi, d, s] = m.new_bool_var(f"y_{pi}_{d}_{s}")
        for d in days:
            lits = [y[pi, d, s] for s in S if (pi, d, s) in y]
            if len(lits) > 1:
                m.add_at_most_one(lits)

    for pi, sls in (forbid or {}).items():
        for d, s in sls:
            v = y.get((pi, d, s))
            if v is not None:
                m.add(v == 0)

    def Y(pi, sl):
        v = y.get((pi, sl[0], sl[1]))
        if v is None and fixed is not None and sl[0] not in window and fixed.get((pi, sl[0])) == sl[1]:
            return one      # outside the window: the shift the person keeps
        return v

    # hard unary zeros first (availability, too-long shifts): fix them; when diagnosing, only the staff
    # data, so that a too-long shift is named in the conflict like any other rule
    staff_data = {r.id for r in P.rules if isinstance(r, Availability)}
    for c in conds:
        if diagnose and c.rule not in staff_data:
            continue
        if forbids(c):
            for sl, _ in c.terms:
                v = y.get((c.person, sl[0], sl[1]))
                if v is not None:
                    m.add(v == 0)

    enforce: dict[str, IntVar] = {}  # diagnosis literals: rule|person

    def lit_for(c):
        if not diagnose:
            return None
        key = f"{c.rule}|{P.persons[c.person].id}"
        if key not in enforce:
            enforce[key] = m.new_bool_var(f"en_{len(enforce)}")
        return enforce[key]

    any_cache: dict[tuple, IntVar] = {}

    def any_of(pi, st):
        vs = [Y(pi, sl) for sl in st]
        vs = [v for v in vs if v is not None]
        if not vs:
            return None
        if len(vs) == 1:
            return vs[0]
        key = (pi, tuple(sorted(v.Index() for v in vs)))
        if key not in any_cache:
            z = m.new_bool_var("")
            for v in vs:
                m.add_implication(v, z)
            any_cache[key] = z
        return any_cache[key]

    exact: set = set()

    def exact_any(pi, st):
        # any_of only bounds z from below (enough for limits); a count that is rewarded (the fewest
        # weekends in the fairness spread) needs z true only when a slot is really worked
        z = any_of(pi, st)
        vs = [v for v in (Y(pi, sl) for sl in st) if v is not None]
        if z is not None and len(vs) > 1 and z.Index() not in exact:
            exact.add(z.Index())
            m.add_bool_or(vs).OnlyEnforceIf(z)
        return z

    penalties, pct_var = post_conditions(m, P, conds, Y, any_of, W, lit_for)

    # cover with substitution: x[d,s,h,g] heads of group h in slots of group g
    under_w, over_w = cover_weights(P)
    short_vars = []
    groups_of: dict[str, list[int]] = {}
    for pi, p in enumerate(P.persons):
        groups_of.setdefault(p.group, []).append(pi)
    for (d, per), dem in sorted(demand_at.items()):
        present = {}
        for h, pis in groups_of.items():
            vs = [y[pi, d, s] for pi in pis for s in period_shifts.get(per, []) if (pi, d, s) in y]
            if vs:
                present[h] = vs
        uses: dict[str, list] = {}
        for g, (mn, pr) in sorted(dem.items()):
            cand = [h for h in [g] + list(P.substitutes.get(g, [])) if h in present]
            xs = []
            for h in cand:
                x = m.new_int_var(0, max(pr, mn), f"x_{d}_{per}_{h}_{g}")
                uses.setdefault(h, []).append(x)
                xs.append(x)
            filled = sum(xs) if xs else 0
            if mn > 0:
                sh = m.new_int_var(0, mn, f"short_{d}_{per}_{g}")
                m.add(filled + sh >= mn)
                short_vars.append(sh)
                penalties.append((under_w.get((d, per, g), W.shortfall), sh))
            if pr > mn:
                sp = m.new_int_var(0, pr, "")
                m.add(filled + sp >= pr)
                penalties.append((W.preferred, sp))
        total_pref = sum(pr for mn, pr in dem.values())
        for h, vs in present.items():
            if h in uses:
                m.add(sum(uses[h]) <= sum(vs))
        allv = [v for vs in present.values() for v in vs]
        if allv and W.max_over is not None:
            m.add(sum(allv) <= total_pref + W.max_over)
        ow = over_w.get((d, per), W.overcover)
        if allv and ow:
            oc = m.new_int_var(0, len(allv), "")
            m.add(oc >= sum(allv) - total_pref)
            penalties.append((ow, oc))

    # fairness: spread weekends, nights and evenings (max - min over people who may take them)
    pushes: list = []
    if W.fairness or fair_caps:
        wsets = weekend_sets(P)
        spread_of = fairness_people(P, useful, wsets) if fair_ctx is None else None
        by_person_kind: dict[tuple[int, str], list] = {}
        for (q, _d, s), v in y.items():
            by_person_kind.setdefault((q, P.shifts[s].time), []).append(v)
        for kind in ("weekend", "natt", "kveld"):
            counts = []
            ctx = fair_ctx.get(kind) if fair_ctx is not None else None
            for pi in range(len(P.persons)):
                if kind == "weekend":
                    zs = [exact_any(pi, st) for st in wsets]
                    zs = [z for z in zs if z is not None]
                else:
                    zs = list(by_person_kind.get((pi, kind), []))
                if ctx is not None:
                    # a neighbourhood: the spread's people are the whole roster's (``ctx``), and outside
                    # the window a person's count of this kind is what their kept shifts give
                    if pi not in ctx[0]:
                        continue
                    if kind != "weekend" and window is not None and fixed is not None:
                        zs += [one] * sum(1 for (q, d), s in fixed.items()
                                          if q == pi and d not in window and P.shifts[s].time == kind)
                    counts.append((sum(zs) if zs else 0, len(zs)))
                elif spread_of is not None and pi in spread_of[kind]:
                    counts.append((sum(zs) if zs else 0, len(zs)))
            others = ctx[1] if ctx is not None else None
            if fair_caps and kind in fair_caps:
                for e, n in counts:
                    if n:
                        m.add_linear_constraint(e, *fair_caps[kind])
            if W.fairness and len(counts) + (2 if others else 0) > 1 and counts:
                hi = m.new_int_var(0, P.days, "")
                lo = m.new_int_var(0, P.days, "")
                for e, _n in counts:
                    m.add(hi >= e)
                    m.add(lo <= e)
                if others:
                    m.add(hi >= others[1])
                    m.add(lo <= others[0])
                penalties.append((W.fairness, hi))
                penalties.append((-W.fairness, lo))
                if ctx is not None and len(ctx) > 2 and ctx[2] is not None:
                    # the push (``fair_ctx`` text): a unit for each person at the roster's most or fewest
                    top, bottom = ctx[2][1], ctx[2][0]
                    for e, n in counts:
                        if n:
                            up = m.new_int_var(0, n + 1, "")
                            m.add(up >= e - (top - 1))
                            down = m.new_int_var(0, bottom + 1, "")
                            m.add(down >= (bottom + 1) - e)
                            pushes += [up, down]

    if pct_var:
        full = []
        for pi, (pv, used) in pct_var.items():
            f = m.new_bool_var(f"ft_{pi}")
            m.add(pv >= 100).OnlyEnforceIf(f)
            m.add_implication(f, used)
            full.append(f)
            if W.head:
                penalties.append((W.head, used))
            # symmetry: same-group positions in order of size
        if W.full_time:
            penalties.extend((-W.full_time, f) for f in full)
        by_group: dict[str, list[int]] = {}
        for pi in pct_var:
            p = P.persons[pi]
            by_group.setdefault(p.group, []).append(pi)
        for pis in by_group.values():
            for a, b in pairwise(pis):
                m.add(pct_var[a][0] >= pct_var[b][0])
                m.add_implication(pct_var[b][1], pct_var[a][1])

    if pushes:
        # the push breaks ties only: the objective's own terms weigh PUSH_SCALE times more than all pushes
        m.minimize(sum(PUSH_SCALE * k * v for k, v in penalties) + sum(pushes))
    else:
        m.minimize(sum(k * v for k, v in penalties))

    def left() -> float:
        if stop is not None and stop():
            return 0.0     # asked to stop: as if the time were up
        return float("inf") if deadline is None else deadline - time.perf_counter()

    hint_obj = None
    if hint is not None and left() > 0.1:
        hint_obj = _complete_hint(m, y, hint, seed, min(30.0, left()), stop)
    time_limit = min(float(time_limit), left())
    if time_limit <= 0.05:
        # no time left to search: say so rather than overrun the caller's deadline
        return Result("UNKNOWN", None, None, None, {}, 0, {}, [], 0.0, 0.0, hint_obj,
                      "stop" if stop is not None and stop() else "time_limit")
    exact_det = 0.0
    if exact_first is not None:
        ex = _solve_exact(m, y, min(exact_first[1], time_limit), exact_first[0], workers, seed, det_time is not None)
        if ex.exact is not None:
            ex.hint_objective, ex.exact_det = hint_obj, ex.det_time
            return ex
        exact_det = ex.det_time
        time_limit = min(float(time_limit), left())
        if det_time is not None:
            det_time = max(0.2, det_time - exact_det)
        if time_limit <= 0.05:
            return Result("UNKNOWN", None, None, None, {}, 0, {}, [], ex.wall_time, exact_det, hint_obj, "time_limit",
                          exact_det=exact_det)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = max(1, min(2, int(workers)))
    solver.parameters.random_seed = int(seed)
    solver.parameters.optimize_with_core = bool(prove)
    if det_time is not None:
        solver.parameters.max_deterministic_time = float(det_time)
        if solver.parameters.num_workers > 1:
            solver.parameters.interleave_search = True
    if diagnose and enforce:
        m.add_assumptions(list(enforce.values()))
        solver.parameters.stop_after_first_solution = True   # only feasibility matters here

    watch = [on_solution]

    class _CB(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            if progress:
                progress(self.ObjectiveValue(), self.BestObjectiveBound(), self.WallTime())
            if watch[0] and watch[0]({(pi, d): s for (pi, d, s), v in y.items() if self.Value(v)}):
                watch[0] = None   # the caller has what it waited for: stop reading solutions


    with stoppable(solver, stop):
        st = solver.Solve(m, _CB())
    name = solver.StatusName(st)
    conflict: list[str] = []
    if st == cp_model.INFEASIBLE and diagnose and enforce:
        idx = {v.Index(): k for k, v in enforce.items()}
        core = sorted(idx[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in idx)
        conflict = _minimal_cores(m, enforce, core, seed, time_limit - solver.WallTime(), deadline)
    assignment, pct = {}, {}
    obj = bound = gap = None
    short = 0
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (pi, d, s), v in y.items():
            if solver.Value(v):
                assignment[pi, d] = s
        short = sum(solver.Value(v) for v in short_vars)
        obj, bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
        gap = abs(obj - bound) / max(1.0, abs(obj))
        for pi, (pv, used) in pct_var.items():
            pct[pi] = float(solver.Value(pv)) if solver.Value(used) else 0.0
    stopped = None
    if st not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        # whichever limit the search came closer to is the one that ended it
        by_det = det_time is not None and solver.deterministic_time / max(1e-9, det_time) \
            >= solver.WallTime() / max(1e-9, time_limit)
        stopped = "stop" if stop is not None and stop() else "det_time" if by_det else "time_limit"
    return Result(name, obj, bound, gap, assignment, short, pct, conflict, solver.WallTime(),
                  float(solver.deterministic_time) + exact_det, hint_obj, stopped, exact_det=exact_det)


def _solve_exact(m, y, wall: float, det: float, workers: int, seed: int, deterministic: bool) -> Result:
    """``solve``'s ``exact_first``: a copy of the built model with the open minimum-cover heads and the
    contract deviations fixed at 0, within ``wall`` and ``det`` seconds. ``deterministic``: CP-SAT's
    interleaved mode, without the hint (a hint that breaks these constraints aborts that mode in OR-Tools
    9.15). Result.exact says what it found (None: nothing within the limits)."""
    from ortools.sat.python import cp_model
    ex = m.clone()
    for i, v in enumerate(ex.proto.variables):
        if v.name.startswith(("short_", "contract_dev")):
            ex.add(ex.get_int_var_from_proto_index(i) == 0)
    sv = cp_model.CpSolver()
    sv.parameters.max_time_in_seconds = max(0.01, float(wall))
    sv.parameters.max_deterministic_time = float(det)
    sv.parameters.num_workers = max(1, min(2, int(workers)))
    sv.parameters.random_seed = int(seed)
    if deterministic:
        ex.clear_hints()
        sv.parameters.interleave_search = sv.parameters.num_workers > 1
    st = sv.Solve(ex)
    r = Result(sv.StatusName(st), None, None, None, {}, 0, {}, [], sv.WallTime(), float(sv.deterministic_time))
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        r.status, r.exact, r.objective = "FEASIBLE", "legal", sv.ObjectiveValue()
        r.assignment = {(pi, d): s for (pi, d, s), v in y.items() if sv.Value(v)}
    elif st == cp_model.INFEASIBLE:
        r.status, r.exact = "UNKNOWN", "infeasible"
    else:
        r.stopped_by = "time_limit"
    return r


def post_conditions(m, P: Problem, conds: list[Cond], Y, any_of, W: Weights, lit_for=lambda c: None):
    """Post rule conditions into a CP-SAT model: a hard one as a constraint (with its diagnosis literal
    from ``lit_for``), a soft one as a penalty. ``Y(person, slot)`` is the worked-slot variable or None
    (never worked); ``any_of(person, slots)`` a literal true when any of them is worked. Returns
    (penalties [(coefficient, variable)], position-size variables by person for the heltid mode).
    The whole-roster model and the one-person pricing model both post through here."""
    penalties: list = []
    pct_var: dict[int, tuple[IntVar, IntVar]] = {}
    for c in conds:
        pi = c.person
        en = lit_for(c) if c.hard else None
        if isinstance(c, Contract):
            expr = sum(k * Y(pi, sl) for sl, k in c.terms if Y(pi, sl) is not None)
            p = P.persons[pi]
            if p.percent_range:
                lo, hi = p.percent_range
                pv = m.new_int_var(lo, hi, f"pct_{pi}")
                used = m.new_bool_var(f"used_{pi}")
                pct_var[pi] = (pv, used)
                # position 0 (not used) or within [lo, hi]
                pz = m.new_int_var(0, hi, f"pz_{pi}")
                m.add(pz == pv).OnlyEnforceIf(used)
                m.add(pz == 0).OnlyEnforceIf(used.Not())
                target = pz * round(10 * c.per_percent)   # x10: exact for norms with one decimal
            else:
                target = round(10 * c.per_percent * p.percent)
            expr = 10 * expr
            if c.hard and W.contract_soft:
                dev = m.new_int_var(0, 10 ** 7, f"contract_dev_{pi}")
                m.add(dev >= expr - target - 10 * c.tolerance)
                m.add(dev >= target - expr - 10 * c.tolerance)
                penalties.append((W.contract_soft, dev))

            elif c.hard:
                ct1 = m.add(expr - target <= 10 * c.tolerance)
                ct2 = m.add(target - expr <= 10 * c.tolerance)
                if en is not None:
                    ct1.OnlyEnforceIf(en)
                    ct2.OnlyEnforceIf(en)
            else:
                dev = m.new_int_var(0, 10 ** 7, "")
                m.add(dev >= expr - target - 10 * c.tolerance)
                m.add(dev >= target - expr - 10 * c.tolerance)
                penalties.append((c.weight * W.soft_rule, dev))
            continue
        if isinstance(c, Linear):
            tv = [(Y(pi, sl), k) for sl, k in c.terms if Y(pi, sl) is not None]
            if not tv:
                if c.lo is not None and c.lo > 0 and not c.hard:
                    penalties.append((c.weight * W.soft_rule, m.new_constant(1)))
                elif c.lo is not None and c.lo > 0:   # a hard minimum on slots that cannot be worked
                    m.add_bool_or([en.Not()] if en is not None else [])
                continue
            if c.hard and c.lo is None and c.hi is not None and sum(k for _, k in tv if k > 0) <= c.hi:
                continue
            expr = sum(k * v for v, k in tv)
            if c.hard:
                if c.lo is not None:
                    ct = m.add(expr >= c.lo)
                    if en is not None:
                        ct.OnlyEnforceIf(en)
                if c.hi is not None:
                    ct = m.add(expr <= c.hi)
                    if en is not None:
                        ct.OnlyEnforceIf(en)
            else:
                viol = m.new_bool_var("")
                if c.lo is not None:
                    m.add(expr >= c.lo).OnlyEnforceIf(viol.Not())
                if c.hi is not None:
                    m.add(expr <= c.hi).OnlyEnforceIf(viol.Not())
                penalties.append((c.weight * W.soft_rule, viol))
            continue
        if isinstance(c, CountAny):
            zs = [any_of(pi, st) for st in c.sets]
            zs = [z for z in zs if z is not None]
            if len(zs) <= c.hi:
                continue
            if c.hard:
                ct = m.add(sum(zs) <= c.hi)
                if en is not None:
                    ct.OnlyEnforceIf(en)
            else:
                ex = m.new_int_var(0, len(zs), "")
                m.add(ex >= sum(zs) - c.hi)
                penalties.append((c.weight * W.soft_rule, ex))
            continue
        if isinstance(c, Pattern):
            clause, trivially_ok = [], False
            for st, want in c.elems:
                if want:
                    z = any_of(pi, st)
                    if z is None:
                        trivially_ok = True
                        break
                    clause.append(z.Not())
                else:
                    clause.extend(v for v in (Y(pi, sl) for sl in st) if v is not None)
            if trivially_ok:
                continue
            if c.hard:
                if en is not None:
                    clause.append(en.Not())
                m.add_bool_or(clause)
            else:
                viol = m.new_bool_var("")
                m.add_bool_or(clause + [viol])
                penalties.append((c.weight * W.soft_rule, viol))
            continue

    return penalties, pct_var


def _minimal_cores(m, enforce: dict, core: list[str], seed: int, budget: float,
                   deadline: float | None = None) -> list[str]:
    """Shrink CP-SAT's (often non-minimal) core to the hard rules that really clash. People meet only
    in the cover, which is soft, so a clash lies within one person: per person in the core, test
    their rules alone, then drop each rule that the clash does not need (deletion). Falls back to the
    whole core when no single person clashes or the budget runs out first."""
    from ortools.sat.python import cp_model
    t_end = time.perf_counter() + max(1.0, budget)
    if deadline is not None:
        t_end = min(t_end, deadline)

    def clash(keys) -> bool:
        left = t_end - time.perf_counter()
        if left <= 0.05:
            return False
        m.clear_assumptions()
        m.add_assumptions([enforce[k] for k in keys])
        sv = cp_model.CpSolver()
        sv.parameters.num_workers = 1
        sv.parameters.random_seed = int(seed)
        sv.parameters.max_time_in_seconds = min(left, 5.0)
        sv.parameters.stop_after_first_solution = True
        return sv.Solve(m) == cp_model.INFEASIBLE

    by_person: dict[str, list[str]] = {}
    for k in core:
        by_person.setdefault(k.split("|", 1)[1], []).append(k)
    out = []
    for _, keys in sorted(by_person.items()):
        if not clash(keys):
            continue
        for k in list(keys):
            trial = [x for x in keys if x != k]
            if trial and clash(trial):
                keys = trial
        out += keys
    return sorted(out) if out else core


def _complete_hint(m, y, hint, seed, wall: float = 30.0, stop: Callable[[], bool] | None = None) -> float | None:
    """Hint every model variable: fix the assignment variables to the hint, let CP-SAT fill in the
    auxiliary ones (flows, shortfall, penalties), and hint that complete solution. Falls back to
    hinting the assignment variables only when the fixed hint breaks a hard constraint. Returns the
    hint's objective when it was proven (the penalties at their true values), else None."""
    from ortools.sat.python import cp_model
    fixed = m.clone()
    val = {k: (1 if hint.get((k[0], k[1])) == k[2] else 0) for k in y}
    for k, v in y.items():
        fixed.add(fixed.get_bool_var_from_proto_index(v.Index()) == val[k])
    sv = cp_model.CpSolver()
    sv.parameters.num_workers = 1
    sv.parameters.random_seed = int(seed)
    sv.parameters.max_deterministic_time = 10.0
    sv.parameters.max_time_in_seconds = float(wall)
    # the clone keeps the objective, so the penalty variables take their true (smallest) values
    with stoppable(sv, stop):
        st = sv.Solve(fixed)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for i in range(len(m.proto.variables)):
            v = m.get_int_var_from_proto_index(i)
            m.add_hint(v, sv.Value(v))
        return sv.ObjectiveValue() if st == cp_model.OPTIMAL else None
    for k, v in y.items():
        m.add_hint(v, val[k])
    return None


def _monotone(c: Cond) -> bool:
    """A hard condition that more work can only make worse (checked by the constructive start)."""
    if not c.hard:
        return False
    if isinstance(c, Contract):
        return True
    if isinstance(c, Linear):
        return c.lo is None and c.hi is not None and all(k >= 0 for _, k in c.terms)
    if isinstance(c, CountAny):
        return True
    if isinstance(c, Pattern):
        return all(want for _, want in c.elems)
    return False


def construct(P: Problem, forbid: dict[int, set] | None = None, top_up: bool = True,
              conds: list[Cond] | None = None, blocks: bool = False,
              deadline: float | None = None) -> dict[tuple[int, int], int]:
    """Deterministic greedy start roster: fill every minimum-cover head, weekend/holiday days first
    (the most constrained), then the other days in date order; each head goes to the person of the
    slot's own group (substitutes last) with the largest share of contract hours still unplanned,
    among those for whom the shift breaks no hard rule that more work can only make worse (rest,
    hours caps, weekend and Sunday counts, availability, contract maximum). With ``top_up``, people
    still below contract minus tolerance then get extra useful shifts where legal. The result is a
    hint for CP-SAT, not a promise: cover may stay open and contract minimums may be missed.
    ``blocks``: among people alike on the above, a head goes first to whom it leaves no single day off
    between worked days and no run of more than six days (``_block_cost``).
    ``deadline`` (a ``time.perf_counter()`` instant): checked once a day, the roster so far is returned once
    it has passed (a year's horizon takes the greedy seconds: the caller's time limit comes first)."""
    conds = all_conditions(P) if conds is None else conds
    forbid = forbid or {}
    n = len(P.persons)
    by_slot: list[dict] = [{} for _ in range(n)]
    contract: list[Contract | None] = [None] * n
    for c in conds:
        if not _monotone(c):
            continue
        if isinstance(c, Contract):
            contract[c.person] = c
            continue
        if isinstance(c, Linear):
            sls = [sl for sl, _ in c.terms]
        elif isinstance(c, CountAny):
            sls = [sl for st in c.sets for sl in st]
        else:
            assert isinstance(c, Pattern), c   # _monotone passes no other kind
            sls = [sl for st, _ in c.elems for sl in st]
        for sl in set(sls):
            by_slot[c.person].setdefault(sl, []).append(c)
    worked: list[set] = [set() for _ in range(n)]
    day_busy: list[set] = [set() for _ in range(n)]
    planned = [0] * n
    asg: dict[tuple[int, int], int] = {}

    def target(pi):
        c = contract[pi]
        p = P.persons[pi]
        if c is None or p.percent_range:
            return None, None
        return c.per_percent * p.percent, c.tolerance

    # the conditions' state as the roster grows, updated by ``add``: re-summing them for every candidate made a
    # year's start take minutes (a year of Skarbøvik: a tenth of the start in 40 s)
    sums: dict[int, int] = {}           # id(Linear) -> its weighted count of worked slots
    hit: dict[int, set[int]] = {}       # id(CountAny) -> indexes of its sets with a worked slot
    set_index: dict[int, dict] = {}     # id(CountAny's sets, shared by people) -> {slot: indexes of its sets}

    def sets_with(c: CountAny, sl) -> list[int]:
        m = set_index.get(id(c.sets))
        if m is None:
            m = set_index[id(c.sets)] = {}
            for i, st in enumerate(c.sets):
                for x in st:
                    m.setdefault(x, []).append(i)
        return m.get(sl, [])

    def breaks(c: Cond, pi: int, sl) -> bool:
        # ``violated`` on the person's worked slots plus ``sl``, from the running state
        if isinstance(c, Linear):   # monotone: no lower limit, no negative term
            return sums.get(id(c), 0) + term_map(c).get(sl, 0) > c.hi  # type: ignore[operator]
        if isinstance(c, CountAny):
            h = hit.get(id(c), set())
            return len(h) + sum(1 for i in sets_with(c, sl) if i not in h) > c.hi
        assert isinstance(c, Pattern), c
        w = worked[pi]
        return all(any(x == sl or x in w for x in st) for st, _ in c.elems)

    def ok(pi, d, s):
        if d in day_busy[pi] or (d, s) in forbid.get(pi, ()) or not P.exists(d, s):
            return False
        t, tol = target(pi)
        if t is not None and planned[pi] + P.shifts[s].work_minutes > t + tol + 1e-6:
            return False
        return not any(breaks(c, pi, (d, s)) for c in by_slot[pi].get((d, s), ()))

    def add(pi, d, s):
        for c in by_slot[pi].get((d, s), ()):
            if isinstance(c, Linear):
                sums[id(c)] = sums.get(id(c), 0) + term_map(c).get((d, s), 0)
            elif isinstance(c, CountAny):
                hit.setdefault(id(c), set()).update(sets_with(c, (d, s)))
        worked[pi].add((d, s))
        day_busy[pi].add(d)
        planned[pi] += P.shifts[s].work_minutes
        asg[pi, d] = s

    def room(pi):
        t, _ = target(pi)
        if t is None:
            return 0.0
        return (t - planned[pi]) / max(1.0, t)

    period_shifts: dict[str, list[int]] = {}
    for si, st in enumerate(P.shifts):
        for per in st.periods:
            period_shifts.setdefault(per, []).append(si)
    need: dict[tuple[int, str, str], int] = {}
    for cv in P.cover:
        if cv.min > 0:
            need[cv.day, cv.code, cv.group] = need.get((cv.day, cv.code, cv.group), 0) + cv.min
    groups: dict[str, list[int]] = {}
    for pi, p in enumerate(P.persons):
        groups.setdefault(p.group, []).append(pi)
    order_days = sorted(range(P.days), key=lambda d: (not P.helg[d], d))
    tord = {"natt": 0, "lang": 1, "dag": 2, "kveld": 3}
    need_on: dict[int, list] = {}
    for k in need:
        need_on.setdefault(k[0], []).append(k)
    for d in order_days:
        if deadline is not None and time.perf_counter() > deadline:
            return asg
        keys = sorted(need_on.get(d, []),
                      key=lambda k: (min(tord.get(P.shifts[s].time, 9) for s in period_shifts.get(k[1], [0])), k))
        for key in keys:
            _, per, g = key
            while need[key] > 0:
                best = None
                for rank, h in enumerate([g] + list(P.substitutes.get(g, []))):
                    for pi in groups.get(h, []):
                        block = _block_cost(P, day_busy[pi], d) if blocks else 0   # the day's, whatever the shift
                        for s in period_shifts.get(per, []):
                            # prefer a shift whose every period still needs this group
                            waste = sum(1 for q in P.shifts[s].periods if need.get((d, q, g), 0) <= 0)
                            score = (rank, waste, block, -room(pi), pi, s)
                            if (best is None or score < best[0]) and ok(pi, d, s):
                                best = (score, pi, s)
                    if best is not None:
                        break
                if best is None:
                    break
                _, pi, s = best
                add(pi, d, s)
                for q in P.shifts[s].periods:
                    if need.get((d, q, g), 0) > 0:
                        need[d, q, g] -= 1
    if top_up:
        useful: dict[str, list[tuple[int, int]]] = {}
        for cv in P.cover:
            if max(cv.min, cv.preferred) > 0:
                for h in [cv.group] + list(P.substitutes.get(cv.group, [])):
                    useful.setdefault(h, []).extend((cv.day, s) for s in period_shifts.get(cv.code, []))
        for pi in range(n):
            t, tol = target(pi)
            if t is None:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                break
            cands = sorted(set(useful.get(P.persons[pi].group, [])), key=lambda x: ((x[0] * 7919) % P.days, x))
            for d, s in cands:
                if planned[pi] >= t - tol:
                    break
                if ok(pi, d, s):
                    add(pi, d, s)
    return asg


def _block_cost(P: Problem, busy: set[int], d: int) -> int:
    """What working day ``d`` does to a person's blocks, given the days already planned: +1 for each single
    day off it leaves between worked days, -1 when it fills one, +1 when it makes a run of more than six
    days. A tie-break of the greedy start (the rules' own conditions judge the roster)."""
    def on(k: int) -> bool:
        if not P.cyclic and not 0 <= k < P.days:
            return False
        return k % P.days in busy

    cost = 0
    if not on(d - 1) and on(d - 2):
        cost += 1
    if not on(d + 1) and on(d + 2):
        cost += 1
    if on(d - 1) and on(d + 1):
        cost -= 1
    run, k = 1, d - 1
    while on(k) and run <= 7:
        run, k = run + 1, k - 1
    k = d + 1
    while on(k) and run <= 7:
        run, k = run + 1, k + 1
    return cost + (run > 6)


def cover_missing(P: Problem, assignment: dict[tuple[int, int], int]) -> list[tuple[int, str, str, int]]:
    """(day, code, group, missing heads) for every minimum-cover slot the assignment leaves open."""
    out = []
    keys = sorted({(c.day, c.code) for c in P.cover})
    for d, code in keys:
        heads: dict[str, int] = {}
        for (pi, dd), ss in assignment.items():
            if dd == d and code in P.shifts[ss].periods:
                g = P.persons[pi].group
                heads[g] = heads.get(g, 0) + 1
        for g, k in fill_slots(P, heads, d, code).items():
            out.append((d, code, g, k))
    return out


def ceil_div(a: float, b: float) -> int:
    return math.ceil(a / b - 1e-9)
