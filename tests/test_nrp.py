"""Nurse-rostering benchmark: reader, independent evaluator, and the engine checked against both.

Objective values of known rosters are computed by hand below (the arithmetic is in the comments),
the engine's optima and the pricing problem's optima are checked against exhaustive search on
random tiny instances, and column generation's bounds and rosters against the compact CP-SAT engine
on small instances generated here (the published instances are not shipped; the benchmark script
checks the best-known values on them).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.nrp import colgen as nrp_colgen
from models.nrp import dp as nrp_dp
from models.nrp import pricer as nrp_pricer
from models.nrp.colgen import ColumnGeneration, Pricer
from models.nrp.cpsat import CompactModel, Search, solve
from models.nrp.dp import DpPricer
from models.nrp.problem import OFF, Cover
from planner.io.errors import InputError
from planner.nrp.reader import evaluate, format_roster, objective, parse_instance, read_instance, violations


def own_instance(seed: int, employees: int = 8, days: int = 14) -> str:
    """A small instance in the Curtois & Qu text format, generated here (no published data).

    Two shifts (E early, L late; L may not be followed by E), contracts like the published small
    instances, a day off per person, a few on/off requests and a cover of 2-4 per shift and day.
    """

    rnd = random.Random(seed)
    ids = [chr(ord("A") + i) for i in range(employees)]
    out = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS", "E,480,", "L,480,E", "", "SECTION_STAFF"]
    out += [f"{e},E={days}|L={days},4320,3360,5,2,2,1" for e in ids]
    out += ["", "SECTION_DAYS_OFF"] + [f"{e},{rnd.randrange(days)}" for e in ids]
    out += ["", "SECTION_SHIFT_ON_REQUESTS"]
    out += [f"{rnd.choice(ids)},{rnd.randrange(days)},{rnd.choice('EL')},{rnd.randint(1, 3)}" for _ in range(10)]
    out += ["", "SECTION_SHIFT_OFF_REQUESTS"]
    out += [f"{rnd.choice(ids)},{rnd.randrange(days)},{rnd.choice('EL')},{rnd.randint(1, 3)}" for _ in range(10)]
    out += ["", "SECTION_COVER"]
    out += [f"{d},{s},{rnd.randint(2, 3)},100,1" for d in range(days) for s in "EL"]
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def own():
    """Two generated instances with an upper bound from the compact CP-SAT engine (independent of
    column generation): the best roster it finds in a few seconds, scored by the evaluator."""
    out = []
    for seed in (1, 2):
        problem = parse_instance(own_instance(seed))
        compact = solve(problem, time_limit=4, workers=2)
        assert evaluate(problem, compact.roster).objective == compact.objective
        out.append((problem, compact.objective))
    return out

# Two employees, one week (Mon..Sun: Saturday is day 5), day shift D (480 min) and night N
# (600 min); D may not follow N. A has day 4 off; B may not work nights or weekends.
TINY = """\
# a hand-made instance for the tests
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D

SECTION_STAFF
A,D=7|N=2,2900,1000,4,2,2,1
B,D=7|N=0,2400,960,3,1,1,0

SECTION_DAYS_OFF
A,4

SECTION_SHIFT_ON_REQUESTS
A,0,D,2
A,3,D,4
B,3,D,5

SECTION_SHIFT_OFF_REQUESTS
A,2,N,3
B,1,D,1

