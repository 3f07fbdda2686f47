"""The count bound on cover + fairness (models/roster/bound.py): never above the enumerated optimum,
every legal roster's counts are a solution of the count model (of value at most the roster's cover +
fairness), and on a unit where the cover forces a spread it proves that spread."""
from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.roster import cpsat as M
from models.roster.bound import components, count_bound, split_bound
from models.roster.colgen import Engine
from models.roster.lns import Search
from models.roster.score import score
from planner.roster import build as B
from planner.roster.rules import rules_from_entries
from test_roster_engine import D, K, optimum, tiny


def _engine_bound(P: M.Problem, W: M.Weights) -> float:
    E = Engine(P, W, threads=1)
    E.generate(time.perf_counter() + 20, rounds=0)
    E.count_bound(5.0)
    return E.bound


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(*[st.integers(0, 2)] * 8), st.sampled_from([("hfa", "hfa"), ("hfa", "spl")]))
def test_least_soft_costs_plus_the_count_bound_never_exceed_the_enumerated_optimum(pattern, groups):
    P = tiny(pattern, groups=groups)
    W = M.Weights()
    assert _engine_bound(P, W) <= optimum(P, W) + 1e-6


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(*[st.integers(0, 2)] * 8), st.integers(0, 10_000))
def test_a_legal_rosters_counts_solve_the_count_model(pattern, seed):
    """Any roster without hard violations (drawn at random): fixing the counts at its own must leave the
    count model feasible, at no more than the roster's cover + fairness."""
    P = tiny(pattern)
    rng = random.Random(seed)
    asg = {(pi, d): s for pi in range(len(P.persons)) for d in range(P.days)
           if (s := rng.choice([-1, 0, 1])) >= 0}
    sc = score(P, asg)
    if sc.hard:
        return
    b = count_bound(P, roster=asg)
    assert b.value is not None, "a legal roster's counts are a solution"
    assert b.value <= sc.cover + sc.fairness + 1e-6


def _contract_unit() -> M.Problem:
    """Two weeks, four people under contract hours and every-2nd-weekend, day and evening cover."""
    rules = rules_from_entries([
        {"type": "daily_rest", "min_hours": 11, "source": "t"},
        {"type": "contract_hours", "norm_hours_per_week": 35.5, "tolerance_hours": 8, "source": "t"},
        {"type": "weekend_frequency", "every": 2, "source": "t"},
    ]).rules
    persons = [M.Person("a", "hfa", 100.0), M.Person("b", "hfa", 60.0), M.Person("c", "hfa", 40.0),
               M.Person("d", "hfa", 80.0)]
    cover = [M.Cover(d, code, "hfa", 1, 1 + (d % 3 == 0)) for d in range(14) for code in ("D", "K")]
    return M.Problem(14, [D, K], persons, cover, rules, cyclic=True)


def test_a_built_rosters_counts_solve_the_count_model_under_contract_and_weekend_rules():
    P = _contract_unit()
    r = B.solve_problem(P, 20.0, det_time=3.0)
    assert r.outcome in ("optimal", "feasible")
    sc = score(P, r.assignment)
    fixed = count_bound(P, roster=r.assignment)
    assert fixed.value is not None and fixed.value <= sc.cover + sc.fairness + 1e-6
    assert count_bound(P).bound <= sc.cover + sc.fairness + 1e-6
    assert r.bound <= r.objective


def _evening_nurse_unit() -> M.Problem:
    rules = rules_from_entries([{"type": "daily_rest", "min_hours": 11, "source": "t"}]).rules
    persons = [M.Person("A", "spl", allowed=frozenset({"kveld"})), M.Person("B", "spl")]
    cover = [M.Cover(d, code, "spl", 1, 1) for d in range(4) for code in ("D", "K")]
    return M.Problem(4, [D, K], persons, cover, rules, cyclic=False)


