"""Locked cells and the rebuild that keeps the fewest changes (`leon roster build --lock / --keep-from`).

Own small data. Shifts: D 07:30-15:00 and K 14:30-22:00 (7,5 h each); K then D the next morning leaves
9,5 h, less than the 11 h daily rest.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from models.roster import cpsat as M
from models.roster.locks import KeepPrevious, Locked, legalise
from planner.roster import build as B

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"

D = M.ShiftType("D", 7 * 60 + 30, 15 * 60, 450, "dag")
K = M.ShiftType("K", 14 * 60 + 30, 22 * 60, 450, "kveld")


def problem(n=3, days=14, shifts=(D, K), unavailable=None, rules=()) -> M.Problem:
    """n people of group s at 50 %; one s on every shift of every day; contract norm 37,5 h a week,
    so 50 % over 2 weeks = 37,5 h = 5 shifts, tolerance 7,5 h = one shift either way (4..6 shifts)."""
    persons = [M.Person(f"p{i}", "s", 50.0, unavailable=frozenset((unavailable or {}).get(f"p{i}", ())))
               for i in range(n)]
    cover = [M.Cover(d, st.code, "s", 1, 1) for d in range(days) for st in shifts]
    base = [M.ContractHours(id="contract_hours", norm_hours_per_week=37.5, tolerance_hours=7.5),
            M.Availability(id="availability")]
    return M.Problem(days=days, shifts=list(shifts), persons=persons, cover=cover, rules=[*base, *rules],
                     cyclic=False)


def row(P, asg, pi) -> str:
    """A person's row, one character a day ('.' = off)."""
    return "".join(P.shifts[asg[pi, d]].code if (pi, d) in asg else "." for d in range(P.days))


# ------------------------------------------------------------------------------------------------
# Locked cells
# ------------------------------------------------------------------------------------------------
def test_locked_cells_are_honoured():
    # 5 people at 50 % (4..6 shifts each, 20..30 in all) for 28 shifts (D and K every day), under the daily
    # rest. Build without locks, then lock three cells that roster does not have, and build again.
    rules = (M.DailyRest(id="daily_rest", min_hours=11),)
    P = problem(n=5, rules=rules)
    free = B.solve_problem(P, 20, det_time=2.0, lns=False)
    assert free.outcome in ("optimal", "feasible")
    a = free.assignment
    # p0 on day 3: the other shift (D if off); p1: off on a day it works; p2: K on a day it is off
    want = {("p0", 3): "K" if a.get((0, 3)) == P.shift_index["D"] else "D",
            ("p1", next(d for d in range(14) if (1, d) in a)): None,
            ("p2", next(d for d in range(14) if (2, d) not in a)): "K"}
    assert all(row(P, a, int(pid[1:]))[d] != (code or ".") for (pid, d), code in want.items())
    Q = problem(n=5, rules=(*rules, Locked(id="locked", cells=want)))
    r = B.solve_problem(Q, 20, det_time=2.0)
    assert r.outcome in ("optimal", "feasible") and r.shortfall == 0
    for (pid, d), code in want.items():
        assert row(Q, r.assignment, int(pid[1:]))[d] == (code or "."), (pid, d)
    assert not [v for v in M.check(Q, r.assignment) if v.hard]


def test_lock_audit_names_the_cell():
    P = problem(rules=(Locked(id="locked", cells={("p0", 2): "D", ("p1", 4): None}),))
    v = [x for x in M.check(P, {(1, 4): 0}) if x.rule == "locked"]   # p0 off on day 2, p1 works day 4
    assert sorted((x.person, x.day, x.hard) for x in v) == [("p0", 2, True), ("p1", 4, True)]
    assert "locked D on day 3 is not worked" in [x.detail for x in v if x.person == "p0"]
    assert "locked day off on day 5 is worked" in [x.detail for x in v if x.person == "p1"]


def test_lock_against_a_hard_rule_is_diagnosed_as_infeasible():
    # p0 locked on K on day 4 and D on day 5: 9,5 h between them, the daily rest asks 11 h
    lock = Locked(id="locked", cells={("p0", 4): "K", ("p0", 5): "D"})
    P = problem(rules=(M.DailyRest(id="daily_rest", min_hours=11), lock))
    r = B.solve_problem(P, 20, det_time=2.0)
    assert r.outcome == "infeasible"
    assert "locked|p0" in r.conflict and "daily_rest|p0" in r.conflict
    msg = " ".join(B.diagnose(P, r, []))
    assert "p0" in msg and "locked" in msg and "daily_rest" in msg


