"""Read a unit workbook (.xlsx, as `leon template` writes it) into the dict a unit YAML gives.

The dict is validated with the same UnitFile model as YAML, and load_unit checks it across files the same
way. Every problem is reported at its cell: `UNIT.xlsx: arbeidsmengde, rad 7, kolonne C (per_patient): ...`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from planner.io import loader
from planner.io.errors import InputError, shown
from planner.staffing.schema import UnitFile
from planner.staffing.workbook_layout import CLASS_PREFIX, ENHET, OPTIONAL, SHEETS, Col

Cell = tuple[str, int, int | None, str | None]  # sheet, row, column (1-based), header


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def where(cell: Cell) -> str:
    sheet, row, col, name = cell
    text = f"{sheet}, rad {row}"
    return text + (f", kolonne {get_column_letter(col)}" + (f" ({name})" if name else "") if col else "")


def read_unit(path: Path) -> tuple[UnitFile, dict[tuple, Cell]]:
    """The workbook's unit, validated, and the cell of every field (for messages of later checks)."""
    from openpyxl import load_workbook

    raw = loader.read_bytes(path)  # the size and file-type checks, and the record of the read
    try:
        wb = load_workbook(io.BytesIO(raw), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(path, "", f"is not an Excel workbook leon can read ({type(e).__name__})",
                         "save it from Excel as .xlsx (Excel-arbeidsbok), or write one with `leon template`") from None
    data: dict[str, Any] = {"kind": "unit"}
    cells: dict[tuple, Cell] = {}
    for name in SHEETS:
        if name not in wb.sheetnames and name not in OPTIONAL:
            raise InputError(path, name, f"the sheet {name!r} is missing",
                             f"keep the sheets of `leon template` ({', '.join(SHEETS)})")
    _refuse_unreadable_cells(path, raw, [wb[name] for name in SHEETS if name in wb.sheetnames])
    _enhet(path, wb["enhet"], data, cells)
    _pasienter_vakter(path, wb, data, cells)
    _arbeidsmengde(path, wb["arbeidsmengde"], data, cells)
    if "oppgavetid" in wb.sheetnames:
        _oppgavetid(path, wb["oppgavetid"], data, cells)
    _regler(path, wb["regler"], data, cells)
    _tilgjengelighet(path, wb["tilgjengelighet"], data, cells)
    try:
        unit = UnitFile.model_validate(data)
    except ValidationError as e:
        raise locate(path, cells, loader._validation_error(path, None, e)) from None
    with located(path, cells):  # the names a unit YAML's loader checks: training, rule_overrides' groups and shifts
        loader._check_unit_refs(path, data, None)
    return unit, cells


def unit_document(path: Path) -> dict:
    """The workbook's unit as the dict a unit YAML holds (only the fields it fills; every rule with the
    fields of its own type)."""
    return read_unit(path)[0].model_dump(exclude_unset=True, serialize_as_any=True)


@contextlib.contextmanager
def located(path: Path, cells: dict[tuple, Cell]) -> Iterator[None]:
    """Report a problem that later checks find in the workbook's fields at the field's cell."""
    try:
        yield
    except InputError as e:
        raise locate(path, cells, e) from None


def locate(path: Path, cells: dict[tuple, Cell], e: InputError) -> InputError:
    """The error with its field path (`workload[3].task`) replaced by the cell it came from."""
    if Path(e.file) != Path(path) or not e.field:
        return e
    field = re.sub(r" \(line \d+\)$", "", e.field)
    parts = tuple(int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", field))
    for n in range(len(parts), 0, -1):
        if parts[:n] in cells:
            return InputError(e.file, where(cells[parts[:n]]) + f" [{field}]", e.problem, e.fix)
    return e


# ------------------------------------------------------------------------------------------ cells
def _refuse_unreadable_cells(path: Path, raw: bytes, sheets: list) -> None:
    """Refuse cells whose value would silently be read as empty (``unreadable_cell``): either would change the
    unit without a word (a merged row of class factors drops the classes after the first)."""
    bad = unreadable_cell(raw, sheets)
    if bad is not None:
        ws, row, col, problem, kind = bad
        raise InputError(path, where((ws.title, row, col, _header(ws, col))), problem,
                         "unmerge the cells and write the value in each" if kind == "merged" else FORMULA_FIX)


def unreadable_cell(raw: bytes, sheets: list) -> tuple[Any, int, int, str, str] | None:
    """The first cell of ``sheets`` (openpyxl worksheets of the .xlsx ``raw``) that openpyxl reads as empty
    although it is not: a non-first cell of a merged range, or a formula never computed
    (``uncomputed_formulas``). (sheet, row, column, what is wrong, "merged" | "formula"), or None. The unit
    workbook and the roster grid readers both refuse it, each with its own fix."""
    for ws in sheets:
        for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
            if rng.size["rows"] * rng.size["columns"] > 1:
                problem = (f"merged cells {rng.coord} in the sheet {ws.title!r}: only the first cell keeps its "
                           "value, the others would be read as empty")
                return ws, rng.min_row, rng.min_col, problem, "merged"
    formulas = uncomputed_formulas(raw, [ws.title for ws in sheets])
    ws = next((ws for ws in sheets if ws.title in formulas), None)
    return None if ws is None else (ws, *formulas[ws.title], FORMULA_PROBLEM, "formula")


def _header(ws, col: int) -> str | None:
    v = ws.cell(1, col).value
    return (str(v).strip() or None) if v is not None else None


FORMULA_PROBLEM = "a formula without a computed value (the file was written by a program, not saved by Excel)"
FORMULA_FIX = "open and save the file in Excel/LibreOffice, or write the value itself"
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def uncomputed_formulas(raw: bytes, titles: list[str]) -> dict[str, tuple[int, int]]:
    """{sheet title: (row, column) of its first formula without a computed value}, for the named sheets of an
    .xlsx (the roster grid reader uses it too).

    openpyxl (data_only) reads such a cell as empty, as it does a formula whose value is empty text, so the
    sheet XML decides: Excel and LibreOffice store every formula's last result in <v> (an empty text result
    as t="str" with an empty <v>); a program that writes formulas without computing them (openpyxl among
    them) leaves <v> out or empty."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            parts = _sheet_parts(z)
            found = {}
            for title in titles:
                if title in parts:
                    at = _first_uncomputed(z.open(parts[title]))
                    if at is not None:
                        found[title] = at
            return found
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError):
        return {}  # a layout openpyxl read but this scan does not know: its cells are read as openpyxl gives them


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """{sheet title: the zip member holding its XML}, by the package's relationships."""
    root = ElementTree.fromstring(z.read("_rels/.rels"))
    book = next((r.get("Target", "") for r in root.iter(_PKG) if r.get("Type", "").endswith("/officeDocument")),
                "xl/workbook.xml").lstrip("/")
    base, name = posixpath.split(book)
    rels = {r.get("Id"): r.get("Target", "")
            for r in ElementTree.fromstring(z.read(posixpath.join(base, "_rels", name + ".rels"))).iter(_PKG)}
    parts = {}
    for sheet in ElementTree.fromstring(z.read(book)).iter(f"{_NS}sheet"):
        target = rels.get(sheet.get(_REL_ID), "")
        if target:
            parts[sheet.get("name", "")] = (target.lstrip("/") if target.startswith("/")
                                            else posixpath.normpath(posixpath.join(base, target)))
    return parts


def _first_uncomputed(xml) -> tuple[int, int] | None:
    from openpyxl.utils.cell import coordinate_to_tuple

    row_no = 0
    for _, row in ElementTree.iterparse(xml):
        if row.tag != f"{_NS}row":
            continue
        row_no = int(row.get("r", row_no + 1))
        col_no = 0
        for c in row.iter(f"{_NS}c"):
            col_no = coordinate_to_tuple(c.get("r"))[1] if c.get("r") else col_no + 1
            v = c.find(f"{_NS}v")
            if c.find(f"{_NS}f") is not None and (v is None or (not v.text and c.get("t") != "str")):
                return row_no, col_no
        row.clear()  # a sheet is read row by row, not kept whole
    return None


def _plain(v: Any) -> Any:
    """Empty text as None, and a time or date Excel made of a typed value back as text."""
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, dt.datetime):
        return v.strftime("%H:%M") if v.date() == dt.date(1899, 12, 30) else v.date().isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return v


def _value(path: Path, col: Col, v: Any, cell: Cell) -> Any:
    """One cell's value as the unit format has it (None: empty, the field is left out). A number in a text
    column or text in a number column is left as it is: the schema then names it at this cell."""
    v = _plain(v)
    if v is None or not isinstance(v, str):
        return v
    if col.cell == "bool":
        return {"true": True, "sann": True, "ja": True, "false": False, "usann": False, "nei": False}.get(v.lower(), v)
    if col.cell == "list":
        return [x.strip() for x in v.split(",") if x.strip()]
    if col.cell == "yaml":
        try:
            return yaml.safe_load(v)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise InputError(path, where(cell), f"cannot read {shown(v)} as a YAML value"
                             + (f" (at character {mark.column + 1})" if mark else ""),
                             "write a number, or a value like {a: 1, b: 2} or [a, b]") from None
    return v


def _rows(ws) -> Iterator[tuple[int, dict[str, tuple[Any, int]]]]:
    """(row number, {header: (value, column)}) for every non-empty row below the header row."""
    headers = {c: str(v).strip() for c, v in enumerate(next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ()),
                                                       start=1) if v is not None and str(v).strip()}
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        vals = {headers[c]: (v, c) for c, v in enumerate(row, start=1) if c in headers}
        if any(v is not None and str(v).strip() for v, _ in vals.values()):
            yield r, vals