def test_the_count_bound_proves_a_spread_the_cover_forces():
    """Four days (not a rotation), one nurse on each day shift and one on each evening shift. Nurse A may
    only work evenings, nurse B anything; the daily rest (11 h) forbids an evening (ends 22:00) before a
    day shift (starts 07:00). B must take all four day shifts (nobody else may), so A takes all four
    evenings: the evening spread is 4 - 0 = 4, i.e. 4 x 20 = 80 in the objective, with full cover and no
    head over. The bound proves exactly 80; the column-generation bound leaves fairness out."""
    P = _evening_nurse_unit()
    W = M.Weights()
    b = count_bound(P, W)
    assert b.optimal and round(b.bound) == 4 * W.fairness
    E = Engine(P, W, threads=1)
    E.generate(time.perf_counter() + 20, rounds=0)
    assert E.stats.bound < 4 * W.fairness
    E.count_bound(5.0)
    # at zero prices no price is rounded: each person's least soft cost alone is exact (0 here), so the
    # bound is the count bound's 80 itself, not a little below it
    assert E.stats.alone == 0.0
    assert E.bound == pytest.approx(4 * W.fairness, abs=1e-6)
    r = B.solve_problem(P, 10.0, det_time=2.0)
    assert r.objective == 4 * W.fairness and r.outcome == "optimal"


def test_a_roster_the_bound_proves_optimal_ends_the_search_early():
    """Wall-time mode: once the search's roster scores no more than the proven bound, nothing is left to
    find, and the engine returns without waiting for its limit (60 s here; the unit above takes well under
    a second to prove)."""
    P = _evening_nurse_unit()
    r = B.solve_problem(P, 60.0)
    assert r.outcome == "optimal" and r.objective == r.bound == 80
    assert r.stopped_by is None
    assert r.wall_time < 30.0, "a proven roster ends the run: it does not wait for the 60 s limit"


# --- the bound from groups that share no cover ------------------------------------------------------

def _two_parts(pattern: tuple[int, ...]) -> M.Problem:
    """Four days (not a rotation). One doctor (group lege) asked for on every day shift: four days in a row,
    which the soft max_consecutive rule (at most 2) penalises whatever the roster. One helsefagarbeider
    (group hfa) asked for by ``pattern`` (heads per slot, day-major, as ``tiny``). Nobody substitutes."""
    P = tiny(pattern, people=1)
    P.persons = [M.Person("l1", "lege"), M.Person("h1", "hfa")]
    P.cover = P.cover + [M.Cover(d, "D", "lege", 1, 1) for d in range(4)]
    return P


def test_groups_linked_by_substitution_form_one_part():
    P = _two_parts((1,) * 8)
    assert components(P) == [{"hfa"}, {"lege"}]
    P.substitutes = {"hfa": ["lege"]}
    assert components(P) == [{"hfa", "lege"}]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(*[st.integers(0, 2)] * 8))
def test_the_split_bound_proves_a_small_groups_rules_and_never_exceeds_the_optimum(pattern):
    """The doctor's four days in a row cost a max_consecutive penalty in every roster with the doctor's
    cover met (leaving a day open costs 100 000): the count bound, which knows no order of days, cannot
    see it; the split bound (the doctor proven alone + the count bound of the rest) does, and stays at or
    below the enumerated optimum."""
    P = _two_parts(pattern)
    W = M.Weights()
    opt = optimum(P, W)
    split = split_bound(P, W, time_limit=20.0)
    sb = split.bound
    assert sb <= opt + 1e-6
    # the doctor alone, enumerated: the least soft cost of working all four day shifts
    doctor = M.Problem(4, P.shifts, [P.persons[0]], [c for c in P.cover if c.group == "lege"], P.rules, cyclic=False)
    forced = optimum(doctor, M.Weights(fairness=0, overcover=0))
    assert forced > 0, "four days in a row break max_consecutive (at most 2)"
    assert sb >= forced + count_bound(_hfa_only(P), M.Weights(overcover=0)).bound - 1e-6
    assert sb > count_bound(P, W).bound
    # the doctor's part is the one taken out, with at least the doctor's forced cost
    assert [gs for gs, _ in split.parts] == [{"lege"}] and split.parts[0][1] >= forced - 1e-6


