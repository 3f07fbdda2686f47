"""`leon roster build` as an anytime builder: it returns within --time-limit (model building and the start
roster included), never with a roster worse than its start roster, and with a status a pilot can act on:
optimal, feasible, infeasible (proven, with the clash) or none_found_in_time (a timeout, not a proof)."""
from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from models.roster import cpsat as M
from planner.roster import build as B

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"
# cover per week: weekdays 5 x (4 x 7,5 + 3 x 7,5 + 2 x 10) = 362,5 h, weekends 2 x (3 x 7,5 + 2 x 7,5 + 10)
# = 95 h, 457,5 h in all; 24 nurses at 75 % hold 24 x 0,75 x 35,5 = 639 h, so every slot can be filled
# (the rest is over-cover) and the weekends need 6 of the 24 on each (one weekend in three: 8 per weekend)
BUSY_COVER = ("{hverdag_dag: {sykepleier: 4}, hverdag_kveld: {sykepleier: 3}, hverdag_natt: {sykepleier: 2}, "
              "helg_dag: {sykepleier: 3}, helg_kveld: {sykepleier: 2}, helg_natt: {sykepleier: 1}}")


def run(*args):
    from cli import main
    return main([str(a) for a in args])


def _staff(tmp_path, people: str, cover: str) -> Path:
    s = tmp_path / "s.yaml"
    s.write_text(f"kind: staff\nrules: {ROOT / 'instances/rules/ks.yaml'}\ncover: {cover}\nstaff:{people}\n")
    return s


def _busy(tmp_path) -> Path:
    """24 nurses on every shift: big enough that CP-SAT does not finish in a few seconds."""
    return _staff(tmp_path, "".join(f"\n  - {{id: n{i:02d}, group: sykepleier, percent: 75}}" for i in range(24)),
                  BUSY_COVER)


def _build(tmp_path, staff, *extra):
    out, js = tmp_path / "r.csv", tmp_path / "r.json"
    t = time.perf_counter()
    rc = run("roster", "build", "--unit", UNIT, "--staff", staff, "--weeks", 6, "--out", out, "--json", js, *extra)
    return rc, time.perf_counter() - t, out, json.loads(js.read_text())


def _hard_in_check(tmp_path, out, staff) -> int:
    cj = tmp_path / "check.json"
    run("roster", "check", out, "--unit", UNIT, "--staff", staff, "--json", cj)
    return json.loads(cj.read_text())["summary"]["hard_violations"]


def test_time_limit_bounds_the_wall_time_and_the_roster_is_legal(tmp_path, capsys):
    s = _busy(tmp_path)
    limit = 3.0
    rc, wall, out, data = _build(tmp_path, s, "--time-limit", limit)
    assert wall <= limit * 1.1 + 2, f"{wall:.1f} s for --time-limit {limit:g}"
    # the configuration is too big to finish: the time limit, not a proof, ended the search
    assert data["solver_status"] != "OPTIMAL" and data["stopped_by"] == "time_limit"
    assert data["status"] in ("feasible", "none_found_in_time")
    cap = capsys.readouterr()
    assert "the time limit (3 s wall) ended the search" in cap.out
    if data["status"] == "feasible":
        assert out.exists() and _hard_in_check(tmp_path, out, s) == 0
        assert data["audit"]["summary"]["hard_violations"] == 0
    else:
        assert rc == 1 and not out.exists() and "not a proof" in cap.err


def test_det_time_stopping_first_is_named(tmp_path, capsys):
    s = _busy(tmp_path)
    _, wall, _, data = _build(tmp_path, s, "--time-limit", 60, "--det-time", 0.5)
    assert data["stopped_by"] == "det_time" and data["solver_status"] != "OPTIMAL"
    assert "the deterministic limit (0.5 s) ended the search" in capsys.readouterr().out
    assert wall < 60


def _timed_out(*a, **k):
    """A solve that ran out of time before its first roster (as on a busy machine)."""
    return M.Result("UNKNOWN", None, None, None, {}, 0, {}, [], 0.0, 0.0, None, "time_limit")


