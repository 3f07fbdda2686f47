"""Forsvarlighet rule types: one class each (planner/staffing/rule_types.py), each solved by hand.

The small test unit (tests/data, see test_staffing_small.py): 10 patients; weekday day shift 8 paid h
and weekday night 9 paid h, 5 of each a week; groups assistent (level 1, not authorised),
helsefagarbeider (2) and sykepleier (3), all care track. Day work: stell 10 h (any group), medisin 1 h
(sykepleier, or helsefagarbeider with a sykepleier on shift), rydding 1 h (any group, movable); no
work at night. Its one rule, `sykepleier_alltid`, asks for a sykepleier on every shift. LEON's plan
with that rule alone (test_staffing_small.py): day 1 assistent + 1 sykepleier, night 1 sykepleier,
(8 + 8) × 5 + 9 × 5 = 125 paid h/week. min_heads is solved by hand there; the other types here.
"""

import re
from pathlib import Path
from typing import Literal

import pytest

from checker import check
from conftest import ROOT, solve_json
from models.staffing import mip
from planner.io.errors import InputError
from planner.staffing import rule_types as rt
from planner.staffing.instance import load_unit
from planner.staffing.rule_types import RULE_COMMON, RULE_FIELDS, RULE_TYPES, ModelUnit, RuleType
from test_bad_input import assert_clear_error, edit

# one rule of each type that the small unit accepts
SAMPLES = {
    "min_heads": {"groups": ["sykepleier"], "min": 1},
    "never_alone": {},
    "supervision_ratio": {"supervised": ["assistent"], "supervisors": ["sykepleier"], "ratio": 2},
    "share": {"groups": ["sykepleier"], "min": 0.2, "per": "day", "measure": "hours"},
    "patients_per_staff": {"groups": ["sykepleier"], "max_patients": 8},
    "reserved_task": {"tasks": ["medisin"], "groups": ["helsefagarbeider", "sykepleier"]},
    "delegation": {"tasks": ["stell"], "groups": ["assistent"], "supervisors": ["sykepleier"]},
}
ALL_FIELDS = set().union(*RULE_FIELDS.values())


def add_rules(unit_dir: Path, *rules: dict) -> None:
    edit(unit_dir / "rules.yaml", lambda d: d["rules"].extend({"illustrative": True, **r} for r in rules))


def leon(unit_dir: Path, tmp_path: Path, capsys) -> dict:
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys, "--mode", "leon")
    assert check(unit_dir / "unit.yaml", doc, "leon") == []
    return doc["results"]["leon"]


def staff(day: tuple, night: tuple) -> dict:
    """(assistent, helsefagarbeider, sykepleier) heads by day and by night."""
    names = ("assistent", "helsefagarbeider", "sykepleier")
    return {"hverdag_dag": dict(zip(names, day, strict=True)), "hverdag_natt": dict(zip(names, night, strict=True))}


def binding(res: dict, rule: str) -> list[dict]:
    return [b for b in res["binding_rules"] if b["rule"] == rule]


# -------------------------------------------------------------------------------- the registry
def test_the_seven_types_are_registered():
    assert set(RULE_TYPES) == {"min_heads", "never_alone", "supervision_ratio", "share", "patients_per_staff",
                               "reserved_task", "delegation"}
    assert set(SAMPLES) == set(RULE_TYPES), "a new rule type needs a sample here (and a test by hand)"
    # the fields each type reads, as the rules file format has them
    assert RULE_FIELDS == {
        "min_heads": {"groups", "min"},
        "never_alone": {"groups"},
        "supervision_ratio": {"supervised", "supervisors", "ratio"},
        "share": {"groups", "min", "max", "per", "measure"},
        "patients_per_staff": {"groups", "max_patients"},
        "reserved_task": {"tasks", "groups"},
        "delegation": {"tasks", "groups", "supervisors"},
    }
    assert RULE_COMMON == {"id", "type", "name", "enabled", "shifts", "source", "illustrative", "note"}


