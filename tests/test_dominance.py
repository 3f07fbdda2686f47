"""Dominated groups: which groups the model may leave out, and proof on random units that leaving
them out changes neither the paid hours (stage 1) nor the bottom-up allocation's value (stage 2)."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.staffing import mip as M
from models.staffing.mip import Rule, StaffingProblem, TaskClass


def problem(rules=(), tasks=None, availability=None, productive=None):
    # ass (level 1) < hfa (2) < spl (3) < ssp (4); one weekday shift of 8 h
    groups = ("ass", "hfa", "spl", "ssp")
    tasks = tasks or (
        TaskClass("stell", (0, 1, 2, 3), (10.0,)),
        TaskClass("medisin", (1, 2, 3), (4.0,)),
        TaskClass("vurdering", (2, 3), (3.0,)),
    )
    return StaffingProblem(
        groups=groups, level=(1.0, 2.0, 3.0, 4.0), cost_per_hour=(300.0, 350.0, 450.0, 500.0),
        shifts=("dag",), paid_hours=(8.0,), days_per_week=(5.0,), day_type=("hverdag",),
        productive=productive or ((0.8,),) * 4, availability=availability or ((math.inf,),) * 4,
        tasks=tasks, rules=tuple(rules))


def names(p, idx):
    return [p.groups[k] for k in idx]


def test_stage2_drops_only_the_higher_level_twin():
    # ssp may do exactly what spl may, counts the same in every rule and is one level up: no
    # bottom-up optimum uses it. ass and hfa do less than spl, so stage 2 keeps them.
    p = problem([Rule("nurse", "min_heads", (0,), (2, 3), 1.0)])
    assert names(p, M.dominated_groups(p, (0,), strict=True)) == ["ssp"]


def test_stage1_keeps_one_group_that_can_do_everything():
    # for paid hours alone spl can stand in for anyone (same productive time, every task, counts in
    # the nurse rule); of the equivalent pair spl/ssp the first listed stays
    p = problem([Rule("nurse", "min_heads", (0,), (2, 3), 1.0)])
    assert names(p, M.dominated_groups(p, (0,), strict=False)) == ["ass", "hfa", "ssp"]


def test_a_rule_or_a_limit_keeps_a_group():
    # a rule asking for an assistant keeps the assistant (spl does not count in it) ...
    p = problem([Rule("ass_on_shift", "min_heads", (0,), (0,), 1.0)])
    assert "ass" not in names(p, M.dominated_groups(p, (0,), strict=False))
    # ... a ratio rule (spl <= 1 x ass) that a spl head would push the wrong way: spl cannot stand in
    # for hfa, and nobody for the assistant the rule counts on
    p = problem([Rule("ratio", "ratio", (0,), (2,), 1.0, other=(0,))])
    assert not M._dominates(p, 2, 1, (0,), "hours", p.rules, False)
    assert "ass" not in names(p, M.dominated_groups(p, (0,), strict=False))
    # ... and spl with an availability limit cannot stand in for anyone
    p = problem(availability=((math.inf,), (math.inf,), (2.0,), (math.inf,)))
    assert "spl" not in [p.groups[a] for a in range(4)
                         for b in range(4) if M._dominates(p, a, b, (0,), "hours", p.rules, False)]


def test_supervision_and_time_factor_are_respected():
    # hfa needs a nurse on shift for medisin, ass does not do it: spl may replace hfa, but hfa may not
    # replace spl as supervisor
    tasks = (TaskClass("stell", (0, 1, 2), (10.0,)),
             TaskClass("medisin", (1, 2), (4.0,), supervisors=((2,), ())))
    p = problem(tasks=tasks)
    assert M._dominates(p, 2, 1, (0,), "hours", (), False)
    assert not M._dominates(p, 1, 2, (0,), "hours", (), False)
    # a slower group (time factor 1.5 on stell) cannot stand in for a faster one
    tasks = (TaskClass("stell", (1, 2), (10.0,), factor=(1.0, 1.5)),)
    p = problem(tasks=tasks)
    assert not M._dominates(p, 2, 1, (0,), "hours", (), False)


# ------------------------------------------------------------------------------------------------
# random units: with and without dominance, the same optimum


@st.composite
def problems(draw):
    G = 5
    shifts = ("dag", "kveld", "natt")[: draw(st.integers(1, 3))]
    S = len(shifts)
    level = tuple(float(x) for x in draw(st.lists(st.integers(1, 4), min_size=G, max_size=G)))
    tasks = []
    for t in range(draw(st.integers(1, 4))):
        allowed = tuple(sorted(draw(st.sets(st.integers(0, G - 1), min_size=1, max_size=G))))
        work = tuple(float(draw(st.sampled_from([0, 1.5, 3, 5, 8]))) for _ in range(S))
        factor = tuple(draw(st.sampled_from([1.0, 1.0, 1.25])) for _ in allowed) if draw(st.booleans()) else ()
        sup = ()
        if draw(st.booleans()) and len(allowed) > 1:
            sup = tuple(((allowed[-1],) if j == 0 else ()) for j in range(len(allowed)))
        window = tuple(s for s in range(S)) if S > 1 and draw(st.booleans()) else ()
        tasks.append(TaskClass(f"t{t}", allowed, work, factor, sup, window))
    rules = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["min_heads", "ratio", "share"]))
        grp = tuple(sorted(draw(st.sets(st.integers(0, G - 1), min_size=1, max_size=3))))
        other = tuple(sorted(draw(st.sets(st.integers(0, G - 1), min_size=1, max_size=3))))
        if kind == "min_heads":
            rules.append(Rule(f"r{len(rules)}", kind, tuple(range(S)), grp, float(draw(st.integers(1, 2)))))
        elif kind == "ratio":
            rules.append(Rule(f"r{len(rules)}", kind, tuple(range(S)), grp, float(draw(st.sampled_from([1, 2]))),
                              other=other))
        else:
            rules.append(Rule(f"r{len(rules)}", kind, tuple(range(S)), grp, draw(st.sampled_from([0.3, 0.5])),
                              other=other, sense=draw(st.sampled_from(["min", "max"])),
                              per=draw(st.sampled_from(["shift", "day"])),
                              measure=draw(st.sampled_from(["heads", "hours"]))))
    productive = tuple(tuple(draw(st.sampled_from([0.8, 0.8, 0.9])) for _ in range(S)) for _ in range(G))
    availability = tuple(tuple(draw(st.sampled_from([math.inf, math.inf, math.inf, 3.0])) for _ in range(S))
                         for _ in range(G))
    return StaffingProblem(
        groups=tuple(f"g{k}" for k in range(G)), level=level,
        cost_per_hour=tuple(float(draw(st.sampled_from([300, 400, 500]))) for _ in range(G)),
        shifts=shifts, paid_hours=tuple(8.0 for _ in shifts), days_per_week=tuple(5.0 for _ in shifts),
        day_type=tuple("hverdag" for _ in shifts), productive=productive, availability=availability,
        tasks=tuple(tasks), rules=tuple(rules),
        preference=tuple(draw(st.sampled_from([0.0, 0.01])) for _ in range(G)))


def stage2_value(p: StaffingProblem, sol) -> float:
    """The stage-2 objective recomputed from the solution (task hours by level, then the head terms)."""
    v = 0.0
    for k in range(len(p.groups)):
        for s in range(len(p.shifts)):
            v += p.level[k] * p.days_per_week[s] * float(sol.allocation[:, k, s].sum())
            v += (M.HEAD_TIEBREAK * M.head_weight(p, k) * p.paid_hours[s] * p.days_per_week[s]
                  * (1.0 + M.SHIFT_TIEBREAK * s) * float(sol.heads[k, s]))
    return v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["hours", "cost"]))
def test_dominance_changes_no_optimum(p, objective):
    monkey = pytest.MonkeyPatch()
    try:
        with_dom = M.solve(p, objective)
        monkey.setattr(M, "dominated_groups", lambda *a, **k: [])
        without = M.solve(p, objective)
    finally:
        monkey.undo()
    assert with_dom.status == without.status
    if without.status != "optimal":
        return
    assert with_dom.objective == pytest.approx(without.objective, rel=1e-9, abs=1e-6)
    assert stage2_value(p, with_dom) == pytest.approx(stage2_value(p, without), rel=1e-6, abs=1e-6)
    # and the plan found with dominance is a plan of the full model: every task hour covered
    for t, task in enumerate(p.tasks):
        for s in range(len(p.shifts)):
            if not task.window:
                assert np.isclose(with_dom.allocation[t, :, s].sum(), task.work[s])
