"""Cells an .xlsx reader would silently read as empty, roster grids that are not regular files, and roster
grids given to `leon check`: each is refused with the file, the cell or sheet, and the fix (exit 2), and the
valid form of each input still reads as before."""
from __future__ import annotations

import csv
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from planner.io.errors import InputError
from planner.roster.grids import looks_like_grid, read_grid
from planner.roster.locks import read_locks, read_previous
from test_unit_workbook import _col, _template

UNIT = ROOT / "instances/units/sykehjem.yaml"
STAFF = ROOT / "instances/staff/sykehjem.yaml"
ROSTER = ROOT / "instances/rosters/sykehjem_6uker.csv"
ROSTER_ARGS = ["--unit", UNIT, "--staff", STAFF]
FORMULA = '=IF(1=1,"N","-")'




def _cache(book: Path, cell: str, value: str, text: bool) -> None:
    """Store a formula's computed value in `cell`, as Excel and LibreOffice save it (openpyxl writes none):
    <v>value</v>, with t="str" for a text result."""
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    pattern = re.compile(rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v\s*/>'.encode())
    hits = [n for n, data in parts.items() if n.startswith("xl/worksheets/") and pattern.search(data)]
    assert len(hits) == 1, hits
    kind = b' t="str"' if text else b""
    parts[hits[0]] = pattern.sub(lambda m: b'<c r="' + cell.encode() + b'"' + m[1] + kind + b"><f>" + m[2] + b"</f><v>"
                                 + value.encode() + b"</v>", parts[hits[0]])
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _roster_xlsx(path: Path, rows: list[list[str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "turnus"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _shipped_roster_rows() -> list[list[str]]:
    with open(ROSTER, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


SMALL = [["id", "2027-01-04", "2027-01-05"], ["s1", "D", "-"], ["s2", "K", "N"]]


# ------------------------------------------------------------------------ 1. merged cells in a unit workbook
def test_merged_cells_in_a_unit_workbook_are_refused_naming_sheet_and_range(tmp_path, capsys):
    """Merging the class factors of a workload row kept only the first class (860 paid h/week in LEON
    instead of 965) and `leon check` passed it."""
    book = _template(UNIT, tmp_path / "unit.xlsx", capsys)
    code, _, err = run_cli(["check", book], capsys)
    assert code == 0, err
    wb = openpyxl.load_workbook(book)
    wb["arbeidsmengde"].merge_cells("E2:G2")
    wb.save(book)
    for cmd in ("check", "solve"):
        code, _, err = run_cli([cmd, book], capsys)
        assert code == 2, err
        assert "unit.xlsx: arbeidsmengde, rad 2, kolonne E" in err
        assert "merged cells E2:G2 in the sheet 'arbeidsmengde'" in err
        assert "fix: unmerge the cells and write the value in each" in err
        assert "Traceback" not in err


# ---------------------------------------------------------------- 2. formulas without a computed value
def test_uncomputed_formula_in_a_roster_xlsx_is_refused_at_its_cell(tmp_path, capsys):
    rows = _shipped_roster_rows()
    book = _roster_xlsx(tmp_path / "r.xlsx", rows)
    assert run_cli(["roster", "check", book, *ROSTER_ARGS], capsys)[0] == 1   # read and audited, as the CSV
    wb = openpyxl.load_workbook(book)
    wb.active["B2"] = FORMULA      # openpyxl stores the formula and no value: it was read as a day off
    wb.save(book)
    code, _, err = run_cli(["roster", "check", book, *ROSTER_ARGS], capsys)
    assert code == 2, err
    assert "r.xlsx: cell B2 of sheet 'turnus': a formula without a computed value (the file was written by a " \
           "program, not saved by Excel)" in err
    assert "fix: open and save the file in Excel/LibreOffice, or write the shift code itself" in err
    assert "Traceback" not in err
    for reader in (read_grid, read_locks, read_previous):   # roster check, --lock, --keep-from and --improve
        with pytest.raises(InputError, match="cell B2 of sheet 'turnus': a formula without a computed value"):
            reader(book)


def test_a_formula_with_its_computed_value_reads_as_that_value(tmp_path):
    """As Excel saves it: the formula and its last result; an empty text result is a day off."""
    book = _roster_xlsx(tmp_path / "r.xlsx", SMALL)
    wb = openpyxl.load_workbook(book)
    wb.active["B2"] = FORMULA
    wb.active["C3"] = '=IF(1=1,"","N")'
    wb.save(book)
    _cache(book, "B2", "N", text=True)
    _cache(book, "C3", "", text=True)
    grid = read_grid(book)
    assert grid.rows == {"s1": ["N", ""], "s2": ["K", ""]}
    assert read_locks(book).rows == {"s1": ["N", "-"], "s2": ["K", ""]}   # empty text: a free cell in a lock grid


def test_uncomputed_formula_in_a_unit_workbook_is_refused_at_its_cell(tmp_path, capsys):
    """A class factor written as a formula by a program was read as empty: that class dropped out of the
    row without a word (an empty required field said "is required but missing")."""
    book = _template(UNIT, tmp_path / "unit.xlsx", capsys)
    wb = openpyxl.load_workbook(book)
    ws = wb["arbeidsmengde"]
    ws.cell(2, _col(ws, "per_patient:tung"), "=1.2*1")
    wb.save(book)
    for cmd in ("check", "solve"):
        code, _, err = run_cli([cmd, book], capsys)
        assert code == 2, err
        assert "unit.xlsx: arbeidsmengde, rad 2, kolonne G (per_patient:tung): a formula without a computed " \
               "value" in err
        assert "fix: open and save the file in Excel/LibreOffice, or write the value itself" in err
        assert "Traceback" not in err


def test_a_unit_workbook_formula_with_its_computed_value_reads_as_that_value(unit_dir, capsys):
    book = _template(unit_dir / "unit.yaml", unit_dir / "unit.xlsx", capsys)
    code, _, err = run_cli(["solve", book, "--quiet", "--json", unit_dir / "a.json"], capsys)
    assert code == 0, err
    wb = openpyxl.load_workbook(book)
    ws = wb["arbeidsmengde"]
    column = _col(ws, "per_patient")
    assert ws.cell(2, column).value == 2          # stell, 2 per patient
    ws.cell(2, column, "=1+1")
    wb.save(book)
    _cache(book, f"{openpyxl.utils.get_column_letter(column)}2", "2", text=False)
    code, _, err = run_cli(["solve", book, "--quiet", "--json", unit_dir / "b.json"], capsys)
    assert code == 0, err
    a, b = ((unit_dir / n).read_text() for n in ("a.json", "b.json"))
    assert a == b


# --------------------------------------------------------------- 3. a roster grid that is not a regular file
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("special, kind", [("/dev/null", "character device"), ("fifo", "named pipe")])
def test_a_roster_grid_that_is_a_device_or_a_pipe_is_named_as_leon_check_names_it(tmp_path, capsys, special, kind):
    if special == "fifo":
        special = tmp_path / "roster.csv"
        os.mkfifo(special)          # opening it would wait for a writer for ever
    code, _, check_err = run_cli(["check", special], capsys)
    assert code == 2 and f"is not a regular file (it is a {kind})" in check_err
    code, _, err = run_cli(["roster", "check", special, *ROSTER_ARGS], capsys)
    assert code == 2 and err == check_err and "file not found" not in err
    for option in ("--lock", "--keep-from", "--improve"):
        code, _, err = run_cli(["roster", "build", *ROSTER_ARGS, "--time-limit", "5", "--out", tmp_path / "o.csv",
                                option, special], capsys)
        assert code == 2 and err == check_err, (option, err)
    assert not (tmp_path / "o.csv").exists()


def test_a_cut_off_utf16_roster_grid_is_refused_without_a_traceback(tmp_path, capsys):
    """A byte-order mark, then an odd byte: the grid reader's UTF-16 branch, now also reached by `leon check`."""
    bad = tmp_path / "r.csv"
    bad.write_bytes(b"\xff\xfeA")
    code, _, err = run_cli(["roster", "check", bad, *ROSTER_ARGS], capsys)
    assert code == 2 and "r.csv: starts as UTF-16 text but is not UTF-16 throughout" in err
    code, _, err = run_cli(["check", bad], capsys)
    assert code == 2 and "r.csv: line 1: is not UTF-8 text" in err and "Traceback" not in err


def test_a_missing_roster_grid_and_a_folder_are_still_named(tmp_path, capsys):
    code, _, err = run_cli(["roster", "check", tmp_path / "nothere.csv", *ROSTER_ARGS], capsys)
    assert code == 2 and "nothere.csv: file not found" in err
    code, _, err = run_cli(["roster", "check", tmp_path, *ROSTER_ARGS], capsys)
    assert code == 2 and "is a folder, not a file" in err


# ------------------------------------------------------------------------ 4. `leon check` on a roster grid
def test_leon_check_points_a_roster_grid_to_leon_roster_check(tmp_path, capsys):
    book = _roster_xlsx(tmp_path / "r.xlsx", _shipped_roster_rows())
    merged = _roster_xlsx(tmp_path / "m.xlsx", SMALL)      # a grid with a fault is still a grid
    wb = openpyxl.load_workbook(merged)
    wb.active.merge_cells("B2:C2")
    wb.save(merged)
    for grid in (ROSTER, book, merged):
        code, out, err = run_cli(["check", grid], capsys)
        assert code == 2 and not out, err
        assert f"{grid}: this looks like a roster grid" in err
        assert f"fix: check it with `leon roster check {grid} --unit UNIT --staff STAFF`" in err
        assert "Traceback" not in err


def test_leon_check_tells_other_files_apart_from_a_roster_grid(tmp_path, capsys):
    # a CSV table of the national data is no roster grid: the message stays the one about its format
    table = ROOT / "instances/national/helsemod_groups.csv"
    assert not looks_like_grid(table)
    code, _, err = run_cli(["check", table], capsys)
    assert code == 2 and "roster grid" not in err and "must be a mapping with `kind:`" in err
    # a YAML file whose first line reads as an id and a date is still reported as YAML
    bad = tmp_path / "unit.yaml"
    bad.write_text("# x, 2027-01-04\nkind: unit\n", encoding="utf-8")
    code, _, err = run_cli(["check", bad], capsys)
    assert code == 2 and "roster grid" not in err
    code, out, err = run_cli(["check", UNIT, STAFF], capsys)
    assert code == 0 and "roster grid" not in out + err
