"""Roster-side input files (worktime rules, staff, roster models, requirement, roster grids): each bad input
is exit 2 with its file, field or cell and line, never a traceback; `leon check STAFF.yaml` refuses what the
roster commands refuse, with the same message; grids in the formats spreadsheets write are read correctly.

Small data of its own: the test unit of tests/data (weekday dag 07:00-15:00 = code D, natt 22:00-07:00 = N;
groups assistent, helsefagarbeider, sykepleier).
"""
from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import run_cli
from planner.io.errors import InputError
from planner.io.registry import files_read, recording_reads
from planner.roster.grids import read_grid

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2027, 1, 4)     # a Monday
DATES = [(START + dt.timedelta(k)).isoformat() for k in range(7)]
SRC = "    illustrative: true\n"


def refused(capsys, path, *where, file=None):
    """`leon check PATH` exits 2, names the file (or the file it refers to) and each of `where`, and shows no
    traceback."""
    code, out, err = run_cli(["check", path], capsys)
    assert code == 2, out + err
    assert "Traceback" not in err and f"error: {file or path}:" in err and "fix:" in err
    for w in where:
        assert w in err, err
    return err


# ------------------------------------------------------------------------------------ worktime rules
def rules_file(tmp_path, body: str) -> Path:
    f = tmp_path / "worktime.yaml"
    f.write_text("kind: worktime_rules\nid: t\nrules:\n" + body)
    return f


