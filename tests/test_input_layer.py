"""The input layer: whatever a file holds, `leon check` and `leon solve` end with a plan or with exit 2 and
one located message, never with a traceback or a hang; `--time-limit` bounds the whole run."""

import json
import os
import re
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from planner.io.loader import MAX_BYTES
from planner.io.registry import KIND_NAMES
from test_bad_input import assert_clear_error, edit


def _lines_of(text: str, pattern: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if re.match(pattern, line)]


# ------------------------------------------------------------------------------------ what is read
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_as_catalogue_is_refused_without_reading_it(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("catalogue: catalogue.yaml", "catalogue: /dev/zero"))
    t0 = time.monotonic()
    err = assert_clear_error(capsys, ["check", p], "/dev/zero", r"not a regular file")
    assert "character device" in err
    assert time.monotonic() - t0 < 5  # read, /dev/zero never ends


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_opening_it(tmp_path, capsys):
    fifo = tmp_path / "unit.yaml"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    code, _, err = run_cli(["check", fifo], capsys)
    assert code == 2 and "named pipe" in err and "Traceback" not in err


def test_folder_is_refused(unit_dir, capsys):
    code, _, err = run_cli(["solve", unit_dir], capsys)
    assert code == 2 and "is a folder" in err


def test_oversized_file_is_refused_naming_the_limit(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text() + "note: " + "x" * MAX_BYTES + "\n")
    code, _, err = run_cli(["check", p], capsys)
    assert code == 2 and "at most 5 MiB" in err
    assert len(err) < 1000


def test_second_extra_rules_key_is_an_error_naming_both_lines(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    rule = "  - {id: %s, type: min_heads, min: 1, shifts: all, illustrative: true}\n"
    p.write_text(p.read_text() + "extra_rules:\n" + rule % "a" + "extra_rules:\n" + rule % "b")
    first, second = _lines_of(p.read_text(), r"extra_rules:")
    err = assert_clear_error(capsys, ["check", p], "unit.yaml", rf"extra_rules \(line {second}\)")
    assert "duplicate key 'extra_rules'" in err and f"also on line {first}" in err


def test_duplicate_key_inside_an_entry_is_located(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("paid_hours: 8,", "paid_hours: 8, paid_hours: 7,"))
    err = assert_clear_error(capsys, ["check", p], "unit.yaml", r"shifts\[0\]\.paid_hours \(line \d+\)")
    assert "duplicate key 'paid_hours'" in err


def test_byte_order_mark_is_read(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    code, plain, err = run_cli(["check", p], capsys)
    assert code == 0, err
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    code, out, err = run_cli(["check", p], capsys)
    assert code == 0, err
    assert out == plain


def test_mistyped_date_in_a_note_is_just_text(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("name: Testenhet", "name: Testenhet\nnote: 2027-02-30"))
    code, _, err = run_cli(["check", p], capsys)
    assert code == 0, err


def _staff(tmp_path: Path, start: str) -> Path:
    p = tmp_path / "staff.yaml"
    p.write_text(f"kind: staff\nstart: {start}\nstaff:\n  - {{id: a1, group: sykepleier, percent: 80}}\n")
    return p


def test_date_field_still_reads_a_date_written_plainly(tmp_path, capsys):
    # dates now reach the roster reader as text: it must still parse them
    import datetime as dt

    from planner.roster.setup import load_staff

    assert load_staff(_staff(tmp_path, "2027-01-04")).start == dt.date(2027, 1, 4)
    code, _, err = run_cli(["check", _staff(tmp_path, "2027-01-04")], capsys)
    assert code == 0, err


def test_impossible_date_in_a_date_field_is_located(tmp_path, capsys):
    err = assert_clear_error(capsys, ["check", _staff(tmp_path, "2027-02-30")], "staff.yaml", r"start \(line 2\)")
    assert "2027-02-30" in err


@pytest.mark.parametrize("text, words", [
    ("kind: unit\nbeds: !!int abc\n", "line 2"),
    ("kind: unit\na: &a [*a]\n", "refers to the entry that contains it"),
    ("kind: unit\nname: a\x01b\n", "line 2"),
    ("kind: unit\n---\nkind: unit\n", "second YAML document"),
    ("kind: unit\nx: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
], ids=["tag that cannot be read", "alias loop", "control character", "two documents", "deep nesting"])
def test_unreadable_yaml_is_one_message(tmp_path, capsys, text, words):
    p = tmp_path / "unit.yaml"
    p.write_text(text)
    code, out, err = run_cli(["check", p], capsys)
    assert code == 2 and "Traceback" not in out + err
    assert words in err and "fix:" in err


def test_aliases_that_expand_to_billions_of_entries_are_refused(tmp_path, capsys):
    # nine levels of ten aliases each stand for 10^9 entries in a file of a few hundred bytes
    lines = ["kind: unit", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    p = tmp_path / "unit.yaml"
    p.write_text("\n".join(lines) + "\n")
    t0 = time.monotonic()
    code, _, err = run_cli(["check", p], capsys)
    assert code == 2 and "more than 1 000 000 entries" in err
    assert time.monotonic() - t0 < 5


# ---------------------------------------------------------------------------------------- messages
def test_a_200000_character_value_is_not_echoed(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(beds="x" * 200_000))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"beds \(line \d+\)")
    assert "x" * 61 not in err and "…" in err


def test_a_200000_character_id_is_not_echoed(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d["groups"].append("g" * 200_000))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"groups\[3\]")
    assert "unknown group" in err and "g" * 201 not in err and len(err) < 2000


def test_national_file_where_a_unit_is_expected(capsys):
    err = assert_clear_error(capsys, ["solve", ROOT / "instances" / "national" / "norge.yaml"], "norge.yaml", r"kind")
    assert "is a `national` file, but a `unit` file is needed here" in err


def test_missing_kind_where_a_unit_is_expected_lists_every_kind(unit_dir, capsys):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("kind: unit\n", ""))
    err = assert_clear_error(capsys, ["solve", p], "unit.yaml", r"kind")
    assert "has no `kind:`" in err
    for k in KIND_NAMES:
        assert k in err


def test_union_field_names_the_real_cause(unit_dir, capsys):
    # per_patient is a number or a mapping of numbers: a .nan inside the mapping is the cause,
    # not "should be a number" from the other alternative
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("per_patient: 2,", "per_patient: {tung: .nan},"))
    err = assert_clear_error(capsys, ["check", p], "unit.yaml", r"workload\[0\]\.per_patient\.tung \(line \d+\)")
    assert "finite" in err