def _no_search(monkeypatch):
    """Every stage after the start roster finds nothing in time: the neighbourhood search, column
    generation, the integer roster over the columns and the whole-roster model."""
    from models.roster.colgen import Engine
    from models.roster.lns import Search
    monkeypatch.setattr(M, "solve", _timed_out)
    monkeypatch.setattr(Search, "step", lambda self, hood, until, *a, **k: False)
    monkeypatch.setattr(Engine, "generate", lambda self, *a, **k: self.stats)
    monkeypatch.setattr(Engine, "integer_roster", lambda self, *a, **k: None)


def test_timed_out_search_returns_the_legal_start_roster(tmp_path, capsys, monkeypatch):
    s = _staff(tmp_path, """
  - {id: a, group: sykepleier, percent: 60, shifts: [dag]}
  - {id: b, group: sykepleier, percent: 60, shifts: [dag]}
  - {id: c, group: sykepleier, percent: 60, shifts: [dag]}""",
               "{hverdag_dag: {sykepleier: 1}, helg_dag: {sykepleier: 1}}")
    _no_search(monkeypatch)
    rc, _, out, data = _build(tmp_path, s, "--time-limit", 10)
    # 42 dag shifts x 7,5 h = 315 h against 3 x 0,6 x 35,5 x 6 = 383 h of contracts: the greedy start covers all
    assert data["status"] == "feasible" and data["start_roster_kept"]
    assert data["shortfall"] == 0 and len(data["assignments"]) >= 42
    assert rc == 0 and out.exists() and _hard_in_check(tmp_path, out, s) == 0
    assert "infeasible" not in capsys.readouterr().out


def test_timed_out_search_without_a_legal_roster_is_not_called_infeasible(tmp_path, capsys, monkeypatch):
    s = _staff(tmp_path, """
  - {id: a, group: sykepleier, percent: 60, shifts: [dag]}""", "{hverdag_dag: {sykepleier: 1}}")
    _no_search(monkeypatch)
    monkeypatch.setattr(B, "start_roster",
                        lambda P, conds=None, given=None, given_people=None, deadline=None: {})   # nobody works
    rc, _, out, data = _build(tmp_path, s, "--time-limit", 10)
    cap = capsys.readouterr()
    assert rc == 1 and data["status"] == "none_found_in_time" and not out.exists()
    assert "not a proof" in cap.err and "--time-limit" in cap.err and "infeasible" not in cap.err


def test_search_never_returns_a_roster_worse_than_the_start(monkeypatch):
    """The solver's roster leaves a head open that the start roster covers: the start roster wins."""
    from tests.test_roster import problem
    P = problem([("a", "sykepleier", 100.0), ("b", "sykepleier", 100.0)], weeks=3,
                cover={"hverdag_dag": {"sykepleier": 1}})
    start = B.start_roster(P)
    assert not M.cover_missing(P, start)
    worse = dict(start)
    worse.pop(next(k for k in sorted(start)))   # one shift less: at least one head open
    monkeypatch.setattr(M, "solve", lambda *a, **k: M.Result("FEASIBLE", 1.0, 0.0, 1.0, worse, 1, {}, [], 0.0))
    r = B.solve_problem(P, 5.0, det_time=None, lns=False)
    assert r.assignment == start and r.kept_start and r.outcome in ("feasible", "none_found_in_time")


def test_proven_infeasible_names_the_clash_within_the_limit(tmp_path, capsys):
    s = _staff(tmp_path, """
  - {id: a, group: sykepleier, percent: 100, shifts: [dag], unavailable: [2027-01-06..2027-02-14]}
  - {id: b, group: sykepleier, percent: 60, shifts: [dag]}""",
               "{hverdag_dag: {sykepleier: 1}, helg_dag: {sykepleier: 1}}")
    limit = 4.0
    rc, wall, out, data = _build(tmp_path, s, "--time-limit", limit)
    cap = capsys.readouterr()
    assert wall <= limit * 1.1 + 2
    # a is free only on 4 and 5 January: 2 x 7,5 h against 6 x 35,5 = 213 h of contract
    assert rc == 1 and data["status"] == "infeasible" and data["conflict"] == ["contract_hours|a"]
    assert "status infeasible: proven" in cap.out and "a (sykepleier, 100 %): the hard rule contract_hours" in cap.err
    assert not out.exists()


