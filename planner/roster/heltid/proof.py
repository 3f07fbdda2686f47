"""A proof that a roster model cannot work, found without a search: a shift the cover needs that
nobody may work."""
from __future__ import annotations

import dataclasses

from models.roster import cpsat as M


def _alone(P: M.Problem, cycle: int) -> tuple[M.Person, dict]:
    """For one generic person of the model: {slot: hard conditions that this one shift breaks on its own}
    - conditions that more work can only break more (a length cap, a count of zero, a pattern of work
    only), so whoever works that shift breaks them, whatever else the roster holds. The conditions of
    a person do not depend on the group, so one index serves every group of a model."""
    p = M.Person("x", "x", 100.0, weekend_cycle=cycle)
    out: dict[tuple[int, int], list] = {}
    for c in M.all_conditions(dataclasses.replace(P, persons=[p], substitutes={})):
        if not c.hard:
            continue
        if isinstance(c, M.Linear) and c.lo is None and c.hi is not None and all(k >= 0 for _, k in c.terms):
            hit = [sl for sl, k in c.terms if k > c.hi]
        elif isinstance(c, M.CountAny):
            hit = [sl for st in c.sets for sl in st] if c.hi < 1 else []
        elif isinstance(c, M.Pattern) and c.elems and all(want for _, want in c.elems):
            hit = set(c.elems[0][0]).intersection(*(st for st, _ in c.elems[1:]))
        else:
            hit = []       # a contract can be broken by too little work as well
        for sl in hit:
            out.setdefault(sl, []).append(c)
    return p, out


def _unworkable(P: M.Problem, alone: tuple[M.Person, dict]) -> str | None:
    """A proof that a group's cover cannot be met by any roster, whatever its heads and positions: a
    (day, period) the cover needs where every shift that could fill it breaks a hard rule on its own
    (``_alone``; a shift longer than the law allows, say). One sentence naming the shift, the rule and
    how many of the days that need it are ruled out; None when there is none."""
    p, by_slot = alone
    dead, needed = [], sorted({(c.day, c.code) for c in P.cover if c.min > 0})
    for d, code in needed:
        why = None
        for s, st in enumerate(P.shifts):
            if code not in st.periods or not P.exists(d, s):
                continue
            if (d, s) not in by_slot:
                break      # this shift can be worked here
            why = why or (s, by_slot[d, s][0])
        else:
            if why is not None:
                dead.append((d, code, *why))
    if not dead:
        return None
    d, code, s, c = dead[0]
    n_dead = sum(1 for x in dead if x[1] == code)
    n_need = sum(1 for x in needed if x[1] == code)
    return (f"nobody may work {code} on {n_dead} of the {n_need} days its cover needs it: "
            f"{M.evaluate(c, {(d, s)}, p)[1]} (hard rule {c.rule})")