SECTION_COVER
0,D,1,100,1
1,D,1,100,1
2,D,2,100,1
3,D,1,100,1
4,D,1,50,1
5,D,1,100,1
6,D,0,100,3
0,N,0,100,1
1,N,0,100,1
2,N,1,100,1
3,N,0,100,1
4,N,0,100,1
5,N,1,30,1
6,N,0,100,1
"""

# A feasible roster of TINY ('.' = off).
TINY_ROSTER = {"A": "DDN..DD", "B": ".DDD..."}


def rows(problem, by_id: dict[str, str]) -> list[list[int]]:
    index = {s: i for i, s in enumerate(problem.shift_ids)}
    return [[OFF if c == "." else index[c] for c in by_id[e.id]] for e in problem.employees]


@pytest.fixture
def tiny():
    return parse_instance(TINY)


# ---------------------------------------------------------------------------------------------
# Reader


def test_reader_fills_every_section(tiny):
    assert tiny.horizon == 7
    assert tiny.shift_ids == ("D", "N") and tiny.shift_minutes == (480, 600)
    assert tiny.forbidden_next == {(1, 0)}  # D (0) may not follow N (1)
    a, b = tiny.employees
    assert (a.id, a.max_shifts, a.max_minutes, a.min_minutes) == ("A", (7, 2), 2900, 1000)
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts, a.min_consecutive_days_off,
            a.max_weekends) == (4, 2, 2, 1)
    assert a.days_off == {4} and b.days_off == set()
    assert [(r.employee, r.day, r.shift, r.weight) for r in tiny.off_requests] == [(0, 2, 1, 3), (1, 1, 0, 1)]
    assert tiny.cover[4][0].requirement == 1 and tiny.cover[4][0].under_weight == 50
    assert tiny.weekends == [(5, 6)]


def test_reader_accepts_crlf_and_names_bad_input(tiny):
    assert parse_instance(TINY.replace("\n", "\r\n")) == tiny
    with pytest.raises(InputError, match="unknown shift 'X'"):
        parse_instance(TINY.replace("A,0,D,2", "A,0,X,2"))
    with pytest.raises(InputError, match="outside the horizon"):
        parse_instance(TINY.replace("A,0,D,2", "A,9,D,2"))


def test_reader_reads_a_generated_instance(tmp_path):
    path = tmp_path / "own.txt"
    path.write_text(own_instance(1))
    problem = read_instance(path)
    assert (problem.horizon, problem.shift_ids, len(problem.employees)) == (14, ("E", "L"), 8)
    assert len(problem.cover) == 14 and all(len(day) == 2 for day in problem.cover)


# ---------------------------------------------------------------------------------------------
# Evaluator


def test_evaluator_objective_of_a_hand_checked_roster(tiny):
    roster = rows(tiny, TINY_ROSTER)
    assert violations(tiny, roster) == []
    # shift-on:  A wants D on day 3 but is off                          -> 4
    # shift-off: A works N on day 2 (3); B works D on day 1 (1)         -> 3 + 1
    # cover D:   day 1 has 2 for 1 (over 1 x 1); day 2 has 1 for 2 (under 1 x 100);
    #            day 4 has 0 for 1 (under 1 x 50); day 6 has 1 for 0 (over 1 x 3)
    # cover N:   day 5 has 0 for 1 (under 1 x 30)
    assert objective(tiny, roster) == 4 + (3 + 1) + (1 + 100 + 50 + 3) + 30  # = 192


def test_evaluator_objective_of_an_empty_roster(tiny):
    roster = [[OFF] * 7 for _ in tiny.employees]
    # shift-on 2 + 4 + 5; under-cover D: 100 x (1+1+2+1+1) + 50 x 1; N: 100 x 1 + 30 x 1
    assert objective(tiny, roster) == 11 + 600 + 50 + 130
    assert any("minutes" in v for v in violations(tiny, roster))


@pytest.mark.parametrize(
    "employee, row, broken",
    [
        ("A", "DDN.DDD", "fixed day off 4"),
        ("A", "DND..DD", "D may not follow N"),
        ("A", "NN.N.DD", "3 N shifts, at most 2"),
        ("B", ".DDDD..", "4 shifts in a row from day 1, at most 3"),
        ("A", "DD.D.DD", "1 shifts in a row from day 3, at least 2"),
        ("A", "DDD.DDD", "1 days off in a row from day 3, at least 2"),
        ("B", "D......", "480 minutes, allowed 960..2400"),
        ("A", "DDDN.DD", "3000 minutes, allowed 1000..2900"),  # 5 x 480 + 600
        ("B", ".DDD..D", "1 weekends worked, at most 0"),
    ],
)
def test_feasibility_checker_names_each_broken_rule(tiny, employee, row, broken):
    roster = rows(tiny, {**TINY_ROSTER, employee: row})
    found = violations(tiny, roster)
    assert any(v.startswith(f"{employee}: ") and broken in v for v in found), found


@pytest.mark.parametrize("row", ["D.....D", ".DDD..."])  # 1-day runs of work / of rest at the ends
def test_minimum_runs_do_not_bind_at_the_horizon_ends(tiny, row):
    roster = rows(tiny, {**TINY_ROSTER, "A": row})
    assert not [v for v in violations(tiny, roster) if "in a row" in v]


def test_format_roster_round_trips_ids(tiny):
    text = format_roster(tiny, rows(tiny, TINY_ROSTER))
    assert text.splitlines() == ["A: D D N . . D D", "B: . D D D . . ."]


# ---------------------------------------------------------------------------------------------
# Engine against the evaluator


def legal_rows(problem, e: int) -> list[list[int]]:
    """Every row employee e may work, by the evaluator."""
    employee = problem.employees[e]
    found = []
    for row in itertools.product([OFF, *range(problem.n_shifts)], repeat=problem.horizon):
        roster = [[OFF] * problem.horizon for _ in problem.employees]
        roster[e] = list(row)
        if not [v for v in violations(problem, roster) if v.startswith(f"{employee.id}: ")]:
            found.append(list(row))
    return found


def brute_force_optimum(problem) -> int | None:
    """Exhaustive search: hard constraints are per employee, so combine each one's legal rows."""
    legal = [legal_rows(problem, e) for e in range(len(problem.employees))]
    values = [objective(problem, list(combo)) for combo in itertools.product(*legal)]
    return min(values) if values else None