@pytest.mark.parametrize("body,where", [
    # an id that is a mapping, a parameter set to ~: TypeError tracebacks before
    ("  - id: {a: 1}\n    type: daily_rest\n" + SRC, ["rules[0].id (line 4)", "valid string"]),
    ("  - id: dr\n    type: daily_rest\n    min_hours: ~\n" + SRC, ["rules[0].min_hours (line 6)", "is empty"]),
    ("  - id: nw\n    type: night_work\n    block_weeks: ~\n" + SRC, ["rules[0].block_weeks (line 6)", "is empty"]),
    ("  - id: mc\n    type: max_consecutive\n    times: [natt, ~]\n" + SRC, ["rules[0].times[1] (line 6)"]),
    ("  - id: up\n    type: unwanted_patterns\n    patterns: [[natt, ~]]\n" + SRC, ["rules[0].patterns[0][1]"]),
    ("  - id: wf\n    type: weekend_frequency\n    start: ~\n" + SRC, ["rules[0].start (line 6)"]),
    # quoted numbers, booleans for numbers, .inf / .nan
    ("  - id: dr\n    type: daily_rest\n    min_hours: \"11\"\n" + SRC, ["rules[0].min_hours", "got '11'"]),
    ("  - id: mc\n    type: max_consecutive\n    max: true\n" + SRC, ["rules[0].max", "whole number"]),
    ("  - id: ch\n    type: contract_hours\n    tolerance_hours: .inf\n" + SRC, ["tolerance_hours", "finite"]),
    ("  - id: dr\n    type: daily_rest\n    weight: 2.5\n    hard: false\n" + SRC, ["rules[0].weight", "whole"]),
    # bounds (docs/rosters.md): each a number that reaches the solver
    ("  - id: dr\n    type: daily_rest\n    min_hours: 20\n" + SRC, ["leaves less than 8 h"]),
    ("  - id: wr\n    type: weekly_rest\n    min_hours: 100\n" + SRC, ["more than three days"]),
    ("  - id: qr\n    type: quick_return\n    min_hours: 0\n" + SRC, ["above 0 and at most 16"]),
    ("  - id: ch\n    type: contract_hours\n    tolerance_hours: 41\n" + SRC, ["from 0 to 40"]),
    ("  - id: su\n    type: sunday_rule\n    window_weeks: 60\n" + SRC, ["window_weeks 60 is more than a year"]),
    ("  - id: su\n    type: sunday_rule\n    window_weeks: 4\n    max_in_row: 5\n" + SRC, ["longer than window_weeks"]),
    ("  - id: wf\n    type: weekend_frequency\n    every: 9\n" + SRC, ["from 1 to 8"]),
    ("  - id: wf\n    type: weekend_frequency\n    start: sun 10:00\n    end: sat 10:00\n" + SRC,
     ["rules[0].end (line 7)", "ends (sat 10:00) before it starts"]),
    ("  - id: wf\n    type: weekend_frequency\n    start: saturday\n" + SRC, ["rules[0].start", "weekday and time"]),
    ("  - id: nw\n    type: night_work\n    avg_hours_per_24h: 25\n" + SRC, ["above 0 and at most 24"]),
    ("  - id: nw\n    type: night_work\n    block_weeks: 27\n" + SRC, ["from 1 to 26"]),
    ("  - id: mc\n    type: max_consecutive\n    max: 15\n" + SRC, ["from 1 to 14"]),
    ("  - id: mo\n    type: min_consecutive_off\n    min: 8\n" + SRC, ["from 1 to 7"]),
    ("  - id: dr\n    type: daily_rest\n    hard: false\n    weight: 101\n" + SRC, ["from 0 to 100"]),
    ("  - id: up\n    type: unwanted_patterns\n    patterns: []\n" + SRC, ["rules[0].patterns"]),
    # one definition per field: unknown fields and types are named with what is allowed
    ("  - id: dr\n    type: daily_rest\n    max_hours: 11\n" + SRC, ["rules[0].max_hours (line 6)", "min_hours"]),
    ("  - id: dr\n    type: daily_rst\n" + SRC, ["rules[0].type (line 5)", "weekly_rest"]),
    ("  - id: dr\n" + SRC, ["rules[0].type", "is missing"]),
    ("  - id: dr\n    type: {a: 1}\n" + SRC, ["rules[0].type (line 5)", "is not a rule type"]),
    ("  - daily_rest\n", ["rules[0] (line 4)", "must be a mapping"]),
    ("  - id: dr\n    type: daily_rest\n    hard: yes please\n" + SRC, ["rules[0].hard", "true or false"]),
    ("  - id: dr\n    type: daily_rest\n", ["neither `source:` nor `illustrative: true`"]),
    ("  - id: a\n    type: daily_rest\n" + SRC + "  - id: a\n    type: quick_return\n" + SRC,
     ["rules[1].id (line 7)", "duplicate rule id"]),
])
def test_bad_worktime_rules_exit_2_with_the_field(tmp_path, capsys, body, where):
    refused(capsys, rules_file(tmp_path, body), *where)


def test_worktime_rules_top_level(tmp_path, capsys):
    f = tmp_path / "w.yaml"
    f.write_text("kind: worktime_rules\nrules: []\n")
    refused(capsys, f, "rules (line 2)")
    f.write_text("kind: worktime_rules\nrules:\n  - {id: dr, type: daily_rest, illustrative: true}\nrule: x\n")
    refused(capsys, f, "rule (line 4)", "remove the field")


def test_rules_given_in_code_are_validated_as_in_a_file():
    from planner.roster.rules import rules_from_entries
    with pytest.raises(InputError) as e:
        rules_from_entries([{"id": "dr", "type": "daily_rest", "min_hours": None, "illustrative": True}])
    assert "rules[0].min_hours" in str(e.value) and "is empty" in str(e.value)


# ------------------------------------------------------------------------------------- roster models
def models_file(tmp_path, top: str, models: str = "  - {id: m1, weekend_every: 3}\n") -> Path:
    f = tmp_path / "models.yaml"
    f.write_text("kind: roster_models\n" + top + "models:\n" + models)
    return f