def _headers(path: Path, ws, cols: list[Col]) -> None:
    got = [str(c.value).strip() for c in ws[1] if c.value is not None]
    for c in cols:
        if c.name not in got and c.cell != "info":
            raise InputError(path, f"{ws.title}, rad 1", f"the column {c.name!r} is missing",
                             f"keep the header row of `leon template` ({', '.join(x.name for x in cols)})")


def _fill(path: Path, sheet: str, r: int, vals: dict, cols: list[Col], loc: tuple, cells: dict) -> dict:
    """The fields of one row as a mapping, each cell recorded under loc + (field,)."""
    out: dict[str, Any] = {}
    cells[loc] = (sheet, r, None, None)
    for col in cols:
        if col.cell == "info" or col.name not in vals:
            continue
        v, c = vals[col.name]
        cell = (sheet, r, c, col.name)
        cells[loc + (col.name,)] = cell
        v = _value(path, col, v, cell)
        if v is not None:
            out[col.name] = v
    return out


# ----------------------------------------------------------------------------------------- sheets
def _enhet(path: Path, ws, data: dict, cells: dict) -> None:
    known = {c.name: c for c in ENHET}
    for r, vals in _rows(ws):
        key, kc = vals.get("felt", (None, 1))
        v, vc = vals.get("verdi", (None, 2))
        if _plain(v) is None:  # no value (perhaps only an explanation): the field keeps its default
            if _plain(key) is not None:  # a required field's absence is reported at its empty cell
                cells[tuple(str(key).strip().split("."))] = ("enhet", r, vc, str(key).strip())
            continue
        if key is None or not str(key).strip():
            raise InputError(path, where(("enhet", r, kc, "felt")), "a value without a field name",
                             f"write the field's name in column A ({', '.join(known)}), or clear the row")
        key = str(key).strip()
        cell = ("enhet", r, vc, key)
        loc = tuple(key.split("."))
        cells[loc] = cell
        v = _value(path, known.get(key, Col(key, "yaml", "")), v, cell)
        if v is None:
            continue
        target = data
        for part in loc[:-1]:
            target = target.setdefault(part, {})
        target[loc[-1]] = v


