"""Names and booleans that were read silently: a misspelt `training`, a typo in a `rule_overrides` group or shift
(reported in the rules file, where it is not), yes/no/0/"false" read as booleans, an unknown code in a long
shift's `covers`. Each is exit 2 with file, field path and line, never a traceback.

Own data: the shipped files, copied to tmp_path and broken one at a time.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from planner.io.errors import InputError
from planner.io.unit_refs import closest_first, selects, trainings
from planner.staffing.instance import select_shifts
from planner.staffing.schema import ShiftSpec


@pytest.fixture
def inst(tmp_path: Path) -> Path:
    """A private copy of instances/ (units name their catalogue and rules by relative paths)."""
    shutil.copytree(ROOT / "instances", tmp_path / "instances")
    return tmp_path / "instances"


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file by `new`; the 1-based line it is on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def append(path: Path, text: str) -> int:
    """Append lines to the file; the 1-based line of the first appended line."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def refused(capsys, args, file: Path, field: str, *words: str) -> str:
    """Exit 2, one message naming `file` and `field` (a literal, followed by its line), each of `words`."""
    code, out, err = run_cli(args, capsys)
    assert code == 2, out + err
    assert "Traceback" not in out + err
    assert len(re.findall(r"^error:", err, re.MULTILINE)) == 1, err
    assert err.startswith(f"error: {file}: {field}"), err
    assert "fix:" in err
    for w in words:
        assert w in err, err
    return err


def passes(capsys, args) -> str:
    code, out, err = run_cli(args, capsys)
    assert code == 0, out + err
    return out


# ------------------------------------------------------------------------------------ 1. training
def test_misspelt_training_is_refused_with_the_known_names_closest_first(inst, capsys):
    unit = inst / "units" / "sykehjem.yaml"
    line = replace_once(unit, "training: [grunnopplaering,", "training: [grunnoplaering,")
    err = refused(capsys, ["check", unit], unit.resolve(), f"training[0] (line {line})",
                  "unknown training 'grunnoplaering'")
    fix = err.split("fix:", 1)[1]
    # the intended name comes first, and every training the catalogue names is listed
    assert fix.strip().split(": ", 1)[1].startswith("grunnopplaering,"), fix
    for name in ("legemiddelkurs", "maltidsopplaering", "blodproveopplaering"):
        assert name in fix


def test_misspelt_training_is_refused_by_solve_too(inst, capsys, tmp_path):
    unit = inst / "units" / "sykehjem.yaml"
    replace_once(unit, "maltidsopplaering]", "maltidsoplaering]")
    code, _, err = run_cli(["solve", unit, "--json", tmp_path / "r.json"], capsys)
    assert code == 2 and "unknown training 'maltidsoplaering'" in err and "training[5]" in err
    assert not (tmp_path / "r.json").exists()


def test_training_the_catalogue_names_nowhere(unit_dir, capsys):
    # the small test catalogue has no training conditions at all
    unit = unit_dir / "unit.yaml"
    line = append(unit, "training: [forflytning]\n")
    refused(capsys, ["check", unit], unit, f"training[0] (line {line})", "unknown training 'forflytning'",
            "the catalogue names no training")


def test_trainings_are_the_catalogues_conditions():
    cat = {"tasks": [{"allowed": [{"group": "a", "training": "x"}, {"group": "b"}]},
                     {"allowed": [{"group": "a", "training": "y"}, {"group": "c", "training": "x"}]}]}
    assert trainings(cat) == ["x", "y"]
    assert trainings({"tasks": "broken"}) is None  # the catalogue's own loader reports it


def test_closest_first_keeps_every_name():
    names = ["legemiddelkurs", "grunnopplaering", "saropplaering"]
    out = closest_first("grunnoplaering", names)
    assert out[0] == "grunnopplaering" and sorted(out) == sorted(names)
    assert closest_first("zzz", names) == names  # nothing close: the file's order