@pytest.mark.parametrize("top,where", [
    ("time_limit: -.inf\n", ["time_limit (line 2)", "finite"]),
    ("time_limit: .nan\n", ["time_limit (line 2)", "finite"]),
    ("time_limit: Infinity\n", ["time_limit (line 2)", "got 'Infinity'"]),
    ("time_limit: \"60\"\n", ["time_limit (line 2)", "without quotes"]),
    ("time_limit: 0\n", ["time_limit (line 2)", "above 0 and at most 3600"]),
    ("time_limit: 3601\n", ["time_limit (line 2)", "above 0 and at most 3600"]),
    ("min_position: true\n", ["min_position (line 2)", "whole number"]),
    ("min_position: 0\n", ["min_position (line 2)", "from 1 to 100"]),
    ("min_position: 20.5\n", ["min_position (line 2)", "whole number"]),
    ("weeks: \"12\"\n", ["weeks (line 2)", "auto or a whole number"]),
    ("weeks: 54\n", ["weeks (line 2)", "from 1 to 53"]),
    ("weeks: 0\n", ["weeks (line 2)"]),
    ("weeks: 8\n", ["weeks (line 2)", "not a multiple of model m1's weekend cycle 3", "weeks: 24"]),
    ("rules: nowhere.yaml\n", ["rules (line 2)", "does not exist"]),
    ("long_shift: {code: L, start: \"08:00\", end: \"20:30\", paid_hours: 17}\n",
     ["long_shift.paid_hours (line 2)", "above 0 and at most 16"]),
    ("long_shift: {code: L, start: \"08:00\", end: 20:30, paid_hours: 12}\n", ["long_shift.end", "quoted"]),
    ("long_shift: {code: L, start: \"08:00\", end: \"16:00\", paid_hours: 12}\n",
     ["long_shift.paid_hours", "longer than the shift 08:00-16:00 (8 h)"]),
    ("foo: 1\n", ["foo (line 2)"]),
])
def test_bad_roster_models_exit_2_with_the_field(tmp_path, capsys, top, where):
    refused(capsys, models_file(tmp_path, top), *where)


@pytest.mark.parametrize("models,where", [
    ("  - {id: m1, weekend_every: 0}\n", ["models[0].weekend_every (line 3)", "from 1 to 8"]),
    ("  - {id: m1, weekend_every: true}\n", ["models[0].weekend_every (line 3)", "whole number"]),
    ("  - {id: m1}\n", ["models[0].weekend_every", "has no weekend_every"]),
    ("  - {id: m1, weekend_every: 3, weekday: langvakt}\n", ["models[0].weekday (line 3)"]),
    ("  - {id: m1, weekend_every: 3, weekend: long}\n", ["long_shift", "no long_shift is defined"]),
    ("  - {id: m1, weekend_every: 3}\n  - {id: m1, weekend_every: 2}\n", ["models[1].id (line 4)", "duplicate"]),
    ("  - {id: m1, skip: \"not modelled\"}\n", ["models", "every model is skipped"]),
    ("  []\n", ["models"]),
])
def test_bad_roster_model_entries_exit_2(tmp_path, capsys, models, where):
    refused(capsys, models_file(tmp_path, "", models), *where)


def test_roster_models_defaults_and_auto_weeks(tmp_path):
    from planner.roster.heltid import load_models
    mf = load_models(models_file(tmp_path, "weeks: auto\n", "  - {id: m1, weekend_every: 3}\n"
                                 "  - {id: m7, skip: \"døgnvakt\"}\n"))
    # auto weeks are 0 (chosen per model); min_position 20 and time_limit 30 s by default
    assert (mf.weeks, mf.min_position, mf.time_limit) == (0, 20, 30.0)
    assert [m.id for m in mf.models] == ["m1"] and mf.skipped == [{"id": "m7", "name": "m7", "reason": "døgnvakt"}]


# ------------------------------------------------------------------------------------------- staff
@pytest.fixture
def unit(unit_dir) -> Path:
    return unit_dir / "unit.yaml"


