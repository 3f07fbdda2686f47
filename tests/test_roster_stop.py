"""Stopping the roster engine from outside (the web app's «Stopp og behold beste»): `solve_problem(...,
stop=...)` returns its best roster so far within about a second of the request, long before its limit."""

from __future__ import annotations

import time

import pytest

from conftest import ROOT
from planner.roster import build as B
from planner.roster.audit import audit
from planner.roster.rules import load_rules
from planner.roster.setup import leon_requirement, load_staff, load_unit_view, make_problem

LIMIT = 60.0   # the limit the stop cuts short
LATE = 3.0     # seconds allowed from the request to the return (the promise is about one; a busy machine)


@pytest.fixture(scope="module")
def sykehjem():
    unit = load_unit_view(ROOT / "instances" / "units" / "sykehjem.yaml")
    staff = load_staff(ROOT / "instances" / "staff" / "sykehjem.yaml", unit)
    return make_problem(unit, staff, load_rules(staff.rules), 6, None, leon_requirement(unit), True)


def test_a_stop_returns_the_best_legal_roster_so_far(sykehjem):
    # sykehjem's first legal roster comes within about a second (Result.first_legal_s, 0.6-0.8 s measured
    # when the machine is quiet); the stop comes at 2.5 s, while column generation runs in the other thread
    t0 = time.perf_counter()
    asked = t0 + 2.5
    seen = []
    r = B.solve_problem(sykehjem, LIMIT, progress=lambda obj, bound, t: seen.append(obj),
                        stop=lambda: time.perf_counter() >= asked)
    back = time.perf_counter()
    assert back - asked < LATE, f"returned {back - asked:.1f} s after the stop"
    assert r.stopped_by == "stop" and r.outcome == "feasible"
    rep = audit(sykehjem, r.assignment)
    assert rep["summary"]["hard_violations"] == 0
    # legal since first_legal_s (on a loaded machine the greedy start alone may take past the stop)
    assert r.first_legal_s is not None and r.first_legal_s <= r.wall_time
    # the roster returned is the best the progress reported
    assert r.objective == min(seen)
    assert "the request to stop ended the search" in B.verdict(r, LIMIT, None)


def test_a_stop_before_the_search_keeps_the_start_roster(sykehjem):
    """Asked to stop at once, every stage is skipped, in the deterministic (one stage after the other)
    mode as in the wall-time one: the start roster comes back, and says so."""
    start = B.start_roster(sykehjem)
    for det in (None, 30.0):
        r = B.solve_problem(sykehjem, LIMIT, det_time=det, stop=lambda: True)
        assert r.kept_start and r.assignment == start, det
        assert r.stopped_by == "stop" or r.outcome == "optimal", det
