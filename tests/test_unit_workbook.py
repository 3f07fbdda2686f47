"""Unit workbooks: `leon template` writes a unit as .xlsx, `leon check` and `leon solve` read it back through
the same schema and checks as YAML, and a bad cell is named by sheet, row and column."""

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from planner.staffing.schema import MAX_PER_PATIENT, MAX_PER_UNIT
from test_bad_input import edit


def _solve(unit: Path, out: Path, capsys) -> dict:
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    doc["unit"].pop("file")  # unit.yaml or unit.xlsx: the one field that names the file itself
    return doc


def _template(unit: Path, out: Path, capsys) -> Path:
    code, _, err = run_cli(["template", out, "--from", unit], capsys)
    assert code == 0, err
    return out


def _col(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


def test_small_unit_solves_the_same_from_its_workbook(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    assert _solve(book, unit_dir / "b.json", capsys) == _solve(unit_dir / "unit.yaml", unit_dir / "a.json", capsys)


def test_unit_with_its_own_task_minutes_solves_the_same_from_its_workbook(unit_dir, capsys):
    """task_minutes go to the `oppgavetid` sheet (beside the catalogue's minutes) and come back: stell at
    45 min instead of 30 is 10 patients × 2 × 45 / 60 = 15 h on the day shift, from YAML and workbook."""
    edit(unit_dir / "unit.yaml", lambda d: d.update(task_minutes={
        "stell": {"minutes": 45, "source": "time study", "note": "heavier residents"}}))
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    ws = openpyxl.load_workbook(book)["oppgavetid"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    head = [c.value for c in ws[1]]
    assert set(rows) == {"stell", "medisin", "rydding"}  # every task of the workload
    stell = dict(zip(head, rows["stell"], strict=True))
    assert (stell["catalogue_minutes"], stell["minutes"], stell["source"]) == (30, 45, "time study")
    assert dict(zip(head, rows["medisin"], strict=True))["minutes"] is None  # the catalogue's 6 min hold
    yaml_doc = _solve(unit_dir / "unit.yaml", unit_dir / "a.json", capsys)
    assert yaml_doc["workload"]["stell"]["hverdag_dag"] == pytest.approx(15)
    assert _solve(book, unit_dir / "b.json", capsys) == yaml_doc


def test_bad_task_minutes_cells_are_named(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    # row 2 is stell (the workload's first task): 0 minutes, then minutes without a source
    letter = _edit(book, "oppgavetid", 2, "minutes", 0)
    code, _, err = run_cli(["check", book], capsys)
    assert code == 2 and f"oppgavetid, rad 2, kolonne {letter} (minutes)" in err and "greater than 0" in err
    _edit(book, "oppgavetid", 2, "minutes", 40)
    code, _, err = run_cli(["check", book], capsys)
    assert code == 2 and "oppgavetid, rad 2" in err and "needs `source:`" in err
    _edit(book, "oppgavetid", 2, "illustrative", True)
    letter = _edit(book, "oppgavetid", 2, "task", "finnes_ikke")
    code, _, err = run_cli(["check", book], capsys)
    assert code == 2 and f"oppgavetid, rad 2, kolonne {letter} (task)" in err and "unknown task" in err


def test_workbook_without_the_task_minutes_sheet_still_reads(unit_dir, capsys):
    """A workbook written before the `oppgavetid` sheet existed: the catalogue's minutes hold."""
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    wb = openpyxl.load_workbook(book)
    del wb["oppgavetid"]
    wb.save(book)
    assert _solve(book, unit_dir / "b.json", capsys) == _solve(unit_dir / "unit.yaml", unit_dir / "a.json", capsys)


def test_shipped_unit_solves_the_same_from_a_workbook_in_another_folder(tmp_path, capsys):
    # the unit with the catalogue and rule sets it names, laid out as shipped; the workbook goes one
    # folder away, so its references must be rewritten relative to the workbook's own folder
    for sub in ("units", "catalogue", "rules"):
        shutil.copytree(ROOT / "instances" / sub, tmp_path / sub)
    (tmp_path / "books").mkdir()
    unit = tmp_path / "units" / "sykehjem.yaml"
    book = _template(unit, tmp_path / "books" / "sykehjem.xlsx", capsys)
    assert openpyxl.load_workbook(book)["enhet"]["B7"].value == "../catalogue/tasks.yaml"
    a = _solve(unit, tmp_path / "a.json", capsys)
    assert a["results"]["leon"]["status"] == "optimal"
    assert _solve(book, tmp_path / "b.json", capsys) == a


def test_template_from_a_workbook_keeps_the_fields_of_its_extra_rules(unit_dir, capsys):
    """A workbook made from a workbook: the unit's own rule keeps its `groups` and `min` (not only the
    fields every rule has). Two helsefagarbeidere by day is a rule that changes the answer."""
    edit(unit_dir / "unit.yaml", lambda d: d.update(extra_rules=[
        {"id": "to_hfa", "type": "min_heads", "groups": ["helsefagarbeider"], "min": 2, "shifts": "dag",
         "illustrative": True}]))
    first = _template(unit_dir / "unit.yaml", unit_dir / "a.xlsx", capsys)
    second = _template(first, unit_dir / "b.xlsx", capsys)
    doc = _solve(second, unit_dir / "b.json", capsys)
    assert doc["results"]["leon"]["staff"]["hverdag_dag"]["helsefagarbeider"] >= 2
    assert doc == _solve(unit_dir / "unit.yaml", unit_dir / "a.json", capsys)


def test_check_accepts_a_workbook(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    code, out, err = run_cli(["check", book], capsys)
    assert code == 0, err
    assert "unit testenhet: 3 groups, 2 shifts, 3 tasks in the workload" in out


# --------------------------------------------------------------------------------------- bad cells
def _edit(book: Path, sheet: str, row: int, column: str, value) -> str:
    """Write one cell; return its column letter."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    c = _col(ws, column)
    ws.cell(row, c).value = value  # cell(row, c, None) would leave the old value
    wb.save(book)
    return openpyxl.utils.get_column_letter(c)


@pytest.mark.parametrize("column, value, problem", [
    ("per_patient", "to", "valid number"),          # text in a number column
    ("per_patient", MAX_PER_PATIENT + 1, f"less than or equal to {MAX_PER_PATIENT}"),
    ("task", "finnes_ikke", "unknown task 'finnes_ikke'"),   # an id the catalogue lacks (a later check)
    ("shifts", None, "no shift given"),                      # a row with a missing shift
    ("shifts", "helg", "matches no shift"),                  # a shift the unit does not have
])
def test_bad_workload_cell_is_named_by_sheet_row_and_column(unit_dir, capsys, column, value, problem):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    # row 3 is the second workload row (medisin, per_patient 1)
    letter = _edit(book, "arbeidsmengde", 3, column, value)
    for cmd in ("check", "solve"):
        code, _, err = run_cli([cmd, book], capsys)
        assert code == 2, err
        assert f"unit.xlsx: arbeidsmengde, rad 3, kolonne {letter} ({column})" in err
        assert problem in err
        assert "Traceback" not in err


def test_bad_cell_in_the_unit_sheet_and_in_a_rule_override(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    wb = openpyxl.load_workbook(book)
    beds_row = next(c.row for c in wb["enhet"]["A"] if c.value == "beds")
    wb["enhet"].cell(beds_row, 2, "ti")
    wb.save(book)
    code, _, err = run_cli(["check", book], capsys)
    assert code == 2 and f"enhet, rad {beds_row}, kolonne B (beds)" in err

    book = _template(unit_dir / "unit.yaml", unit_dir / "unit2.xlsx", capsys)
    ws = openpyxl.load_workbook(book)["regler"]
    rule_row = next(c.row for c in ws["B"][1:] if c.value)
    letter = _edit(book, "regler", rule_row, "min", -1)
    code, _, err = run_cli(["check", book], capsys)
    assert code == 2 and f"regler, rad {rule_row}, kolonne {letter} (min)" in err


def test_a_changed_workbook_gives_the_changed_result(unit_dir, capsys):
    """The workbook is read, not ignored: doubling `stell` (2 -> 4 per patient on the day shift) adds
    10 patients x 2 more occurrences to the day shift's workload."""
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    before = _solve(book, unit_dir / "a.json", capsys)["workload"]["stell"]
    _edit(book, "arbeidsmengde", 2, "per_patient", 4)
    after = _solve(book, unit_dir / "b.json", capsys)["workload"]["stell"]
    assert after["hverdag_dag"] == pytest.approx(2 * before["hverdag_dag"])


# ------------------------------------------------------------------------------------- the layout
def test_template_has_frozen_locked_headers_and_validations(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    wb = openpyxl.load_workbook(book)
    assert {"forklaring", "enhet", "pasienter", "vakter", "arbeidsmengde", "oppgavetid", "regler",
            "tilgjengelighet"} <= set(wb.sheetnames)
    for name in ("pasienter", "vakter", "arbeidsmengde", "oppgavetid", "regler", "tilgjengelighet"):
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.protection.sheet, name
        assert ws["A1"].protection.locked and not ws["A2"].protection.locked, name
    ws = wb["arbeidsmengde"]
    dvs = ws.data_validations.dataValidation
    task = _col(ws, "task")
    lists = [dv for dv in dvs if dv.type == "list" and f"{openpyxl.utils.get_column_letter(task)}2" in dv.sqref]
    assert lists and lists[0].formula1.startswith("lister!")
    # the task list holds the catalogue's tasks
    tasks = [c.value for c in wb["lister"]["B"][1:] if c.value]
    assert {"stell", "medisin", "rydding"} <= set(tasks)
    for column, hi in (("per_patient", MAX_PER_PATIENT), ("per_unit", MAX_PER_UNIT)):
        letter = openpyxl.utils.get_column_letter(_col(ws, column))
        (dv,) = [dv for dv in dvs if dv.type == "decimal" and f"{letter}2" in dv.sqref]
        assert (float(dv.formula1), float(dv.formula2)) == (0, hi)
    # one column per patient class, holding the class factors
    assert _col(ws, "per_patient:tung")
    explained = {(r[0].value, r[1].value) for r in wb["forklaring"].iter_rows(min_row=2)}
    assert ("arbeidsmengde", "per_patient") in explained and ("vakter", "paid_hours") in explained


def test_empty_template_lists_the_shipped_catalogue_and_is_checked_as_empty(tmp_path, capsys):
    out = tmp_path / "ny.xlsx"
    code, _, err = run_cli(["template", out], capsys)
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    assert "sykepleier" in [c.value for c in wb["lister"]["A"]]
    assert wb["arbeidsmengde"].max_row == 1 or not any(c.value for c in wb["arbeidsmengde"][2])
    code, _, err = run_cli(["check", out], capsys)
    assert code == 2 and "ny.xlsx: enhet, rad 2, kolonne B (id)" in err


# ------------------------------------------------------------------------------------ output guard
def test_template_refuses_to_write_over_its_input(unit_dir, capsys):
    unit = unit_dir / "unit.yaml"
    text = unit.read_text()
    code, _, err = run_cli(["template", unit, "--from", unit], capsys)
    assert code == 2 and "is an input file of this run" in err
    assert unit.read_text() == text
    book = _template(unit, unit_dir / "unit.xlsx", capsys)
    data = book.read_bytes()
    code, _, err = run_cli(["template", book, "--from", book], capsys)
    assert code == 2 and "is an input file of this run" in err
    assert book.read_bytes() == data