# ------------------------------------------------------------------------------- strict numbers
@pytest.mark.parametrize("value, words", [
    ('"2"', "without quotes"),
    ("1e5", "exponent without a dot"),
    ("yes", "true/false"),
    (".inf", "finite"),
    (".nan", "finite"),
])
def test_per_patient_must_be_a_plain_number(unit_dir, capsys, value, words):
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("per_patient: 2,", f"per_patient: {value},"))
    err = assert_clear_error(capsys, ["check", p], "unit.yaml", r"workload\[0\]\.per_patient \(line \d+\)")
    assert words in err


def test_quoted_boolean_is_not_true(unit_dir, capsys):
    edit(unit_dir / "groups.yaml", lambda d: d["groups"][0].update(authorised="no"))
    assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "groups.yaml", r"groups\[0\]\.authorised")


@pytest.mark.parametrize("per_patient", ["1.0e+30", "1.0e+12"])
@pytest.mark.parametrize("command", [["check"], ["solve", "--time-limit", "5"]])
def test_absurd_occurrences_are_refused_before_the_solver(unit_dir, capsys, per_patient, command):
    # before: 1.0e+30 passed check and the solve hung past 60 s; 1.0e+12 ended in "no solution,
    # try a longer --time-limit"
    p = unit_dir / "unit.yaml"
    p.write_text(p.read_text().replace("per_patient: 2,", f"per_patient: {per_patient},"))
    t0 = time.monotonic()
    err = assert_clear_error(capsys, [command[0], p, *command[1:]], "unit.yaml",
                             r"workload\[0\]\.per_patient \(line \d+\)")
    assert "100" in err and "Limits" in err
    assert time.monotonic() - t0 < 10


