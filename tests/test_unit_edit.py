"""The unit page's tables as plain functions (app.unit_edit): document -> rows -> document, an edit
changes only what it edits, every loader error finds its table, and the edited unit's downloads
solve with the CLI as the page solved them."""

from __future__ import annotations

import copy
import io
import json
import shutil

import openpyxl
import pytest

from app import logic
from app import unit_edit as ue
from conftest import ROOT, run_cli
from planner.io.errors import InputError

UNITS = ROOT / "instances" / "units"
NAME = "sykehjem.yaml"


@pytest.fixture(scope="module")
def doc() -> dict:
    return logic.unit_document(UNITS / NAME)


@pytest.fixture(scope="module")
def ctx(doc) -> ue.Context:
    return ue.context(doc, NAME, UNITS)


def _rows(part: str, doc: dict, ctx) -> list[dict]:
    return copy.deepcopy(ue.PARTS[part].rows(doc, ctx))


def _row(rows: list[dict], key: str, value: str) -> dict:
    return next(r for r in rows if r[key] == value)


def _others_equal(a: dict, b: dict, *keys: str) -> None:
    """Everything but `keys` is as it was (an edit writes only its own part)."""
    assert {k: v for k, v in a.items() if k not in keys} == {k: v for k, v in b.items() if k not in keys}


# ------------------------------------------------------------------------------------ unedited
@pytest.mark.parametrize("name", sorted(p.name for p in UNITS.glob("*.yaml")))
def test_unedited_tables_leave_every_shipped_unit_as_it_is(name):
    d = logic.unit_document(UNITS / name)
    c = ue.context(d, name, UNITS)
    for part, spec in ue.PARTS.items():
        rows = spec.rows(d, c)
        assert spec.write(d, rows, c) == d, part
        assert ue.edited(d, part, rows, c) is None, part
        # the page's way: rows -> editor table (number columns typed as numbers) -> rows
        numeric = tuple(k for k in (rows[0] if rows else {}) if k != "_row" and all(
            isinstance(r[k], (int, float, type(None))) and not isinstance(r[k], bool) for r in rows))
        assert ue.from_frame(ue.to_frame(rows, numeric)) == rows, part


def test_an_unedited_document_solves_as_the_cli(doc, tmp_path, capsys):
    out = tmp_path / "cli.json"
    code, _, err = run_cli(["solve", UNITS / NAME, "--json", out, "--quiet"], capsys)
    assert code == 0, err
    answer = logic.solve_unit(logic.document_instance(doc, NAME))
    assert json.loads(logic.json_bytes(answer)) == json.loads(out.read_text())


# ------------------------------------------------------------------------------------ each table
def test_patients_round_trip(doc, ctx):
    rows = _rows("patients", doc, ctx)
    _row(rows, "class", "tung")["count"] = 30
    new = ue.write_patients(doc, rows, ctx)
    assert ue.patient_rows(new, ctx) == rows
    tung = next(c for c in new["patient_classes"] if c["id"] == "tung")
    assert tung["count"] == 30 and tung["source"] == next(c for c in doc["patient_classes"] if c["id"] == "tung")[
        "source"]
    _others_equal(new, doc, "patient_classes")


def test_workload_round_trip_with_a_changed_an_added_and_a_removed_row(doc, ctx):
    rows = _rows("workload", doc, ctx)
    n = len(rows)
    assert rows[0]["task"] == "morgenstell" and rows[0]["shifts"] == "dag"
    rows[0][ue.CLASS + "tung"] = 1.5                              # changed (morgenstell, tung 1.2 -> 1.5)
    removed = rows.pop(1)                                         # kveldsstell gone
    rows.append({"_row": None, "task": "dusj", "shifts": "helg_dag, hverdag_dag", "per_patient": 0.1,
                 **{ue.CLASS + c: None for c in ue.classes(doc)}, "per_unit": None})  # added
    new = ue.write_workload(doc, rows, ctx)
    _others_equal(new, doc, "workload")
    work = new["workload"]
    assert len(work) == n and removed["task"] == "kveldsstell" and "kveldsstell" not in [w["task"] for w in work]
    # the changed row keeps its source; the unchanged ones are the document's own entries
    assert work[0]["per_patient"] == {"lett": 0.333, "middels": 0.833, "tung": 1.5}
    assert work[0]["source"] == doc["workload"][0]["source"]
    assert work[1:-1] == doc["workload"][2:]
    assert work[-1] == {"task": "dusj", "shifts": ["helg_dag", "hverdag_dag"], "per_patient": 0.1}
    # rows -> document -> rows: the same rows, numbered by their new place
    assert ue.workload_rows(new, ctx) == [dict(r, _row=i) for i, r in enumerate(rows)]


