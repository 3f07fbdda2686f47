"""Roster inputs that were judged wrongly or crashed: each is now exit 2 with the option, or the file, field and
line, and the fix; never a traceback.

- A start whose horizon leaves the years the calendar is computed for (schema.CALENDAR_YEARS, 1900-2199):
  `--start 9999-12-27` ended in an OverflowError while the holidays were computed.
- A cyclic rotation shorter than a rule's window (setup.rotation_too_short): a 1-week rotation was judged
  legal though whoever works its Sunday works every Sunday (the same grid as 2 weeks breaks the Sunday rule).
- A night-only person with `night_exempt: true`: refused by the commands but passed by `leon check`; now
  refused where the staff file is loaded, with the field and its line.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from conftest import run_cli
from planner.io.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"
STAFF = ROOT / "instances/staff/sykehjem.yaml"
RULES = ROOT / "instances/rules/ks.yaml"
START = dt.date(2027, 1, 4)     # a Monday


def cli(capsys, *args) -> tuple[int, str]:
    code, out, err = run_cli(list(args), capsys)
    assert "Traceback" not in err
    return code, out + err


def shipped_staff(tmp_path, old: str = "", new: str = "") -> Path:
    """The shipped staff file with absolute paths (it is written elsewhere), `old` replaced by `new` once."""
    text = STAFF.read_text().replace("unit: ../units/", f"unit: {ROOT}/instances/units/") \
        .replace("rules: ../rules/", f"rules: {ROOT}/instances/rules/")
    if old:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "staff.yaml"
    path.write_text(text)
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), start=1) if text in ln)


def every_weekend_staff(tmp_path) -> Path:
    """Eight day workers who may work every weekend: no weekend cycle forces a longer rotation."""
    people = "".join(f"  - {{id: h{k}, group: helsefagarbeider, percent: 25, weekend_every: 1, shifts: [dag]}}\n"
                     for k in range(1, 9))
    path = tmp_path / "s8.yaml"
    path.write_text(f"kind: staff\nunit: {UNIT}\nrules: {RULES}\nillustrative: true\n"
                    "cover:\n  hverdag_dag: {helsefagarbeider: 1}\n  helg_dag: {helsefagarbeider: 1}\n"
                    f"staff:\n{people}")
    return path


def grid(path: Path, start: dt.date, weeks: int, rows: dict[str, str]) -> Path:
    """A roster grid: each row's cells (one letter a day, '-' off) repeated over `weeks`."""
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"] + [(start + dt.timedelta(k)).isoformat() for k in range(7 * weeks)])
        for pid, cells in rows.items():
            w.writerow([pid] + list(cells) * weeks)
    return path


# h2 works Sunday in a one-week rotation, so every Sunday once it repeats
ONE_WEEK = {"h1": "---D---", "h2": "------D", "h3": "-D-----", "h4": "--D----", "h5": "-----D-", "h6": "------D",
            "h7": "D------", "h8": "----D--"}


# ------------------------------------------------------------------------------------ 1. the calendar's years
@pytest.mark.parametrize("start", ["9999-12-27", "2199-12-16", "1899-12-25"])
def test_a_start_outside_the_calendar_names_start(tmp_path, capsys, start):
    # 9999-12-27 + 6 weeks is no date; 2199-12-16 runs into 2200; 1899-12-25 is before 1900
    out = tmp_path / "x.csv"
    code, text = cli(capsys, "roster", "build", "--unit", UNIT, "--staff", STAFF, "--start", start,
                     "--time-limit", "3", "--out", out)
    assert code == 2 and "error: --start:" in text and "1900-2199" in text and "fix:" in text
    assert not out.exists()


def test_the_last_days_of_the_calendar_are_still_a_roster():
    from planner.roster.schema import calendar_outside
    assert calendar_outside(dt.date(2199, 11, 18), 6 * 7) is None          # ends 2199-12-29
    assert calendar_outside(dt.date(1900, 1, 1), 7) is None
    assert "2200-01-05" in calendar_outside(dt.date(2199, 11, 25), 6 * 7)


def test_a_staff_file_start_outside_the_calendar_is_named_with_its_line(tmp_path, capsys):
    staff = shipped_staff(tmp_path, "rules: ", "start: 9999-12-27\nrules: ")
    code, text = cli(capsys, "check", staff)
    assert code == 2 and f"start (line {line_of(staff, 'start:')})" in text and "1900-2199" in text


def test_a_staff_file_start_whose_horizon_leaves_the_calendar_is_named_with_its_line(tmp_path, capsys):
    # the first week lies in 2199 (so `leon check` passes it), six weeks do not: named where it was given
    staff = shipped_staff(tmp_path, "rules: ", "start: 2199-12-16\nrules: ")
    assert cli(capsys, "check", staff)[0] == 0
    code, text = cli(capsys, "roster", "build", "--unit", UNIT, "--staff", staff, "--time-limit", "3",
                     "--out", tmp_path / "x.csv")
    assert code == 2 and f"staff.yaml: start (line {line_of(staff, 'start:')})" in text and "2200-01-26" in text


def test_roster_check_refuses_a_grid_outside_the_calendar(tmp_path, capsys):
    g = grid(tmp_path / "far.csv", dt.date(9999, 12, 20), 1, ONE_WEEK)
    code, text = cli(capsys, "roster", "check", g, "--unit", UNIT, "--staff", every_weekend_staff(tmp_path),
                     "--no-cyclic")
    assert code == 2 and "9999-12-20" in text and "1900-2199" in text
    # named by the grid, its first line: `roster check` has no --start
    assert f"{g}: line 1" in text and "--start" not in text


