"""The independent checker must catch broken solutions, or its silence on real ones proves nothing."""

import copy

from checker import check
from conftest import solve_json


def test_checker_catches_planted_errors(unit_dir, tmp_path, capsys):
    unit = unit_dir / "unit.yaml"
    doc = solve_json(unit, tmp_path, capsys)
    assert check(unit, doc, "leon") == []

    fewer = copy.deepcopy(doc)  # the night nurse removed: the rule breaks
    fewer["results"]["leon"]["staff"]["hverdag_natt"]["sykepleier"] = 0
    assert any("sykepleier_alltid" in p for p in check(unit, fewer, "leon"))

    wrong = copy.deepcopy(doc)  # medisinsk task given to an assistent, who may not do it
    wrong["results"]["leon"]["allocation"]["medisin"] = {"assistent": 5.0}
    assert any(p.startswith("competence: assistent does medisin") for p in check(unit, wrong, "leon"))

    short = copy.deepcopy(doc)  # an hour of stell dropped: not covered
    alloc = short["results"]["leon"]["allocation"]["stell"]
    alloc["assistent"] -= 1.0
    assert any(p.startswith("cover: stell") for p in check(unit, short, "leon"))

    crowded = copy.deepcopy(doc)  # the day assistent gone: the rest cannot carry the work
    crowded["results"]["leon"]["staff"]["hverdag_dag"]["assistent"] = 0
    assert any(p.startswith("capacity: assistent on hverdag_dag") for p in check(unit, crowded, "leon"))

    shares = copy.deepcopy(doc)  # baseline off today's shares
    b = shares["results"]["baseline"]["allocation_by_shift"]["stell"]["hverdag_dag"]
    b["sykepleier"], b["helsefagarbeider"] = b["sykepleier"] + 1, b["helsefagarbeider"] - 1
    assert any(p.startswith("baseline: stell by") for p in check(unit, shares, "baseline"))


def test_checker_catches_wrong_shifts_persons_and_arithmetic(unit_dir, tmp_path, capsys):
    unit = unit_dir / "unit.yaml"
    doc = solve_json(unit, tmp_path, capsys)

    moved = copy.deepcopy(doc)  # an hour of (non-movable) stell done at night instead of by day
    per = moved["results"]["leon"]["allocation_by_shift"]["stell"]
    per["hverdag_dag"]["assistent"] -= 1.0
    per.setdefault("hverdag_natt", {})["sykepleier"] = 1.0
    assert any(p.startswith("cover: stell on ['hverdag_dag']") for p in check(unit, moved, "leon"))

    half = copy.deepcopy(doc)  # half a person on shift without --relax
    half["results"]["leon"]["staff"]["hverdag_dag"]["helsefagarbeider"] = 0.5
    assert any(p.startswith("heads: helsefagarbeider") for p in check(unit, half, "leon"))

    dear = copy.deepcopy(doc)  # the weekly cost does not follow from heads and hourly costs
    dear["results"]["leon"]["cost_nok_per_week"] += 100
    assert any(p.startswith("cost_nok_per_week") for p in check(unit, dear, "leon"))

    fte = copy.deepcopy(doc)  # årsverk and freed årsverk that the weekly hours do not give
    fte["results"]["leon"]["fte"]["assistent"] += 0.1
    found = check(unit, fte, "leon")
    assert any(p.startswith("fte of assistent") for p in found)
    assert any(p.startswith("freed_fte of assistent") for p in found)