def test_workload_row_added_after_the_last_was_removed_is_new(doc, ctx):
    """The editor numbers an added row after the highest index left, which after deleting the last row is
    that row's own index: the row's place travels in `_row`, so the new row takes nothing of the old one."""
    rows = _rows("workload", doc, ctx)
    last = rows.pop()
    assert doc["workload"][-1].get("note")                      # varebestilling has a note of its own
    rows.append(dict(last, _row=None, per_patient=0.4))
    df = ue.to_frame(rows)
    df.index = list(range(len(rows)))                           # the editor's index, as it would number it
    new = ue.write_workload(doc, ue.from_frame(df), ctx)
    assert new["workload"][-1] == {"task": last["task"], "shifts": "hverdag_dag", "per_patient": 0.4}


@pytest.mark.parametrize("change, field, problem", [
    ({"shifts": None}, "workload[0].shifts", "no shift given"),
    ({"per_patient": 1}, "workload[0].per_patient", "both a number for every patient and numbers per patient class"),
])
def test_workload_rows_that_cannot_be_written(doc, ctx, change, field, problem):
    rows = _rows("workload", doc, ctx)
    rows[0].update(change)
    with pytest.raises(InputError) as e:
        ue.write_workload(doc, rows, ctx)
    assert (e.value.field, e.value.problem) == (field, problem) and e.value.fix
    assert ue.part_of(e.value, NAME) == "workload"


def test_task_minutes_round_trip(doc, ctx):
    rows = _rows("task_minutes", doc, ctx)
    assert [r["task"] for r in rows] == ue.workload_tasks(doc)  # every task of the workload, once
    mor = _row(rows, "task", "morgenstell")
    assert (mor["catalogue"], mor["minutes"]) == (30, None)     # the catalogue's 30 min, no own minutes
    mor.update(minutes=35, source="time study")
    new = ue.write_minutes(doc, rows, ctx)
    assert new["task_minutes"] == {"morgenstell": {"minutes": 35, "source": "time study"}}
    assert ue.minute_rows(new, ctx) == rows
    _others_equal(new, doc, "task_minutes")
    # an emptied cell: back to the catalogue's minutes, and no task_minutes left
    rows = _rows("task_minutes", new, ctx)
    _row(rows, "task", "morgenstell").update(minutes=None)
    assert ue.write_minutes(new, rows, ctx) == doc
    # a tick alone (no minutes) changes nothing: the page keeps it in the table until minutes follow
    rows = _rows("task_minutes", doc, ctx)
    _row(rows, "task", "dusj").update(illustrative=True)
    assert ue.write_minutes(doc, rows, ctx) == doc and ue.edited(doc, "task_minutes", rows, ctx) is None


def test_today_round_trip(doc, ctx):
    rows = _rows("today", doc, ctx)
    mor = _row(rows, "task", "morgenstell")
    # shown from the catalogue (no override): helsefagarbeider 0.5, assistent 0.3, sykepleier 0.2
    assert (mor["own"], mor["helsefagarbeider"], mor["assistent"], mor["sykepleier"]) == (False, 0.5, 0.3, 0.2)
    blod = _row(rows, "task", "blodprove")
    assert blod["own"] and blod["sykepleier"] == 1.0                 # the unit's own override
    mor.update(helsefagarbeider=0.7, assistent=0.1)
    new = ue.write_today(doc, rows, ctx)
    assert new["today_overrides"] == {**doc["today_overrides"],
                                      "morgenstell": {"assistent": 0.1, "helsefagarbeider": 0.7, "sykepleier": 0.2}}
    assert ue.today_rows(new, ctx) == [dict(r, own=True) if r["task"] == "morgenstell" else r for r in rows]
    _others_equal(new, doc, "today_overrides")
    # the catalogue's shares again: the override goes
    rows = _rows("today", new, ctx)
    _row(rows, "task", "morgenstell").update(helsefagarbeider=0.5, assistent=0.3)
    assert ue.write_today(new, rows, ctx) == doc


def test_shifts_round_trip(doc, ctx):
    rows = _rows("shifts", doc, ctx)
    rows[0].update(end="15:30", paid_hours=8)
    new = ue.write_shifts(doc, rows, ctx)
    assert ue.shift_rows(new, ctx) == rows
    assert (new["shifts"][0]["end"], new["shifts"][0]["paid_hours"]) == ("15:30", 8)
    assert new["shifts"][0]["source"] == doc["shifts"][0]["source"] and new["shifts"][1:] == doc["shifts"][1:]
    _others_equal(new, doc, "shifts")