# (file, where in the data, value just past the limit, field path in the message, the limit)
OVER = [
    ("groups.yaml", lambda d, v: d["groups"][0].update(level=v), 101, r"groups\[0\]\.level", "100"),
    ("groups.yaml", lambda d, v: d["groups"][0].update(cost_per_hour=v), 100_001,
     r"groups\[0\]\.cost_per_hour", "100000"),
    ("catalogue.yaml", lambda d, v: d["tasks"][0].update(minutes=v), 1441, r"tasks\[0\]\.minutes", "1440"),
    ("catalogue.yaml", lambda d, v: d["tasks"][0]["allowed"][0].update(time_factor=v), 10.5,
     r"tasks\[0\]\.allowed\[0\]\.time_factor", "10"),
    ("unit.yaml", lambda d, v: d.update(beds=v), 10_001, r"beds", "10000"),
    ("unit.yaml", lambda d, v: d["patient_classes"][0].update(count=v), 10_001,
     r"patient_classes\[0\]\.count", "10000"),
    ("unit.yaml", lambda d, v: d["workload"][0].update(per_patient={"tung": v}), 101,
     r"workload\[0\]\.per_patient\.tung", "100"),
    ("unit.yaml", lambda d, v: d["workload"][2].update(per_unit=v), 10_001, r"workload\[2\]\.per_unit", "10000"),
    ("unit.yaml",
     lambda d, v: d.update(overheads=[{"id": "o", "minutes": v, "tasks": ["stell"], "illustrative": True}]),
     1441, r"overheads\[0\]\.minutes", "1440"),
    ("unit.yaml", lambda d, v: d["shifts"][0].update(paid_hours=v), 0.25, r"shifts\[0\]\.paid_hours", "0.5"),
    ("unit.yaml", lambda d, v: d["shifts"][0].update(days_per_week=v), 0.05, r"shifts\[0\]\.days_per_week", "0.1"),
    ("unit.yaml", lambda d, v: d.update(productive_share=v), 0.05, r"productive_share", "0.1"),
    ("unit.yaml", lambda d, v: d.update(productive_share={"default": v}), 1.5, r"productive_share\.default", "1"),
    ("unit.yaml", lambda d, v: d.update(availability={"sykepleier": {"all": v}}), 1001,
     r"availability\.sykepleier\.all", "1000"),
    ("unit.yaml", lambda d, v: d["fte"].update(norm_hours_per_week=v), 5, r"fte\.norm_hours_per_week", "10"),
    ("unit.yaml", lambda d, v: d["fte"].update(holiday_weeks=v), 27, r"fte\.holiday_weeks", "26"),
    ("unit.yaml", lambda d, v: d["fte"].update(sick_leave_share=v), 0.6, r"fte\.sick_leave_share", "0.5"),
]


@pytest.mark.parametrize("file, change, value, field, limit", OVER, ids=[o[3].replace("\\", "") for o in OVER])
def test_every_bounded_number_names_its_limit(unit_dir, capsys, file, change, value, field, limit):
    edit(unit_dir / file, lambda d: change(d, value))
    # checking the unit checks the catalogue and groups files it refers to
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], file, field + r" \(line \d+\)")
    assert limit in err


def test_patients_of_all_classes_together_are_bounded(unit_dir, capsys):
    # 6000 + 6000 = 12 000 patients: each class is within 10 000, the unit is not
    edit(unit_dir / "unit.yaml", lambda d: d.update(patient_classes=[
        {"id": "tung", "count": 6000, "illustrative": True}, {"id": "lett", "count": 6000, "illustrative": True}]))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"patient_classes|\(top level\)")
    assert "12000" in err.replace(" ", "") and "10000" in err.replace(" ", "")


def test_the_largest_values_allowed_still_solve(unit_dir, capsys, tmp_path):
    # every workload number at its limit: 10 000 patients × 100 occurrences × 1440 minutes, shifts of
    # 0.5 paid hours at a productive share of 0.1. The bounds are there so that this still solves.
    edit(unit_dir / "catalogue.yaml", lambda d: [t.update(minutes=1440) for t in d["tasks"]])

    def unit(d):
        d.update(beds=10_000, productive_share=0.1)
        d["patient_classes"][0]["count"] = 10_000
        d["workload"][0]["per_patient"] = 100
        d["workload"][2]["per_unit"] = 10_000
        for s in d["shifts"]:
            s["paid_hours"] = 0.5
    edit(unit_dir / "unit.yaml", unit)
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--time-limit", "30", "--quiet", "--json", out], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert {r["status"] for r in doc["results"].values()} <= {"optimal", "time_limit"}


