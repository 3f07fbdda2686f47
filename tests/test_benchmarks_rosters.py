"""benchmarks/rosters.py: the table and its legality column (from the audit of the returned roster), and
`Result.first_legal_s`, the builder's time to its first legal roster."""
from __future__ import annotations

import contextlib
import importlib.util
import json
import time
from pathlib import Path

import pytest

from models.roster import cpsat as M
from planner.roster import build as B

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_rosters", ROOT / "benchmarks" / "rosters.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def bench(monkeypatch):
    R = _bench()
    # the reference is ~2 s of CP-SAT and the busy load a spinning process: both stand-ins here, so the
    # test stays fast and does not load the machine; the loads asked for are recorded
    monkeypatch.setattr(R, "reference", lambda seed=1: 2.0)
    R.loads_run = []

    @contextlib.contextmanager
    def fake_busy(on):
        R.loads_run.append(on)
        yield

    monkeypatch.setattr(R, "busy_neighbour", fake_busy)
    return R


@pytest.fixture
def staff(tmp_path):
    """Three day nurses at 60 % under KS rules, one sykepleier on every day shift: 7 x 6 = 42 shifts of
    7,5 h = 315 h against contracts of 3 x 0,6 x 35,5 x 6 = 383,4 h, so full cover is possible."""
    s = tmp_path / "s.yaml"
    s.write_text(f"kind: staff\nrules: {ROOT / 'instances/rules/ks.yaml'}\n"
                 "cover: {hverdag_dag: {sykepleier: 1}, helg_dag: {sykepleier: 1}}\nstaff:\n"
                 + "".join(f"  - {{id: {p}, group: sykepleier, percent: 60, shifts: [dag]}}\n" for p in "abc"))
    return s


def _problem(staff):
    import types

    from commands.roster import _inputs
    from planner.roster.setup import make_problem
    unit, sf, rules, req = _inputs(types.SimpleNamespace(unit=UNIT, staff=staff, rules=None, requirement=None))
    return make_problem(unit, sf, rules, 6, None, req, True)


def test_table_has_the_columns_and_a_legal_roster_reads_yes(bench, staff, tmp_path, capsys):
    js = tmp_path / "b.json"
    assert bench.main(["--units", f"{UNIT}={staff}", "--time-limit", "3", "--json", str(js)]) == 0
    out = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(out) if line.split()[:2] == ["machine", "unit"])
    assert out[head].split() == list(bench.COLUMNS)
    rows = json.loads(js.read_text())
    assert bench.loads_run == [False, True] and [r["machine"] for r in rows] == ["quiet", "busy"]
    for line, r in zip(out[head + 1:head + 3], rows, strict=True):
        cells = line.split()
        assert cells[:5] == [r["machine"], "sykehjem_langtid", "1", "3", "yes"]
        assert r["legal"] and r["hard"] == 0 and r["open"] == 0
        # ratio to the (stand-in) 2 s reference, printed beside the seconds
        assert r["first_legal_s"] is not None and 0 < r["first_legal_s"] <= r["wall_s"]
        assert r["first_ratio"] == pytest.approx(r["first_legal_s"] / 2.0)
        assert cells[5] == f"{r['first_legal_s'] / 2.0:.3f}" and cells[7] == "2.00"
        assert r["wall_ratio"] == pytest.approx(r["wall_s"] / 3.0) and r["wall_s"] <= 3.0 * 1.1 + 1
        assert cells[8] == f"{r['wall_s'] / 3.0:.3f}"
    assert any(line.strip().startswith("quiet sykehjem_langtid seed 1:") for line in out[head + 3:])
    assert not any(line.startswith("median over seeds") for line in out), "one seed: no summary"


def test_seeds_build_each_unit_once_per_seed_and_print_the_medians(bench, staff, monkeypatch, capsys):
    """Three seeds with objectives 100, 300, 200 against a bound of 90: gaps 10/100 = 10 %, 210/300 = 70 %,
    110/200 = 55 %; medians 200 and 55 %; the seed-2 run is not legal, so 2 of 3 are."""
    objs = {1: 100.0, 2: 300.0, 3: 200.0}
    seen = []

    def fake(unit_path, staff_path, time_limit, weeks, seed=1):
        seen.append(seed)
        o = objs[seed]
        return {"unit": "u", "seed": seed, "people": 1, "legal": seed != 2, "first_legal_s": 1.0, "objective": o,
                "bound": 90.0, "gap": (o - 90.0) / o, "hard": 0, "open": 0, "soft": 0, "soft_cost": 0,
                "soft_by_rule": {}, "heltid_share": 0.0, "status": "feasible", "stopped_by": "time_limit",
                "wall_s": 3.0, "load_s": 0.1, "time_limit_s": 3.0, "det_time_s": 0.0}

    monkeypatch.setattr(bench, "run_unit", fake)
    assert bench.main(["--units", f"{UNIT}={staff}", "--time-limit", "3", "--busy", "--seeds", "1", "2", "3"]) == 0
    assert seen == [1, 2, 3]
    out = capsys.readouterr().out.splitlines()
    assert "seeds 1 2 3" in out[0]
    rows = [line.split() for line in out if line.split()[:2] == ["busy", "u"]]
    assert [r[2] for r in rows[:3]] == ["1", "2", "3"]
    at = next(i for i, line in enumerate(out) if line.startswith("median over seeds"))
    summary = out[at + 2].split()
    assert summary[:4] == ["busy", "u", "3", "2"]
    assert " ".join(summary[4:]) == "200 (100 - 300) 55.0% (10.0% - 70.0%)"