@st.composite
def tiny_instances(draw):
    """Random two-employee week instances small enough to enumerate."""
    shifts = draw(st.integers(1, 2))
    lines = ["SECTION_HORIZON", "7", "SECTION_SHIFTS", "D,480,"]
    if shifts == 2:
        lines.append(f"N,600,{draw(st.sampled_from(['', 'D']))}")
    lines.append("SECTION_STAFF")
    for name in "AB":
        counts = "|".join(f"{s}={draw(st.integers(1, 5))}" for s in "DN"[:shifts])
        lo = draw(st.sampled_from([0, 480, 960, 1440]))
        lines.append(f"{name},{counts},{lo + draw(st.sampled_from([960, 1920, 2400]))},{lo},"
                     f"{draw(st.integers(2, 5))},{draw(st.integers(1, 3))},"
                     f"{draw(st.integers(1, 2))},{draw(st.integers(0, 1))}")
    lines += ["SECTION_DAYS_OFF", f"A,{draw(st.integers(0, 6))}", "SECTION_SHIFT_ON_REQUESTS"]
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"{draw(st.sampled_from('AB'))},{draw(st.integers(0, 6))},D,{draw(st.integers(1, 3))}")
    lines.append("SECTION_SHIFT_OFF_REQUESTS")
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"{draw(st.sampled_from('AB'))},{draw(st.integers(0, 6))},D,{draw(st.integers(1, 3))}")
    lines.append("SECTION_COVER")
    for day in range(7):
        for s in "DN"[:shifts]:
            lines.append(f"{day},{s},{draw(st.integers(0, 2))},{draw(st.sampled_from([10, 100]))},"
                         f"{draw(st.integers(1, 3))}")
    return parse_instance("\n".join(lines))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_engine_optimum_equals_exhaustive_search(problem):
    best = brute_force_optimum(problem)
    solution = solve(problem, time_limit=10, workers=1)
    if best is None:
        assert solution.roster is None
        return
    assert solution.optimal and solution.objective == best
    evaluation = evaluate(problem, solution.roster)
    assert evaluation.feasible and evaluation.objective == best


def test_compact_model_scores_a_roster_like_the_evaluator(tiny):
    compact = CompactModel(tiny)
    roster = rows(tiny, TINY_ROSTER)
    values = compact.values(roster)
    assert compact.roster(values) == roster
    assert compact.objective_value(values) == objective(tiny, roster) == 192


