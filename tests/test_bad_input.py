"""Every kind of bad input gives exit 2 and one message with file, field path, problem and fix."""

import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def assert_clear_error(capsys, args, file_name: str, field_pattern: str):
    code, out, err = run_cli(args, capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err + out
    assert file_name in err, err
    assert re.search(field_pattern, err), err
    assert "fix:" in err, err
    assert len(re.findall(r"^error:", err, re.MULTILINE)) == 1, err  # one message, not a cascade
    return err


def test_yaml_syntax_error(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("beds: 10", "beds: [10"))
    err = assert_clear_error(capsys, ["check", p], "unit.yaml", r"line \d+")
    assert "YAML syntax" in err


def test_unknown_group_in_task(unit_dir, capsys):
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0]["allowed"].append({"group": "sjukepleiar"}))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "catalogue.yaml",
                             r"tasks\[0\]\.allowed\[3\]\.group")
    assert "sjukepleiar" in err


@pytest.mark.parametrize("value, words", [(-5, "greater than 0"), ("ten", "number")])
def test_bad_minutes(unit_dir, capsys, value, words):
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][1].update(minutes=value))
    err = assert_clear_error(capsys, ["check", unit_dir / "catalogue.yaml"], "catalogue.yaml",
                             r"tasks\[1\]\.minutes \(line \d+\)")
    assert words in err


def test_missing_minutes(unit_dir, capsys):
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][2].pop("minutes"))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "catalogue.yaml", r"tasks\[2\]\.minutes")
    assert "required" in err


def test_no_allowed_group_in_unit(unit_dir, capsys):
    # medisin may be done by helsefagarbeider (with a sykepleier present) or sykepleier: keep neither
    def only_assistent(d):
        d["groups"] = ["assistent"]
        d["rules"] = []
        d["today_overrides"] = {"stell": {"assistent": 1}, "rydding": {"assistent": 1}}
    edit(unit_dir / "unit.yaml", only_assistent)
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"workload \(task 'medisin'\)")
    assert "none of the groups allowed to do 'medisin' (helsefagarbeider, sykepleier)" in err


def test_todays_performer_missing_from_unit(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(groups=["assistent", "helsefagarbeider"], rules=[]))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"workload \(task 'stell'\)")
    assert "today's performer 'sykepleier'" in err


def test_task_nobody_in_the_unit_may_do(unit_dir, capsys):
    def drop_nurse(d):
        d["groups"] = ["assistent", "helsefagarbeider"]
        d["rules"] = []
        d["today_overrides"] = {"stell": {"helsefagarbeider": 1}, "medisin": {"helsefagarbeider": 1}}
    edit(unit_dir / "unit.yaml", drop_nurse)
    # medisin by helsefagarbeider needs a sykepleier on shift, and the unit has none
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"task 'medisin'")
    assert "sykepleier" in err


def test_rule_with_unknown_shift(unit_dir, capsys):
    edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].update(shifts=["helg_natt"]))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "rules.yaml",
                             r"rules\.sykepleier_alltid\.shifts")
    assert "helg_natt" in err


def test_rule_with_unknown_group(unit_dir, capsys):
    edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].update(groups=["sykepleir"]))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "rules.yaml",
                             r"rules\.sykepleier_alltid\.groups")
    assert "sykepleir" in err


def test_duplicate_ids(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d["shifts"].append(dict(d["shifts"][0])))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"shifts\[2\]\.id")
    assert "duplicate" in err


def test_wrong_type(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d["shifts"][0].update(paid_hours="åtte"))
    assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"shifts\[0\]\.paid_hours")


def test_unknown_field_is_not_ignored(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(bedz=12))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"bedz")
    assert "spelling" in err


def test_missing_referenced_file(unit_dir, capsys):
    (unit_dir / "rules.yaml").unlink()
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"rules\[0\]")
    assert "does not exist" in err


def test_missing_input_file(tmp_path, capsys):
    assert_clear_error(capsys, ["solve", tmp_path / "nope.yaml"], "nope.yaml", r"file not found")