def staff_file(tmp_path, unit: Path | None, people: str, extra: str = "") -> Path:
    f = tmp_path / "staff.yaml"
    f.write_text("kind: staff\n" + (f"unit: {unit.name}\n" if unit else "") + extra + "staff:\n" + people)
    return f


ONE = "  - {id: a, group: sykepleier, percent: 50}\n"


@pytest.mark.parametrize("people,extra,where", [
    ("  - {id: a, group: sykepleier}\n", "", ["staff[0].percent (line 3)", "a has no contract (percent)"]),
    ("  - {id: a, group: sykepleier, percent: 0}\n", "", ["staff[0].percent", "above 0 and at most 100"]),
    ("  - {id: a, group: sykepleier, percent: 101}\n", "", ["staff[0].percent", "above 0 and at most 100"]),
    ("  - {id: a, group: sykepleier, percent: \"50\"}\n", "", ["staff[0].percent", "without quotes"]),
    ("  - {id: a, group: sykepleier, percent: .nan}\n", "", ["staff[0].percent", "finite"]),
    ("  - {id: a, group: sykepleier, percent: 50, weekend_every: 0}\n", "", ["staff[0].weekend_every", "1 to 8"]),
    ("  - {id: a, group: sykepleier, percent: 50, night_exempt: 1}\n", "", ["staff[0].night_exempt"]),
    ("  - {id: a, group: sykepleier, percent: 50, shifts: []}\n", "", ["staff[0].shifts"]),
    ("  - {id: a, group: sykepleier, percent: 50, unavailable: [\"2027-02-30\"]}\n", "",
     ["staff[0].unavailable[0]", "not an ISO date"]),
    ("  - {id: a, group: sykepleier, percent: 50, unavailable: [2027-01-09..2027-01-04]}\n", "",
     ["staff[0].unavailable[0]", "ends (2027-01-04) before it starts"]),
    ("  - {id: a, group: sykepleier, percent: 50, unavailable: [2027-01-01..2099-01-01]}\n", "",
     ["staff[0].unavailable[0]", "longer than a year"]),
    ("  - {id: a, group: sykepleier, percent: 50, wishes: [{date: 2027-01-05}]}\n", "",
     ["staff[0].wishes[0]", "either off: true or shift: CODE"]),
    ("  - {id: a, group: sykepleier, percent: 50, wishes: [{date: 2027-01-05, off: true, shift: D}]}\n", "",
     ["staff[0].wishes[0]", "either off: true or shift: CODE"]),
    ("  - {id: a, group: sykepleier, percent: 50, wishes: [{date: 2027-01-05, off: true, weight: abc}]}\n", "",
     ["staff[0].wishes[0].weight", "whole number"]),
    ("  - {id: a, group: sykepleier, percent: 50, wishes: [{date: 2027-01-05, off: true, weight: 500}]}\n", "",
     ["staff[0].wishes[0].weight", "from 0 to 100"]),
    ("  - {id: {x: 1}, group: sykepleier, percent: 50}\n", "", ["staff[0].id", "not a staff id"]),
    (ONE + ONE, "", ["staff[1].id (line 4)", "duplicate id 'a'"]),
    (ONE, "start: 2027-01-05\n", ["start (line 2)", "Tuesday", "use 2027-01-04"]),
    (ONE, "rules: nowhere.yaml\n", ["rules (line 2)", "does not exist"]),
    (ONE, "cover: {hverdag_dag: {sykepleier: -1}}\n", ["cover.hverdag_dag.sykepleier (line 2)", "0 to 100"]),
    (ONE, "cover: {hverdag_dag: {sykepleier: .inf}}\n", ["cover.hverdag_dag.sykepleier", "finite"]),
    (ONE, "cover: {hverdag_dag: {sykepleier: {min: 2, preferred: 1}}}\n",
     ["cover.hverdag_dag.sykepleier.preferred", "below min"]),
    (ONE, "extra_shifts: [{code: L, start: \"08:00\", end: \"20:30\", paid_hours: 0}]\n",
     ["extra_shifts[0].paid_hours", "above 0 and at most 16"]),
    (ONE, "extra_shifts: [{code: F, start: \"08:00\", end: \"20:30\", paid_hours: 12}]\n",
     ["extra_shifts[0].code", "means a day off"]),
    (ONE, "shift_codes: {hverdag_dag: \"-\"}\n", ["shift_codes.hverdag_dag", "means a day off"]),
    (ONE, "shift_codes: {hverdag_dag: [D]}\n", ["shift_codes.hverdag_dag", "not a shift code"]),
    (ONE, "staf: []\n", ["staf (line 2)"]),
])
def test_bad_staff_files_exit_2_with_the_field(tmp_path, capsys, people, extra, where):
    refused(capsys, staff_file(tmp_path, None, people, extra), *where)


