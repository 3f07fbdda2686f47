"""The planning base (NOU 2023:4 kap. 8: fagarbeider competence as the starting point).

Small units built from the test unit (tests/data: 10 patients; weekday day shift 8 paid h and night
9 paid h, 5 of each a week; productive share 1; rule: a sykepleier on every shift). Levels: assistent 1,
helsefagarbeider 2, sykepleier 3. Gross-up for årsverk: 52 / 47 / 0.9 = 1.229314, norm 35.5 h/week, so
one head on the 8-h day shift (40 h/week) is 40 / 35.5 × 1.229314 = 1.385143 gross årsverk, and one on
the 9-h night (45 h/week) is 1.558286.
"""

import json

import pytest

from checker import check
from conftest import run_cli, solve_json
from test_bad_input import assert_clear_error, edit

G = 52 / 47 / 0.9
DAY_HEAD = 40 / 35.5 * G      # 1.385143
NIGHT_HEAD = 45 / 35.5 * G    # 1.558286


def mark(unit_dir, **marks) -> None:
    """Mark catalogue tasks `health_competence: true|false`."""
    def fn(d):
        for t in d["tasks"]:
            if t["id"] in marks:
                t["health_competence"] = marks[t["id"]]
    edit(unit_dir / "catalogue.yaml", fn)


def set_base(unit_dir, base) -> None:
    edit(unit_dir / "unit.yaml", lambda d: d.update(planning_base=base))


def base_unit(unit_dir) -> None:
    """The test unit with stell and medisin needing health competence, rydding not, base helsefagarbeider."""
    mark(unit_dir, stell=True, medisin=True, rydding=False)
    set_base(unit_dir, "helsefagarbeider")


def split_unit(unit_dir) -> None:
    """Day: stell 10 h (today sykepleier/helsefagarbeider 50/50), medisin 1 h (sykepleier), rydding 8 h
    (helsefagarbeider, not movable, needs no health competence). Night: tilsyn 4 h (today 50/50
    sykepleier/helsefagarbeider, needs health competence)."""
    base_unit(unit_dir)

    def cat(d):
        for t in d["tasks"]:
            if t["id"] == "rydding":
                t["movable"] = False
        d["tasks"].append({"id": "tilsyn", "name": {"nb": "Tilsyn"}, "family": "tilsyn", "minutes": 60,
                           "health_competence": True, "illustrative": True,
                           "allowed": [{"group": "assistent"}, {"group": "helsefagarbeider"}, {"group": "sykepleier"}],
                           "today": {"sykepleier": 0.5, "helsefagarbeider": 0.5}})
    edit(unit_dir / "catalogue.yaml", cat)

    def unit(d):
        for w in d["workload"]:
            if w["task"] == "rydding":
                w["per_unit"] = 8
        d["workload"].append({"task": "tilsyn", "shifts": ["natt"], "per_unit": 4, "illustrative": True})
    edit(unit_dir / "unit.yaml", unit)


# -------------------------------------------------------------------------------------- the rule
def test_health_tasks_never_go_below_the_base(unit_dir, tmp_path, capsys):
    split_unit(unit_dir)
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    lo = doc["results"]["leon"]
    # the day's health work (stell 10 + medisin 1 = 11 h) may only go to helsefagarbeider or sykepleier;
    # rydding (8 h, no health competence) may go to an assistent. 19 h need 3 heads of 8 h: the rule's
    # sykepleier, a helsefagarbeider for stell and an assistent for rydding (level-weighted hours:
    # rydding by the assistent 8 × 1.01 (+0.01: not a group of today) + helsefagarbeider 8 × 2 +
    # sykepleier 3 × 3 = 33.08, against 41 with a second helsefagarbeider taking 5 h rydding and the
    # sykepleier 3 h). Night: tilsyn (4 h) to the rule's sykepleier, no one else.
    assert lo["staff"]["hverdag_dag"] == {"assistent": 1, "helsefagarbeider": 1, "sykepleier": 1}
    assert lo["staff"]["hverdag_natt"] == {"assistent": 0, "helsefagarbeider": 0, "sykepleier": 1}
    # paid hours: 3 × 8 × 5 + 9 × 5 = 165
    assert lo["objective"] == pytest.approx(165)
    # independently of the model: no hour of a task needing health competence below the base ...
    for t in ("stell", "medisin", "tilsyn"):
        assert lo["allocation"][t].get("assistent", 0.0) == pytest.approx(0, abs=1e-9), t
    # ... while the assistent does the task that needs none: all of rydding, 8 h × 5
    assert lo["allocation"]["rydding"] == {"assistent": pytest.approx(40)}
    assert check(unit_dir / "unit.yaml", doc, "leon") == []
    assert check(unit_dir / "unit.yaml", doc, "baseline") == []