def test_number_without_source(unit_dir, capsys):
    edit(unit_dir / "groups.yaml", lambda d: d["groups"][0].pop("illustrative"))
    err = assert_clear_error(capsys, ["check", unit_dir / "groups.yaml"], "groups.yaml", r"groups\[0\]")
    assert "source" in err


@pytest.mark.parametrize("name", ["unit.yaml", "groups.yaml"])
def test_output_never_overwrites_an_input(unit_dir, capsys, name):
    # the groups file is read through the catalogue, not named by the unit: it is an input all the same
    before = (unit_dir / name).read_text()
    assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml", "--json", unit_dir / name],
                       name, r"--json")
    assert (unit_dir / name).read_text() == before


def test_empty_file(unit_dir, capsys):
    (unit_dir / "unit.yaml").write_text("")
    for cmd in ("check", "solve"):
        assert_clear_error(capsys, [cmd, unit_dir / "unit.yaml"], "unit.yaml", r"empty")


def test_file_that_is_not_a_mapping(unit_dir, capsys):
    (unit_dir / "unit.yaml").write_text("- stell\n- medisin\n")
    assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"\(top level\)")


def test_rule_set_path_naming_a_catalogue(unit_dir, capsys):
    # named where the unit points to it, not only in the file pointed to
    edit(unit_dir / "unit.yaml", lambda d: d.update(rules=["catalogue.yaml"]))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", r"rules\[0\]")
    assert "is a `catalogue` file, but a `rules` file is needed" in err


def test_negative_patient_count(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d["patient_classes"][0].update(count=-3))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml",
                             r"patient_classes\[0\]\.count \(line \d+\)")
    assert "not negative" in err


def test_day_shift_that_ends_before_it_starts(unit_dir, capsys):
    # a night over midnight is fine (the test unit has one); a day shift over midnight is a typo
    edit(unit_dir / "unit.yaml", lambda d: d["shifts"][0].update(start="15:00", end="07:00"))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"shifts\[0\] \(line \d+\)")
    assert "ends (07:00) before it starts (15:00)" in err


def test_paid_hours_longer_than_the_shift(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d["shifts"][0].update(end="13:00"))  # 07:00-13:00, 8 paid h
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"shifts\[0\]")
    assert "paid_hours 8 is longer than the shift 07:00-13:00 (6 h)" in err


@pytest.mark.parametrize("value, words", [(float("inf"), "finite"), (float("nan"), "finite"), (True, "valid number"),
                                          ("30", "valid number")])
def test_numbers_that_are_not_numbers(unit_dir, capsys, value, words):
    # .inf, .nan, `true` and a quoted number would otherwise reach the solver (nan levels hang it)
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0].update(minutes=value))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "catalogue.yaml", r"tasks\[0\]\.minutes")
    assert words in err


def test_rule_field_the_rule_type_does_not_read(unit_dir, capsys):
    edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].update(max=3))
    err = assert_clear_error(capsys, ["check", unit_dir / "rules.yaml"], "rules.yaml", r"rules\[0\]")
    assert "does not use `max`" in err
    edit(unit_dir / "rules.yaml", lambda d: d["rules"][0].pop("max"))
    edit(unit_dir / "unit.yaml", lambda d: d.update(rule_overrides={"sykepleier_alltid": {"max_patients": 4}}))
    assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml",
                       r"rule_overrides\.sykepleier_alltid\.max_patients")


def test_task_rule_on_some_shifts_only(unit_dir, capsys):
    # who may do a task is one list for every shift: a delegation rule for nights alone cannot hold
    edit(unit_dir / "rules.yaml", lambda d: d["rules"].append({
        "id": "delegering", "type": "delegation", "tasks": ["medisin"], "groups": ["helsefagarbeider"],
        "supervisors": ["sykepleier"], "shifts": ["natt"], "illustrative": True}))
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "rules.yaml", r"rules\.delegering\.shifts")
    assert "applies to every shift" in err


def test_two_outputs_on_one_path(unit_dir, capsys):
    out = unit_dir / "r.out"
    assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml", "--json", out, "--xlsx", out], "r.out", r"--xlsx")
