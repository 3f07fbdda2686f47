"""Heltid analysis: the weekend arithmetic reproduces NOU 2023:4 Tabell 9.2, and a tiny run works."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from planner.roster.heltid import ModelsFile, RosterModel, run_model, weekend_arithmetic
from test_roster import rules, unit

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "instances/units/sykehjem.yaml"
FAFO_FILE = ROOT / "instances/roster_models/fafo.yaml"

FAFO = [  # (weekend every, weekday, weekend, Ansatte in NOU2023:4, Tabell 9.2)
    (3, "traditional", "traditional", 24), (3, "long", "long", 12), (4, "long", "long", 16),
    (4, "traditional", "long", 16), (2, "traditional", "traditional", 16), (4, "traditional", "traditional", 32)]


@pytest.mark.parametrize("every,wd,we,heads", FAFO)
def test_weekend_arithmetic_reproduces_fafo_table(every, wd, we, heads):
    # an ideal-type unit with 4 on dag and 4 on kveld at weekends: 8 persons per weekend with
    # traditional shifts, 4 with long day+evening shifts; heads = persons per weekend x cycle
    req = {"helg_dag": {"helsefagarbeider": 4}, "helg_kveld": {"helsefagarbeider": 4},
           "hverdag_dag": {"helsefagarbeider": 4}, "hverdag_kveld": {"helsefagarbeider": 4}}
    m = RosterModel("m", "m", every, wd, we, "")
    a = weekend_arithmetic(unit(), req, m, 35.5, we == "long")
    assert a["helsefagarbeider"]["heads_min"] == heads
    # årsverk: 8 shifts x 7,5 h x 7 days = 420 h/week / 35,5 = 11,83 (Tabell 9.2: 12-24 årsverk for model 1)
    assert abs(a["helsefagarbeider"]["arsverk"] - 420 / 35.5) < 1e-9


def test_tiny_heltid_run_every_second_vs_third():
    # 1 helsefagarbeider on dag every day: 52,5 h/week = 1,48 årsverk. Every 3rd weekend needs 3 heads
    # (1 person per weekend x 3), every 2nd needs 2 -> fewer heads, larger positions.
    req = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1}}
    mf = ModelsFile(None, None, 6, 20, 10, {}, [], [])
    rs = rules(min_days_off=None, unwanted_patterns=None)
    r3 = run_model(unit(), req, rs, mf, RosterModel("a", "a", 3, "traditional", "traditional", ""), 8)
    r2 = run_model(unit(), req, rs, mf, RosterModel("b", "b", 2, "traditional", "traditional", ""), 8)
    assert r3["heads_weekend_bound"] == 3 and r2["heads_weekend_bound"] == 2
    for r in (r2, r3):
        assert r["status"] == "OK" and r["violations"] == 0 and r["missing_shifts"] == 0
        # 42 shifts x 7,5 h = 315 h over 6 weeks; full time = 6 x 35,5 = 213 h: with 2 heads (every
        # second weekend) one full time + 102 h part time; with 3 heads (every third) F <= (147,9 - 60) / 80 = 1
        assert r["proven"] and r["heads"] == r["heads_bound"] and r["full_time"] == r["full_time_bound"] == 1
        assert abs(r["arsverk"] - 1.48) < 0.15          # contract ± 4 h tolerance over 6 weeks
    assert r2["heads"] <= r3["heads"]
    assert r2["average_position"] >= r3["average_position"]


def test_long_shift_cover_split():
    # 3 on dag and 2 on kveld on a long-shift day: 2 L (day + evening) and 1 D remain
    from models.roster import cpsat as M
    from planner.roster.heltid import _long_cover
    P = M.Problem(7, [M.ShiftType("D", 450, 900, 450, "dag"), M.ShiftType("K", 870, 1320, 450, "kveld")], [],
                  [M.Cover(0, "D", "h", 3, 3), M.Cover(0, "K", "h", 2, 2), M.Cover(1, "D", "h", 3, 3)], [])
    out = {(c.day, c.code): c.min for c in _long_cover(P, [True] + [False] * 6)}
    assert out == {(0, "L"): 2, (0, "D"): 1, (1, "D"): 3}


def test_whole_shift_plan_and_bound():
    # one 7,5-hour shift, 6 weeks: full time 213 h +- 4 h can only plan 210 h (28 shifts). 10 heads for
    # 1575 h: the contract arithmetic allows 6 full-time positions, but 6 x 3 h short is more than the
    # 4 part-time positions can absorb (4 x 4 h), so no roster exists with 6; with 5 a whole-shift
    # plan exists and adds up to the cover exactly
    from planner.roster.heltid import _plan_hours, _sums
    full, tol, hours = round(35.5 * 6 * 60), 240, 1575 * 60
    sums = _sums([450], full + tol)
    assert _plan_hours(10, 6, hours, full, tol, lambda i: sums) is None
    sizes, planned = _plan_hours(10, 5, hours, full, tol, lambda i: sums)
    assert sum(planned) == hours and all(p % 450 == 0 for p in planned)
    assert sizes[:5] == [100.0] * 5 and all(abs(s * full / 100 - p) <= tol for s, p in zip(sizes, planned, strict=True))
    assert abs(sum(sizes) * full / 100 - hours) < 0.05 * full        # contracts add up to the cover


def test_whole_shift_bound_lowers_full_time_max():
    # the tiny case above as a unit: 5 on dag every day, every second weekend -> 10 heads; the
    # arithmetic bound of 6 full-time positions is cut to 5 by whole shifts
    from planner.roster.heltid import plan_group
    from planner.roster.setup import StaffFile, StaffMember, make_problem
    req = {"hverdag_dag": {"helsefagarbeider": 5}, "helg_dag": {"helsefagarbeider": 5}}
    rs = rules(min_days_off=None, unwanted_patterns=None, weekend_frequency={"every": 2})
    sf = StaffFile(None, [StaffMember("hel01", "helsefagarbeider", 100.0, 2)], substitutes={})
    P = make_problem(unit(), sf, rs, 6, None, req, True)
    res = plan_group(P, "helsefagarbeider", 2, 35.5, 4.0, 20, det_time=0.2, wall=1.0)
    assert res["bound"]["heads_min"] == 10 and res["bound"]["full_time_max"] == 5


def test_every_row_is_legal_by_the_audit_or_marked_not_found():
    # nights and days (the hard case of the FAFO table), small: sykepleier 1 D, 1 K, 1 N every day and
    # helsefagarbeider 2 D; every row's roster is audited again independently of the analysis
    from planner.roster.audit import audit
    req = {f"{t}_{s}": {"sykepleier": 1} for t in ("hverdag", "helg") for s in ("dag", "kveld", "natt")}
    for t in ("hverdag", "helg"):
        req[f"{t}_dag"]["helsefagarbeider"] = 2
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    rs = rules(min_days_off=None)
    for every, det in ((3, 4), (2, 1)):
        rosters = {}
        r = run_model(unit(), req, rs, mf, RosterModel("m", "m", every, "traditional", "traditional", ""), 20,
                      det_time=det, rosters=rosters)
        if r["status"] != "OK":
            # every second weekend with 1 D + 1 K + 1 N is hard for a 1-second budget: then it must say so
            assert every == 2 and r["status"] == "NOT_FOUND"
            assert r["heads"] is None and r["full_time"] is None and r["violations"] + r["missing_shifts"] > 0
            continue
        assert r["violations"] == 0 and r["missing_shifts"] == 0
        assert set(rosters) == {"sykepleier", "helsefagarbeider"}
        for g, (Q, asg) in rosters.items():
            s = audit(Q, asg)["summary"]
            assert s["hard_violations"] == 0 and s["missing_shifts"] == 0, (every, g, s)
        assert r["heads"] == sum(len(Q.persons) for Q, _ in rosters.values())
        # with a night person per weekend team the bounds are reached here
        assert r["proven"], r["by_group"]


def test_heltid_same_input_same_output():
    req = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1},
           "hverdag_natt": {"helsefagarbeider": 1}, "helg_natt": {"helsefagarbeider": 1}}
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    rs = rules(min_days_off=None, unwanted_patterns=None)
    out = []
    for _ in range(2):
        ros = {}
        run_model(unit(), req, rs, mf, RosterModel("a", "a", 3, "traditional", "traditional", ""), 20,
                  det_time=4, rosters=ros)
        out.append({g: sorted(a.items()) for g, (_, a) in ros.items()})
    assert out[0] == out[1]


# --- verdicts and the time limit ------------------------------------------------------------------------

LONG = {"code": "L", "time": "lang", "start": "08:00", "end": "20:30", "paid_hours": 12.0, "covers": ["D", "K"]}
DAY_EVENING = {f"{t}_{s}": {"sykepleier": 1} for t in ("hverdag", "helg") for s in ("dag", "kveld")}


def test_long_shifts_without_an_averaging_agreement_are_proven_infeasible():
    # aml without an averaging agreement: at most 9 h per work period (aml § 10-4 (1)). The long shift
    # 08:00-20:30 is paid 12 h, and the long model puts 1 dag + 1 kveld on one L every day: each of the
    # 6 x 7 = 42 days needs an L that nobody may work - a finding about the model, found without a search
    mf = ModelsFile(None, None, 6, 20, 10, LONG, [], [])
    rs = rules(working_hours={"averaging": "none"})
    r = run_model(unit(), DAY_EVENING, rs, mf, RosterModel("lv", "lv", 3, "long", "long", ""), 10)
    assert r["outcome"] == "infeasible" and r["status"] == "NOT_FOUND" and r["heads"] is None
    # (the first day is the default start, Monday 2027-01-04)
    assert r["outcome_reason"] == ("sykepleier: nobody may work L on 42 of the 42 days its cover needs it: L on "
                                   "2027-01-04 is 12 h > 9 h per work period (averaging: none) (hard rule "
                                   "working_hours)")
    assert all(g["attempts"] == [] for g in r["by_group"].values())      # no search was needed
    # the same cover on 7,5-hour D and K shifts is no such case: the traditional model has no proof against it
    r2 = run_model(unit(), DAY_EVENING, rs, mf, RosterModel("tr", "tr", 3, "traditional", "traditional", ""), 10)
    assert r2["outcome"] != "infeasible"


def test_a_shift_that_breaks_a_rule_only_with_other_work_is_no_proof():
    # a 10-hour night breaks no rule on its own under averaging by agreement (12,5 h per period); the
    # weekly rest or daily rest it may clash with depend on the rest of the roster, so no proof
    from planner.roster.heltid import _alone, _unworkable
    from planner.roster.setup import StaffFile, StaffMember, make_problem
    req = {"hverdag_natt": {"sykepleier": 1}, "helg_natt": {"sykepleier": 1}}
    sf = StaffFile(None, [StaffMember("s01", "sykepleier", 100.0, 3)], substitutes={})
    P = make_problem(unit(), sf, rules(), 6, None, req, True)
    assert _unworkable(P, _alone(P, 3)) is None
    # without the agreement, 10 h > 9 h: every night of the 42 is ruled out
    P = make_problem(unit(), sf, rules(working_hours={"averaging": "none"}), 6, None, req, True)
    assert _unworkable(P, _alone(P, 3)).startswith("nobody may work N on 42 of the 42 days")


def test_a_model_without_time_is_none_found_in_time_not_infeasible():
    # no time at all: the row says so (a timeout, not a finding) and withholds its figures
    mf = ModelsFile(None, None, 6, 20, 10, {}, [], [])
    r = run_model(unit(), DAY_EVENING, rules(), mf, RosterModel("m", "m", 3, "traditional", "traditional", ""), 0.0)
    assert r["outcome"] == "none_found_in_time" and "not a proof" in r["outcome_reason"]
    assert r["heads"] is None and r["full_time"] is None
    assert r["heads_bound"] == 6     # the bounds need no search: 2 persons per weekend day x every 3rd weekend


def test_whole_shift_sums_match_the_plain_recurrence():
    # _sums uses a bitset; the plain recurrence ok[v] = any(ok[v - L]) is the reference
    from planner.roster.heltid import _sums

    def plain(lengths, hi):
        ok = [True] + [False] * hi
        for v in range(1, hi + 1):
            ok[v] = any(v >= L and ok[v - L] for L in lengths)
        return ok

    for lengths, hi in (([450], 13020), ([450, 600], 13020), ([450, 600, 720], 17280), ([7, 13], 500), ([450], 0)):
        assert _sums(lengths, hi) == plain(lengths, hi), lengths
    # with 7,5-hour shifts only, 213 h = 12 780 min is no sum (28 x 450 = 12 600 is), 12 600 is
    s = _sums([450], 12780)
    assert not s[12780] and s[12600]


def test_an_attempt_stopped_by_the_clock_goes_on_from_its_last_roster(monkeypatch):
    # a solver that always stops on time with the roster it was given: the second turn must hand the
    # first turn's roster back as the start, with a new seed, and not restart from the greedy roster
    from models.roster import cpsat as M
    from planner.roster.heltid import plan_group
    from planner.roster.setup import StaffFile, StaffMember, make_problem
    calls = []

    def stopped(Q, **k):
        calls.append((dict(k["hint"]), k["seed"]))
        asg = dict(k["hint"])
        asg.pop(next(iter(asg)))          # one shift fewer than its start: cover is left open
        return M.Result("FEASIBLE", 1.0, 0.0, 1.0, asg, 1, {}, [], 0.1, 0.1, None, "time_limit")

    monkeypatch.setattr(M, "solve", stopped)
    req = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1}}
    sf = StaffFile(None, [StaffMember("hel01", "helsefagarbeider", 100.0, 3)], substitutes={})
    P = make_problem(unit(), sf, rules(min_days_off=None, unwanted_patterns=None), 6, None, req, True)
    first = plan_group(P, "helsefagarbeider", 3, 35.5, 4.0, 20, None, 30.0)
    n1 = len(calls)
    assert n1 == first["attempts"] and not first["ended"]      # every attempt ran and was stopped
    assert all(a["result"].startswith("stopped by time_limit") for a in first["log"])
    again = plan_group(P, "helsefagarbeider", 3, 35.5, 4.0, 20, None, 30.0, prior=first)
    hint, seed = calls[n1]
    assert again is first and again["runs"][0] == 2 and seed == 2
    assert again["log"][n1]["attempt"] == 1 and again["log"][n1]["from"] == "its last roster"
    assert len(hint) == len(calls[0][0]) - 1       # the start is the roster the first turn ended with


def _heltid_cli(tmp_path, limit, *extra):
    from cli import main
    js = tmp_path / "h.json"
    t = time.perf_counter()
    rc = main(["roster", "heltid", "--unit", str(UNIT), "--models", str(FAFO_FILE), "--time-limit", str(limit),
               "--json", str(js), *extra])
    return rc, time.perf_counter() - t, json.loads(js.read_text())


def test_heltid_keeps_its_time_limit_for_the_whole_command(tmp_path, capsys):
    # six models on the nursing home in 8 s: far too little to solve them all, but the command ends in
    # time with a verdict on every row; exit 1 exactly when a row found none in time
    limit = 8.0
    rc, wall, data = _heltid_cli(tmp_path, limit)
    assert wall <= limit * 1.1 + 2, f"{wall:.1f} s for --time-limit {limit:g}"
    outcomes = [r["outcome"] for r in data["models"]]
    assert len(outcomes) == 6 and set(outcomes) <= {"proven", "feasible", "infeasible", "none_found_in_time"}
    assert rc == (1 if "none_found_in_time" in outcomes else 0)
    # the models' deadline is what is left of the limit after loading; they run one after the other
    assert data["time_limit_s"] < limit and sum(r["time_s"] for r in data["models"]) <= data["time_limit_s"] + 1
    for r in data["models"]:
        assert (r["heads"] is None) == (r["outcome"] in ("infeasible", "none_found_in_time"))
    out = capsys.readouterr().out
    assert "status" in out and f"of the {limit:g} s limit" in out


def test_heltid_tiny_time_limit_is_none_found_and_exit_1(tmp_path, capsys):
    rc, wall, data = _heltid_cli(tmp_path, 0.05)
    assert wall <= 0.05 * 1.1 + 2
    assert rc == 1 and {r["outcome"] for r in data["models"]} == {"none_found_in_time"}
    cap = capsys.readouterr()
    assert "none found in time" in cap.out and "none found in time: m1, m2, m3, m4, m5, m6" in cap.err


def test_heltid_without_an_averaging_agreement_every_model_is_proven_infeasible(tmp_path, capsys):
    # the nursing home's nights are 10 h and the long shifts 12 h: without an averaging agreement (aml,
    # 9 h per work period) no model can work - six findings, no search, exit 0
    rc, _, data = _heltid_cli(tmp_path, 30, "--rules", str(ROOT / "instances/rules/aml.yaml"))
    assert rc == 0 and {r["outcome"] for r in data["models"]} == {"infeasible"}
    assert all("> 9 h per work period" in r["outcome_reason"] for r in data["models"])
    assert "proven infeasible" in capsys.readouterr().out


def test_run_shares_the_time_limit_over_the_models(monkeypatch):
    # a stand-in for run_model that records the share each model gets and finds nothing: the shares
    # follow the heads bound, smallest model first, never above the file's time_limit per model, and
    # time left at the end goes to the models still open, in a second turn
    import planner.roster.heltid as H
    import planner.roster.heltid.compare as C
    seen = []

    def fake(unit_, req, rules_, mf, m, share, progress=None, det_time=None, deadline=None, state=None):
        seen.append((m.id, share))
        state.update(proof=None, budget=state.get("budget", 0.0) + share, clock={"rate": 0.0},
                     results={"g": {"best": None, "ended": {}, "attempts": 2, "bound": {"heads_min": 1}}})
        return {"model": m.id, "outcome": "none_found_in_time" if m.id != "b" else "proven"}

    monkeypatch.setattr(C, "run_model", fake)
    req = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1}}
    models = [RosterModel(i, i, every, "traditional", "traditional", "") for i, every in (("a", 4), ("b", 2), ("c", 3))]
    mf = ModelsFile(None, None, 12, 20, 20.0, {}, models, [])
    res = H.run(unit(), req, mf, rules(), time_limit=30.0)
    assert [r["model"] for r in res["models"]] == ["a", "b", "c"]          # the file's order
    # heads bounds 4, 2, 3 (1 person per weekend x cycle); the fake spends nothing, so each share is
    # taken from the full 30 s: b 30 x 2/9 = 6,7, c 30 x 3/7 = 12,9, a 30 x 4/4 = 30 -> capped at 20
    first = seen[:3]
    assert [m for m, _ in first] == ["b", "c", "a"]
    assert abs(first[0][1] - 30 * 2 / 9) < 0.1 and abs(first[1][1] - 30 * 3 / 7) < 0.1 and first[2][1] == 20.0
    # second turn: only c - b is proven and a has had its 20 s - with the rest of its own 20 s; then
    # c has had its 20 s too, and no third turn
    assert len(seen) == 4 and seen[3][0] == "c" and abs(seen[3][1] - (20 - 30 * 3 / 7)) < 0.1


# --- an attempt's stages: exact (cover and contracts as constraints), then weighted ---------------------

ONE_DAY_SHIFT = {"hverdag_dag": {"helsefagarbeider": 1}, "helg_dag": {"helsefagarbeider": 1}}


def _one_shift_problem():
    # 1 helsefagarbeider on dag every day for 6 weeks: 42 shifts x 7,5 h = 315 h of cover
    from planner.roster.setup import StaffFile, StaffMember, make_problem
    sf = StaffFile(None, [StaffMember("hel01", "helsefagarbeider", 100.0, 3)], substitutes={})
    return make_problem(unit(), sf, rules(min_days_off=None, unwanted_patterns=None), 6, None, ONE_DAY_SHIFT, True)


def _attempt(sizes):
    """The attempt's problem for these position sizes (weekend teams of every third weekend, no nights),
    its greedy start and its decomposition."""
    from models.roster import cpsat as M
    from planner.roster.heltid import _weekend_persons, attempt
    P = _one_shift_problem()
    _, wsets = _weekend_persons(P, 3)
    Q, forbid = attempt.build(P, "helsefagarbeider", 3, wsets, [], sizes, set(range(len(sizes))))
    return Q, forbid, M.construct(Q, forbid, top_up=False)


def test_exact_first_answers_the_exact_question_on_the_same_model():
    # one person cannot work two shifts on one day: the penalised model leaves a head open (its optimum),
    # the exact question (no head open) has no answer - a proof, not a roster
    from models.roster import cpsat as M
    day = [M.ShiftType("D", 450, 900, 450, "dag")]
    P = M.Problem(7, day, [M.Person("a", "h", 100.0)], [M.Cover(0, "D", "h", 2, 2)], [])
    soft = M.solve(P, time_limit=10, diagnose=False)
    assert soft.status == "OPTIMAL" and soft.shortfall == 1 and soft.exact is None
    r = M.solve(P, time_limit=10, diagnose=False, exact_first=(1.0, 5.0))
    assert r.exact == "infeasible" and not r.assignment
    # with one head asked for, the exact stage answers with a roster that covers it
    P = M.Problem(7, day, [M.Person("a", "h", 100.0)], [M.Cover(0, "D", "h", 1, 1)], [])
    r = M.solve(P, time_limit=10, diagnose=False, exact_first=(1.0, 5.0))
    assert r.exact == "legal" and r.assignment == {(0, 0): 0} and r.shortfall == 0


def test_exact_first_without_an_answer_leaves_the_search_the_rest(monkeypatch):
    # the exact stage ends without an answer: the penalised search runs on the same model and the
    # deterministic seconds of both are counted
    from models.roster import cpsat as M
    seen = []

    def nothing(m, y, wall, det, workers, seed, deterministic):
        seen.append((wall, det, deterministic))
        return M.Result("UNKNOWN", None, None, None, {}, 0, {}, [], 0.1, 0.4, None, "time_limit")

    monkeypatch.setattr(M, "_solve_exact", nothing)
    day = [M.ShiftType("D", 450, 900, 450, "dag")]
    P = M.Problem(7, day, [M.Person("a", "h", 100.0)], [M.Cover(0, "D", "h", 2, 2)], [])
    r = M.solve(P, time_limit=10, diagnose=False, exact_first=(1.0, 2.5))
    assert seen == [(2.5, 1.0, False)] and r.exact is None
    assert r.status == "OPTIMAL" and r.shortfall == 1 and r.det_time >= 0.4


def test_exact_stage_gives_a_legal_roster_the_audit_confirms():
    # 315 h over 3 heads of one weekend team each: one full time (213 h; 28 x 7,5 = 210 h is within the
    # 4 h tolerance) and two at 23,9 % (50,9 h; 7 x 7,5 = 52,5 h is within it): 28 + 7 + 7 = 42 shifts
    from models.roster import cpsat as M
    from planner.roster.audit import audit
    from planner.roster.heltid import attempt
    Q, forbid, hint = _attempt([100.0, 23.9, 23.9])
    r, stage, _ = attempt.solve(Q, hint, forbid, 20.0, None, 1, None, True)
    assert stage == "exact" and r.exact == "legal"
    s = audit(Q, r.assignment)["summary"]
    assert s["hard_violations"] == 0 and s["missing_shifts"] == 0
    assert attempt.judge(Q, M.all_conditions(Q), r)[:2] == (0, 0)
    # the decomposition holds: nobody works a weekend outside their team
    assert not any((d, s_) in forbid[pi] for (pi, d), s_ in r.assignment.items())


def test_exact_stage_proves_an_impossible_attempt():
    # three full-time positions need at least 3 x (213 - 4) = 627 h, the cover offers 315 h and no head
    # may work above it: the exact stage proves the attempt impossible, the penalised search is not needed
    from planner.roster.heltid import attempt
    Q, forbid, hint = _attempt([100.0, 100.0, 100.0])
    r, stage, _ = attempt.solve(Q, hint, forbid, 20.0, None, 1, None, True)
    assert stage == "exact" and r.status == "INFEASIBLE"


def test_an_attempt_asks_the_exact_question_first_within_its_share(monkeypatch):
    # the attempt's one CP-SAT call: the exact stage gets at most EXACT_SHARE of the attempt's wall time
    # and EXACT_DET deterministic seconds (with a deterministic budget, at most EXACT_SHARE of it), the
    # search the rest; an exact "infeasible" is the attempt's proof
    from models.roster import cpsat as M
    from planner.roster.heltid import attempt
    calls = []

    def fake(Q, **k):
        calls.append(k)
        return M.Result("UNKNOWN", None, None, None, {}, 0, {}, [], 0.1, 0.4, None, None, exact="infeasible")

    monkeypatch.setattr(M, "solve", fake)
    Q, forbid, hint = _attempt([100.0, 23.9, 23.9])
    t0 = time.perf_counter()
    r, stage, _ = attempt.solve(Q, hint, forbid, 8.0, None, 1, None, True)
    k = calls[0]
    assert stage == "exact" and r.status == "INFEASIBLE"
    assert k["exact_first"] == (attempt.EXACT_DET, 8.0 * attempt.EXACT_SHARE) and k["det_time"] is None
    assert k["hint"] == hint and k["forbid"] == forbid and t0 + 8.0 - 0.01 <= k["deadline"] <= t0 + 8.01
    assert k["weights"].contract_soft > 0 and k["weights"].soft_rule == 0      # contracts and cover only
    attempt.solve(Q, hint, forbid, 8.0, 2.0, 1, None, True)
    assert calls[1]["exact_first"] == (min(attempt.EXACT_DET, 2.0 * attempt.EXACT_SHARE), 8.0 * attempt.EXACT_SHARE)
    attempt.solve(Q, hint, forbid, 8.0, None, 1, None, False)
    assert calls[2]["exact_first"] is None


def test_a_bound_attempt_proven_impossible_makes_the_row_feasible_with_its_gap(monkeypatch):
    # the staffing at the bounds (3 heads, 1 full time) is proven impossible by the stand-in below, the
    # next (3 heads, none full time) is solved for real: a legal row, 0 of the 1 full-time positions the
    # bound allows - a gap of (1 - 0) / 1 = 100 %, stated in its reason
    from models.roster import cpsat as M
    from planner.roster.heltid import attempt
    real = attempt.solve

    def no_full_time(Q, *a, **k):
        if any(p.percent >= 100 for p in Q.persons):
            return M.Result("INFEASIBLE", None, None, None, {}, 0, {}, [], 0.0), "exact", {}
        return real(Q, *a, **k)

    monkeypatch.setattr(attempt, "solve", no_full_time)
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    rosters = {}
    r = run_model(unit(), ONE_DAY_SHIFT, rules(min_days_off=None, unwanted_patterns=None), mf,
                  RosterModel("a", "a", 3, "traditional", "traditional", ""), 20, rosters=rosters)
    assert r["outcome"] == "feasible" and r["full_time"] == 0 and r["full_time_bound"] == 1
    assert r["full_time_gap"] == 1.0 and "0 of the 1 full-time positions" in r["outcome_reason"]
    assert "gap 100 %" in r["outcome_reason"]
    log = r["by_group"]["helsefagarbeider"]["attempts"]
    assert log[0]["result"] == "proven impossible (solver, exact stage)"
    (Q, asg), = rosters.values()
    from planner.roster.audit import audit
    s = audit(Q, asg)["summary"]
    assert s["hard_violations"] == 0 and s["missing_shifts"] == 0


def test_time_left_goes_to_a_row_short_of_the_bounds_while_a_nearer_staffing_is_open(monkeypatch):
    # stand-ins for run_model: "a" finds nothing, "b" is legal one staffing below the bounds with the
    # staffing at the bounds stopped by the clock, "c" is legal below the bounds with the staffings nearer
    # them ended (proven impossible). The second turn goes to a (no legal roster) first, then b; never c
    import planner.roster.heltid.compare as C
    seen = []
    legal_at_2 = {"attempt": 2, "missing": 0, "hard": 0}

    def fake(unit_, req, rules_, mf, m, share, progress=None, det_time=None, deadline=None, state=None):
        seen.append(m.id)
        g = {"a": {"best": None, "ended": {}},
             "b": {"best": legal_at_2, "ended": {}},
             "c": {"best": legal_at_2, "ended": {0: "impossible"}}}[m.id]
        state.update(proof=None, budget=state.get("budget", 0.0) + share, clock={"rate": 0.0},
                     results={"g": {**g, "attempts": 3, "staffings": [(3, 1), (3, 0), (4, 1)],
                                    "bound": {"heads_min": 1}}})
        return {"model": m.id, "outcome": "none_found_in_time" if m.id == "a" else "feasible"}

    monkeypatch.setattr(C, "run_model", fake)
    models = [RosterModel(i, i, 3, "traditional", "traditional", "") for i in ("a", "b", "c")]
    mf = ModelsFile(None, None, 6, 20, 20.0, {}, models, [])
    C.run(unit(), ONE_DAY_SHIFT, mf, rules(), time_limit=30.0)
    # first turn: equal heads bounds, so the ids' order; then a and b, twice (the fakes spend nothing)
    assert seen[:3] == ["a", "b", "c"] and seen[3:5] == ["a", "b"] and "c" not in seen[3:]


def test_a_group_legal_short_of_the_bounds_goes_on_nearer_them_in_the_same_turn(monkeypatch):
    # a stand-in for plan_group: its first run ends without a legal roster, its second finds one a
    # staffing below the bounds (the one at the bounds still open), its third is what the model's time
    # left is for - all within one turn of the model
    import planner.roster.heltid.model as Mo
    calls = []

    def fake(P, g, *a, prior=None, **k):
        calls.append(prior is not None)
        n = len(calls)
        best = {"attempt": 2, "missing": 0, "hard": 0} if n >= 2 else None
        return {"bound": {"heads_min": 3, "full_time_max": 1, "hours": 315.0}, "best": best, "ended": {},
                "attempts": 3, "staffings": [(3, 1), (3, 0), (4, 1)], "log": [{"result": "x"}] * n,
                "det_s": 0.0, "time_s": 0.0}

    monkeypatch.setattr(Mo, "plan_group", fake)
    monkeypatch.setattr(Mo, "_row", lambda st, mf, rosters: {})
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    run_model(unit(), ONE_DAY_SHIFT, rules(min_days_off=None, unwanted_patterns=None), mf,
              RosterModel("a", "a", 3, "traditional", "traditional", ""), 20)
    assert calls == [False, True, True, True]      # a first run, then up to three more passes


# --- an attempt with part-time sizes free and no weekend teams ---------------------------------------

FULL_6W = 12780      # minutes of a full-time position over 6 weeks: 35,5 h x 6 x 60
TOL = 240            # the contract tolerance of 4 h, in minutes


def test_free_ranges_build_part_time_sizes_and_prove_for_any_size():
    from planner.roster.heltid import attempt
    # to build: from 20 % of 12 780 = 2 556 min up to 99,9 % = 12 767,2 -> 12 767 min
    assert attempt.free_range(FULL_6W, 20, TOL, proof=False) == (2556, 12767)
    # to prove: every size from 20 % to 100 % within 240 min: 2 556 - 240 = 2 316 to 12 780 + 240 = 13 020
    assert attempt.free_range(FULL_6W, 20, TOL, proof=True) == (2316, 13020)


def test_a_free_attempt_fits_part_time_sizes_to_the_hours_planned():
    # one dag shift a day for 6 weeks = 18 900 min of cover; 3 heads, one of them full time, no weekend
    # teams: the sizes fitted to the roster add up to the cover, 18 900 / 12 780 = 147,9 % (0,1 % steps),
    # each part-time size lies in [20 %, 100 %), and the audit finds the roster legal at those sizes
    from models.roster import cpsat as M
    from planner.roster.audit import audit
    from planner.roster.heltid import attempt
    P = _one_shift_problem()
    Q, planned, conds = attempt.build_free(P, "helsefagarbeider", 3, [100.0, 23.9, 23.9], FULL_6W, 20, TOL)
    hint = M.construct(Q, {}, top_up=False, conds=planned)
    r, stage, _ = attempt.solve(Q, hint, {}, 20.0, None, 1, None, True, conds)
    assert stage == "exact" and r.exact == "legal"
    F = attempt.fit_sizes(Q, r.assignment, FULL_6W)
    sizes = [p.percent for p in F.persons]
    assert sizes[0] == 100.0 and all(20 <= x < 100 for x in sizes[1:])
    assert abs(sum(sizes) - 147.9) <= 0.1
    s = audit(F, r.assignment)["summary"]
    assert s["hard_violations"] == 0 and s["missing_shifts"] == 0


def test_a_free_attempt_proves_a_staffing_impossible_for_any_part_time_size():
    # two full-time positions plan at least 2 x (12 780 - 240) = 25 080 min, more than the 18 900 min of
    # cover, and no head may work above it: impossible whatever the third position's size
    from planner.roster.heltid.group import _free_proof
    P = _one_shift_problem()
    ended, why = _free_proof(P, "helsefagarbeider", 3, [100.0, 100.0, 23.9], FULL_6W, 20, TOL, {},
                             time.perf_counter() + 20, None, 1, None)
    assert ended == "impossible" and "any part-time sizes" in why
    # one full-time position is possible: no proof (the free attempt above builds its roster)
    ended, _ = _free_proof(P, "helsefagarbeider", 3, [100.0, 23.9, 23.9], FULL_6W, 20, TOL, {},
                           time.perf_counter() + 20, None, 1, None)
    assert ended == "searched"


def test_a_staffing_impossible_with_weekend_teams_is_built_with_free_sizes(monkeypatch):
    # a stand-in proves every attempt with weekend teams impossible; the free attempt of the same staffing
    # (3 heads, 1 full time: the bounds) runs for real: the row is proven at the bounds, with free sizes
    from models.roster import cpsat as M
    from planner.roster.heltid import attempt
    real = attempt.solve

    def no_teams(Q, hint, forbid, *a, **k):
        if forbid:
            return M.Result("INFEASIBLE", None, None, None, {}, 0, {}, [], 0.0), "exact", {}
        return real(Q, hint, forbid, *a, **k)

    monkeypatch.setattr(attempt, "solve", no_teams)
    mf = ModelsFile(None, None, 6, 20, 20, {}, [], [])
    rosters = {}
    r = run_model(unit(), ONE_DAY_SHIFT, rules(min_days_off=None, unwanted_patterns=None), mf,
                  RosterModel("a", "a", 3, "traditional", "traditional", ""), 20, rosters=rosters)
    assert r["outcome"] == "proven" and r["full_time"] == r["full_time_bound"] == 1
    log = r["by_group"]["helsefagarbeider"]["attempts"]
    assert log[0]["result"] == "proven impossible (solver, exact stage)" and not log[0].get("free_sizes")
    assert log[1]["free_sizes"] and log[1]["result"].startswith("legal roster")
    (Q, asg), = rosters.values()
    from planner.roster.audit import audit
    s = audit(Q, asg)["summary"]
    assert s["hard_violations"] == 0 and s["missing_shifts"] == 0
    assert sum(1 for p in Q.persons if p.percent >= 100) == 1


def test_heltid_table_shows_no_counts_for_a_model_without_a_legal_roster(tmp_path, monkeypatch, capsys):
    # a model whose search ended without a legal roster has no violations or open heads to count: its row
    # shows "-" there, as for every other figure, not the 0 that read as a clean roster
    import planner.roster.heltid as H
    row = {"model": "m1", "name": "m1", "weeks": 6, "weekend_every": 3, "weekday": "traditional",
           "weekend": "traditional", "heads": None, "heads_bound": 54, "arsverk": None, "full_time": None,
           "full_time_bound": 17, "full_time_share": None, "average_position": None,
           "weekend_shifts_per_person": None, "violations": 0, "missing_shifts": 0, "outcome": "none_found_in_time",
           "outcome_reason": "no roster yet", "time_s": 1.0}
    monkeypatch.setattr(H, "run", lambda *a, **k: {"models": [dict(row)], "skipped": []})
    monkeypatch.setenv("COLUMNS", "250")
    rc, _, _ = _heltid_cli(tmp_path, 5)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("│ m1"))
    cells = [c.strip() for c in line.strip("│").split("│")]
    assert rc == 1 and cells[10:12] == ["-", "-"], cells