def test_checker_catches_a_health_task_below_the_base(unit_dir, tmp_path, capsys):
    # the same unit solved without the base puts stell on an assistent; read against the unit file
    # with the base, the independent checker must object
    mark(unit_dir, stell=True, medisin=True, rydding=False)
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert doc["results"]["leon"]["allocation"]["stell"]["assistent"] == pytest.approx(40)
    set_base(unit_dir, "helsefagarbeider")
    assert any(p.startswith("planning base: assistent does stell") for p in check(unit_dir / "unit.yaml", doc, "leon"))


def test_baseline_keeps_todays_performers_below_the_base(unit_dir, tmp_path, capsys):
    # today an assistent does half the stell; the base binds LEON only, so the baseline keeps it:
    # stell 10 h 50/50 -> assistent 5 h (1 head), sykepleier 5 h + medisin 1 h (1 head), rydding 1 h
    # today's helsefagarbeider (1 head): 3 heads by day, 24 × 5 + 45 = 165 paid h. LEON: 12 h of work,
    # of which rydding (1 h) may move to the night sykepleier; 11 h by day -> sykepleier + helsefagarbeider,
    # 2 × 40 + 45 = 125 paid h.
    base_unit(unit_dir)
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0].update(today={"assistent": 0.5, "sykepleier": 0.5}))
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    b, lo = doc["results"]["baseline"], doc["results"]["leon"]
    assert b["allocation"]["stell"]["assistent"] == pytest.approx(25)
    assert b["objective"] == pytest.approx(165)
    assert lo["objective"] == pytest.approx(125)
    assert lo["staff"]["hverdag_dag"] == {"assistent": 0, "helsefagarbeider": 1, "sykepleier": 1}
    assert check(unit_dir / "unit.yaml", doc, "baseline") == []
    assert check(unit_dir / "unit.yaml", doc, "leon") == []


# ------------------------------------------------------------------------------ without a base
def _results(doc: dict) -> dict:
    return {k: doc[k] for k in ("results", "freed_fte", "freed_fte_breakdown", "binding_rules")}


def test_without_a_base_nothing_changes(unit_dir, tmp_path, capsys):
    from planner.staffing.instance import load_unit, with_planning_base
    from planner.staffing.solve import solve_instance

    before = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)        # no markings, no base
    mark(unit_dir, stell=True, medisin=True, rydding=False)
    marked = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)        # markings, no base
    assert _results(marked) == _results(before)
    assert before["unit"]["planning_base"] is None
    # the base at the lowest level bounds nothing: the same as assistants as base
    set_base(unit_dir, "assistent")
    lowest = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert _results(lowest) == _results(before)
    # and the base does change this unit (the comparison above is not vacuous): LEON's day has a
    # helsefagarbeider where it had an assistent
    set_base(unit_dir, "helsefagarbeider")
    based = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert before["results"]["leon"]["staff"]["hverdag_dag"]["assistent"] == 1
    assert based["results"]["leon"]["staff"]["hverdag_dag"] == {"assistent": 0, "helsefagarbeider": 1, "sykepleier": 1}
    # a caller that lifts the base (the national layer's override) gets the no-base result back
    inst = with_planning_base(load_unit(unit_dir / "unit.yaml"), None)
    res = solve_instance(inst)
    for m in ("baseline", "leon"):
        assert res[m].staff == before["results"][m]["staff"]
        assert res[m].fte.gross == pytest.approx(before["results"][m]["fte"], abs=1e-4)


def test_a_caller_may_set_the_base(unit_dir, tmp_path, capsys):
    from planner.staffing.instance import load_unit, with_planning_base
    from planner.staffing.solve import solve_instance

    mark(unit_dir, stell=True, medisin=True, rydding=False)
    inst = with_planning_base(load_unit(unit_dir / "unit.yaml"), "helsefagarbeider", source="scenario")
    set_base(unit_dir, "helsefagarbeider")
    from_file = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    res = solve_instance(inst)
    assert inst.planning_base == "helsefagarbeider" and inst.base_level == 2
    for m in ("baseline", "leon"):
        assert res[m].staff == from_file["results"][m]["staff"]