# ---------------------------------------------------------------------------- 2. rule_overrides names
def test_override_group_typo_names_the_unit_file_not_the_rules_file(inst, capsys):
    unit = inst / "units" / "sykehjem.yaml"
    line = append(unit, "rule_overrides:\n  sykepleier_pa_vakt: {groups: [sykepleir]}\n") + 1
    err = refused(capsys, ["check", unit], unit.resolve(),
                  f"rule_overrides.sykepleier_pa_vakt.groups[0] (line {line})", "unknown group 'sykepleir'")
    assert "rules/sykehjem.yaml" not in err
    assert err.split("fix:", 1)[1].split("(", 1)[1].startswith("sykepleier,"), err  # the likely one first


@pytest.mark.parametrize("shifts, field", [("[nigth]", "shifts[0]"), ("[dag, nigth]", "shifts[1]"),
                                           ("nigth", "shifts")])
def test_override_shift_typo_names_the_unit_file(inst, capsys, shifts, field):
    unit = inst / "units" / "sykehjem.yaml"
    line = append(unit, f"rule_overrides:\n  sykepleier_pa_vakt: {{shifts: {shifts}}}\n") + 1
    err = refused(capsys, ["check", unit], unit.resolve(), f"rule_overrides.sykepleier_pa_vakt.{field} (line {line})",
                  "shift selector 'nigth' matches no shift of the unit", "hverdag_natt")
    assert "rules/sykehjem.yaml" not in err


def test_valid_overrides_still_apply(inst, capsys):
    unit = inst / "units" / "sykehjem.yaml"
    append(unit, "rule_overrides:\n  sykepleier_pa_vakt: {groups: [sykepleier], shifts: [natt, helg_dag]}\n")
    assert "8 rules" in passes(capsys, ["check", unit])


@pytest.mark.parametrize("sel", ["all", "hverdag_dag", "helg_natt", "dag", "kveld", "natt", "lang", "hverdag",
                                 "helg", "nigth", "Dag", ""])
def test_override_selector_reads_as_the_rules_check_does(sel):
    # planner.io.unit_refs.selects must agree with planner.staffing.instance.select_shifts
    shifts_raw = yaml.safe_load((ROOT / "instances" / "units" / "sykehjem.yaml").read_text())["shifts"]
    shifts = [ShiftSpec.model_validate(s) for s in shifts_raw]
    try:
        select_shifts(shifts, sel, "u.yaml", "x")
        ok = True
    except InputError:
        ok = False
    assert selects(sel, shifts_raw) is ok


# ------------------------------------------------------------------------------------ 3. booleans
@pytest.mark.parametrize("value, got", [("no", "no"), ('"no"', "'no'"), ("0", "0"), ('"false"', "'false'"),
                                        ("off", "off"), ("yes", "yes"), ("1", "1"), ("On", "On")])
def test_override_enabled_must_be_true_or_false(inst, capsys, value, got):
    unit = inst / "units" / "sykehjem.yaml"
    line = append(unit, f"rule_overrides:\n  sykepleier_pa_vakt: {{enabled: {value}}}\n") + 1
    refused(capsys, ["check", unit], unit.resolve(), f"rule_overrides.sykepleier_pa_vakt.enabled (line {line})",
            f"must be true or false (got {got})", "write true or false")


@pytest.mark.parametrize("value, rules", [("false", "7 rules"), ("False", "7 rules"), ("true", "8 rules"),
                                          ("TRUE", "8 rules")])
def test_true_and_false_keep_their_meaning(inst, capsys, value, rules):
    unit = inst / "units" / "sykehjem.yaml"
    append(unit, f"rule_overrides:\n  sykepleier_pa_vakt: {{enabled: {value}}}\n")
    assert rules in passes(capsys, ["check", unit])