@pytest.mark.parametrize("name", sorted(RULE_TYPES))
def test_every_type_has_all_four_parts(name, unit_dir):
    cls = RULE_TYPES[name]
    # fields: the registry key is the `type` the class accepts, and it reads at least one field
    assert cls.model_fields["type"].annotation == Literal[name]
    assert RULE_FIELDS[name]
    # text and rows: its own, not the base class's
    assert cls.text is not RuleType.text and cls.rows is not RuleType.rows
    # check: the sample loads into the unit (every type's check runs in load_unit) ...
    add_rules(unit_dir, {"id": "sample", "type": name, **SAMPLES[name]})
    inst = load_unit(unit_dir / "unit.yaml")
    [r] = [r for r in inst.rules if r.id == "sample"]
    assert isinstance(r, cls)
    # ... rows: plain model rules of the kinds models/staffing/mip.py solves, or none for a rule on
    # who may do a task (then the rule answers `on_task`)
    rows = r.rows(ModelUnit(inst.groups, sum(inst.patient_counts.values())), (0, 1))
    assert all(isinstance(x, mip.Rule) and x.id == "sample" and x.kind in ("min_heads", "ratio", "share")
               for x in rows)
    if not rows:
        assert cls.on_task is not RuleType.on_task
    # ... and words for explanations
    assert isinstance(r.text(), str) and len(r.text()) > len(name)


def _fields_naming(cls, marker) -> list[str]:
    return [f for f, info in cls.model_fields.items() if marker in info.metadata]


@pytest.mark.parametrize("name", sorted(RULE_TYPES))
def test_every_type_checks_the_groups_and_tasks_it_names(name, unit_dir):
    cls = RULE_TYPES[name]
    wrong = {f: ["sjukepleiar"] for f in _fields_naming(cls, rt.GROUP_NAMES)}
    wrong |= {f: ["family:nothing"] for f in _fields_naming(cls, rt.TASK_NAMES)}
    assert wrong, "every type names some groups"
    for fld, bad in wrong.items():
        edit(unit_dir / "rules.yaml", lambda d, fld=fld, bad=bad: d.update(rules=[
            {"id": "sample", "type": name, **SAMPLES[name], fld: bad, "illustrative": True}]))
        with pytest.raises(InputError) as e:
            load_unit(unit_dir / "unit.yaml")
        assert e.value.field == f"rules.sample.{fld}" and bad[0].removeprefix("family:") in e.value.problem


def test_docs_list_each_type_with_its_fields():
    text = (ROOT / "docs" / "instance-format.md").read_text(encoding="utf-8")
    for name, fields in RULE_FIELDS.items():
        [row] = re.findall(rf"^\| `{name}` \| ([^|]*(?:\\\|[^|]*)*) \|", text, re.MULTILINE)
        named = set(re.findall(r"`(\w+)", row)) & ALL_FIELDS
        assert named == fields, (name, row)


def test_a_new_type_is_one_class(unit_dir, tmp_path, capsys):
    """What the module docstring promises: a class with a type, fields, rows and text is a rule type
    that files may use, that the model solves and that explanations quote."""

    class AtLeastOne(RuleType):
        type: Literal["at_least_one"]
        groups: rt.Groups

        def rows(self, unit, shifts):
            return [mip.Rule(self.id, "min_heads", shifts, unit.index(self.groups), 1.0)]

        def text(self):
            return f"one of {', '.join(self.groups)} on shift"

    rt.rule_type(AtLeastOne)
    try:
        edit(unit_dir / "rules.yaml", lambda d: d.update(rules=[
            {"id": "en_sykepleier", "type": "at_least_one", "groups": ["sykepleier"], "illustrative": True}]))
        res = leon(unit_dir, tmp_path, capsys)
        # the same rule as min_heads 1 sykepleier: the same 125 paid h, the night nurse costs 9 × 5 = 45
        assert res["objective"] == pytest.approx(125)
        [night] = [b for b in binding(res, "en_sykepleier") if b["shift"] == "hverdag_natt"]
        assert night["hours_per_week_if_dropped"] == pytest.approx(-45)
        assert "one of sykepleier on shift" in night["text"]
        edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].update(min=1))
        assert_clear_error(capsys, ["check", unit_dir / "rules.yaml"], "rules.yaml", r"rules\[0\]\.min")
    finally:
        del RULE_TYPES["at_least_one"], RULE_FIELDS["at_least_one"]


