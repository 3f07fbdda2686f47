"""`leon roster` refuses what it cannot honour before any work (exit 2, the option and the fix), and a
build ends cleanly: no abort at exit from a solve still running in the engine's other thread."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"
STAFF = ROOT / "instances/staff/sykehjem.yaml"
ROSTER = ROOT / "instances/rosters/sykehjem_6uker.csv"


def run(*args) -> int:
    from cli import main
    try:
        return main([str(a) for a in args])
    except SystemExit as e:      # argparse's own refusals
        return int(e.code or 0)


def _build(tmp_path, *extra) -> tuple[int, Path]:
    out = tmp_path / "r.csv"
    return run("roster", "build", "--unit", UNIT, "--staff", STAFF, "--out", out, *extra), out


@pytest.mark.parametrize("option,value", [("--time-limit", "nan"), ("--time-limit", "inf"), ("--time-limit", "0"),
                                          ("--time-limit", "-5"), ("--det-time", "nan"), ("--det-time", "inf"),
                                          ("--seed", "2147483648"), ("--seed", "-1"), ("--seed", "x")])
def test_build_refuses_what_it_cannot_honour(tmp_path, capsys, option, value):
    rc, out = _build(tmp_path, option, value)
    err = capsys.readouterr().err
    assert rc == 2 and f"argument {option}:" in err and "e.g." in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["nan", "inf", "0"])
def test_heltid_refuses_a_time_limit_it_cannot_keep(tmp_path, capsys, value):
    rc = run("roster", "heltid", "--unit", UNIT, "--models", ROOT / "instances/roster_models/fafo.yaml",
             "--time-limit", value)
    assert rc == 2 and "argument --time-limit:" in capsys.readouterr().err


def test_check_refuses_a_negative_line_count(capsys):
    rc = run("roster", "check", ROSTER, "--unit", UNIT, "--staff", STAFF, "--max-lines", "-1")
    assert rc == 2 and "argument --max-lines: must be 0 or more" in capsys.readouterr().err


def test_picture_in_a_format_it_does_not_draw_is_refused_before_the_build(tmp_path, capsys):
    pic = tmp_path / "p.pdf"
    rc, out = _build(tmp_path, "--picture", pic, "--time-limit", "5")
    err = capsys.readouterr().err
    assert rc == 2 and "--picture" in err and ".png or .html" in err
    assert not pic.exists() and not out.exists()


def test_a_52_week_rotation_is_advised_to_something_that_runs(capsys, tmp_path):
    # every third weekend: 52 weeks are no multiple of 3; the advice names --no-cyclic and a horizon of at
    # most 53 weeks (54, the next multiple, is past the longest horizon and refused)
    rc, _ = _build(tmp_path, "--weeks", "52")
    err = capsys.readouterr().err
    assert rc == 2 and "--no-cyclic" in err and "--weeks 51" in err and "--weeks 54" not in err
    import types

    from commands.roster import _inputs
    from planner.roster.setup import make_problem
    u, st, ru, rq = _inputs(types.SimpleNamespace(unit=UNIT, staff=STAFF, rules=None, requirement=None))
    assert make_problem(u, st, ru, 51, None, rq, True).weeks == 51          # the advice holds
    assert make_problem(u, st, ru, 52, None, rq, False).weeks == 52


def test_a_staff_file_of_another_unit_is_named(capsys):
    rc = run("roster", "check", ROSTER, "--unit", ROOT / "instances/units/hjemmesykepleie.yaml", "--staff", STAFF)
    err = capsys.readouterr().err
    assert rc == 2 and "this staff file is for unit 'sykehjem_langtid'" in err and "unit (line" in err


def test_a_copy_of_the_unit_elsewhere_is_the_same_unit(tmp_path, capsys):
    (tmp_path / "u.yaml").write_text(UNIT.read_text().replace("../catalogue/", f"{ROOT}/instances/catalogue/")
                                     .replace("../rules/", f"{ROOT}/instances/rules/"))
    rc = run("roster", "check", ROSTER, "--unit", tmp_path / "u.yaml", "--staff", STAFF)
    assert rc == 1, capsys.readouterr().err      # the shipped roster's planted hard violations, not a refusal


def test_night_only_and_night_exempt_is_no_shift_at_all(tmp_path, capsys):
    text = STAFF.read_text().replace("unit: ../units/", f"unit: {ROOT}/instances/units/") \
        .replace("rules: ../rules/", f"rules: {ROOT}/instances/rules/")
    assert "{id: spln01, group: sykepleier, percent: 55, shifts: [natt]}" in text
    text = text.replace("{id: spln01, group: sykepleier, percent: 55, shifts: [natt]}",
                        "{id: spln01, group: sykepleier, percent: 55, shifts: [natt], night_exempt: true}")
    staff = tmp_path / "s.yaml"
    staff.write_text(text)
    out = tmp_path / "r.csv"
    rc = run("roster", "build", "--unit", UNIT, "--staff", staff, "--out", out, "--time-limit", "5")
    err = capsys.readouterr().err
    assert rc == 2 and "staff[0].night_exempt (line" in err and "spln01 may work no shift" in err
    assert not out.exists()


def test_short_builds_end_without_an_abort(tmp_path):
    # a build whose limit ends while the engine's other thread is still in a solve (pricing, bounds): that
    # solve must end before the process does, or CP-SAT's C++ threads abort it at exit (exit -6 / 134)
    # after the roster was written; 5 of 6 runs at 5 s did before (when that happens depends on the load, so
    # three limits)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k, limit in enumerate(("4", "5", "6")):
        out = tmp_path / f"r{k}.csv"
        p = subprocess.run([sys.executable, "-m", "cli", "roster", "build", "--unit", str(UNIT), "--staff", str(STAFF),
                            "--time-limit", limit, "--quiet", "--out", str(out)], check=False, cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode in (0, 1), (p.returncode, p.stderr[-500:])
        assert "terminate called" not in p.stderr


def test_check_reports_every_file_not_only_up_to_the_first_bad_one(tmp_path, capsys):
    rc = run("check", tmp_path / "nothere.yaml", UNIT, STAFF)
    cap = capsys.readouterr()
    assert rc == 2 and "nothere.yaml: file not found" in cap.err
    assert f"ok  {UNIT}" in cap.out and f"ok  {STAFF}" in cap.out     # the good files after it are still checked


def test_an_xlsx_cell_is_named_by_its_cell_and_a_folder_as_a_folder(tmp_path, capsys):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Turnus"
    ws.append(["id", "2027-01-04"])
    ws.append(["spl01", 5])           # a number where a shift code belongs
    wb.save(tmp_path / "t.xlsx")
    assert run("roster", "check", tmp_path / "t.xlsx", "--unit", UNIT, "--staff", STAFF) == 2
    assert "cell B2 of sheet 'Turnus' (spl01, 2027-01-04): unknown shift code '5'" in capsys.readouterr().err
    assert run("roster", "check", tmp_path, "--unit", UNIT, "--staff", STAFF) == 2
    assert "is a folder, not a file" in capsys.readouterr().err


@pytest.mark.parametrize("option,name,says", [("--out", "r.xlsx", "--xlsx PATH.xlsx"), ("--out", "r.JSON", ".csv"),
                                              ("--xlsx", "x.csv", "end the path in .xlsx"),
                                              ("--xlsx", "r", "end the path in .xlsx")])
def test_an_output_named_for_another_format_is_refused_before_the_build(tmp_path, capsys, option, name, says):
    """--out is CSV text and --xlsx a workbook: a name of another format would not open as that format."""
    path = tmp_path / name
    args = ["roster", "build", "--unit", UNIT, "--staff", STAFF, "--time-limit", "5"]
    args += ["--out", path] if option == "--out" else ["--out", tmp_path / "r.csv", "--xlsx", path]
    rc = run(*args)
    err = capsys.readouterr().err
    assert rc == 2 and option in err and says in err
    assert not path.exists() and not (tmp_path / "r.csv").exists()


def test_json_wall_time_is_the_commands_and_the_engines_is_apart(tmp_path):
    """--time-limit counts the whole command: the JSON's wall_time_s does too (it once held the engine's part
    only, which disagreed with the terminal's "s wall of"), and the engine's time is no larger."""
    import json
    import time as _t
    js = tmp_path / "r.json"
    t = _t.perf_counter()
    rc, _ = _build(tmp_path, "--time-limit", "4", "--json", js, "--quiet")
    took = _t.perf_counter() - t
    data = json.loads(js.read_text())
    assert rc == 0 and 0 < data["engine_time_s"] <= data["wall_time_s"] <= took + 0.01


@pytest.mark.parametrize("weeks,advice", [("13", "--weeks 12 or --weeks 15"), ("7", "--weeks 6 or --weeks 9"),
                                          ("52", "--weeks 51")])
def test_weeks_off_the_weekend_cycle_gets_the_multiples_either_side(tmp_path, capsys, weeks, advice):
    # every third weekend: 13 weeks lies between the rotations of 12 and 15 (12 is in the usual 6-12); 52 has
    # only 51 below it (54 is no horizon)
    rc, _ = _build(tmp_path, "--weeks", weeks, "--time-limit", "5")
    err = capsys.readouterr().err
    assert rc == 2 and advice in err and "--weeks 54" not in err