def test_lock_on_a_slot_without_cover_is_still_worked():
    # the cover asks only for D; a lock on K gives that slot a variable of its own
    P = problem(shifts=(D, K), rules=(Locked(id="locked", cells={("p0", 6): "K"}),))
    P.cover = [c for c in P.cover if c.code == "D"]
    r = M.solve(P, time_limit=10, det_time=1.0)
    assert r.status in ("OPTIMAL", "FEASIBLE") and r.assignment.get((0, 6)) == P.shift_index["K"]


def test_lock_on_a_shift_that_cannot_exist_is_infeasible_not_ignored():
    # W exists on weekend days only; day 2 is a Wednesday: the lock can never hold
    W = M.ShiftType("W", 8 * 60, 15 * 60, 420, "dag", day_type="helg")
    P = problem(shifts=(D, W), rules=(Locked(id="locked", cells={("p0", 2): "W"}),))
    r = M.solve(P, time_limit=10, det_time=1.0)
    assert r.status == "INFEASIBLE" and r.conflict == ["locked|p0"]


# ------------------------------------------------------------------------------------------------
# Rebuild with the fewest changes
# ------------------------------------------------------------------------------------------------
# One shift D a day, one head, 14 days: p0 works days 0-4 (5 shifts), p1 days 5-9 (5), p2 days 10-13 (4):
# every contract within 4..6 shifts, every day covered once. p0 then falls ill on days 1 and 2.
REFERENCE = {"p0": "DDDDD.........", "p1": ".....DDDDD....", "p2": "..........DDDD"}


def test_rebuild_after_two_days_unavailable_changes_few_cells():
    keep = KeepPrevious(id="keep_previous", weight=100,
                        cells={(pid, d): (c if c != "." else None) for pid, r in REFERENCE.items()
                               for d, c in enumerate(r)})
    P = problem(shifts=(D,), unavailable={"p0": {1, 2}}, rules=(keep,))
    r = B.solve_problem(P, 20, det_time=2.0)
    assert r.outcome == "optimal" and r.shortfall == 0
    changed = [v for v in M.check(P, r.assignment) if v.rule == "keep_previous"]
    # Hand bound. At least: p0's days 1 and 2 must go (2 cells); both days need a D and every other person
    # was off on them (2 cells); p0 is left with 3 shifts = 22,5 h, below 37,5 - 7,5 = 30 h, so p0 works at
    # least one day it was off (1 cell): >= 5. At most: that is also enough - p1 takes day 1 (6 shifts),
    # p2 day 2 (5 shifts), p0 works day 5 beside p1 (an extra head; no rule forbids it): 5 changed cells.
    assert len(changed) == 5
    # the audit's count of the rule is the number of changed cells: count them directly, cell by cell
    diff = sum(1 for pi, pid in enumerate(REFERENCE) for d in range(14)
               if row(P, r.assignment, pi)[d] != REFERENCE[pid][d])
    assert diff == len(changed)
    assert row(P, r.assignment, 0)[1:3] == ".."


def test_legalise_repairs_only_the_rows_that_break_a_hard_rule():
    # the reference with p0's sick days removed: p0 has 3 shifts (22,5 h < 30 h) - only p0 is re-planned
    P = problem(shifts=(D,), unavailable={"p0": {1, 2}})
    start = {(pi, d): 0 for pi, r in enumerate(REFERENCE.values()) for d, c in enumerate(r)
             if c == "D" and not (pi == 0 and d in (1, 2))}
    out = legalise(P, start)
    assert not [v for v in M.check(P, out) if v.hard]
    assert row(P, out, 1) == REFERENCE["p1"] and row(P, out, 2) == REFERENCE["p2"]
    # p0 keeps days 0, 3, 4 and adds exactly one day (4 shifts = 30 h, the least within the tolerance)
    r0 = row(P, out, 0)
    assert r0.count("D") == 4 and all(r0[d] == "D" for d in (0, 3, 4)) and r0[1:3] == ".."