def test_wish_off_true_is_read(tmp_path):
    # YAML 1.1 reads an unquoted key `off` as false: the documented {date, off: true} wish must still work
    from planner.roster.setup import load_staff
    sf = load_staff(staff_file(tmp_path, None, "  - {id: a, group: sykepleier, percent: 50, wishes: "
                               "[{date: 2027-01-05, off: true, weight: 5}, {date: 2027-01-06, shift: D}]}\n"))
    assert sf.staff[0].wishes == [(dt.date(2027, 1, 5), None, 5), (dt.date(2027, 1, 6), "D", 1)]


# staff files that `leon roster check` refuses because of the unit (or the rules) they go with; each was
# passed by `leon check` before, which checked groups, substitutes and cover only
AGAINST_UNIT = [
    ("  - {id: a, group: lege, percent: 50}\n", "", "unknown group 'lege'"),
    ("  - {id: a, group: sykepleier, percent: 50, shifts: [nat]}\n", "", "unknown shift 'nat' for a"),
    ("  - {id: a, group: sykepleier, percent: 50, wishes: [{date: 2027-01-05, shift: K}]}\n", "",
     "unknown shift code 'K'"),
    (ONE, "substitutes: {sykepleier: [assistent]}\n", "substitution only goes upward"),
    (ONE, "shift_codes: {helg_dag: D}\n", "'helg_dag' is not a shift of unit"),
    (ONE, "extra_shifts: [{code: L, start: \"07:00\", end: \"19:00\", paid_hours: 12, covers: [D, K]}]\n",
     "'K' is no shift code of unit"),
    (ONE, "cover: {helg_dag: {sykepleier: 1}}\n", "shift 'helg_dag' is not a shift of unit"),
    (ONE, "cover: {hverdag_dag: {lege: 1}}\n", "unknown group 'lege'"),
    (ONE, "start: 2027-01-06\n", "a roster starts on a Monday"),
    (ONE, "rules: worktime.yaml\n", "which is no shift code of the unit"),
]


@pytest.mark.parametrize("people,extra,problem", AGAINST_UNIT)
def test_check_refuses_what_roster_check_refuses_with_the_same_message(tmp_path, unit, capsys, people, extra,
                                                                       problem):
    rules_file(tmp_path, "  - id: up\n    type: unwanted_patterns\n    patterns: [[N, \"-\", Q]]\n" + SRC)
    s = staff_file(tmp_path, unit, people, extra)
    grid = tmp_path / "r.csv"
    grid.write_text("id," + ",".join(DATES) + "\na," + ",".join("-" * 7) + "\n")
    code, _, err_roster = run_cli(["roster", "check", grid, "--unit", unit, "--staff", s], capsys)
    assert code == 2 and problem in err_roster and "Traceback" not in err_roster
    named = tmp_path / "worktime.yaml" if "rules:" in extra else s   # the bad pattern is in the rules file
    err_check = refused(capsys, s, problem, file=named)
    assert err_check.strip() == err_roster.strip()