def _pasienter_vakter(path: Path, wb, data: dict, cells: dict) -> None:
    for sheet, key in (("pasienter", "patient_classes"), ("vakter", "shifts")):
        cols = SHEETS[sheet]
        _headers(path, wb[sheet], cols)
        cells[(key,)] = (sheet, 1, None, None)
        data[key] = [_fill(path, sheet, r, vals, cols, (key, i), cells)
                     for i, (r, vals) in enumerate(_rows(wb[sheet]))]


def _arbeidsmengde(path: Path, ws, data: dict, cells: dict) -> None:
    cols = SHEETS["arbeidsmengde"]
    _headers(path, ws, cols)
    cells[("workload",)] = ("arbeidsmengde", 1, None, None)
    data["workload"] = []
    for i, (r, vals) in enumerate(_rows(ws)):
        entry = _fill(path, "arbeidsmengde", r, vals, cols, ("workload", i), cells)
        if "shifts" not in entry:
            c = vals.get("shifts", (None, 2))[1]
            raise InputError(path, where(("arbeidsmengde", r, c, "shifts")) + f" [workload[{i}].shifts]",
                             "no shift given", "write the shifts the task is done on: all, a shift id, "
                             "a time (dag, kveld, natt) or a day type (hverdag, helg)")
        per_class = {}
        for name, (v, c) in vals.items():
            if name.startswith(CLASS_PREFIX):
                cls = name[len(CLASS_PREFIX):].strip()
                cell = ("arbeidsmengde", r, c, name)
                cells[("workload", i, "per_patient", cls)] = cell
                v = _value(path, Col(name, "num", ""), v, cell)
                if v is not None:
                    per_class[cls] = v
        if per_class:
            if "per_patient" in entry:
                raise InputError(path, where(cells[("workload", i, "per_patient")]),
                                 "both a number for every patient and numbers per patient class",
                                 "fill either per_patient or the per_patient:KLASSE columns, not both")
            entry["per_patient"] = per_class
        data["workload"].append(entry)


