"""The nurse-rostering format through the product's roster engine (planner/nrp/adapter.py).

The benchmark's own evaluator (planner/nrp/reader.py, written from the format's description) is the
judge: on any roster the product's objective must equal the benchmark's and the product's hard rules
must break exactly where the benchmark's hard constraints do; the engine's roster, converted back,
must pass the evaluator with the objective the engine claims. The instance is made here.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.nrp.compact import CompactModel
from models.nrp.problem import OFF
from models.roster import cpsat as M
from models.roster.lns import residual_cover
from models.roster.score import score
from planner.nrp import adapter as A
from planner.nrp.reader import evaluate, objective, parse_instance, violations
from planner.roster.build import solve_problem

# Two weeks (day 0 a Monday), early E (480 min) and late L (600 min); E may not follow L. Contracts
# differ per person (A and C need runs of two, B not; B may not work L), so each limit is a rule per
# value. E's under-cover weight alternates 80 (even days) / 100 (odd days); L's is 50 and its
# over-cover 2; day 13 has no L cover at all (no requirement, no penalty).
TINY = "\n".join(
    ["SECTION_HORIZON", "14", "", "SECTION_SHIFTS", "E,480,", "L,600,E", "", "SECTION_STAFF",
     "A,E=14|L=3,4800,2880,4,2,2,1", "B,E=14|L=0,4000,1920,3,1,1,1", "C,E=10|L=14,5400,3360,5,2,2,2", "",
     "SECTION_DAYS_OFF", "A,3", "C,9,10", "",
     "SECTION_SHIFT_ON_REQUESTS", "A,0,E,2", "B,5,E,3", "C,2,L,1", "",
     "SECTION_SHIFT_OFF_REQUESTS", "A,7,L,2", "C,12,E,4", "", "SECTION_COVER"]
    + [f"{d},E,1,{100 if d % 2 else 80},1" for d in range(14)]
    + [f"{d},L,1,50,2" for d in range(13)]
) + "\n"


@pytest.fixture(scope="module")
def tiny():
    problem = parse_instance(TINY)
    return problem, A.to_product(problem)


@pytest.fixture(scope="module")
def optimum(tiny):
    """The benchmark's own compact model, solved to optimality by CP-SAT, judged by the evaluator."""
    from ortools.sat.python import cp_model
    problem, _ = tiny
    compact = CompactModel(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_workers = 2
    assert solver.solve(compact.model) == cp_model.OPTIMAL
    ev = evaluate(problem, compact.roster(list(solver.response_proto.solution)))
    assert ev.feasible and ev.objective == round(solver.objective_value)
    return ev.objective


def test_conversion_keeps_the_instance(tiny):
    _, P = tiny
    assert (P.days, P.cyclic) == (14, False)
    assert [(s.code, s.work_minutes, s.duration) for s in P.shifts] == [("E", 480, 480), ("L", 600, 600)]
    assert [p.id for p in P.persons] == ["A", "B", "C"]
    assert P.persons[2].unavailable == frozenset({9, 10})
    assert P.persons[0].wishes == ((0, "E", 2),) and P.persons[0].avoid == ((7, "L", 2),)
    # every day and shift has a cover (28), open, with the file's weights; day 13 L: none asked, free
    assert len(P.cover) == 28 and all(c.open for c in P.cover)
    by = {(c.day, c.code): c for c in P.cover}
    assert (by[4, "E"].min, by[4, "E"].under_weight, by[5, "E"].under_weight) == (1, 80, 100)
    assert (by[13, "L"].min, by[13, "L"].under_weight, by[13, "L"].over_weight) == (0, 0, 0)
    # per-person limits: one rule per value, binding the people with it
    runs = {r.min: r.persons for r in P.rules if isinstance(r, M.MinConsecutive)}
    assert runs == {2: frozenset({"A", "C"})}     # B's minimum of 1 needs no rule
    late = {r.max: r.persons for r in P.rules if isinstance(r, M.ShiftLimit) and r.codes == ("L",)}
    assert late == {0: frozenset({"B"}), 3: frozenset({"A"}), 14: frozenset({"C"})}


def test_all_off_costs_the_whole_cover_and_the_on_requests(tiny):
    # E: 7 days x 80 + 7 days x 100 = 1260; L: 13 days x 50 = 650; shift-on requests 2 + 3 + 1 = 6
    problem, P = tiny
    off = [[OFF] * 14 for _ in range(3)]
    assert objective(problem, off) == 1916
    assert score(P, A.to_assignment(off), A.WEIGHTS).total == 1916


def test_a_planted_violation_is_found_by_both(tiny):
    problem, P = tiny
    # B works E on days 0-3 (4 in a row, max 3) and nothing else (4 x 480 = 1920 minutes: B's minimum)
    roster = [[OFF] * 14 for _ in range(3)]
    roster[1][0:4] = [0, 0, 0, 0]
    assert any("B:" in v and "4 shifts in a row" in v for v in violations(problem, roster))
    hard = [v for v in M.check(P, A.to_assignment(roster)) if v.hard and v.person == "B"]
    assert [v.rule for v in hard] == ["max consecutive shifts"]


# A legal roster, made by hand (the first test checks it): E = 0, L = 1, OFF = -1. A few cells changed
# at random break some people's hard constraints and not others'.
LEGAL = [
    [0, 0, 0, OFF, OFF, 0, 0, OFF, OFF, 0, 0, 0, OFF, OFF],    # A: 7 x E = 3360 min, 1 weekend
    [OFF, 0, 0, OFF, 0, 0, OFF, OFF, 0, OFF, 0, 0, OFF, OFF],  # B: 7 x E = 3360 min, 1 weekend
    [1, 1, OFF, OFF, 1, 1, 1, 1, OFF, OFF, OFF, 0, 0, OFF],    # C: 6 x L + 2 x E = 4560 min, 2 weekends
]
changes = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 13), st.sampled_from([OFF, 0, 1])), max_size=4)