def test_check_of_staff_that_names_no_unit_says_what_it_left_out(tmp_path, capsys):
    code, out, _ = run_cli(["check", staff_file(tmp_path, None, ONE)], capsys)
    assert code == 0 and "no `unit:`" in out


def test_check_of_staff_naming_a_missing_unit(tmp_path, capsys):
    f = tmp_path / "staff.yaml"
    f.write_text("kind: staff\nunit: nowhere.yaml\nstaff:\n" + ONE)
    refused(capsys, f, "unit (line 2)", "unit file 'nowhere.yaml' does not exist")


def test_good_staff_file_against_its_unit(tmp_path, unit, capsys):
    s = staff_file(tmp_path, unit, "  - {id: a, group: sykepleier, percent: 80, shifts: dag, weekend_every: 2, "
                   "unavailable: [2027-01-05, \"2027-01-07..2027-01-08\"], wishes: [{date: 2027-01-06, shift: N}]}\n",
                   "start: 2027-01-04\ncover: {hverdag_dag: {sykepleier: {min: 1}}, hverdag_natt: {sykepleier: 1}}\n")
    code, out, err = run_cli(["check", s], capsys)
    assert code == 0 and "checked against unit" in out, err
    from planner.roster.setup import load_staff, load_unit_view
    sf = load_staff(s, load_unit_view(unit))
    p = sf.staff[0]
    # `shifts: dag` is one allowed time; a range gives each day of it
    assert p.shifts == ["dag"] and p.percent == 80.0 and p.weekend_every == 2
    assert p.unavailable == [dt.date(2027, 1, 5), dt.date(2027, 1, 7), dt.date(2027, 1, 8)]
    # {min: 1} keeps preferred = min
    assert sf.cover == {"hverdag_dag": {"sykepleier": {"min": 1.0, "preferred": 1.0}},
                        "hverdag_natt": {"sykepleier": 1.0}}


@pytest.mark.parametrize("name", ["hjemmesykepleie", "medisinsk_sengepost", "skarbovik", "sykehjem"])
def test_shipped_staff_files_pass_check(name, capsys):
    code, out, err = run_cli(["check", ROOT / f"instances/staff/{name}.yaml"], capsys)
    assert code == 0 and "checked against unit" in out, err


@pytest.mark.parametrize("path", ["instances/rules/aml.yaml", "instances/rules/ks.yaml",
                                  "instances/rules/spekter.yaml", "instances/roster_models/fafo.yaml"])
def test_shipped_roster_files_pass_check(path, capsys):
    code, _, err = run_cli(["check", ROOT / path], capsys)
    assert code == 0, err


# ------------------------------------------------------------------------------------- requirement
def requirement(tmp_path, staff: dict) -> Path:
    f = tmp_path / "req.json"
    f.write_text(json.dumps({"results": {"leon": {"staff": staff}}}, allow_nan=True))
    return f


@pytest.mark.parametrize("staff,where", [
    ({"hverdag_dag": {"sykepleier": float("nan")}}, "results.leon.staff.hverdag_dag.sykepleier"),
    ({"hverdag_dag": {"sykepleier": "2"}}, "results.leon.staff.hverdag_dag.sykepleier"),
    ({"hverdag_dag": {"sykepleier": 1000}}, "results.leon.staff.hverdag_dag.sykepleier"),
    ({"hverdag_dag": [1]}, "results.leon.staff.hverdag_dag"),
    ({"helg_dag": {"sykepleier": 1}}, "results.leon.staff.helg_dag"),
])
def test_bad_requirement_json(tmp_path, unit, staff, where):
    from planner.roster.setup import load_requirement, load_unit_view
    with pytest.raises(InputError) as e:
        load_requirement(requirement(tmp_path, staff), load_unit_view(unit))
    assert e.value.field.startswith(where) and e.value.fix