def _hfa_only(P: M.Problem) -> M.Problem:
    return M.Problem(4, P.shifts, [P.persons[1]], [c for c in P.cover if c.group == "hfa"], P.rules, cyclic=False)


def test_the_split_bound_raises_the_engines_bound():
    P = _two_parts((1, 0) * 4)
    E = Engine(P, M.Weights(), threads=1)
    E.generate(time.perf_counter() + 20, rounds=0)
    before = E.stats.alone + max(0.0, count_bound(P).bound)
    E.count_bound(5.0)
    assert E.split > before and E.bound >= E.split
    assert [gs for gs, _ in E.settled] == [{"lege"}]


def test_a_part_at_its_proven_least_is_settled_and_the_search_leaves_it_alone():
    """The doctor works the four day shifts the doctors' cover asks for (a max_consecutive penalty that no
    roster avoids: the split bound's proven least of that part); the helsefagarbeider works days 0-1
    (no soft violation). The doctor is settled: the soft cost left to remove is 0 and the soft-first
    neighbourhood finds nobody. With the doctor off on day 3 (the doctors' cover open), the part costs
    more than its least: not settled, and the doctor leads the neighbourhood."""
    P = _two_parts((1, 0) * 4)
    W = M.Weights()
    split = split_bound(P, W, time_limit=20.0)
    hfa = {(1, 0): 0, (1, 1): 0}
    S = Search(P, {(0, d): 0 for d in range(4)} | hfa, W)
    S.set_floors(split.parts)
    costs = S.person_costs()
    assert costs[0] > 0 and costs[1] == 0
    assert S.settled() == {0}
    assert S.open_soft() == S.sc.soft - costs[0] == 0
    assert S.soft_pick() == []
    S2 = Search(P, {(0, d): 0 for d in range(3)} | hfa, W)
    S2.set_floors(split.parts)
    assert S2.person_costs()[0] > 0, "days 0-2 in a row still break max_consecutive (at most 2)"
    assert S2.settled() == set()
    assert S2.open_soft() == S2.sc.soft > 0
    assert S2.soft_pick()[0] == 0


def test_the_split_bound_has_a_time_limit_of_its_own(monkeypatch):
    """The engine gives the split bound its own limit (the engine's wall-time mode: up to 6 s, where the
    count bound has at most 10 % of the time), and the count bound's limit when none is given."""
    import models.roster.bound as bound_mod
    seen = []
    real = bound_mod.split_bound

    def spy(P, W, conds, time_limit, *a, **k):
        seen.append(time_limit)
        return real(P, W, conds, time_limit, *a, **k)

    monkeypatch.setattr(bound_mod, "split_bound", spy)
    E = Engine(_two_parts((1, 0) * 4), M.Weights(), threads=1)
    E.count_bound(1.0, 4.0)
    E.count_bound(2.0)
    assert seen == [4.0, 2.0]
    assert [gs for gs, _ in E.settled] == [{"lege"}]


def test_the_engine_names_the_cost_a_part_cannot_avoid():
    """The doctor's four days in a row cost the same in every roster that meets the doctors' cover: the
    result names that part and its cost (the doctor alone, enumerated), the JSON and the command's line too."""
    P = _two_parts((1, 0) * 4)
    doctor = M.Problem(4, P.shifts, [P.persons[0]], [c for c in P.cover if c.group == "lege"], P.rules, cyclic=False)
    forced = optimum(doctor, M.Weights(fairness=0, overcover=0))
    r = B.solve_problem(P, 20.0, det_time=3.0)
    assert r.unavoidable == [(["lege"], pytest.approx(forced))]
    assert B.result_json(P, r)["unavoidable"] == [{"groups": ["lege"], "cost": pytest.approx(forced)}]
    line = (f"unavoidable: lege {forced:,.0f} - these groups share no cover with the others, and no roster of "
            "theirs meets their cover with less (proven)")
    assert B.unavoidable_text(r) == [line]