# ---------------------------------------------------------------------------------------------
# Column generation


def requests_only(problem, e: int):
    """The same instance without cover and others' requests: its objective is e's request penalty."""
    return dataclasses.replace(
        problem,
        cover=tuple(tuple(Cover(0, 0, 0) for _ in day) for day in problem.cover),
        on_requests=tuple(r for r in problem.on_requests if r.employee == e),
        off_requests=tuple(r for r in problem.off_requests if r.employee == e),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances(), st.integers(0, 1), st.lists(st.integers(-60, 60), min_size=14, max_size=14),
       st.integers(-50, 50))
def test_pricing_finds_the_least_reduced_cost_schedule(problem, e, dual_list, convexity):
    """Reduced cost = request penalty - cover duals of the worked cells - convexity dual."""
    duals = np.array(dual_list[: 7 * problem.n_shifts], float).reshape(7, problem.n_shifts) / 4
    pricer = Pricer(problem, e)

    def reduced(row):
        alone = [[OFF] * 7 for _ in problem.employees]
        alone[e] = row
        penalty = objective(requests_only(problem, e), alone)
        return penalty - sum(duals[d, s] for d, s in enumerate(row) if s != OFF) - convexity

    legal = legal_rows(problem, e)
    found, bound = pricer.price(duals, convexity, seconds=5)
    if not legal:
        assert found == [] and bound == float("inf")
        return
    best = min(reduced(row) for row in legal)
    assert pricer.reduced_cost(found[-1], duals, convexity) == pytest.approx(best)
    assert reduced(list(found[-1])) == pytest.approx(best)
    assert best - 0.001 <= bound <= best


def dp_pricer(problem, e: int, max_states: int = 2000) -> DpPricer:
    return DpPricer(problem, e, functools.partial(Pricer, problem, e), max_states=max_states)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances(), st.integers(0, 1), st.lists(st.integers(-60, 60), min_size=14, max_size=14),
       st.integers(-50, 50), st.booleans())
def test_dp_pricing_finds_the_least_reduced_cost_schedule(problem, e, dual_list, convexity, relax):
    """The DP against exhaustive search; `relax` leaves every shift-count limit out of its state,
    so schedules breaking one go to the CP-SAT fallback."""
    duals = np.array(dual_list[: 7 * problem.n_shifts], float).reshape(7, problem.n_shifts) / 4
    pricer = dp_pricer(problem, e, max_states=1 if relax else 2000)
    legal = legal_rows(problem, e)
    found, bound = pricer.price(duals, convexity, seconds=5)
    if not legal:
        assert found == [] and bound == float("inf")
        return
    best = min(pricer.reduced_cost(row, duals, convexity) for row in legal)
    assert all(list(row) in legal for row in found)  # every column it returns is legal
    assert pricer.reduced_cost(found[-1], duals, convexity) == pytest.approx(best)
    assert best - 0.001 <= bound <= best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dp_and_cpsat_pricing_agree_on_generated_instances(seed):
    """Same least reduced cost as the CP-SAT pricer, under random duals and with a dive's fixings."""
    problem = parse_instance(own_instance(seed, employees=4, days=28))
    rng = np.random.default_rng(seed)
    for e in range(len(problem.employees)):
        exact, dp = Pricer(problem, e), dp_pricer(problem, e)
        off_day, work_day = [d for d in range(problem.horizon) if d not in problem.employees[e].days_off][3:5]
        for trial in range(3):
            if trial == 2:
                for pricer in (exact, dp):
                    pricer.fix(off_day, OFF)
                    pricer.fix(work_day, 0)
            duals = rng.normal(20, 40, (problem.horizon, problem.n_shifts))
            found_exact, _ = exact.price(duals, 5.0, seconds=5)
            found_dp, bound_dp = dp.price(duals, 5.0, seconds=5)
            if not found_exact:
                assert found_dp == []
                continue
            least = exact.reduced_cost(found_exact[-1], duals, 5.0)
            assert dp.reduced_cost(found_dp[-1], duals, 5.0) == pytest.approx(least)
            assert bound_dp <= least + 1e-9 and bound_dp == pytest.approx(least, abs=1e-3)
            roster = [[OFF] * problem.horizon for _ in problem.employees]
            for row in found_dp:
                roster[e] = list(row)
                assert not [v for v in violations(problem, roster) if v.startswith(f"{problem.employees[e].id}: ")]
                if trial == 2:
                    assert row[off_day] == OFF and row[work_day] == 0