def test_check_of_a_unit_checks_its_catalogue(unit_dir, capsys):
    # the unit itself is fine; the error is in the catalogue it names
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][1].update(minutes=-1))
    assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "catalogue.yaml", r"tasks\[1\]\.minutes \(line \d+\)")


# -------------------------------------------------------------------------------------- time limit
def _big_unit(tmp_path: Path) -> Path:
    """skarbovik with 135 times the patients (9720): the full run (both modes, explanations, the pooled
    comparison) takes about 50 s on a shared 2-core machine, far more than a 1 s limit."""
    d = yaml.safe_load((ROOT / "instances" / "units" / "skarbovik.yaml").read_text())
    for c in d["patient_classes"]:
        c["count"] = round(c["count"] * 135, 1)
    units = ROOT / "instances" / "units"
    d["catalogue"] = str((units / d["catalogue"]).resolve())
    d["rules"] = [str((units / r).resolve()) for r in d["rules"]]
    p = tmp_path / "big.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False))
    return p


def test_time_limit_bounds_the_whole_run_and_says_what_was_cut(tmp_path, capsys):
    unit, out = _big_unit(tmp_path), tmp_path / "r.json"
    t0 = time.monotonic()
    code, _, err = run_cli(["solve", unit, "--time-limit", "1", "--quiet", "--json", out], capsys)
    wall = time.monotonic() - t0
    assert wall < 1 + 5, wall  # a correctness bound on the whole command, not a benchmark
    assert code in (0, 1) and "Traceback" not in err
    doc = json.loads(out.read_text())
    # the run was cut (that is what makes this a test of the limit) and says so; no mode claims an optimum
    # it did not prove: a cut mode is time_limit (a plan, not proven optimal) or no_solution
    assert "ran out" in doc["time_limit_reached"]
    statuses = {m: r["status"] for m, r in doc["results"].items()}
    assert set(statuses) == {"baseline", "leon"}
    assert any(s in ("time_limit", "no_solution") for s in statuses.values()), statuses
    # exit 1 (no plan for a mode) says so in its message, exit 0 in a note: both on stderr
    assert "time limit of 1 s for the whole run ran out" in err


def test_a_time_limit_that_is_not_reached_changes_nothing(unit_dir, tmp_path, capsys):
    from conftest import solve_json

    plain = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    limited = solve_json(unit_dir / "unit.yaml", tmp_path, capsys, "--time-limit", "60")
    assert "time_limit_reached" not in limited
    assert limited["results"] == plain["results"]


def test_a_spent_deadline_skips_the_solve():
    from models.lp import Deadline, LinearModel

    m = LinearModel("one")
    x = m.add_var("x", 0.0, 10.0, cost=1.0)
    m.add_row({x: 1.0}, lo=2.0)
    assert m.solve("highs", Deadline(60)).status == "optimal"
    spent = Deadline(1e-9)
    time.sleep(0.01)
    sol = m.solve("highs", spent)
    assert sol.status == "time_limit" and not sol.ok and spent.reached


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_time_limit_must_be_positive_and_finite(unit_dir, capsys, value):
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", f"--time-limit={value}"], capsys)
    assert code == 2 and "--time-limit" in err


def test_libyaml_and_the_python_loader_read_every_shipped_file_alike():
    """The fast (libyaml) loader is used for speed only: it must give the same data and the same lines."""
    from planner.io import loader as L

    files = sorted((ROOT / "instances").rglob("*.yaml"))
    assert len(files) >= 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        fast, fast_node = L._compose(L._Fast, f, text)
        slow, slow_node = L._compose(L._Loader, f, text)
        assert fast == slow, f

        def lines(node):
            out = [(node.start_mark.line, node.start_mark.column)]
            if isinstance(node, yaml.SequenceNode):
                for c in node.value:
                    out += lines(c)
            elif isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    out += lines(k) + lines(v)
            return out
        assert lines(fast_node) == lines(slow_node), f