# ------------------------------------------------------------------------------ solved by hand
def test_never_alone(unit_dir, tmp_path, capsys):
    add_rules(unit_dir, {"id": "aldri_alene", "type": "never_alone"})
    res = leon(unit_dir, tmp_path, capsys)
    # the day has 2 heads already; the night's sykepleier gets company: the lowest level, an assistent,
    # 9 h × 5 nights = 45 paid h more: 125 + 45 = 170
    assert res["objective"] == pytest.approx(170)
    assert res["staff"] == staff(day=(1, 0, 1), night=(1, 0, 1))
    [b] = binding(res, "aldri_alene")
    assert b["shift"] == "hverdag_natt" and b["hours_per_week_if_dropped"] == pytest.approx(-45)
    assert b["extra_heads"] == {"assistent": 1}
    assert "never alone: at least 2 on shift" in b["text"]


def test_supervision_ratio(unit_dir, tmp_path, capsys):
    add_rules(unit_dir, {"id": "tilsyn", "type": "supervision_ratio", "supervised": ["assistent"],
                         "supervisors": ["sykepleier"], "ratio": 1})
    edit(unit_dir / "unit.yaml", lambda d: d["workload"][0].update(per_patient=4))
    res = leon(unit_dir, tmp_path, capsys)
    # twice the stell: 20 h + medisin 1 h + rydding 1 h = 22 h by day -> 3 heads of 8 h. Without the
    # rule LEON takes the sykepleier and 2 assistents; with assistents <= 1 × sykepleiere one of them
    # becomes a helsefagarbeider. Same paid hours, 3 × 8 × 5 + 9 × 5 = 165: the rule binds on competence
    assert res["objective"] == pytest.approx(165)
    assert res["staff"] == staff(day=(1, 1, 1), night=(0, 0, 1))
    [b] = binding(res, "tilsyn")
    assert b["shift"] == "hverdag_dag" and b["binds_on"] == "competence"
    assert b["extra_heads"] == {"helsefagarbeider": 1} and b["instead_of"] == {"assistent": 1}
    assert "assistent at most 1 × sykepleier" in b["text"]


@pytest.mark.parametrize("per, measure, objective, day, night, label, saving", [
    # per shift: the night's lone sykepleier is 100 % of its shift; a second head (an assistent) makes
    # it 50 %, in heads and in hours alike (one shift, one shift length): 125 + 9 × 5 = 170
    ("shift", "heads", 170, (1, 0, 1), (1, 0, 1), "hverdag_natt", 45),
    ("shift", "hours", 170, (1, 0, 1), (1, 0, 1), "hverdag_natt", 45),
    # per 24 h in heads: 2 sykepleiere of 3 heads over the weekday; a 4th head makes it 50 %, and a
    # day head costs less than a night head: 125 + 8 × 5 = 165
    ("day", "heads", 165, (2, 0, 1), (0, 0, 1), "hverdag", 40),
    # per 24 h in hours: 8 + 9 = 17 sykepleier hours of 25 need 34 care hours; a day head (33) is
    # not enough, a night head (34) is, and two day heads cost more: 125 + 9 × 5 = 170
    ("day", "hours", 170, (1, 0, 1), (1, 0, 1), "hverdag", 45),
])
def test_share(unit_dir, tmp_path, capsys, per, measure, objective, day, night, label, saving):
    add_rules(unit_dir, {"id": "andel", "type": "share", "groups": ["sykepleier"], "max": 0.5,
                         "per": per, "measure": measure})
    # at most half the care staff (heads or paid hours) are sykepleiere, on top of a sykepleier on
    # every shift (the unit's own rule)
    res = leon(unit_dir, tmp_path, capsys)
    assert res["objective"] == pytest.approx(objective)
    assert res["staff"] == staff(day=day, night=night)
    [b] = binding(res, "andel")
    assert b["shift"] == label and b["hours_per_week_if_dropped"] == pytest.approx(-saving)
    assert f"sykepleier <= 50% of care {measure} per {'24 h' if per == 'day' else 'shift'}" in b["text"]


def test_patients_per_staff(unit_dir, tmp_path, capsys):
    add_rules(unit_dir, {"id": "pasienter", "type": "patients_per_staff",
                         "groups": ["helsefagarbeider", "sykepleier"], "max_patients": 4, "shifts": ["natt"]})
    res = leon(unit_dir, tmp_path, capsys)
    # 10 patients / 4 = 2.5 -> 3 helsefagarbeider or sykepleier heads at night: the sykepleier plus 2
    # helsefagarbeidere (lower level). Paid: day 80 + night 3 × 9 × 5 = 135 -> 215 (2 × 45 more)
    assert res["objective"] == pytest.approx(215)
    assert res["staff"] == staff(day=(1, 0, 1), night=(0, 2, 1))
    [b] = binding(res, "pasienter")
    assert b["shift"] == "hverdag_natt" and b["hours_per_week_if_dropped"] == pytest.approx(-90)
    assert b["extra_heads"] == {"helsefagarbeider": 2}
    assert "at most 4 patients per staff member (helsefagarbeider, sykepleier) on shift" in b["text"]