@pytest.mark.parametrize("which", [0, 1])
def test_column_generation_bounds_and_integer_master(own, which):
    problem, upper = own[which]
    cg = ColumnGeneration(problem)
    assert cg.seed(seconds=5)
    reports = []
    assert cg.run(deadline=float("inf"), on_round=reports.append)  # converges
    assert all(r.bound <= upper for r in reports)  # a lower bound never passes a known roster
    assert cg.lp >= cg.bound > cg.lp - 0.01  # converged: the LP value is the bound
    roster, _ = cg.master.solve_integer(seconds=10)
    evaluation = evaluate(problem, roster)
    assert evaluation.feasible and evaluation.objective >= cg.bound - 1e-6
    # From a start, the integer master returns that roster or a better one.
    again, _ = cg.master.solve_integer(seconds=10, start=roster)
    assert objective(problem, again) <= evaluation.objective


def test_fixed_cells_hold_in_the_lp_and_dives_leave_no_fixings_behind(own):
    problem, _ = own[1]
    cg = ColumnGeneration(problem)
    assert cg.seed(seconds=5) and cg.run(deadline=float("inf"))
    root = cg.lp
    off_day = next(d for d in range(problem.horizon) if d not in problem.employees[3].days_off)
    cg.fix(3, off_day, OFF)
    cg.run(deadline=float("inf"))
    assert cg.lp >= root - 1e-6
    assert all(schedule[off_day] == OFF for e, schedule, _ in cg.master.lp_schedules() if e == 3)
    cg.unfix()

    roster = cg.dive(deadline=float("inf"))
    evaluation = evaluate(problem, roster)
    assert evaluation.feasible and evaluation.objective >= root - 1e-6  # never below the bound
    cg.round(seconds_each=1)
    assert cg.lp == pytest.approx(root)  # nothing stays fixed, and the pool only grew


def test_schedule_dives_return_legal_rosters_and_leave_no_fixings_behind(own, monkeypatch):
    problem, _ = own[0]
    monkeypatch.setattr(nrp_colgen, "LATE_SHARE", 1.0)  # look ahead at every fixing
    cg = ColumnGeneration(problem)
    assert cg.seed(seconds=5) and cg.run(deadline=float("inf"))
    root = cg.lp
    for rng, look_ahead in ((None, 1), (random.Random(1), 1), (None, 3), (random.Random(2), 3)):
        roster = cg.dive_columns(deadline=float("inf"), rng=rng, look_ahead=look_ahead)
        evaluation = evaluate(problem, roster)
        assert evaluation.feasible and evaluation.objective >= root - 1e-6
    assert not cg.master.fixed
    cg.round(seconds_each=1)
    assert cg.lp == pytest.approx(root)


@pytest.mark.parametrize("which", [0, 1])
def test_engine_proves_its_roster_optimal_and_evaluator_agrees(own, which):
    problem, upper = own[which]
    solution = nrp_colgen.solve(problem, time_limit=15, workers=2)
    evaluation = evaluate(problem, solution.roster)
    assert evaluation.violations == []
    assert evaluation.objective == solution.objective <= upper  # no worse than the compact engine
    assert solution.bound == solution.objective  # proven, so the search stopped early
    assert solution.seconds < 15


def test_lns_rosters_score_the_same_in_model_and_evaluator():
    """Stop the search early, mid-improvement: every roster it reports must still agree."""
    problem = parse_instance(own_instance(2))
    solution = solve(problem, time_limit=1.5, workers=1, first_share=0.0, step_seconds=0.2)
    evaluation = evaluate(problem, solution.roster)
    assert evaluation.feasible and evaluation.objective == solution.objective
    found_by = [by for _, _, by in solution.history]
    assert found_by[0] == "first" and any(by.startswith("lns-") for by in found_by)