@pytest.mark.parametrize("value, got", [("yes", "yes"), ('"true"', "'true'"), ("1", "1")])
def test_catalogue_health_competence_must_be_true_or_false(inst, capsys, value, got):
    cat = inst / "catalogue" / "tasks.yaml"
    line = replace_once(cat, "health_competence: true", f"health_competence: {value}")
    refused(capsys, ["check", cat], cat, f"tasks[0].health_competence (line {line})",
            f"must be true or false (got {got})")
    # a unit reading the catalogue is refused with the catalogue's message
    unit = inst / "units" / "sykehjem.yaml"
    refused(capsys, ["check", unit], cat.resolve(), f"tasks[0].health_competence (line {line})")


def test_rules_file_enabled_must_be_true_or_false(inst, capsys):
    rules = inst / "rules" / "sykehjem.yaml"
    line = replace_once(rules, "    min: 1\n", "    min: 1\n    enabled: no\n") + 1
    refused(capsys, ["check", rules], rules, f"rules[0].enabled (line {line})", "must be true or false (got no)")


def test_unit_illustrative_must_be_true_or_false(inst, capsys):
    unit = inst / "units" / "sykehjem.yaml"
    line = replace_once(unit, "\nillustrative: true\n", "\nillustrative: yes\n") + 1
    refused(capsys, ["check", unit], unit.resolve(), f"illustrative (line {line})", "must be true or false (got yes)")


def test_staff_flags_must_be_true_or_false(inst, capsys):
    staff = inst / "staff" / "sykehjem.yaml"
    line = replace_once(staff, "  - {id: spln01, ", "  - {id: spln01, night_exempt: on, ")
    refused(capsys, ["check", staff], staff, f"staff[0].night_exempt (line {line})", "must be true or false (got on)")


def test_staff_wish_off_must_be_true_or_false(inst, capsys):
    # YAML 1.1 reads the key `off` as false too; the value is still checked
    staff = inst / "staff" / "sykehjem.yaml"
    wish = "  - {id: spln01, wishes: [{date: 2027-01-20, off: %s}], "
    line = replace_once(staff, "  - {id: spln01, ", wish % "yes")
    refused(capsys, ["check", staff], staff, f"staff[0].wishes[0].off (line {line})", "must be true or false (got yes)")
    replace_once(staff, wish % "yes", wish % "true")
    passes(capsys, ["check", staff])


def test_worktime_rule_flag_must_be_true_or_false(inst, capsys):
    rules = inst / "rules" / "aml.yaml"
    line = replace_once(rules, "hard: false", "hard: off")
    err = refused(capsys, ["check", rules], rules, "rules[", "must be true or false (got off)")
    assert f"].hard (line {line})" in err


def test_catalogue_union_field_names_the_field_not_the_union_member(inst, capsys):
    cat = inst / "catalogue" / "tasks.yaml"
    line = replace_once(cat, "movable: true", "movable: maybe")
    err = refused(capsys, ["check", cat], cat, "tasks[", "must be true or false, or the field's other form")
    assert re.search(rf"tasks\[\d+\]\.movable \(line {line}\)", err), err
    assert "more problem" not in err  # the list member's failure is the same field, not another problem


# -------------------------------------------------------------------------- 4. roster models covers
def test_long_shift_covers_unknown_code(inst, capsys):
    models = inst / "roster_models" / "fafo.yaml"
    line = replace_once(models, "covers: [D, K]", "covers: [D, X]")
    refused(capsys, ["check", models], models, f"long_shift.covers[1] (line {line})", "unknown shift code 'X'",
            "use the codes D, K")
    code, out, err = run_cli(["roster", "heltid", "--unit", inst / "units" / "sykehjem.yaml", "--models", models,
                              "--time-limit", "5"], capsys)
    assert code == 2 and "long_shift.covers[1]" in err and "'X'" in err and "Traceback" not in out + err


def test_long_shift_covers_known_codes_pass(inst, capsys):
    models = inst / "roster_models" / "fafo.yaml"
    passes(capsys, ["check", models])
    replace_once(models, " covers: [D, K],", "")   # covers may be left out
    passes(capsys, ["check", models])
