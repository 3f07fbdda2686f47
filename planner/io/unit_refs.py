"""What a unit file names in its catalogue and groups file, checked where the unit file is read.

Names a unit gives for things another file defines are checked here, so that a typo is reported in the
unit file at its own field and line: a `training` no task of the catalogue names as a condition (it would
be ignored, and a group would silently lose or keep tasks), and the groups and shift selectors of
`rule_overrides` (the later check of the overridden rule names the rules file, where the typo is not).
planner.io.loader reads the files and reports the first problem; this module only compares data. The
data of the unit has passed its schema; the catalogue and groups file have not yet (those that cannot
be read give None, and their own loader reports them).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from planner.io.errors import shown

# (location in the unit file, problem, fix)
Found = tuple[tuple, str, str]


def problems(unit: dict, catalogue: Any, groups: Any) -> Iterator[Found]:
    """Every unknown name in the unit: its trainings first, then its rule overrides."""
    yield from _training(unit, catalogue)
    yield from _overrides(unit, groups)


def closest_first(word: str, names: list[str]) -> list[str]:
    """`names` with the ones most like `word` first, so that the fix starts with the likely meant name."""
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    return close + [n for n in names if n not in close]


def trainings(catalogue: Any) -> list[str] | None:
    """The trainings the catalogue's tasks name as a condition of an allowed group (None: no tasks list)."""
    tasks = catalogue.get("tasks") if isinstance(catalogue, dict) else None
    if not isinstance(tasks, list):
        return None
    out: list[str] = []
    for t in tasks:
        for a in (t.get("allowed") if isinstance(t, dict) else None) or []:
            name = a.get("training") if isinstance(a, dict) else None
            if isinstance(name, str) and name not in out:
                out.append(name)
    return out


def _training(unit: dict, catalogue: Any) -> Iterator[Found]:
    known = trainings(catalogue)
    if known is None:
        return
    for i, name in enumerate(unit.get("training") or []):
        if name not in known:
            listed = ", ".join(closest_first(name, known)) if known else "(the catalogue names no training)"
            problem = f"unknown training {shown(name)}: no task of the catalogue {unit.get('catalogue')} names it"
            fix = f"use a training the catalogue's tasks name as a condition: {listed}; or remove it"
            yield ("training", i), problem, fix


def group_ids(groups: Any) -> list[str] | None:
    """The ids of a groups file's groups (None: no groups list)."""
    entries = groups.get("groups") if isinstance(groups, dict) else None
    if not isinstance(entries, list):
        return None
    return [g["id"] for g in entries if isinstance(g, dict) and isinstance(g.get("id"), str)]


def selects(sel: str, shifts: list) -> bool:
    """Whether a shift selector picks a shift: `all`, a shift id, a time of day or a day type (as
    planner.staffing.instance.select_shifts reads it; a test holds the two to the same answers)."""
    return any(isinstance(s, dict) and sel in ("all", s.get("id"), s.get("time"), s.get("day_type")) for s in shifts)


def _overrides(unit: dict, groups: Any) -> Iterator[Found]:
    known = group_ids(groups)
    shifts = unit.get("shifts") or []
    for rid, ov in (unit.get("rule_overrides") or {}).items():
        if not isinstance(ov, dict):
            continue
        for j, g in enumerate(ov.get("groups") or []):
            if known is not None and g not in known:
                yield (("rule_overrides", rid, "groups", j), f"unknown group {shown(g)}",
                       f"use a group defined in the groups file ({', '.join(closest_first(g, known))})")
        sel = ov.get("shifts")
        items = [((), sel)] if isinstance(sel, str) else [((k,), x) for k, x in enumerate(sel or [])]
        ids = ", ".join(str(s.get("id")) for s in shifts if isinstance(s, dict))
        fix = f"use all, a shift id ({ids}), a time (dag, kveld, natt, lang) or a day type (hverdag, helg)"
        for at, x in items:
            if not selects(x, shifts):
                what = f"shift selector {shown(x)} matches no shift of the unit"
                yield ("rule_overrides", rid, "shifts", *at), what, fix
