"""Roster grids in and out: rows = staff id, columns = ISO dates, cells = shift codes ('' or '-' = off)."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.io.errors import InputError
from planner.io.loader import read_bytes
from planner.io.registry import note_read
from planner.io.writer import atomic_path, write_json
from planner.roster.schema import OFF


@dataclass
class Grid:
    path: Path | None
    dates: list[dt.date]
    rows: dict[str, list[str]]      # person -> cell per date ('' = off)
    lines: dict[str, int]           # person -> line/row number in the file (for messages)
    where: Callable[[int, int], str] | None = None   # (line, column) -> "line 3, column 4" / "cell D3 of sheet ..."


def cell_of(grid: Grid, pid: str, col: int) -> str:
    """Where a person's cell is in the file, for messages: "line 3, column 4" (CSV) or "cell D3 of sheet ..."."""
    at = grid.where or (lambda line, c: f"line {line}, column {c}")
    return at(grid.lines[pid], col)


# a table as read: (line or sheet row, cells); `where(line, column)` names a cell for messages
Table = list[tuple[int, list[str]]]


def read_grid(path: str | Path, blank_apart: bool = False) -> Grid:
    """A roster grid: CSV (`,`, `;` or tab; UTF-8 with or without BOM, UTF-16, or Windows-1252 as a Norwegian
    Excel saves it) or the first sheet of an XLSX. Every row has one cell per date; anything else is refused
    with its line and column (XLSX: its cell). With `blank_apart` (a lock grid) an empty cell stays '' and
    every other off mark becomes '-', so "free" and "off" stay apart."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", "is a folder, not a file" if path.is_dir() else "file not found",
                         "give a roster grid (.csv or .xlsx)")
    note_read(path)
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        raise InputError(path, "", f"cannot read a {path.suffix} file", "save the roster as .xlsx or .csv")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table, where = _xlsx_table(path)
    else:
        table, where = _csv_table(path)
    first = next((i for i, (_, r) in enumerate(table) if any(r)), None)
    if first is None:
        raise InputError(path, "", "the file is empty", "the first row must be: id, then one ISO date per column")
    table = table[first:]
    line0, head = table[0]      # the first line that is not blank
    while head and not head[-1]:
        head = head[:-1]          # trailing empty header cells (a spreadsheet's used range)
    if len(head) < 2:
        raise InputError(path, where(line0, 1), "the header has no date columns",
                         "the first row must be: id, then one date (YYYY-MM-DD) per column")
    dates = [_header_date(c, path, where(line0, j)) for j, c in enumerate(head[1:], start=2)]
    for j, (a, b) in enumerate(itertools.pairwise(dates), start=3):
        if (b - a).days != 1:
            raise InputError(path, where(line0, j), f"dates jump from {a} to {b}",
                             "give consecutive days, one column each")
    n = len(head)
    rows, lines = {}, {}
    for line, r in table[1:]:
        if not any(r):
            continue              # a blank line
        extra = next((j for j in range(n, len(r)) if r[j]), None)
        if extra is not None:
            raise InputError(path, where(line, extra + 1), f"a cell ({r[extra]!r}) right of the last date column",
                             f"give one cell per date ({n - 1} dates); remove the extra cell or add its date "
                             "to the header")
        if len(r) < n:
            raise InputError(path, where(line, len(r) + 1), f"the row has {len(r)} cells, the header {n}: "
                             f"the cells for {dates[len(r) - 1]} .. {dates[-1]} are missing",
                             "give one cell per date (write - for a day off); is a separator missing?")
        pid = r[0]
        if not pid:
            raise InputError(path, where(line, 1), "empty staff id", "write the person's id from the staff file")
        if pid in rows:
            raise InputError(path, where(line, 1), f"person {pid!r} appears twice (first at {where(lines[pid], 1)})",
                             "one row per person")
        off = "-" if blank_apart else ""
        rows[pid] = [(off if c else "") if c in OFF else c for c in r[1:n]]
        lines[pid] = line
    if not rows:
        raise InputError(path, where(line0, 1), "needs a header row (id, dates...) and at least one person",
                         "see docs/rosters.md")
    return Grid(path, dates, rows, lines, where)


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?")
_NORWEGIAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _header_date(c: str, path: Path, where: str) -> dt.date:
    """YYYY-MM-DD (midnight after it is allowed) or DD.MM.YYYY (as a Norwegian spreadsheet shows dates)."""
    iso, no = _ISO.fullmatch(c), _NORWEGIAN.fullmatch(c)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if no:
            return dt.date(int(no[3]), int(no[2]), int(no[1]))
    except ValueError:
        pass
    raise InputError(path, where, f"header {c!r} is not a date",
                     "the first row must be: id, then one date (YYYY-MM-DD) per column")


def _csv_table(path: Path) -> tuple[Table, object]:
    raw = read_bytes(path)
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(path, "", "is a workbook (zip), not a CSV text", "name it .xlsx, or save it as CSV")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")      # Excel's "Unicode text" (tab separated)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")   # a CSV saved by Excel on Windows
            except UnicodeDecodeError:
                raise InputError(path, "", "is neither UTF-8 nor Windows-1252 text", "save the CSV as UTF-8") from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = max((";", ",", "\t"), key=first.count)   # the header decides: ids and dates hold none of these
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    table: Table = []
    try:
        for r in reader:
            table.append((reader.line_num, [c.strip() for c in r]))
    except csv.Error as e:
        raise InputError(path, f"line {reader.line_num}", f"cannot read the CSV ({e})",
                         "check the quotes on that line") from None
    return table, lambda line, col: f"line {line}, column {col}"


def _xlsx_table(path: Path) -> tuple[Table, object]:
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
        wb = openpyxl.load_workbook(path, data_only=True)   # not read-only: merged cells are needed
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is an input error
        raise InputError(path, "", f"cannot read the workbook ({type(e).__name__})",
                         "save it as .xlsx or .csv") from None
    ws = wb.worksheets[0]

    def where(row, col):
        return f"cell {get_column_letter(col)}{row} of sheet {ws.title!r}"

    for rng in ws.merged_cells.ranges:
        raise InputError(path, where(rng.min_row, rng.min_col), f"merged cells {rng.coord}",
                         "unmerge them and write one code per person and day (- for a day off)")

    def text(v) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v).strip()
    return [(i, [text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)], where


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