def test_rules_round_trip(doc, ctx):
    rows = _rows("rules", doc, ctx)
    spv = _row(rows, "rule", "sykepleier_pa_vakt")
    assert (spv["enabled"], spv["min"], spv["ratio"]) == (True, 1, None)
    assert _row(rows, "rule", "tilsyn_ufaglaerte")["ratio"] == 2
    spv.update(enabled=False, min=2)
    new = ue.write_rules(doc, rows, ctx)
    assert new["rule_overrides"] == {"sykepleier_pa_vakt": {"enabled": False, "min": 2}}
    assert ue.rule_rows(new, ctx) == rows
    _others_equal(new, doc, "rule_overrides")
    # the rule's own values again (or emptied cells): no override left
    rows = _rows("rules", new, ctx)
    _row(rows, "rule", "sykepleier_pa_vakt").update(enabled=True, min=None)
    assert ue.write_rules(new, rows, ctx) == doc


def test_rules_show_a_units_extra_rules_and_its_overrides(doc, ctx):
    d = copy.deepcopy(doc)
    d["extra_rules"] = [{"id": "to_hfa", "type": "min_heads", "groups": ["helsefagarbeider"], "min": 2,
                         "illustrative": True}]
    d["rule_overrides"] = {"to_hfa": {"min": 3}}
    row = _row(ue.rule_rows(d, ctx), "rule", "to_hfa")
    assert (row["min"], row["about"]) == (3, "to_hfa (min_heads)")


def test_availability_round_trip(doc, ctx):
    d = copy.deepcopy(doc)
    # overlapping selectors: the tighter cap holds where they overlap (the loader's reading)
    d["availability"] = {"sykepleier": {"all": 2, "natt": 1}, "assistent": {"helg": 3}}
    rows = ue.availability_rows(d, ctx)
    caps = {r["shift"]: (r["sykepleier"], r["assistent"], r["helsefagarbeider"]) for r in rows}
    assert caps["hverdag_dag"] == (2, None, None) and caps["helg_natt"] == (1, 3, None)
    for r in rows:
        if r["shift"].endswith("natt"):
            r["vernepleier"] = 0
    new = ue.write_availability(d, rows, ctx)
    # only the edited group is written (per shift id); the others keep their selectors
    assert new["availability"] == {**d["availability"], "vernepleier": {"hverdag_natt": 0, "helg_natt": 0}}
    assert ue.availability_rows(new, ctx) == rows
    # every cap of a group emptied: the group goes
    for r in rows:
        r["assistent"] = None
    assert "assistent" not in ue.write_availability(d, rows, ctx)["availability"]


def test_planning_base_keeps_its_source_only_for_its_own_base(doc):
    assert ue.base_options(doc) == [None, *doc["groups"]]
    none = ue.write_planning_base(doc, None, doc)
    assert "planning_base" not in none and "planning_base_source" not in none
    _others_equal(none, doc, "planning_base", "planning_base_source")
    other = ue.write_planning_base(none, "sykepleier", doc)
    assert other["planning_base"] == "sykepleier" and "planning_base_source" not in other
    assert ue.write_planning_base(other, "helsefagarbeider", doc) == doc
    assert ue.write_planning_base(doc, "helsefagarbeider", doc) is doc


# ------------------------------------------------------------------------------------ errors
def _error(doc: dict, fn) -> InputError:
    d = copy.deepcopy(doc)
    fn(d)
    with pytest.raises(InputError) as e:
        logic.document_instance(d, NAME)
    return e.value


@pytest.mark.parametrize("edit, part, field", [
    (lambda d: d["patient_classes"][0].update(count=-2), "patients", "patient_classes[0].count"),
    (lambda d: d["workload"][0].update(task="finnes_ikke"), "workload", "workload[0].task"),
    (lambda d: d.update(task_minutes={"morgenstell": {"minutes": 35}}), "task_minutes", "task_minutes.morgenstell"),
    (lambda d: d["today_overrides"].update(morgenstell={"sykepleier": 0.5}), "today", "today_overrides.morgenstell"),
    (lambda d: d["shifts"][0].update(end="15.00"), "shifts", "shifts[0].end"),
    (lambda d: d.update(rule_overrides={"aldri_alene": {"min": 2}}), "rules", "rule_overrides.aldri_alene.min"),
    (lambda d: d.update(availability={"lege": {"all": 1}}), "availability", "availability.lege"),
    (lambda d: d.update(planning_base="lege"), "planning_base", "planning_base"),
    (lambda d: d.update(beds=0), None, "beds"),                       # no table edits beds
    (lambda d: d.update(catalogue="../catalogue/finnes_ikke.yaml"), None, "catalogue"),
])
def test_each_error_belongs_beside_its_table(doc, edit, part, field):
    e = ue.shown_error(_error(doc, edit))
    assert e.file == NAME and e.fix
    assert e.field == field  # the CLI's field path; the temporary file's line number left out
    assert ue.part_of(e, NAME) == part


