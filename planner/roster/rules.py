"""The working-time rule library as data: `kind: worktime_rules` files -> rule objects.

Each rule type maps to one class in models/roster/cpsat.py. That class both posts the rule into
the CP-SAT builder and audits a roster (one rule, one definition). This module only reads the
YAML, checks parameters against the legal floors and translates an averaging regime into numbers.
Each rule cites its legal source as `KEY, place` (aml § 10-8 (1) …; keys in docs/sources.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.roster import cpsat as M
from planner.io.loader import fail_at, read_yaml

# aml § 10-4 / § 10-5 caps by averaging basis:
#   per work period and per fixed 24 h; single-week cap; 48 h averaged over 8 weeks.
AVERAGING = {
    "none": dict(max_shift_hours=9.0, max_day_hours=9.0, single_week=None, avg=None,
                 source="aml § 10-4 (1): 9 h per 24 h; week limit of aml § 10-4 (1), (4) or (5) each week"),
    "individual": dict(max_shift_hours=10.0, max_day_hours=10.0, single_week=50.0, avg=48.0,
                       source="aml § 10-5 (1): 10 h per 24 h, 48 h per 7 days, 50 h in a single week"),
    "tillitsvalgte": dict(max_shift_hours=12.5, max_day_hours=12.5, single_week=54.0, avg=48.0,
                          source="aml § 10-5 (2): 12,5 h per 24 h, 48 h per 7 days averaged over 8 weeks, "
                                 "54 h in a single week"),
    "arbeidstilsynet": dict(max_shift_hours=13.0, max_day_hours=13.0, single_week=None, avg=48.0,
                            source="aml § 10-5 (3): 13 h per 24 h, 48 h averaged over 8 weeks; no single-week "
                                   "cap stated there (unchecked against the full text of aml § 10-5)"),
}
WEEK_CATEGORY = {40: "aml § 10-4 (1)", 38: "aml § 10-4 (4) (døgnkontinuerlig / turnus / every third Sunday)",
                 36: "aml § 10-4 (5) (helkontinuerlig)"}

# Rule types, their parameters (name -> (type, default)) and what each means.
TYPES: dict[str, dict] = {
    "daily_rest": {"min_hours": (float, 11.0)},
    "weekly_rest": {"min_hours": (float, 35.0)},
    "working_hours": {"averaging": (str, "none"), "week_category": (int, 38)},
    "contract_hours": {"norm_hours_per_week": (float, 35.5), "tolerance_hours": (float, 4.0)},
    "sunday_rule": {"averaging": (bool, False), "window_weeks": (int, 26), "max_in_row": (int, 3)},
    "weekend_frequency": {"every": (int, 3), "start": (str, "sat 00:00"), "end": (str, "sun 22:00")},
    "night_work": {"avg_hours_per_24h": (float, 8.0), "block_weeks": (int, 4)},
    "quick_return": {"min_hours": (float, 11.0)},
    "max_consecutive": {"max": (int, 6), "times": (list, None)},
    "min_consecutive_off": {"min": (int, 2)},
    "unwanted_patterns": {"patterns": (list, [])},
}
COMMON = {"id", "type", "hard", "weight", "source", "illustrative", "note", "enabled"}
DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass
class RuleSet:
    path: Path | None
    id: str
    name: str
    rules: list[M.Rule]
    entries: list[dict]          # the rule entries as read (with source), for reports

    @property
    def norm_hours_per_week(self) -> float:
        r = next((r for r in self.rules if isinstance(r, M.ContractHours)), None)
        return r.norm_hours_per_week if r else 35.5

    def find(self, cls):
        return next((r for r in self.rules if type(r) is cls), None)


_err = fail_at  # one way to name the file, field and line of bad input


def _week_minute(text: str, path, node, loc) -> int:
    try:
        day, hm = text.lower().split()
        h, m = hm.split(":")
        return DAYS[day[:3]] * M.DAY + int(h) * 60 + int(m)
    except Exception:
        _err(path, node, loc, f"cannot read {text!r} as a weekday and time", 'write e.g. "sat 00:00" or "sun 22:00"')


def load_rules(path: str | Path, overrides: dict | None = None) -> RuleSet:
    path = Path(path)
    data, node = read_yaml(path)
    if not isinstance(data, dict) or data.get("kind") != "worktime_rules":
        _err(path, node, ("kind",), f"is not a `worktime_rules` file (kind: {data.get('kind') if isinstance(data, dict) else None!r})",
             "point to a file with `kind: worktime_rules`, e.g. instances/rules/aml.yaml")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        _err(path, node, ("rules",), "needs a non-empty list of rules", "see docs/rosters.md")
    return rules_from_entries(entries, path, node, str(data.get("id", path.stem)),
                              str(data.get("name", path.stem)), overrides or {})


def rules_from_entries(entries: list[dict], path=None, node=None, rid="rules", name="rules",
                       overrides: dict | None = None) -> RuleSet:
    rules: list[M.Rule] = []
    kept: list[dict] = []
    seen_ids, seen_types = set(), {}
    overrides = overrides or {}
    for i, e in enumerate(entries):
        loc = ("rules", i)
        if not isinstance(e, dict):
            _err(path, node, loc, "each rule must be a mapping", "write `- id: ...\n    type: ...`")
        e = {**e, **overrides.get(e.get("id"), {})}
        if e.get("enabled") is False:
            continue
        t = e.get("type")
        if t not in TYPES:
            _err(path, node, loc + ("type",), f"unknown rule type {t!r}", f"use one of {', '.join(TYPES)}")
        rid_ = e.get("id") or t
        if rid_ in seen_ids:
            _err(path, node, loc + ("id",), f"duplicate rule id {rid_!r}", "give every rule its own id")
        seen_ids.add(rid_)
        for k in e:
            if k not in COMMON and k not in TYPES[t]:
                _err(path, node, loc + (k,), f"unknown field {k!r} for a {t} rule",
                     f"allowed: {', '.join(sorted(TYPES[t]))} and hard, weight, source")
        if not (e.get("source") or e.get("illustrative")):
            _err(path, node, loc, f"rule {rid_!r} has neither `source:` nor `illustrative: true`",
                 "cite the law or agreement as `KEY, place` (docs/sources.md) or mark it illustrative")
        p = {}
        for k, (typ, dflt) in TYPES[t].items():
            v = e.get(k, dflt)
            if v is not None and typ is float and isinstance(v, (int, float)) and not isinstance(v, bool):
                v = float(v)
            if v is not None and not isinstance(v, typ) or (typ in (int, float) and isinstance(v, bool)):
                _err(path, node, loc + (k,), f"{k} must be a {typ.__name__} (got {v!r})", "correct the value")
            p[k] = v
        hard = e.get("hard", True)
        weight = e.get("weight", 1)
        if not isinstance(hard, bool):
            _err(path, node, loc + ("hard",), "hard must be true or false", "write hard: true or hard: false")
        if not isinstance(weight, int) or weight < 0:
            _err(path, node, loc + ("weight",), f"weight must be a whole number >= 0 (got {weight!r})", "e.g. weight: 10")
        kw = dict(id=rid_, hard=hard, weight=weight, source=str(e.get("source", "illustrative")))
        r = _make(t, p, kw, path, node, loc)
        if t in ("daily_rest", "weekly_rest", "working_hours", "contract_hours", "sunday_rule", "weekend_frequency"):
            if t in seen_types:
                _err(path, node, loc, f"a second {t} rule ({rid_!r}) contradicts {seen_types[t]!r}",
                     "keep one rule of this type; change its parameters instead")
            seen_types[t] = rid_
        rules.append(r)
        kept.append({"id": rid_, "index": i, "type": t, "hard": hard, "weight": weight, "params": p,
                     "source": kw["source"], "illustrative": bool(e.get("illustrative", False))})
    _cross_check(rules, path, node)
    rules.append(M.Availability(id="availability", source="staff file: unavailability, allowed shifts, "
                                "night exemption (aml § 10-2 (2)), long shifts voluntary (NSF-langvakter)"))
    rules.append(M.Wishes(id="wishes", hard=False, weight=1, source="staff file: wishes"))
    return RuleSet(path, rid, name, rules, kept)


def _make(t, p, kw, path, node, loc) -> M.Rule:
    if t == "daily_rest":
        if p["min_hours"] < 8:
            _err(path, node, loc + ("min_hours",), f"daily rest {p['min_hours']:g} h is below the legal floor of 8 h",
                 "use at least 8 (aml § 10-8 (3)); 11 without an agreement (§ 10-8 (1))")
        return M.DailyRest(**kw, min_hours=p["min_hours"])
    if t == "quick_return":
        return M.QuickReturn(**kw, min_hours=p["min_hours"])
    if t == "weekly_rest":
        if p["min_hours"] < 28:
            _err(path, node, loc + ("min_hours",), f"weekly rest {p['min_hours']:g} h is below the legal floor of 28 h",
                 "use at least 28 (aml § 10-8 (3)); 35 without an agreement (§ 10-8 (2))")
        if p["min_hours"] > 7 * 24 - 8:
            _err(path, node, loc + ("min_hours",), "weekly rest longer than a week leaves no time to work", "use 35")
        return M.WeeklyRest(**kw, min_hours=p["min_hours"])
    if t == "working_hours":
        reg = p["averaging"]
        if reg not in AVERAGING:
            _err(path, node, loc + ("averaging",), f"unknown averaging regime {reg!r}",
                 f"use one of {', '.join(AVERAGING)} (aml § 10-5 (1)/(2)/(3))")
        if p["week_category"] not in WEEK_CATEGORY:
            _err(path, node, loc + ("week_category",), f"week_category must be 40, 38 or 36 (got {p['week_category']})",
                 "38 for turnus with every third Sunday (aml § 10-4 (4))")
        a = AVERAGING[reg]
        wc = float(p["week_category"])
        return M.WorkingHours(**kw, max_shift_hours=a["max_shift_hours"], max_day_hours=a["max_day_hours"],
                              max_week_hours=wc if reg == "none" else a["single_week"],
                              avg_weeks=None if reg == "none" else 8, avg_week_hours=a["avg"],
                              period_week_hours=wc, regime=reg)
    if t == "contract_hours":
        if not 20 <= p["norm_hours_per_week"] <= 40:
            _err(path, node, loc + ("norm_hours_per_week",), f"norm {p['norm_hours_per_week']:g} h is not a weekly norm",
                 "use 35.5 (turnus), 33.6 (helkontinuerlig / heavy) or 37.5 (day work)")
        if p["tolerance_hours"] < 0:
            _err(path, node, loc + ("tolerance_hours",), "tolerance must be >= 0", "e.g. tolerance_hours: 4")
        return M.ContractHours(**kw, norm_hours_per_week=p["norm_hours_per_week"], tolerance_hours=p["tolerance_hours"])
    if t == "sunday_rule":
        if p["max_in_row"] < 1 or p["window_weeks"] < 2:
            _err(path, node, loc, f"max_in_row {p['max_in_row']} / window_weeks {p['window_weeks']} leave no Sunday "
                 "to work or no average", "use max_in_row: 3 and window_weeks: 26 (aml § 10-8 (4))")
        return M.SundayRule(**kw, averaging=p["averaging"], window_weeks=p["window_weeks"], max_in_row=p["max_in_row"])
    if t == "weekend_frequency":
        if p["every"] < 1:
            _err(path, node, loc + ("every",), "every must be >= 1", "e.g. every: 3 (every third weekend)")
        return M.WeekendFrequency(**kw, cycle=p["every"], start_minute=_week_minute(p["start"], path, node, loc + ("start",)),
                                  end_minute=_week_minute(p["end"], path, node, loc + ("end",)))
    if t == "night_work":
        if p["avg_hours_per_24h"] <= 0 or p["block_weeks"] < 1:
            _err(path, node, loc, "avg_hours_per_24h must be > 0 and block_weeks >= 1",
                 "use avg_hours_per_24h: 8 and block_weeks: 4 (aml § 10-11 (6))")
        return M.NightWork(**kw, avg_hours_per_24h=p["avg_hours_per_24h"], block_weeks=p["block_weeks"])
    if t == "max_consecutive":
        times = tuple(p["times"]) if p["times"] else None
        if times and any(x not in ("dag", "kveld", "natt", "lang") for x in times):
            _err(path, node, loc + ("times",), f"times must be among dag, kveld, natt, lang (got {list(times)})",
                 "e.g. times: [natt]")
        if p["max"] < 1:
            _err(path, node, loc + ("max",), "max must be >= 1", "e.g. max: 5")
        what = "working days" if not times else "/".join(times) + " shifts"
        return M.MaxConsecutive(**kw, max=p["max"], times=times, what=what)
    if t == "min_consecutive_off":
        if p["min"] < 1:
            _err(path, node, loc + ("min",), "min must be >= 1", "e.g. min: 2 (no isolated day off)")
        return M.MinConsecutiveOff(**kw, min=p["min"])
    if t == "unwanted_patterns":
        pats = p["patterns"]
        if not all(isinstance(x, list) and x and all(isinstance(t_, str) for t_ in x) for x in pats):
            _err(path, node, loc + ("patterns",), "patterns must be a list of lists of codes",
                 'e.g. patterns: [[natt, "-", dag]] (a code, a time, "-" off or "*" any shift)')
        return M.UnwantedPatterns(**kw, patterns=tuple(tuple(x) for x in pats))
    raise AssertionError(t)


def _cross_check(rules, path, node):
    dr = next((r for r in rules if type(r) is M.DailyRest), None)
    wr = next((r for r in rules if type(r) is M.WeeklyRest), None)
    wh = next((r for r in rules if type(r) is M.WorkingHours), None)
    ch = next((r for r in rules if type(r) is M.ContractHours), None)
    su = next((r for r in rules if type(r) is M.SundayRule), None)
    wf = next((r for r in rules if type(r) is M.WeekendFrequency), None)
    if dr and wr and wr.min_hours < dr.min_hours:
        _err(path, node, ("rules",), f"weekly rest {wr.min_hours:g} h is shorter than daily rest {dr.min_hours:g} h",
             "weekly rest must be at least as long as daily rest")
    if wh and ch and ch.norm_hours_per_week > wh.period_week_hours:
        _err(path, node, ("rules",), f"contract norm {ch.norm_hours_per_week:g} h/week exceeds the legal average "
             f"{wh.period_week_hours:g} h/week of working_hours", "lower the norm or raise week_category")
    if su and wf and wf.hard and su.hard and not su.averaging and wf.cycle < 2:
        _err(path, node, ("rules",), "weekend_frequency every 1 (every weekend) contradicts the Sunday rule "
             "(the next Sunday off, aml § 10-8 (4))", "use every: 2 or more, or sunday_rule averaging: true")
