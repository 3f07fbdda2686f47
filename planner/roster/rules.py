"""The working-time rule library as data: `kind: worktime_rules` files -> rule objects.

Each rule type maps to one class in models/roster/cpsat.py. That class both posts the rule into
the CP-SAT builder and audits a roster (one rule, one definition). The file format, with the legal
floors and bounds of every parameter, is planner/roster/schema.py; this module checks the rules
against each other and translates an averaging regime into numbers.
Each rule cites its legal source as `KEY, place` (aml § 10-8 (1) …; keys in docs/sources.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.roster import cpsat as M
from planner.io.loader import fail_at, load_file, read_yaml
from planner.roster.schema import (
    REGIMES,
    RuleBase,
    WorktimeRulesFile,
    validate,
    week_minute,
)

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

assert tuple(AVERAGING) == REGIMES  # the schema accepts exactly the regimes translated here
# the rule types whose second occurrence would contradict the first
ONCE = ("daily_rest", "weekly_rest", "working_hours", "contract_hours", "sunday_rule", "weekend_frequency")


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


def load_rules(path: str | Path) -> RuleSet:
    path = Path(path)
    wf: WorktimeRulesFile = load_file(path, "worktime_rules", WorktimeRulesFile)
    _, node = read_yaml(path)    # lines for the checks across rules
    return _rule_set(wf.rules, path, node, wf.id or path.stem, wf.name or path.stem)


def rules_from_entries(entries: list[dict], rid: str = "rules", name: str = "rules") -> RuleSet:
    """Rule entries given in code (tests): validated exactly as in a `worktime_rules` file."""
    wf = validate(WorktimeRulesFile, {"kind": "worktime_rules", "rules": entries})
    return _rule_set(wf.rules, None, None, rid, name)


def _rule_set(specs: list[RuleBase], path, node, rid: str, name: str) -> RuleSet:
    rules: list[M.Rule] = []
    kept: list[dict] = []
    seen_ids, seen_types = set(), {}
    for i, e in enumerate(specs):
        loc = ("rules", i)
        if not e.enabled:
            continue
        rid_ = e.id or e.type
        if rid_ in seen_ids:
            _err(path, node, loc + ("id",), f"duplicate rule id {rid_!r}", "give every rule its own id")
        seen_ids.add(rid_)
        if e.type in ONCE:
            if e.type in seen_types:
                _err(path, node, loc, f"a second {e.type} rule ({rid_!r}) contradicts {seen_types[e.type]!r}",
                     "keep one rule of this type; change its parameters instead")
            seen_types[e.type] = rid_
        p = {k: getattr(e, k) for k in e.params()}
        kw = {"id": rid_, "hard": e.hard, "weight": e.weight,
              "source": e.source if e.source is not None else "illustrative"}
        rules.append(_make(e.type, p, kw))
        kept.append({"id": rid_, "index": i, "type": e.type, "hard": e.hard, "weight": e.weight, "params": p,
                     "source": kw["source"], "illustrative": e.illustrative})
    _cross_check(rules, path, node)
    rules.append(M.Availability(id="availability", source="staff file: unavailability, allowed shifts, "
                                "night exemption (aml § 10-2 (2)), long shifts voluntary (NSF-langvakter)"))
    rules.append(M.Wishes(id="wishes", hard=False, weight=1, source="staff file: wishes"))
    return RuleSet(path, rid, name, rules, kept)


def _make(t: str, p: dict, kw: dict) -> M.Rule:
    """One validated rule entry (planner/roster/schema.py) -> its rule object; averaging regimes become numbers."""
    if t == "daily_rest":
        return M.DailyRest(**kw, min_hours=p["min_hours"])
    if t == "quick_return":
        return M.QuickReturn(**kw, min_hours=p["min_hours"])
    if t == "weekly_rest":
        return M.WeeklyRest(**kw, min_hours=p["min_hours"], within_week=p["reading"] == "within_week",
                            week_start=week_minute(p["week_start"]))
    if t == "working_hours":
        reg = p["averaging"]
        a = AVERAGING[reg]
        wc = float(p["week_category"])
        return M.WorkingHours(**kw, max_shift_hours=a["max_shift_hours"], max_day_hours=a["max_day_hours"],
                              max_week_hours=wc if reg == "none" else a["single_week"],
                              avg_weeks=None if reg == "none" else 8, avg_week_hours=a["avg"],
                              period_week_hours=wc, regime=reg)
    if t == "contract_hours":
        return M.ContractHours(**kw, norm_hours_per_week=p["norm_hours_per_week"], tolerance_hours=p["tolerance_hours"])
    if t == "sunday_rule":
        return M.SundayRule(**kw, averaging=p["averaging"], window_weeks=p["window_weeks"], max_in_row=p["max_in_row"])
    if t == "weekend_frequency":
        return M.WeekendFrequency(**kw, cycle=p["every"], start_minute=week_minute(p["start"]),
                                  end_minute=week_minute(p["end"]))
    if t == "night_work":
        return M.NightWork(**kw, avg_hours_per_24h=p["avg_hours_per_24h"], block_weeks=p["block_weeks"])
    if t == "max_consecutive":
        times = tuple(p["times"]) if p["times"] else None
        what = "working days" if not times else "/".join(times) + " shifts"
        return M.MaxConsecutive(**kw, max=p["max"], times=times, what=what)
    if t == "min_consecutive_off":
        return M.MinConsecutiveOff(**kw, min=p["min"])
    if t == "unwanted_patterns":
        return M.UnwantedPatterns(**kw, patterns=tuple(tuple(x) for x in p["patterns"]))
    raise AssertionError(t)


def _cross_check(rules, path, node):
    # (weekly rest >= 28 h is always longer than daily rest <= 16 h: the bounds in schema.py see to it)
    wh = next((r for r in rules if type(r) is M.WorkingHours), None)
    ch = next((r for r in rules if type(r) is M.ContractHours), None)
    su = next((r for r in rules if type(r) is M.SundayRule), None)
    wf = next((r for r in rules if type(r) is M.WeekendFrequency), None)
    if wh and ch and ch.norm_hours_per_week > wh.period_week_hours:
        _err(path, node, ("rules",), f"contract norm {ch.norm_hours_per_week:g} h/week exceeds the legal average "
             f"{wh.period_week_hours:g} h/week of working_hours", "lower the norm or raise week_category")
    if su and wf and wf.hard and su.hard and not su.averaging and wf.cycle < 2:
        _err(path, node, ("rules",), "weekend_frequency every 1 (every weekend) contradicts the Sunday rule "
             "(the next Sunday off, aml § 10-8 (4))", "use every: 2 or more, or sunday_rule averaging: true")