def test_legal_column_comes_from_the_audit_not_the_engine(bench, staff, monkeypatch, capsys):
    real = B.solve_problem

    def claims_too_much(P, *a, **k):
        """The real roster with day 0 emptied, while the engine still claims an optimal legal roster."""
        r = real(P, *a, **k)
        r.assignment = {key: s for key, s in r.assignment.items() if key[1] != 0}
        r.outcome, r.first_legal_s = "optimal", 0.0
        return r

    monkeypatch.setattr(bench.B, "solve_problem", claims_too_much)
    assert bench.main(["--units", f"{UNIT}={staff}", "--time-limit", "3", "--busy"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = next(line for line in out if line.split()[:2] == ["busy", "sykehjem_langtid"]).split()
    # day 0 (a Monday) needs one sykepleier on the day shift: emptied, one shift-head is open
    assert row[bench.COLUMNS.index("legal")] == "no" and row[bench.COLUMNS.index("open")] == "1"


def test_soft_cost_is_weight_times_soft_rule(bench, staff):
    """Every soft violation of a roster, priced per rule: weight x Weights.soft_rule (100)."""
    from planner.roster.audit import audit
    P = _problem(staff)
    asg = {(0, d): P.shift_index["D"] for d in range(P.days)}   # a works every day: 42 days in a row
    rep = audit(P, asg)
    by = bench.soft_by_rule(P, asg, rep)
    assert sum(e["count"] for e in by.values()) == rep["summary"]["soft_violations"] > 0
    weight = {r["id"]: r["weight"] for r in rep["rules"]}
    for rule, e in by.items():
        if rule != "wishes":   # a wish carries its own weight; the staff file here has none
            assert e["cost"] == e["count"] * weight[rule] * 100


def test_first_legal_from_a_cpsat_solution_when_the_start_is_not_legal(staff, monkeypatch):
    P = _problem(staff)
    conds = M.all_conditions(P)
    monkeypatch.setattr(B, "start_roster",
                        lambda P, conds=None, given=None, given_people=None, deadline=None: {})   # no shifts
    assert not B._legal(P, {}, conds)
    r = B.solve_problem(P, 10, lns=False, det_time=2)
    assert B._legal(P, r.assignment, conds)
    assert r.first_legal_s is not None and 0 < r.first_legal_s <= r.wall_time


def test_first_legal_from_the_start_roster_before_the_search(staff, monkeypatch):
    P = _problem(staff)
    conds = M.all_conditions(P)
    start = B.start_roster(P, conds)
    assert B._legal(P, start, conds)   # three day nurses, one slot a day: the greedy covers it
    t0 = time.perf_counter()
    calls = []
    real = M.solve

    def spy(*a, **k):
        calls.append((time.perf_counter() - t0, k.get("on_solution")))
        return real(*a, **k)

    monkeypatch.setattr(M, "solve", spy)
    r = B.solve_problem(P, 10, lns=False, det_time=2)
    # known legal before the search starts, so the search is not watched
    assert len(calls) == 1 and calls[0][1] is None
    assert r.first_legal_s is not None and r.first_legal_s <= calls[0][0]


def test_legal_needs_no_hard_violation_and_no_open_cover(staff):
    P = _problem(staff)
    conds = M.all_conditions(P)
    legal = B.start_roster(P, conds)
    assert B._legal(P, legal, conds)
    # nurse a also works every day: cover still met, but 42 days in a row break hard rules (weekly rest)
    worse = {**legal, **{(0, d): P.shift_index["D"] for d in range(P.days)}}
    assert sum(k for *_, k in M.cover_missing(P, worse)) == 0
    assert any(v.hard for v in M.check(P, worse)) and not B._legal(P, worse, conds)