def test_the_hand_made_roster_is_legal(tiny):
    problem, P = tiny
    assert violations(problem, LEGAL) == []
    assert not [v for v in M.check(P, A.to_assignment(LEGAL)) if v.hard]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=changes)
def test_the_two_objectives_agree_on_any_roster(tiny, change):
    problem, P = tiny
    roster = [list(row) for row in LEGAL]
    for e, d, s in change:
        roster[e][d] = s
    asg = A.to_assignment(roster)
    assert A.to_roster(problem, asg) == roster
    assert score(P, asg, A.WEIGHTS).total == objective(problem, roster)
    # the same people break a hard constraint under both
    product = {v.person for v in M.check(P, asg) if v.hard}
    bench = {v.split(":")[0] for v in violations(problem, roster)}
    assert product == bench


def test_residual_cover_keeps_weights_and_open_slots(tiny):
    _, P = tiny
    # A works E on day 1: with B and C free, day 1 E is filled by the others (open, weights kept) and
    # day 13 L, asked of nobody, stays open for the free people to work
    cover = {(c.day, c.code): c for c in residual_cover(P, {(0, 1): 0}, {1, 2})}
    assert (cover[1, "E"].min, cover[1, "E"].open, cover[1, "E"].over_weight) == (0, True, 1)
    assert (cover[3, "E"].min, cover[3, "E"].under_weight) == (1, 100)
    assert cover[13, "L"].open


def test_whole_model_objective_is_the_benchmarks(tiny, optimum):
    problem, P = tiny
    r = M.solve(P, time_limit=20, workers=2, weights=A.WEIGHTS, diagnose=False)
    assert r.status == "OPTIMAL"
    roster = A.to_roster(problem, r.assignment)
    ev = evaluate(problem, roster)
    assert ev.feasible and ev.objective == round(r.objective)
    assert ev.objective == optimum     # the benchmark's own model agrees on the optimum


def test_product_engine_roster_passes_the_benchmarks_evaluator(tiny, optimum):
    problem, P = tiny
    r = solve_problem(P, 20, weights=A.WEIGHTS, workers=2, det_time=4)
    roster = A.to_roster(problem, r.assignment)
    ev = evaluate(problem, roster)
    assert ev.feasible, ev.violations
    assert ev.objective == round(r.objective)
    # the engine's bound (column generation at the cover's own weights) is a true lower bound
    assert r.bound <= optimum <= ev.objective
