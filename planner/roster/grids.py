"""Roster grids in and out: rows = staff id, columns = ISO dates, cells = shift codes ('' or '-' = off)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from planner.io.errors import InputError
from planner.io.writer import atomic_path, write_json

OFF = {"", "-", "f", "F", "fri", "FRI", "x"}


@dataclass
class Grid:
    path: Path | None
    dates: list[dt.date]
    rows: dict[str, list[str]]      # person -> cell per date ('' = off)
    lines: dict[str, int]           # person -> line/row number in the file (for messages)


def read_grid(path: str | Path) -> Grid:
    path = Path(path)
    if not path.exists():
        raise InputError(path, "", "file not found", "give a roster grid (.csv or .xlsx)")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - any unreadable workbook is an input error
            raise InputError(path, "", f"cannot read the workbook ({type(e).__name__})", "save it as .xlsx or .csv") from None
        ws = wb.worksheets[0]
        table = [["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else
                                        v.isoformat() if isinstance(v, dt.date) else str(v)) for v in row]
                 for row in ws.iter_rows(values_only=True)]
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(path, "", "is not UTF-8 text", "save the CSV as UTF-8") from None
        dialect = ";" if text.count(";") > text.count(",") else ","
        table = list(csv.reader(io.StringIO(text), delimiter=dialect))
    table = [r for r in table if any(c.strip() for c in r)]
    if len(table) < 2:
        raise InputError(path, "line 1", "needs a header row (id, dates...) and at least one person", "see docs/rosters.md")
    head = [c.strip() for c in table[0]]
    dates = []
    for j, c in enumerate(head[1:], start=2):
        try:
            dates.append(dt.date.fromisoformat(c[:10]))
        except ValueError:
            raise InputError(path, f"line 1, column {j}", f"header {c!r} is not an ISO date",
                             "the first row must be: id, then one ISO date (YYYY-MM-DD) per column") from None
    for a, b in zip(dates, dates[1:]):
        if (b - a).days != 1:
            raise InputError(path, "line 1", f"dates jump from {a} to {b}", "give consecutive days, one column each")
    rows, lines = {}, {}
    for i, r in enumerate(table[1:], start=2):
        pid = r[0].strip()
        if not pid:
            raise InputError(path, f"line {i}, column 1", "empty staff id", "write the person's id from the staff file")
        if pid in rows:
            raise InputError(path, f"line {i}, column 1", f"person {pid!r} appears twice", "one row per person")
        cells = [c.strip() for c in r[1:len(dates) + 1]] + [""] * max(0, len(dates) - len(r) + 1)
        rows[pid] = ["" if c in OFF else c for c in cells]
        lines[pid] = i
    return Grid(path, dates, rows, lines)


def write_csv(path: str | Path, dates: list[str], rows: dict[str, list[str]]) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id"] + list(dates))
            for pid, cells in rows.items():
                w.writerow([pid] + [c or "-" for c in cells])


def write_xlsx(path: str | Path, dates: list[str], rows: dict[str, list[str]], colours: dict[str, str],
               marks: dict[tuple[str, str], str] | None = None) -> None:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, Font, PatternFill, Side
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "turnus"
    ws.append(["id"] + list(dates))
    red = Side(style="thick", color="CC0000")
    for pid, cells in rows.items():
        ws.append([pid] + [c or "-" for c in cells])
        r = ws.max_row
        for j, c in enumerate(cells, start=2):
            cell = ws.cell(r, j)
            if c and c in colours:
                cell.fill = PatternFill("solid", fgColor=colours[c].lstrip("#"))
            if marks and (pid, dates[j - 2]) in marks:
                cell.border = Border(left=red, right=red, top=red, bottom=red)
                cell.comment = Comment(marks[pid, dates[j - 2]][:500], "leon")
                cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    with atomic_path(path) as tmp:
        wb.save(tmp)


__all__ = ["Grid", "read_grid", "write_csv", "write_xlsx", "write_json"]