# --- roster heltid: every model row within its own limit, and a verdict per row ---------------------------

def _heltid_row(limit: float, det: float):
    from planner.roster.heltid import ModelsFile, RosterModel, run_model
    from tests.test_roster import rules, unit
    req = {f"{t}_{s}": {"sykepleier": 1} for t in ("hverdag", "helg") for s in ("dag", "kveld", "natt")}
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    return run_model(unit(), req, rules(min_days_off=None), mf,
                     RosterModel("m", "m", 3, "traditional", "traditional", ""), limit, det_time=det)


def test_heltid_row_keeps_its_time_limit_and_says_what_it_found():
    limit = 2.0
    t = time.perf_counter()
    r = _heltid_row(limit, det=30.0)     # the deterministic budget is far above what 2 s allow
    wall = time.perf_counter() - t
    assert wall <= limit * 1.1 + 2, f"{wall:.1f} s for a {limit:g} s limit"
    assert r["outcome"] in ("proven", "feasible", "none_found_in_time")
    if r["outcome"] == "none_found_in_time":
        assert r["heads"] is None and "not a proof" in r["outcome_reason"]
    else:
        assert r["status"] == "OK" and r["violations"] == 0 and r["missing_shifts"] == 0


def test_heltid_timeout_is_none_found_not_infeasible(monkeypatch):
    monkeypatch.setattr(M, "solve", _timed_out)
    r = _heltid_row(5.0, det=2.0)
    assert r["outcome"] == "none_found_in_time" and r["status"] == "NOT_FOUND"


def test_heltid_attempts_impossible_with_weekend_teams_are_no_proof(monkeypatch):
    # the solver proves each staffing the search tries impossible - but only with its weekend teams and
    # night split, a decomposition: a roster outside it may exist, so this is no finding about the model
    monkeypatch.setattr(M, "solve", lambda *a, **k: M.Result("INFEASIBLE", None, None, None, {}, 0, {}, [], 0.0))
    r = _heltid_row(20.0, det=20.0)
    assert r["outcome"] == "none_found_in_time" and r["heads"] is None
    assert "sykepleier: each of the" in r["outcome_reason"] and "not a proof" in r["outcome_reason"]