# ------------------------------------------------------------------------- 2. a rotation shorter than a rule
def test_a_one_week_rotation_breaks_the_sunday_rule_once_it_repeats(tmp_path, capsys):
    # why a 1-week rotation cannot be judged: written out as two weeks, h2 works two Sundays in a row
    g = grid(tmp_path / "two.csv", START, 2, ONE_WEEK)
    code, text = cli(capsys, "roster", "check", g, "--unit", UNIT, "--staff", every_weekend_staff(tmp_path))
    assert code == 1 and "sunday_rule 4" in text and "works Sunday/holiday" in text


def test_a_one_week_rotation_is_refused_by_build(tmp_path, capsys):
    out = tmp_path / "w1.csv"
    code, text = cli(capsys, "roster", "build", "--unit", UNIT, "--staff", every_weekend_staff(tmp_path),
                     "--weeks", "1", "--time-limit", "10", "--out", out)
    assert code == 2 and "error: --weeks:" in text and "'sunday_rule'" in text
    assert "--weeks 2" in text and "--no-cyclic" in text and not out.exists()


def test_a_one_week_grid_is_refused_by_check_with_its_file(tmp_path, capsys):
    g = grid(tmp_path / "one.csv", START, 1, ONE_WEEK)
    staff = every_weekend_staff(tmp_path)
    code, text = cli(capsys, "roster", "check", g, "--unit", UNIT, "--staff", staff)
    assert code == 2 and f"{g}: line 1" in text and "'sunday_rule'" in text
    # a stretch that does not repeat has no next Sunday to judge
    assert cli(capsys, "roster", "check", g, "--unit", UNIT, "--staff", staff, "--no-cyclic")[0] == 0


def test_the_weeks_a_rotation_needs_come_from_the_loaded_rules():
    from planner.roster.rules import load_rules, rules_from_entries
    from planner.roster.setup import rotation_too_short
    src = {"illustrative": True}
    assert rotation_too_short(load_rules(RULES).rules, 1)[0].id == "sunday_rule"
    assert rotation_too_short(load_rules(RULES).rules, 2) is None
    # without a Sunday rule a week is enough, unless a run of days is longer than it
    plain = [{"type": "contract_hours", **src}, {"type": "max_consecutive", "max": 6, **src}]
    assert rotation_too_short(rules_from_entries(plain).rules, 1) is None
    long_runs = [{"type": "max_consecutive", "max": 8, **src}]
    rule, need, *_ = rotation_too_short(rules_from_entries(long_runs).rules, 1)
    assert (rule.id, need) == ("max_consecutive", 2)
    assert rotation_too_short(rules_from_entries(long_runs).rules, 2) is None


def test_a_models_file_of_one_week_is_refused_with_its_line(tmp_path, capsys):
    models = tmp_path / "m.yaml"
    models.write_text(f"kind: roster_models\nrules: {RULES}\nweeks: 1\ntime_limit: 10\n"
                      "models:\n  - {id: m1, weekend_every: 1, illustrative: true}\n")
    code, text = cli(capsys, "check", models)
    assert code == 2 and "m.yaml: weeks (line 3)" in text and "'sunday_rule'" in text and "weeks: 2" in text
    code, text = cli(capsys, "roster", "heltid", "--unit", UNIT, "--models", models, "--time-limit", "15")
    assert code == 2 and "weeks (line 3)" in text


def test_heltid_refuses_a_short_rotation_under_rules_given_apart(tmp_path):
    # a models file without rules: is checked when each model's problem is made, against the rules in use
    from planner.roster.heltid import load_models, run_model
    from planner.roster.rules import load_rules
    from planner.roster.setup import load_unit_view
    models = tmp_path / "m.yaml"
    models.write_text("kind: roster_models\nweeks: 1\nmodels:\n  - {id: m1, weekend_every: 1, illustrative: true}\n")
    mf = load_models(models)
    req = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1}}
    with pytest.raises(InputError, match="sunday_rule"):
        run_model(load_unit_view(UNIT), req, load_rules(RULES), mf, mf.models[0], 5.0)


# ------------------------------------------------------------------------------ 3. night-only and night-exempt
NIGHT_ONLY = "{id: spln01, group: sykepleier, percent: 55, shifts: [natt]}"


def test_leon_check_refuses_a_night_only_person_exempt_from_nights(tmp_path, capsys):
    staff = shipped_staff(tmp_path, NIGHT_ONLY, NIGHT_ONLY[:-1] + ", night_exempt: true}")
    where = f"staff.yaml: staff[0].night_exempt (line {line_of(staff, 'spln01')}): spln01 may work no shift"
    code, text = cli(capsys, "check", staff)
    assert code == 2 and where in text and "drop night_exempt" in text
    # the commands give the same message, from the same check
    out = tmp_path / "r.csv"
    code, text = cli(capsys, "roster", "build", "--unit", UNIT, "--staff", staff, "--time-limit", "5", "--out", out)
    assert code == 2 and where in text and not out.exists()


def test_a_person_whose_shifts_the_unit_does_not_have_is_refused_by_check_and_build(tmp_path, capsys):
    # `shifts: [lang]` on a unit without long shifts: nobody could give the person a shift; before, `leon check`
    # passed the file and the build diagnosed a contract that could not hold
    staff = shipped_staff(tmp_path, "{id: spln01, group: sykepleier, percent: 55, shifts: [natt]}",
                          "{id: spln01, group: sykepleier, percent: 55, shifts: [lang]}")
    for args in (["check", staff], ["roster", "build", "--unit", UNIT, "--staff", staff, "--out", tmp_path / "r.csv"]):
        code, out = cli(capsys, *args)
        assert code == 2 and "staff[0].shifts (line" in out and "may work no shift" in out, out