def test_requirement_is_recorded_as_read(tmp_path, unit):
    from planner.roster.setup import load_requirement, load_unit_view
    f = requirement(tmp_path, {"hverdag_dag": {"sykepleier": 1.4}})
    with recording_reads():
        req = load_requirement(f, load_unit_view(unit))
        reads = files_read()
    assert req == {"hverdag_dag": {"sykepleier": 1.4}} and f.resolve() in reads


# ------------------------------------------------------------------------------------------- grids
def grid_csv(tmp_path, text: str | bytes, name: str = "r.csv") -> Path:
    f = tmp_path / name
    f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return f


ROWS = ["id"] + DATES, ["a", "D", "-", "N", "", "F", "D", "D"], ["bø", "-", "D", "D", "D", "D", "-", "-"]
WANT = {"a": ["D", "", "N", "", "", "D", "D"], "bø": ["", "D", "D", "D", "D", "", ""]}


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_grid_separators_and_encodings_are_read(tmp_path, sep, encoding):
    # `;` and Windows-1252: a Norwegian Excel's CSV; tab and UTF-16: Excel's "Unicode text"; a BOM
    text = "\r\n".join(sep.join(r) for r in ROWS) + "\r\n"
    g = read_grid(grid_csv(tmp_path, text.encode(encoding)))
    assert g.dates[0] == START and len(g.dates) == 7 and g.rows == WANT and g.lines == {"a": 2, "bø": 3}


def test_grid_bom_does_not_stick_to_the_first_cell(tmp_path):
    g = read_grid(grid_csv(tmp_path, codecs.BOM_UTF8 + "\n".join(",".join(r) for r in ROWS).encode()))
    assert g.rows == WANT


def test_grid_norwegian_dates_blank_lines_and_trailing_empty_cells(tmp_path):
    # dates as a Norwegian spreadsheet shows them; a blank line keeps the line numbers of what follows
    head = "id;" + ";".join(f"{d[8:]}.{d[5:7]}.{d[:4]}" for d in DATES) + ";;"
    g = read_grid(grid_csv(tmp_path, "\n".join([head, "", ";".join(ROWS[1]) + ";;", ";".join(ROWS[2])]) + "\n"))
    assert g.dates[0] == START and g.rows == WANT and g.lines == {"a": 3, "bø": 4}


@pytest.mark.parametrize("rows,where,problem", [
    # short rows were read as days off, extra cells dropped
    ([ROWS[0], ROWS[1][:5]], "line 2, column 6", "the cells for 2027-01-08 .. 2027-01-10 are missing"),
    ([ROWS[0], ROWS[1] + ["D"]], "line 2, column 9", "right of the last date column"),
    ([ROWS[0], ROWS[1], ROWS[1]], "line 3, column 1", "'a' appears twice (first at line 2, column 1)"),
    ([ROWS[0], ["", *ROWS[1][1:]]], "line 2, column 1", "empty staff id"),
    ([["id", DATES[0], DATES[2]], ["a", "D", "D"]], "line 1, column 3", "dates jump"),
    ([["id", "2027-13-01"], ["a", "D"]], "line 1, column 2", "not a date"),
    ([["id", "mandag"], ["a", "D"]], "line 1, column 2", "not a date"),
    ([["id"], ["a"]], "line 1, column 1", "no date columns"),
    ([ROWS[0]], "line 1", "at least one person"),
])
def test_bad_grid_rows_are_refused_with_line_and_column(tmp_path, rows, where, problem):
    with pytest.raises(InputError) as e:
        read_grid(grid_csv(tmp_path, "\n".join(",".join(r) for r in rows) + "\n"))
    assert e.value.field.startswith(where) and problem in e.value.problem and e.value.fix


@pytest.mark.parametrize("content,problem", [("", "empty"), ("\n\n", "empty"), ("PK\x03\x04xx", "workbook"),
                                              ("a\x81\x8d\x8f", "neither UTF-8 nor Windows-1252")])
