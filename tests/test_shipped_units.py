"""The shipped archetype units: valid, solvable, and every solution passes the independent check."""

import json
import math

import pytest

from checker import check
from conftest import ROOT, run_cli

UNITS = sorted((ROOT / "instances" / "units").glob("*.yaml"))


def test_there_are_four_archetypes():
    assert {p.stem for p in UNITS} >= {"sykehjem", "medisinsk_sengepost", "hjemmesykepleie", "skarbovik"}


def test_every_shipped_file_is_valid(capsys):
    files = [*UNITS, *(ROOT / "instances" / "catalogue").glob("*.yaml"),
             *(ROOT / "instances" / "rules").glob("syke*.yaml")]
    code, out, err = run_cli(["check", *files], capsys)
    assert code == 0, err
    assert out.count("ok ") == len(files)


def test_catalogue_has_at_least_40_tasks():
    import yaml

    cat = yaml.safe_load((ROOT / "instances" / "catalogue" / "tasks.yaml").read_text())
    assert len(cat["tasks"]) >= 40


@pytest.mark.parametrize("unit", UNITS, ids=[p.stem for p in UNITS])
def test_shipped_unit_solves_and_passes_independent_check(unit, tmp_path, capsys):
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", "--no-explain"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    for mode in ("baseline", "leon"):
        assert doc["results"][mode]["status"] == "optimal"
        assert check(unit, doc, mode) == []
    assert doc["results"]["leon"]["objective"] <= doc["results"]["baseline"]["objective"] + 1e-6
    # the two parts of the freed årsverk add up to the whole, group by group
    parts = doc["freed_fte_breakdown"]
    for g, v in doc["freed_fte"].items():
        assert parts["pooling"][g] + parts["task_sharing"][g] == pytest.approx(v, abs=1e-3)


def _heads_needed(rule: dict, patients: float) -> int | None:
    """Heads a head-count rule asks for on one shift (None for other rule types)."""
    need = {"min_heads": rule.get("min"), "never_alone": 2,
            "patients_per_staff": patients / rule["max_patients"] if "max_patients" in rule else None}
    return math.ceil(need[rule["type"]] - 1e-9) if need.get(rule["type"]) is not None else None


def test_skarbovik_binding_rules_name_only_what_each_rule_forces(tmp_path, capsys):
    import copy
    import re

    import yaml

    unit = ROOT / "instances" / "units" / "skarbovik.yaml"
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    spec = yaml.safe_load(unit.read_text())
    patients = sum(c["count"] for c in spec["patient_classes"])
    rules = {r["id"]: r for r in spec["extra_rules"]}
    for ref in spec["rules"]:
        rules.update({r["id"]: r for r in yaml.safe_load((unit.parent / ref).read_text())["rules"]})
    lines = 0
    for mode in ("baseline", "leon"):
        for b in doc["results"][mode]["binding_rules"]:
            # the plan without the rule breaks that rule where it binds and no other head-count rule
            # (it holds every other row of the model), as the independent checker sees it
            without = copy.deepcopy(doc)
            for s, per in b["heads_without_rule"].items():
                without["results"][mode]["staff"][s].update(per)
            broken = {p.split(":")[0] for p in check(unit, without, mode) if p.startswith("rule ")}
            assert broken == {f"rule {b['rule']}"}, (b["text"], broken)
            need = _heads_needed(rules[b["rule"]], patients)
            m = re.search(r"keeps (.+?) on shift where (.+?) would do", b["text"])
            if need is None or m is None:
                continue
            lines += 1
            # a rule tight at `need` heads of its groups cannot keep more than `need` of them; and on a
            # unit where every group on a shift has the same paid hours and productive share, each head
            # it asks for stands in for at most one head of the plan without it. More than that (e.g.
            # "keeps 10 assistent, 1 sykepleier") is a reshuffle that some other optimum avoids.
            counted = set(rules[b["rule"]].get("groups") or spec["groups"])
            assert sum(n for g, n in b["extra_heads"].items() if g in counted) <= need
            assert sum(b["extra_heads"].values()) <= need, b["text"]
            assert sum(b["instead_of"].values()) <= need, b["text"]
    assert lines >= 3  # the check above is not vacuous


def test_relaxed_solution_passes_independent_check(tmp_path, capsys):
    # with --relax heads are fractions; the JSON keeps enough digits for the capacity check
    unit = ROOT / "instances" / "units" / "sykehjem.yaml"
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", "--no-explain", "--relax"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    for mode in ("baseline", "leon"):
        assert check(unit, doc, mode) == []


def test_time_limit_without_a_plan_is_not_a_plan(tmp_path, capsys):
    # out of time before HiGHS has any plan: exit 1 with a message, never a "plan" of zero heads
    unit = ROOT / "instances" / "units" / "medisinsk_sengepost.yaml"
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", "--no-explain", "--time-limit", "1e-6"], capsys)
    assert code in (0, 1), err
    if code == 1:
        assert "no solution" in err and "--time-limit" in err
    else:  # a plan found in time must be a real one
        doc = json.loads(out.read_text())
        assert all(check(unit, doc, m) == [] for m in ("baseline", "leon"))