def test_start_amendments_keep_what_the_rules_do_not_name():
    # no contract rule here, so every row is legal and legalise changes nothing
    P = problem(shifts=(D,))
    P.rules = [M.Availability(id="availability")]
    greedy = {(0, 0): 0, (0, 10): 0, (1, 3): 0}
    keep = KeepPrevious(id="keep_previous", cells={("p0", d): (None if d == 0 else "D") for d in range(5)})
    # p0's days 0-4 come from the old roster (off on day 0, D on 1-4); day 10 and p1 keep the greedy start
    assert keep.amend_start(P, greedy) == {(0, 1): 0, (0, 2): 0, (0, 3): 0, (0, 4): 0, (0, 10): 0, (1, 3): 0}
    lock = Locked(id="locked", cells={("p1", 3): None, ("p2", 6): "D"})
    assert lock.amend_start(P, greedy) == {(0, 0): 0, (0, 10): 0, (2, 6): 0}


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------
def run(*args):
    from cli import main
    return main([str(a) for a in args])


def _files(tmp_path, unavailable: str = ""):
    """Staff file (3 sykepleiere, dag only, 50 %) with a rule file of its own: contract hours only
    (37,5 h a week, tolerance 7,5 h), and cover: one sykepleier on every dag shift."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("kind: worktime_rules\nid: contract_only\nrules:\n"
                     "  - {id: contract_hours, type: contract_hours, norm_hours_per_week: 37.5, "
                     "tolerance_hours: 7.5, illustrative: true}\n")
    s = tmp_path / "staff.yaml"
    s.write_text(f"kind: staff\nrules: {rules}\n"
                 "cover: {hverdag_dag: {sykepleier: 1}, helg_dag: {sykepleier: 1}}\nstaff:\n"
                 "  - {id: p0, group: sykepleier, percent: 50, shifts: [dag]" + unavailable + "}\n"
                 "  - {id: p1, group: sykepleier, percent: 50, shifts: [dag]}\n"
                 "  - {id: p2, group: sykepleier, percent: 50, shifts: [dag]}\n")
    return s


DATES = [f"2027-01-{d:02d}" for d in range(4, 18)]   # Monday 4 to Sunday 17 January 2027


def _grid(path: Path, rows: dict[str, str], dates=DATES):
    """rows: person -> one character per date ('.' = empty cell, '-' = day off)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", *dates])
        for pid, r in rows.items():
            w.writerow([pid, *("" if c == "." else c for c in r)])
    return path