def test_reserved_task(unit_dir, tmp_path, capsys):
    add_rules(unit_dir, {"id": "reservert_stell", "type": "reserved_task", "tasks": ["family:stell"],
                         "groups": ["helsefagarbeider", "sykepleier"]})
    res = leon(unit_dir, tmp_path, capsys)
    # assistents may no longer do stell (10 of the day's 12 h): the day's second head is a
    # helsefagarbeider; still 2 heads, 125 paid h. The rule gives no model row (it narrows who may do
    # stell), so no binding record names it
    assert res["objective"] == pytest.approx(125)
    assert res["staff"] == staff(day=(0, 1, 1), night=(0, 0, 1))
    assert set(res["allocation"]["stell"]) <= {"helsefagarbeider", "sykepleier"}
    assert binding(res, "reservert_stell") == []


@pytest.mark.parametrize("supervisor, day", [("helsefagarbeider", (0, 1, 1)), ("sykepleier", (1, 0, 1))])
def test_delegation(unit_dir, tmp_path, capsys, supervisor, day):
    add_rules(unit_dir, {"id": "delegering_stell", "type": "delegation", "tasks": ["stell"],
                         "groups": ["assistent"], "supervisors": [supervisor]})
    res = leon(unit_dir, tmp_path, capsys)
    # an assistent may do stell only with a `supervisor` on shift. With a helsefagarbeider as
    # supervisor, assistent + sykepleier no longer works and a third head costs 40 h more: the day
    # takes helsefagarbeider + sykepleier (125 paid h). With a sykepleier as supervisor, the sykepleier
    # the day has anyway supervises: the plan is the plain one (assistent + sykepleier, 125)
    assert res["objective"] == pytest.approx(125)
    assert res["staff"] == staff(day=day, night=(0, 0, 1))


# --------------------------------------------------------------------------------- bad rules
@pytest.mark.parametrize("name", sorted(RULE_TYPES))
def test_a_field_the_type_does_not_read_is_an_error(name, unit_dir, capsys):
    stray = min(ALL_FIELDS - RULE_FIELDS[name])
    add_rules(unit_dir, {"id": "sample", "type": name, **SAMPLES[name], stray: 3})
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "rules.yaml",
                             rf"rules\[1\]\.{stray} \(line \d+\)")
    assert f"a `{name}` rule does not use `{stray}`" in err


@pytest.mark.parametrize("name, field, value", [
    ("min_heads", "min", 1000), ("supervision_ratio", "ratio", 0.01), ("patients_per_staff", "max_patients", 0.1),
    ("patients_per_staff", "max_patients", 500), ("share", "min", 1.5)])
def test_numbers_out_of_bounds(name, field, value, unit_dir, capsys):
    add_rules(unit_dir, {"id": "sample", "type": name, **SAMPLES[name], field: value})
    assert_clear_error(capsys, ["check", unit_dir / "rules.yaml"], "rules.yaml", rf"rules\[1\]\.{field}")


def test_an_override_is_held_to_the_same_bounds(unit_dir, capsys):
    add_rules(unit_dir, {"id": "andel", "type": "share", "groups": ["sykepleier"], "min": 0.2, "max": 0.8})
    edit(unit_dir / "unit.yaml", lambda d: d.update(rule_overrides={"andel": {"min": 1.5}}))
    assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"rule_overrides\.andel\.min")
    edit(unit_dir / "unit.yaml", lambda d: d.update(rule_overrides={"andel": {"min": 0.9}}))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"rule_overrides\.andel")
    assert "`min` 0.9 is above `max` 0.8" in err


def test_an_unknown_type_lists_the_types(unit_dir, capsys):
    edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].update(type="min_head"))
    err = assert_clear_error(capsys, ["check", unit_dir / "rules.yaml"], "rules.yaml", r"rules\[0\]\.type")
    assert all(f"'{n}'" in err for n in RULE_TYPES)
