"""Invariants of the staffing model on random small units, checked by tests/checker.py."""

import copy
import json
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import check
from conftest import DATA
from planner.staffing.instance import load_unit
from planner.staffing.report import result_dict
from planner.staffing.solve import solve_instance

# long enough for every paid length drawn below (paid hours never exceed start to end)
SHIFTS = [
    {"id": "hverdag_dag", "day_type": "hverdag", "time": "dag", "start": "07:00", "end": "16:00"},
    {"id": "hverdag_kveld", "day_type": "hverdag", "time": "kveld", "start": "15:00", "end": "00:00"},
    {"id": "hverdag_natt", "day_type": "hverdag", "time": "natt", "start": "22:00", "end": "07:30"},
    {"id": "helg_dag", "day_type": "helg", "time": "dag", "start": "08:00", "end": "17:00"},
]
TIMES = ["dag", "kveld", "natt"]


@st.composite
def units(draw):
    n_shifts = draw(st.integers(2, 4))
    shifts = []
    for s in SHIFTS[:n_shifts]:
        shifts.append({**s, "paid_hours": draw(st.sampled_from([7.5, 8.0, 9.0])),
                       "days_per_week": 2 if s["day_type"] == "helg" else 5})
    counts = [draw(st.integers(0, 12)) for _ in range(2)]
    workload = []
    for task in ("stell", "medisin", "rydding"):
        for time in draw(st.lists(st.sampled_from(TIMES), min_size=1, max_size=2, unique=True)):
            if not any(s["time"] == time for s in shifts):
                continue
            if draw(st.booleans()):
                workload.append({"task": task, "shifts": [time], "illustrative": True,
                                 "per_patient": {"lett": draw(st.sampled_from([0, 0.5, 1])),
                                                 "tung": draw(st.sampled_from([0.5, 1, 2]))}})
            else:
                workload.append({"task": task, "shifts": [time], "illustrative": True,
                                 "per_unit": draw(st.integers(0, 4))})
    if not workload:
        workload.append({"task": "stell", "shifts": ["dag"], "per_unit": 1, "illustrative": True})
    rules = [{"id": "sykepleier_alltid", "type": "min_heads", "groups": ["sykepleier"],
              "min": draw(st.sampled_from([0, 1])), "illustrative": True}]
    if draw(st.booleans()):
        rules.append({"id": "aldri_alene", "type": "never_alone", "shifts": ["dag"], "illustrative": True})
    if draw(st.booleans()):
        rules.append({"id": "tilsyn", "type": "supervision_ratio", "ratio": draw(st.sampled_from([1, 2, 3])),
                      "illustrative": True})
    if draw(st.booleans()):
        rules.append({"id": "andel", "type": "share", "groups": ["sykepleier"],
                      "min": draw(st.sampled_from([0.2, 0.34, 0.5])), "per": draw(st.sampled_from(["shift", "day"])),
                      "measure": draw(st.sampled_from(["heads", "hours"])), "illustrative": True})
    if draw(st.booleans()):
        rules.append({"id": "pasienter", "type": "patients_per_staff", "max_patients": draw(st.sampled_from([4, 6, 8])),
                      "shifts": ["natt"] if any(s["time"] == "natt" for s in shifts) else ["all"],
                      "illustrative": True})
    return {
        "kind": "unit", "id": "tilfeldig", "name": "Tilfeldig", "type": "sykehjem", "beds": 12,
        "catalogue": "catalogue.yaml", "rules": ["random_rules.yaml"],
        "groups": ["assistent", "helsefagarbeider", "sykepleier"], "shifts": shifts,
        "patient_classes": [{"id": "lett", "count": counts[0], "illustrative": True},
                            {"id": "tung", "count": counts[1], "illustrative": True}],
        "workload": workload,
        "productive_share": draw(st.sampled_from([0.8, 0.9, 1.0])),
        "baseline_shares": draw(st.sampled_from(["day", "shift"])),
        "fte": {"norm_hours_per_week": 35.5, "holiday_weeks": 5, "sick_leave_share": 0.08, "illustrative": True},
    }, {"kind": "rules", "id": "random", "rules": rules}


def _solve(unit: dict, rules: dict, folder: Path, explain: bool = False) -> dict:
    for f in ("catalogue.yaml", "groups.yaml"):
        shutil.copy(DATA / f, folder / f)
    (folder / "random_rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    (folder / "unit.yaml").write_text(yaml.safe_dump(unit, sort_keys=False))
    inst = load_unit(folder / "unit.yaml")
    results = solve_instance(inst, explain=explain)
    return result_dict(inst, results, {"objective": "hours"})


prop = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@prop
@given(units())
def test_solutions_pass_independent_check_and_leon_never_needs_more(case):
    unit, rules = case
    with tempfile.TemporaryDirectory() as d:
        doc = _solve(unit, rules, Path(d))
        for mode in ("baseline", "leon"):
            assert doc["results"][mode]["status"] == "optimal"
            assert check(Path(d) / "unit.yaml", doc, mode) == []
        # today's allocation is one of LEON's options, so LEON needs at most the baseline's hours
        assert doc["results"]["leon"]["objective"] <= doc["results"]["baseline"]["objective"] + 1e-6


@prop
@given(units(), st.integers(1, 6))
def test_adding_work_never_lowers_staffing(case, extra):
    unit, rules = case
    with tempfile.TemporaryDirectory() as d:
        before = _solve(unit, rules, Path(d))
        unit["patient_classes"][1]["count"] += extra
        after = _solve(unit, rules, Path(d))
    # The baseline with shares per day type is not monotone, and cannot be: today's shares are
    # equalities over the day. Found by this test: stell 0.5 h by day and 0.25 h in the evening,
    # shared 50/50 by sykepleier and helsefagarbeider, needs 3 heads (0.375 h each cannot sit in one
    # shift per group); with 0.5 h in the evening each group takes one shift: 2 heads.
    modes = ("baseline", "leon") if unit["baseline_shares"] == "shift" else ("leon",)
    for mode in modes:
        assert after["results"][mode]["objective"] >= before["results"][mode]["objective"] - 1e-6


@settings(max_examples=8, deadline=None)
@given(units())
def test_same_input_same_output(case):
    unit, rules = case
    with tempfile.TemporaryDirectory() as d:
        a = json.dumps(_solve(unit, rules, Path(d)), sort_keys=True)
        b = json.dumps(_solve(unit, rules, Path(d)), sort_keys=True)
    assert a == b


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units())
def test_plan_without_a_binding_rule_breaks_just_that_rule(case):
    # the explanation compares the plan with the nearest optimum without the rule on that shift (or
    # day): that plan keeps every other rule, breaks this one where it binds (else the rule would not
    # bind), and is no costlier
    unit, rules = case
    with tempfile.TemporaryDirectory() as d:
        doc = _solve(unit, rules, Path(d), explain=True)
        for mode in ("baseline", "leon"):
            res = doc["results"][mode]
            for b in res["binding_rules"]:
                without = copy.deepcopy(doc)
                for s, per in b["heads_without_rule"].items():
                    without["results"][mode]["staff"][s].update(per)
                broken = {p.split(":")[0] for p in check(Path(d) / "unit.yaml", without, mode)
                          if p.startswith("rule ")}
                assert broken == {f"rule {b['rule']}"}, (b["text"], broken)
                assert b["hours_per_week_if_dropped"] <= 1e-6