def _read(path: Path) -> dict[str, list[str]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return {r[0]: r[1:] for r in rows[1:]}


BUILD = ("roster", "build", "--unit", UNIT, "--weeks", 2, "--start", "2027-01-04", "--no-cyclic",
         "--time-limit", 20, "--det-time", 4)


def test_cli_lock_file_honoured(tmp_path, capsys):
    s = _files(tmp_path)
    lock = _grid(tmp_path / "lock.csv", {"p0": "D.-...........", "p2": "......DD......"})
    out, js = tmp_path / "r.csv", tmp_path / "r.json"
    rc = run(*BUILD, "--staff", s, "--lock", lock, "--out", out, "--json", js)
    assert rc == 0, capsys.readouterr().err
    got = _read(out)
    assert got["p0"][0] == "D" and got["p0"][2] == "-" and got["p2"][6:8] == ["D", "D"]
    assert json.loads(js.read_text())["locked_cells"] == 4
    assert "locked: 4 cells" in capsys.readouterr().out


def test_cli_keep_from_reports_the_changed_cells(tmp_path, capsys):
    base = _grid(tmp_path / "base.csv", {pid: r.replace(".", "-") for pid, r in REFERENCE.items()})
    assert run("roster", "check", base, "--unit", UNIT, "--staff", _files(tmp_path), "--no-cyclic") == 0
    capsys.readouterr()
    sick = _files(tmp_path, ", unavailable: [2027-01-05..2027-01-06]")
    out, js = tmp_path / "r.csv", tmp_path / "r.json"
    rc = run(*BUILD, "--staff", sick, "--keep-from", base, "--out", out, "--json", js)
    printed = capsys.readouterr().out
    assert rc == 0
    m = re.search(r"changed (\d+) of (\d+) cells", printed)
    assert m, printed
    before, after = _read(base), _read(out)
    diff = {(p, DATES[d]) for p in before for d in range(14) if before[p][d] != after[p][d]}
    data = json.loads(js.read_text())
    assert int(m[1]) == len(diff) == data["changed_cells"] == 5   # the hand bound of the model test above
    assert int(m[2]) == 3 * 14 == data["compared_cells"]
    assert {(c["person"], c["date"]) for c in data["changed"]} == diff
    assert {"person": "p0", "date": "2027-01-05", "before": "D", "after": "-"} in data["changed"]


def test_cli_lock_breaking_the_rules_is_infeasible_naming_locked(tmp_path, capsys):
    # 7 locked dag shifts in the first week for p0 alone = 52,5 h over 2 weeks > 37,5 + 7,5 h
    lock = _grid(tmp_path / "lock.csv", {"p0": "DDDDDDD......."})
    rc = run(*BUILD, "--staff", _files(tmp_path), "--lock", lock, "--out", tmp_path / "r.csv")
    err = capsys.readouterr().err
    assert rc == 1 and "infeasible" in err and "locked" in err and "contract_hours" in err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("rows, dates, where, what", [
    ({"px": "D............."}, DATES, "line 2, column 1", "person 'px' is not in the staff file"),
    ({"p0": "Q............."}, DATES, "line 2, column 2 (p0, 2027-01-04)", "unknown shift code 'Q'"),
    ({"p0": "N............."}, DATES, "line 2, column 2 (p0, 2027-01-04)", "breaks p0's availability"),
    ({"p1": ".D"}, ["2027-01-17", "2027-01-18"], "line 2, column 3 (p1, 2027-01-18)",
     "outside the roster horizon 2027-01-04 .. 2027-01-17"),
    ({"p0": ".D"}, DATES[:2], "line 2, column 3 (p0, 2027-01-05)", "marked unavailable"),
])
def test_cli_bad_lock_file_exits_2(tmp_path, capsys, rows, dates, where, what):
    lock = _grid(tmp_path / "lock.csv", rows, dates)
    out = tmp_path / "r.csv"
    rc = run(*BUILD, "--staff", _files(tmp_path, ", unavailable: [2027-01-05]"), "--lock", lock, "--out", out)
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert f"{lock}: {where}" in err and what in err and "fix:" in err
    assert not out.exists()


def test_cli_bad_cell_in_an_xlsx_lock_file_names_the_cell(tmp_path, capsys):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "låst"
    ws.append(["id", *DATES])
    ws.append(["p1", None, None, "Q"])
    lock = tmp_path / "lock.xlsx"
    wb.save(lock)
    rc = run(*BUILD, "--staff", _files(tmp_path), "--lock", lock, "--out", tmp_path / "r.csv")
    err = capsys.readouterr().err
    assert rc == 2 and "cell D2 of sheet 'låst' (p1, 2027-01-06)" in err and "unknown shift code 'Q'" in err


def test_cli_refuses_to_write_over_the_lock_or_keep_file(tmp_path, capsys):
    s = _files(tmp_path)
    lock = _grid(tmp_path / "lock.csv", {"p0": "D............."})
    text = lock.read_text()
    assert run(*BUILD, "--staff", s, "--lock", lock, "--out", lock) == 2
    assert "is an input file of this run" in capsys.readouterr().err and lock.read_text() == text
    assert run(*BUILD, "--staff", s, "--keep-from", lock, "--out", tmp_path / "r.csv", "--json", lock) == 2
    assert "--json" in capsys.readouterr().err and lock.read_text() == text


@pytest.mark.parametrize("rows, where, what", [
    ({"p0": "DDDDD...Q....."}, "line 2, column 10 (p0, 2027-01-12)", "unknown shift code 'Q'"),
    ({"p0": "DDDDD.........", "px": ".....DDDDD...."}, "line 3, column 1", "person 'px' is not in the staff file"),
])
def test_cli_bad_keep_from_roster_exits_2(tmp_path, capsys, rows, where, what):
    old = _grid(tmp_path / "old.csv", rows)
    out = tmp_path / "r.csv"
    rc = run(*BUILD, "--staff", _files(tmp_path), "--keep-from", old, "--out", out)
    err = capsys.readouterr().err
    assert rc == 2 and f"{old}: {where}" in err and what in err and not out.exists()


# ------------------------------------------------------------------------------------------------
# --improve: search on from a given roster
# ------------------------------------------------------------------------------------------------
def test_a_given_legal_roster_is_the_start_as_it_is():
    P = problem(shifts=(D,))
    given = {(pi, d): 0 for pi, r in enumerate(REFERENCE.values()) for d, c in enumerate(r) if c == "D"}
    assert B.start_roster(P, given=given) == given


def test_a_given_roster_is_legalised_and_people_without_a_row_get_the_greedy_row():
    # p0 has 3 shifts (22,5 h, below 37,5 - 7,5 = 30 h): re-planned; p1 keeps its row; p2 has no row in the given
    # roster, so p2's row is the greedy start's
    P = problem(shifts=(D,))
    given = {(0, 0): 0, (0, 3): 0, (0, 4): 0, **{(1, d): 0 for d in range(5, 10)}}
    greedy = B.start_roster(P)
    out = B.start_roster(P, given=given)
    assert not [v for v in M.check(P, out) if v.hard and v.person == "p0"]
    assert row(P, out, 0).count("D") >= 4 and all(row(P, out, 0)[d] == "D" for d in (0, 3, 4))
    assert row(P, out, 1) == REFERENCE["p1"]
    assert row(P, out, 2) == row(P, greedy, 2)


def test_a_row_of_days_off_in_the_given_roster_is_not_a_missing_row():
    # p0 and p1 have no rule binding them here (no contract): p1's row of days off stays off, while p2, with no
    # row at all, gets the greedy start's row
    P = problem(shifts=(D,))
    P.rules = [M.Availability(id="availability")]
    given = {(0, d): 0 for d in range(14)}
    greedy = B.start_roster(P)
    assert row(P, greedy, 1) != "." * 14          # the greedy gives p1 shifts: the test can tell the two apart
    out = B.start_roster(P, given=given, given_people={0, 1})
    assert row(P, out, 0) == "D" * 14 and row(P, out, 1) == "." * 14 and row(P, out, 2) == row(P, greedy, 2)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_engine_from_a_given_roster_is_never_worse_than_it(seed):
    # a legal but poor roster: p0 and p1 on every one of their shifts together (over-cover), days 10-13 open;
    # the engine's result must score no more than this roster, judged by the same objective
    from models.roster.score import score
    P = problem(shifts=(D,))
    given = {**{(0, d): 0 for d in range(5)}, **{(1, d): 0 for d in range(5)}, **{(2, d): 0 for d in range(5, 10)}}
    assert not [v for v in M.check(P, given) if v.hard]
    before = score(P, given).total
    r = B.solve_problem(P, 10, det_time=1.0, seed=seed, start=given)
    assert r.objective is not None and r.objective <= before
    assert score(P, r.assignment).total == r.objective
    assert r.objective < before     # the open days 10-13 (4 x 100 000) are closed: the start was far from best


def test_cli_improve_starts_from_the_roster_and_never_ends_worse(tmp_path, capsys):
    s = _files(tmp_path)
    # p0 and p1 work the same five days (one head over), days 10-13 are open: legal, but poor
    old = _grid(tmp_path / "old.csv", {"p0": "DDDDD---------", "p1": "DDDDD---------", "p2": "-----DDDDD----"})
    out, js = tmp_path / "r.csv", tmp_path / "r.json"
    rc = run(*BUILD, "--staff", s, "--improve", old, "--out", out, "--json", js)
    printed = capsys.readouterr().out
    assert rc == 0
    data = json.loads(js.read_text())
    assert data["improve"] == str(old) and data["improve_hard_violations"] == 0
    # the old roster leaves 4 minimum-cover heads open (days 10-13): at least 4 x 100 000
    assert data["improve_objective"] >= 4 * 100_000
    assert data["objective"] <= data["improve_objective"]
    assert f"start: {old}, objective {data['improve_objective']:,.0f} (0 hard violations); the result is never " \
           "worse" in printed


def test_cli_improve_refuses_keep_from_an_unknown_person_and_its_own_file(tmp_path, capsys):
    s = _files(tmp_path)
    old = _grid(tmp_path / "old.csv", {"p0": "DDDDD---------"})
    text = old.read_text()
    assert run(*BUILD, "--staff", s, "--improve", old, "--keep-from", old, "--out", tmp_path / "r.csv") == 2
    assert "cannot be given with --keep-from" in capsys.readouterr().err
    assert run(*BUILD, "--staff", s, "--improve", old, "--out", old) == 2
    assert "is an input file of this run" in capsys.readouterr().err and old.read_text() == text
    bad = _grid(tmp_path / "bad.csv", {"px": "DDDDD---------"})
    assert run(*BUILD, "--staff", s, "--improve", bad, "--out", tmp_path / "r.csv") == 2
    err = capsys.readouterr().err
    assert f"{bad}: line 2, column 1" in err and "person 'px' is not in the staff file" in err
    assert not (tmp_path / "r.csv").exists()