# ---------------------------------------------------------------------------------------------
# Out of time, out of memory, out of rosters: honest answers


def employee_violations(problem, e: int, row) -> list[str]:
    roster = [[OFF] * problem.horizon for _ in problem.employees]
    roster[e] = list(row)
    return [v for v in violations(problem, roster) if v.startswith(f"{problem.employees[e].id}: ")]


def limited_instance(seed: int, employees: int) -> object:
    """A generated two-week instance whose shift-type limits bind: at most 5 E and 5 L shifts
    each, of the 7 to 9 shifts the minutes ask for (3360..4320 minutes of 480-minute shifts)."""
    return parse_instance(own_instance(seed, employees=employees).replace("E=14|L=14", "E=5|L=5"))


def test_a_pricer_out_of_time_claims_no_bound_and_no_infeasibility(monkeypatch):
    """The CP-SAT pricer given no time finds no schedule: that is no proof that none exists.
    It used to answer +inf (the 'no legal schedule' answer), which the DP pricer passed on as its
    bound, and the search then crashed on it (math.ceil(inf))."""
    problem = limited_instance(3, employees=2)
    # E pays well, L badly: the DP without the limits wants more than 5 E shifts.
    duals = np.random.default_rng(3).normal([60, -10], 5, (problem.horizon, problem.n_shifts))
    least, _ = Pricer(problem, 0).price(duals, 0.0, seconds=5)  # with time: the true least
    least_cost = Pricer(problem, 0).reduced_cost(least[-1], duals, 0.0)
    monkeypatch.setattr(nrp_pricer, "MIN_SECONDS", 0.0)
    found, bound = Pricer(problem, 0).price(duals, 0.0, seconds=0.0)
    assert found == [] and bound == -np.inf
    # The DP pricer with both limits out of its state and a single penalty round cannot prove its
    # best schedule optimal, so it falls back to that pricer, which runs out of time: what the DP
    # found stands, with its own Lagrangian bound, which may not pass the true least.
    monkeypatch.setattr(nrp_dp, "PENALTY_ROUNDS", 1)
    dp = dp_pricer(problem, 0, max_states=1)
    found, bound = dp.price(duals, 0.0, seconds=1e-9)  # > 0: the fallback is asked (and gets no time)
    assert dp.fallbacks == 1
    assert -np.inf < bound <= least_cost + 1e-6
    assert all(not employee_violations(problem, 0, row) for row in found)


def test_column_generation_survives_pricers_out_of_time(monkeypatch):
    """Rounds whose exact fallbacks all run out of time: the bounds stay finite and below a known
    roster's objective, and the search that reads them ends with a legal roster."""
    problem = limited_instance(4, employees=6)
    upper = solve(problem, time_limit=4, workers=1).objective  # before the pricers are slowed
    monkeypatch.setattr(nrp_pricer, "MIN_SECONDS", 0.0)
    monkeypatch.setattr(nrp_dp, "PENALTY_ROUNDS", 1)
    monkeypatch.setattr(nrp_colgen, "DpPricer", functools.partial(DpPricer, max_states=1))
    cg = ColumnGeneration(problem)
    assert cg.seed(seconds=1)
    reports = [cg.round(seconds_each=1e-9) for _ in range(6)]
    assert sum(p.fallbacks for p in cg.pricers) > 0  # the out-of-time path was taken
    assert all(r.bound <= upper for r in reports)  # finite, and still a lower bound
    assert -np.inf < cg.bound <= upper

    class Replay:  # the helper's side, in this process: those bounds, one per report
        def __init__(self):
            self.bounds = [r.bound for r in reports]

        def offer(self, roster):
            pass

        def reports(self):
            return (self.bounds.pop(0) if self.bounds else -np.inf), []

        def stop(self):
            return self.reports()

    solution = Search(problem, 3, 1, 0, helper=Replay()).run(0.05, 0.5)
    evaluation = evaluate(problem, solution.roster)
    assert evaluation.feasible and evaluation.objective == solution.objective
    assert solution.bound <= solution.objective