# ------------------------------------------------------------------------------ the three parts
def test_split_adds_up_per_group_by_hand(unit_dir, tmp_path, capsys):
    split_unit(unit_dir)
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    parts, total = doc["freed_fte_breakdown"], doc["freed_fte"]
    # baseline: day sykepleier 5 + 1 = 6 h (1 head), helsefagarbeider 5 + 8 = 13 h (2 heads); night
    # tilsyn 2 h + 2 h -> sykepleier 1 + helsefagarbeider 1. helsefagarbeider 2 × 40 + 45 = 125 h/week.
    # pooled (today's performers, free shares): day still 19 h on sykepleier and helsefagarbeider
    # (sykepleier at most 8 h -> 2 helsefagarbeider); night the sykepleier does all 4 h of tilsyn:
    # helsefagarbeider 80 h/week. LEON: day helsefagarbeider 1, assistent 1 (see above): 40 h each.
    assert parts["pooling"]["helsefagarbeider"] == pytest.approx(NIGHT_HEAD, abs=1e-4)        # 125 -> 80
    assert parts["task_sharing"]["helsefagarbeider"] == pytest.approx(DAY_HEAD, abs=1e-4)     # 80 -> 40
    assert total["helsefagarbeider"] == pytest.approx(NIGHT_HEAD + DAY_HEAD, abs=1e-4)        # 2.943429
    assert parts["pooling"]["assistent"] == pytest.approx(0, abs=1e-9)
    assert parts["task_sharing"]["assistent"] == pytest.approx(-DAY_HEAD, abs=1e-4)
    assert total["sykepleier"] == pytest.approx(0, abs=1e-9)
    for g in total:
        assert parts["pooling"][g] + parts["task_sharing"][g] == pytest.approx(total[g], abs=2e-4), g


def test_todays_mix_already_leon_frees_nothing_by_task_sharing(unit_dir, tmp_path, capsys):
    # today: stell (8 h) by helsefagarbeider, medisin (8 h, sykepleier only) by sykepleier, rydding
    # (8 h, not movable) by assistent: one head each by day, and each task already at the lowest group
    # the base allows. Without the base LEON gives stell to a second assistent (16 h at level 1 instead
    # of 8 h at level 2 + 8 h at level 1, same 3 heads), freeing a helsefagarbeider by task sharing.
    def cat(d):
        t = {x["id"]: x for x in d["tasks"]}
        t["stell"].update(today={"helsefagarbeider": 1})
        t["medisin"].update(allowed=[{"group": "sykepleier"}], today={"sykepleier": 1})
        t["rydding"].update(allowed=[{"group": "assistent"}, {"group": "helsefagarbeider"}],
                            today={"assistent": 1}, movable=False)
    edit(unit_dir / "catalogue.yaml", cat)

    def unit(d):
        for w in d["workload"]:
            # stell 10 × 1.6 × 30 min = 8 h; medisin 10 × 8 × 6 min = 8 h; rydding 8 × 60 min = 8 h
            w.update({"stell": {"per_patient": 1.6}, "medisin": {"per_patient": 8}, "rydding": {"per_unit": 8}}[w["task"]])
    edit(unit_dir / "unit.yaml", unit)
    mark(unit_dir, stell=True, medisin=True, rydding=False)
    free = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert free["freed_fte_breakdown"]["task_sharing"]["helsefagarbeider"] == pytest.approx(DAY_HEAD, abs=1e-4)
    set_base(unit_dir, "helsefagarbeider")
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert doc["results"]["leon"]["staff"] == doc["results"]["baseline"]["staff"]
    for g, v in doc["freed_fte_breakdown"]["task_sharing"].items():
        assert v == pytest.approx(0, abs=1e-9), g
    assert all(v == pytest.approx(0, abs=1e-9) for v in doc["freed_fte"].values())