def test_an_error_in_another_file_belongs_to_no_table():
    e = InputError("/somewhere/rules/sykehjem.yaml", "rules.sykepleier_pa_vakt", "reserves …", "add …")
    assert ue.part_of(e, NAME) is None


# ------------------------------------------------------------------------------------ downloads
def _shipped_layout(tmp_path):
    """A copy of instances/ (units/ beside catalogue/ and rules/): where a downloaded unit is saved."""
    shutil.copytree(ROOT / "instances", tmp_path / "instances", ignore=shutil.ignore_patterns("rosters", "national"))
    return tmp_path / "instances" / "units"


def _cli(path, tmp_path, capsys) -> dict:
    out = tmp_path / f"{path.name}.json"
    code, _, err = run_cli(["solve", path, "--json", out, "--quiet"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    doc["unit"].pop("file")
    return doc


def test_downloaded_unit_solves_with_the_cli_as_the_page_solved_it(doc, ctx, tmp_path, capsys):
    rows = _rows("task_minutes", doc, ctx)
    _row(rows, "task", "morgenstell").update(minutes=45, illustrative=True)
    edited = ue.write_minutes(doc, rows, ctx)
    page = json.loads(logic.json_bytes(logic.solve_unit(logic.document_instance(edited, NAME))))
    page["unit"].pop("file")
    units = _shipped_layout(tmp_path)
    (units / "min_enhet.yaml").write_bytes(logic.unit_yaml_bytes(edited))
    (units / "min_enhet.xlsx").write_bytes(logic.unit_xlsx_bytes(edited))
    assert _cli(units / "min_enhet.yaml", tmp_path, capsys) == page
    assert _cli(units / "min_enhet.xlsx", tmp_path, capsys) == page
    # the workbook holds the edit on its oppgavetid sheet, and keeps the shipped references
    wb = openpyxl.load_workbook(io.BytesIO(logic.unit_xlsx_bytes(edited)))
    head = [c.value for c in wb["oppgavetid"][1]]
    mor = next(dict(zip(head, r, strict=True)) for r in wb["oppgavetid"].iter_rows(min_row=2, values_only=True)
               if r[0] == "morgenstell")
    assert (mor["catalogue_minutes"], mor["minutes"], mor["illustrative"]) == (30, 45, True)
    assert next(r[1] for r in wb["enhet"].iter_rows(values_only=True) if r[0] == "catalogue") == doc["catalogue"]
    # and the edit moved the answer: 15 more minutes per morgenstell means more paid hours
    assert page["workload"] != _cli(UNITS / NAME, tmp_path, capsys)["workload"]


def test_upload_of_a_workbook_gives_the_units_document(tmp_path, capsys):
    units = _shipped_layout(tmp_path)
    book = units / "enhet.xlsx"
    code, _, err = run_cli(["template", book, "--from", units / NAME], capsys)
    assert code == 0, err
    got, name = logic.upload_document(book.name, book.read_bytes())
    assert name == "enhet.yaml"
    a = logic.solve_unit(logic.document_instance(got, name)).doc
    b = logic.solve_unit(logic.load_unit(UNITS / NAME)).doc
    assert a["results"] == b["results"] and a["freed_fte"] == b["freed_fte"]


def test_upload_document_reports_a_workbook_error_at_its_cell(tmp_path, capsys):
    units = _shipped_layout(tmp_path)
    book = units / "enhet.xlsx"
    assert run_cli(["template", book, "--from", units / NAME], capsys)[0] == 0
    wb = openpyxl.load_workbook(book)
    wb["pasienter"]["C2"] = -1
    wb.save(book)
    with pytest.raises(InputError) as e:
        logic.upload_document(book.name, book.read_bytes())
    assert e.value.file == "enhet.xlsx" and "pasienter, rad 2, kolonne C (count)" in e.value.field