def test_no_legal_roster_is_reported_as_none():
    """B must work 5 days a week but may work at most 2 days in a row with 2 days off between
    runs: no schedule exists, so no roster; the engine says so (and quickly)."""
    text = TINY.replace("B,D=7|N=0,2400,960,3,1,1,0", "B,D=7|N=0,2400,2400,2,1,2,1")
    problem = parse_instance(text)
    assert legal_rows(problem, 1) == []  # 2400 minutes = 5 D shifts: needs runs of 3 or more
    for engine in (solve, nrp_colgen.solve):
        solution = engine(problem, time_limit=10, workers=2)
        assert solution.roster is None and solution.objective is None
        assert solution.seconds < 10


def year_instance(employees: int, seed: int = 0) -> str:
    """A year of `employees` staff in the Curtois & Qu format, generated here: two shifts, contracts
    like the published year-long instances (a narrow minutes window, 26 weekends), requests and a
    cover of 1-3 per shift and day."""
    rnd = random.Random(seed)
    days = 364
    ids = [f"E{i}" for i in range(employees)]
    out = ["SECTION_HORIZON", str(days), "SECTION_SHIFTS", "E,480,", "L,480,E", "SECTION_STAFF"]
    out += [f"{e},E={days}|L=60,112320,110400,5,2,2,26" for e in ids]
    out += ["SECTION_DAYS_OFF"] + [f"{e},{rnd.randrange(days)},{rnd.randrange(days)}" for e in ids]
    out += ["SECTION_SHIFT_ON_REQUESTS"]
    out += [f"{rnd.choice(ids)},{rnd.randrange(days)},{rnd.choice('EL')},{rnd.randint(1, 3)}" for _ in range(40)]
    out += ["SECTION_SHIFT_OFF_REQUESTS"]
    out += [f"{rnd.choice(ids)},{rnd.randrange(days)},{rnd.choice('EL')},{rnd.randint(1, 3)}" for _ in range(40)]
    out += ["SECTION_COVER"] + [f"{d},{s},{rnd.randint(1, 3)},100,1" for d in range(days) for s in "EL"]
    return "\n".join(out) + "\n"


def test_a_year_long_dp_stays_within_its_budget_and_returns_legal_schedules():
    """A budget too small for a year of minutes: the DP keeps a band of minute totals and prices
    the weekend and shift-count limits; every schedule it returns is legal, and it claims no
    bound (a band is a restriction)."""
    problem = parse_instance(year_instance(2))
    duals = np.random.default_rng(0).normal(30, 60, (problem.horizon, problem.n_shifts))
    pricer = DpPricer(problem, 0, functools.partial(Pricer, problem, 0), budget=400_000)
    assert pricer.banded and pricer.relax_weekends and pricer.relaxed == [(1, 60)]
    assert pricer.cells <= 400_000 * 1.5  # the band's least width may pass the budget a little
    found, bound = pricer.price(duals, 0.0, seconds=0.0, target=np.inf)
    assert found and bound == -np.inf
    assert all(not employee_violations(problem, 0, row) for row in found)


def test_the_engine_keeps_its_deadline_on_a_year_long_instance():
    """Forty staff for a year in 4 seconds: too little time to build the compact model (it is not
    built) or to finish a first roster by best responses. The engine must stop in time and
    answer honestly: a legal roster with its true objective, or none."""
    problem = parse_instance(year_instance(40))
    limit = 4.0
    t0 = time.monotonic()
    solution = nrp_colgen.solve(problem, time_limit=limit, workers=2)
    elapsed = time.monotonic() - t0
    assert elapsed <= 1.1 * limit + 2
    if solution.roster is not None:
        evaluation = evaluate(problem, solution.roster)
        assert evaluation.feasible and evaluation.objective == solution.objective
    else:
        assert solution.objective is None