# ------------------------------------------------------------------------------------ outputs
def test_every_output_names_the_base(unit_dir, tmp_path, capsys):
    import openpyxl

    split_unit(unit_dir)
    edit(unit_dir / "unit.yaml", lambda d: d.update(planning_base_source="NOU2023:4, kap. 8.2"))
    out, xlsx = tmp_path / "r.json", tmp_path / "r.xlsx"
    code, text, err = run_cli(["solve", unit_dir / "unit.yaml", "--json", out, "--xlsx", xlsx], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["unit"]["planning_base"] == "helsefagarbeider"
    assert doc["unit"]["planning_base_source"] == "NOU2023:4, kap. 8.2"
    assert "Planning base: helsefagarbeider (level 2)" in text
    # the årsverk table has the three columns, each explained
    assert "pooling" in text and "task sharing" in text and "Total = baseline − LEON" in text
    wb = openpyxl.load_workbook(xlsx)
    about = {r[0]: r[1] for r in wb["about"].iter_rows(min_row=2, values_only=True)}
    assert about["planning base"] == "helsefagarbeider"
    header = [c.value for c in wb["årsverk"][1]]
    assert {"freed_fte_pooling", "freed_fte_task_sharing", "freed_fte_gross"} <= set(header)
    for k in ("freed_fte_pooling", "freed_fte_task_sharing", "freed_fte_gross"):
        assert about[k]


def test_fewer_of_the_base_group_is_explained(unit_dir, tmp_path, capsys):
    # in the split unit LEON needs 2 fewer helsefagarbeider heads than today (125 -> 40 h/week):
    # rydding (family service, 40 h/week) goes to the assistent and the night's tilsyn (2 h × 5) to the
    # sykepleier; the night sykepleier is there by rule
    split_unit(unit_dir)
    out = tmp_path / "r.json"
    code, text, err = run_cli(["solve", unit_dir / "unit.yaml", "--json", out], capsys)
    assert code == 0, err
    s = json.loads(out.read_text())["planning_base_shortfall"]
    assert s["group"] == "helsefagarbeider"
    assert s["baseline_fte"] - s["leon_fte"] == pytest.approx(NIGHT_HEAD + DAY_HEAD, abs=1e-3)
    moved = {m["family"]: m for m in s["families"]}
    assert set(moved) == {"service", "tilsyn"}
    assert moved["service"]["baseline_hours_per_week"] == pytest.approx(40)
    assert moved["service"]["to"] == {"assistent": pytest.approx(40)}
    assert moved["tilsyn"]["to"] == {"sykepleier": pytest.approx(10)}
    assert "sykepleier_alltid" in s["binding_rules"]
    assert "fewer helsefagarbeider årsverk (the planning base)" in " ".join(text.split())


def test_no_shortfall_line_when_leon_needs_as_many(unit_dir, tmp_path, capsys):
    base_unit(unit_dir)
    code, text, err = run_cli(["solve", unit_dir / "unit.yaml"], capsys)
    assert code == 0, err
    assert "fewer helsefagarbeider" not in text


# ------------------------------------------------------------------------------------- errors
def test_a_task_without_the_marking_is_an_error(unit_dir, capsys):
    mark(unit_dir, stell=True, rydding=False)          # medisin left unmarked
    set_base(unit_dir, "helsefagarbeider")
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "catalogue.yaml",
                             r"tasks\[1\]\.health_competence \(line \d+\)")
    assert "'medisin'" in err and "health_competence: true" in err


def test_unmarked_tasks_are_fine_without_a_base(unit_dir, capsys):
    code, _, err = run_cli(["check", unit_dir / "unit.yaml"], capsys)
    assert code == 0, err


def test_base_not_a_group_of_the_unit(unit_dir, capsys):
    base_unit(unit_dir)
    edit(unit_dir / "groups.yaml", lambda d: d["groups"].append(
        {"id": "vernepleier", "name": "Vernepleier", "level": 3, "track": "care", "authorised": True,
         "cost_per_hour": 400, "illustrative": True}))
    set_base(unit_dir, "vernepleier")   # in the groups file, not in the unit
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"planning_base")
    assert "not one of the unit's groups" in err


def test_an_override_names_its_own_place(unit_dir):
    from planner.io.errors import InputError
    from planner.staffing.instance import load_unit, with_planning_base

    base_unit(unit_dir)
    inst = load_unit(unit_dir / "unit.yaml")
    with pytest.raises(InputError) as e:
        with_planning_base(inst, "lege", file="scenario.yaml", where="scenarios.mid.planning_base")
    assert e.value.file == "scenario.yaml" and e.value.field == "scenarios.mid.planning_base"


def test_no_group_at_or_above_the_base_may_do_a_health_task(unit_dir, capsys):
    # base sykepleier, but medisin marked as needing health competence and allowed only to helsefagarbeider
    base_unit(unit_dir)
    set_base(unit_dir, "sykepleier")
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][1].update(
        allowed=[{"group": "helsefagarbeider"}], today={"helsefagarbeider": 1}))
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"medisin")
    assert "planning base 'sykepleier'" in err


@pytest.mark.parametrize("field,value", [("health_competence", "yes"), ("health_competence", 1)])
def test_the_marking_is_a_strict_boolean(unit_dir, capsys, field, value):
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0].update({field: value}))
    assert_clear_error(capsys, ["check", unit_dir / "catalogue.yaml"], "catalogue.yaml", r"health_competence")


def test_a_source_needs_its_field(unit_dir, capsys):
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0].update(health_competence_source="Boks 8.2"))
    assert_clear_error(capsys, ["check", unit_dir / "catalogue.yaml"], "catalogue.yaml", r"tasks\[0\]")
    edit(unit_dir / "catalogue.yaml", lambda d: d["tasks"][0].pop("health_competence_source"))
    edit(unit_dir / "unit.yaml", lambda d: d.update(planning_base_source="NOU2023:4"))
    assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"planning_base")