def _oppgavetid(path: Path, ws, data: dict, cells: dict) -> None:
    """task_minutes: a row with the unit's own minutes for a task (a row without them only shows the
    catalogue's minutes, and is not read)."""
    cols = SHEETS["oppgavetid"]
    _headers(path, ws, cols)
    own: dict[str, dict] = {}
    fields = cols[1:]
    for r, vals in _rows(ws):
        task = _value(path, cols[0], *_cell("oppgavetid", r, vals, cols[0]))
        filled = [c.name for c in fields if c.cell != "info" and _value(path, c, *_cell("oppgavetid", r, vals, c))
                  is not None]
        if task is None:
            if filled:
                raise InputError(path, where(("oppgavetid", r, vals["task"][1], "task")),
                                 f"minutes for a task ({', '.join(filled)}) without the task's id",
                                 "write the task's id in this column (choose from the list)")
            continue
        if "minutes" not in filled:
            continue
        if str(task) in own:
            raise InputError(path, where(("oppgavetid", r, vals["task"][1], "task")) + f" [task_minutes.{task}]",
                             f"the task {task!r} has a row of its own minutes already",
                             "keep one row per task (remove or clear the other)")
        own[str(task)] = _fill(path, "oppgavetid", r, vals, fields, ("task_minutes", str(task)), cells)
        cells[("task_minutes", str(task))] = ("oppgavetid", r, vals["task"][1], "task")  # an unknown task
    if own:
        data["task_minutes"] = own


def _regler(path: Path, ws, data: dict, cells: dict) -> None:
    cols = SHEETS["regler"]
    _headers(path, ws, cols)
    files: list[str] = []
    overrides: dict[str, dict] = {}
    fields = [c for c in cols if c.name not in ("rule_file", "rule")]
    for r, vals in _rows(ws):
        ref = _value(path, cols[0], *_cell("regler", r, vals, cols[0]))
        rule = _value(path, cols[1], *_cell("regler", r, vals, cols[1]))
        if ref is not None and ref not in files:
            cells[("rules", len(files))] = ("regler", r, vals["rule_file"][1], "rule_file")
            files.append(ref)
        if rule is None:
            filled = [c.name for c in fields if c.cell != "info" and _value(path, c, *_cell("regler", r, vals, c))
                      is not None]
            if filled:
                raise InputError(path, where(("regler", r, vals["rule"][1], "rule")),
                                 f"a change to a rule ({', '.join(filled)}) without the rule's id",
                                 "write the rule's id in this column (choose from the list)")
            continue
        ov = _fill(path, "regler", r, vals, fields, ("rule_overrides", str(rule)), cells)
        if ov:
            overrides[str(rule)] = ov
    data["rules"] = files
    data["rule_overrides"] = overrides


def _cell(sheet: str, r: int, vals: dict, col: Col) -> tuple[Any, Cell]:
    v, c = vals.get(col.name, (None, None))
    return v, (sheet, r, c, col.name)


def _tilgjengelighet(path: Path, ws, data: dict, cells: dict) -> None:
    cols = SHEETS["tilgjengelighet"]
    _headers(path, ws, cols)
    avail: dict[str, dict] = {}
    for r, vals in _rows(ws):
        row = {c.name: _value(path, c, *_cell("tilgjengelighet", r, vals, c)) for c in cols}
        for c in cols:
            if row[c.name] is None:
                raise InputError(path, where(("tilgjengelighet", r, vals[c.name][1], c.name)), "is empty",
                                 "fill group, shifts and max_heads on every row, or clear the row")
        g, sel = str(row["group"]), str(row["shifts"])
        cells.setdefault(("availability", g), ("tilgjengelighet", r, vals["group"][1], "group"))
        cells[("availability", g, sel)] = ("tilgjengelighet", r, vals["max_heads"][1], "max_heads")
        avail.setdefault(g, {})[sel] = row["max_heads"]
    if avail:
        data["availability"] = avail