def test_unreadable_grid_files(tmp_path, content, problem):
    with pytest.raises(InputError, match=problem):
        read_grid(grid_csv(tmp_path, content.encode("latin-1")))


def test_tab_separated_grid_through_the_cli(tmp_path, unit, capsys):
    # a tab-separated grid was an IndexError traceback; now it is read, and audited against the staff file
    s = staff_file(tmp_path, unit, "  - {id: a, group: sykepleier, percent: 20}\n",
                   "cover: {hverdag_dag: {sykepleier: 1}}\n")
    dates = [(START + dt.timedelta(k)).isoformat() for k in range(21)]
    g = grid_csv(tmp_path, "id\t" + "\t".join(dates) + "\na\t" + "\t".join(["D"] * 5 + ["-"] * 16) + "\n")
    code, out, err = run_cli(["roster", "check", g, "--unit", unit, "--staff", s, "--no-cyclic",
                              "--rules", ROOT / "instances/rules/aml.yaml"], capsys)
    assert "Traceback" not in err and "1 people, 3 weeks from 2027-01-04" in out
    assert code == 1      # 5 of 15 weekday dag shifts covered: gaps, but read


def xlsx(tmp_path, rows, merge: str | None = None) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    f = tmp_path / "r.xlsx"
    wb.save(f)
    return f


def test_xlsx_grid_with_real_dates_and_empty_cells(tmp_path):
    head = ["id"] + [dt.datetime.combine(START + dt.timedelta(k), dt.time()) for k in range(7)]
    g = read_grid(xlsx(tmp_path, [head, ["a", "D", None, "N", "-", "F", "D", "D"], ["bø", "-", "D", "D", "D", "D"]]))
    # in a workbook an empty cell is a day off (b's Saturday and Sunday)
    assert g.dates[0] == START and g.rows == WANT and g.lines == {"a": 2, "bø": 3}


def test_xlsx_merged_cell_is_refused_with_its_cell(tmp_path):
    # a merged cell (a shift drawn over three days) was read as days off after its first day
    f = xlsx(tmp_path, [["id"] + DATES, ["a", "D", "D", "D", "-", "-", "-", "-"]], merge="B2:D2")
    with pytest.raises(InputError) as e:
        read_grid(f)
    assert e.value.field.startswith("cell B2") and "B2:D2" in e.value.problem and "unmerge" in e.value.fix


def test_xlsx_cell_right_of_the_dates_is_refused_with_its_cell(tmp_path):
    f = xlsx(tmp_path, [["id"] + DATES, ["a"] + ["-"] * 7 + ["D"]])
    with pytest.raises(InputError) as e:
        read_grid(f)
    assert e.value.field.startswith("cell I2")


def test_grid_reads_are_recorded(tmp_path):
    f = grid_csv(tmp_path, "\n".join(",".join(r) for r in ROWS))
    with recording_reads():
        read_grid(f)
        assert files_read() == {f.resolve()}


def test_a_staff_number_yaml_reads_as_text_is_explained_as_the_unit_files_are(tmp_path, capsys):
    # YAML 1.1 reads 1e308 (an exponent without a dot) as text; the staff file's advice is the unit file's
    # (one wording), not "write the number without quotes" for a number that has none
    from cli import main
    from planner.io.loader import quoted_number_fix
    s = tmp_path / "s.yaml"
    s.write_text("kind: staff\nrules: " + str(ROOT / "instances/rules/ks.yaml") +
                 "\nstaff:\n  - {id: a, group: sykepleier, percent: 1e308}\n")
    rc = main(["roster", "build", "--unit", str(ROOT / "instances/units/sykehjem.yaml"), "--staff", str(s),
               "--out", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert rc == 2 and "staff[0].percent (line 4)" in err and quoted_number_fix("1e308") in err
    assert "without quotes" not in err