def test_heltid_cli_exits_1_when_a_model_found_none_in_time(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(M, "solve", _timed_out)
    m = tmp_path / "m.yaml"
    m.write_text(f"kind: roster_models\nrules: {ROOT / 'instances/rules/ks.yaml'}\nweeks: 6\nmin_position: 20\n"
                 "time_limit: 5\nmodels:\n  - {id: m1, name: one, weekend_every: 3, weekday: traditional, "
                 "weekend: traditional, source: test}\n")
    s = _staff(tmp_path, "\n  - {id: a, group: sykepleier, percent: 100}",
               "{hverdag_dag: {sykepleier: 1}, helg_dag: {sykepleier: 1}}")
    rc = run("roster", "heltid", "--unit", UNIT, "--models", m, "--staff", s, "--time-limit", 5)
    cap = capsys.readouterr()
    assert rc == 1 and "none found in time: m1" in cap.err


def test_a_limit_shorter_than_the_greedy_returns_what_it_planned_and_says_so():
    """The greedy start checks the caller's deadline once a day: past it, it returns what it has planned (here
    nothing), and the engine answers with that start, judged, instead of setting up a search it has no time
    for (a year's horizon, or a few seconds on a large unit, ran two to three times over the limit)."""
    from tests.test_roster import problem
    P = problem([("a", "sykepleier", 100.0), ("b", "sykepleier", 100.0)], weeks=3,
                cover={"hverdag_dag": {"sykepleier": 1}})
    past = time.perf_counter() - 1.0
    assert M.construct(P, blocks=True, deadline=past) == {}
    assert B.start_roster(P, deadline=past) == {}
    full = B.start_roster(P)
    assert not M.cover_missing(P, full) and len(full) >= 15    # without a deadline: 15 weekdays, one head each
    r = B.solve_problem(P, 1e-6)
    # nothing planned: every weekday's head open and both contracts missed - no legal roster, and not a proof
    assert r.assignment == {} and r.kept_start and r.stopped_by == "time_limit"
    assert r.outcome == "none_found_in_time" and r.shortfall == 15


def test_open_cover_nobody_may_work_is_blamed_on_the_staff_file(tmp_path, capsys):
    # one night head a day, but the only nurses may work dag only: the staff file, not the rules or the time,
    # leaves the nights open
    s = _staff(tmp_path, """
  - {id: a, group: sykepleier, percent: 50, shifts: [dag]}
  - {id: b, group: sykepleier, percent: 50, shifts: [dag]}""",
               "{hverdag_dag: {sykepleier: 1}, hverdag_natt: {sykepleier: 1}}")
    rc, _, _, data = _build(tmp_path, s, "--time-limit", 5)
    err = " ".join(data["diagnosis"])
    assert rc == 1 and "nobody who may fill sykepleier may work natt" in err, data["diagnosis"]
    assert "dag" not in err.split("nobody")[1].split("(")[0]      # the open nights, not the covered days


def test_a_contract_whole_shifts_cannot_meet_is_explained_with_the_arithmetic():
    from types import SimpleNamespace as NS
    T = B.TEXT["en"]
    ch = NS(tolerance_hours=4.0, norm_hours_per_week=35.5)
    P12 = NS(weeks=12)
    # 55 % over 12 weeks: 0.55 x 35.5 x 12 = 234.3 h; 10 h nights: 23 -> 230 h (4.3 off), 24 -> 240 h (5.7 off)
    s = B._whole_shifts(P12, None, 0.55 * 35.5 * 12, ch, {600}, T, "en")
    assert "23 or 24 shifts give 230 or 240 h" in s and "± 4 h of 234.3 h" in s
    assert "54.0 % = 23 shifts" in s               # 23 x 10 h / (35.5 x 12) = 53.99 %
    # 50 %: 213 h, 21 nights = 210 h, 3 h off: within the tolerance, nothing to say
    assert B._whole_shifts(P12, None, 0.50 * 35.5 * 12, ch, {600}, T, "en") == ""
    # two shift lengths: some mix may meet it, so no claim is made
    assert B._whole_shifts(P12, None, 0.55 * 35.5 * 12, ch, {600, 450}, T, "en") == ""


@settings(max_examples=200, deadline=None)
@given(target=st.floats(1, 2000), minutes=st.integers(60, 900), tol=st.floats(0, 8))
def test_whole_shift_claim_holds_exactly_when_no_count_meets_the_contract(target, minutes, tol):
    from types import SimpleNamespace as NS
    s = B._whole_shifts(NS(weeks=6), None, target, NS(tolerance_hours=tol, norm_hours_per_week=35.5), {minutes},
                        B.TEXT["en"], "en")
    h = minutes / 60
    some = any(abs(n * h - target) <= tol + 1e-6 for n in range(int(target / h) + 3))
    assert (s == "") == some


def test_det_time_limits_every_solve_by_work_and_the_wall_only_guards(monkeypatch):
    """With --det-time the roster may not depend on the machine's load: every CP-SAT solve of the run gets a
    deterministic limit and, as wall limit, the whole time left to its deadline (a wall *share* binds on a loaded
    machine: the same input then gave another roster); HiGHS's branch and bound gets a node limit."""
    import models.roster.bound as BD
    import models.roster.colgen as CG
    import models.roster.lns as L
    from planner.roster.rules import load_rules
    from planner.roster.setup import GroupInfo, StaffFile, StaffMember, UnitShift, UnitView, make_problem

    sh = [UnitShift(f"{t}_{k}", t, k, a, b, h) for t in ("hverdag", "helg")
          for k, a, b, h in (("dag", "07:30", "15:00", 7.5), ("kveld", "14:30", "22:00", 7.5))]
    unit = UnitView("u", None, sh, {"sykepleier": GroupInfo("sykepleier", 3),
                                    "helsefagarbeider": GroupInfo("helsefagarbeider", 2)}, 35.5)
    people = [StaffMember(f"s{i}", "sykepleier", 60.0) for i in range(4)] + \
        [StaffMember(f"h{i}", "helsefagarbeider", 50.0) for i in range(4)]
    # two groups that share no cover: the split bound proves each apart
    cover = {"hverdag_dag": {"sykepleier": 1, "helsefagarbeider": 1}, "helg_dag": {"sykepleier": 1},
             "hverdag_kveld": {"helsefagarbeider": 1}}
    P = make_problem(unit, StaffFile(None, people, None, None, None, [], cover, None),
                     load_rules(ROOT / "instances/rules/ks.yaml"), 3, None)
    calls: list[tuple[str, float | None, float | None]] = []   # (where, wall limit - time left, det or nodes)

    real_solve = M.solve

    def solve(Q, time_limit=30.0, *a, deadline=None, det_time=None, **k):
        left = None if deadline is None else deadline - time.perf_counter()
        calls.append(("cp-sat", None if left is None else time_limit - left, det_time))
        return real_solve(Q, time_limit, *a, deadline=deadline, det_time=det_time, **k)
    monkeypatch.setattr(M, "solve", solve)
    monkeypatch.setattr(L, "solve", solve)

    real_price = CG.Pricer.price

    def price(self, slot_price, time_limit, seed=1, keep=3, det=None, stop=None):
        calls.append(("pricing", None, det))
        return real_price(self, slot_price, time_limit, seed, keep, det, stop)
    monkeypatch.setattr(CG.Pricer, "price", price)

    real_counts = BD._Counts.solve

    def counts(self, time_limit, max_nodes=None):
        calls.append(("count bound", None, max_nodes))
        return real_counts(self, time_limit, max_nodes)
    monkeypatch.setattr(BD._Counts, "solve", counts)

    real_mip = CG.Master.solve_mip

    def mip(self, time_limit, stop=None, max_nodes=None):
        calls.append(("integer roster", None, max_nodes))
        return real_mip(self, time_limit, stop, max_nodes)
    monkeypatch.setattr(CG.Master, "solve_mip", mip)

    r = B.solve_problem(P, 120, det_time=3.0, seed=3)
    kinds = {w for w, _, _ in calls}
    assert {"cp-sat", "pricing", "count bound"} <= kinds, kinds
    assert all(limit is not None for _, _, limit in calls), [c for c in calls if c[2] is None][:5]
    # the wall limit of a solve with a deadline is the time left to it (less a moment spent between the two reads)
    shares = [c for c in calls if c[0] == "cp-sat" and c[1] is not None and c[1] < -0.5]
    assert not shares, shares[:5]
    assert r.outcome in ("optimal", "feasible")


def test_a_small_det_time_is_kept(tmp_path):
    """--det-time is a budget: the run's deterministic work may not pass it by more than one small step (a step
    of 0.5 s and the whole model's floor of 0.5 s once made a budget of 0.5 s end at 1.0, and 1 s at 1.5)."""
    s = _busy(tmp_path)
    for det in (0.5, 1.0):
        _, _, _, data = _build(tmp_path, s, "--det-time", det, "--time-limit", 60)
        assert data["det_time_s"] <= 1.15 * det, (det, data["det_time_s"])
        assert data["stopped_by"] == "det_time"
