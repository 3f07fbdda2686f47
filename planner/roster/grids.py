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
    # the checks every input file gets (a folder, a device, a pipe, the size), in the words `leon check` uses
    raw = read_bytes(path)
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        raise InputError(path, "", f"cannot read a {path.suffix} file", "save the roster as .xlsx or .csv")
    table, where = _table(path, raw)
    start = _header_row(table)
    if start is None:
        raise InputError(path, "", "the file is empty", "the first row must be: id, then one ISO date per column")
    table = table[start:]
    line0, head = table[0][0], _header(table[0][1])   # the first line that is not blank
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


def _date(c: str) -> dt.date | None:
    """YYYY-MM-DD (midnight after it is allowed) or DD.MM.YYYY (as a Norwegian spreadsheet shows dates)."""
    iso, no = _ISO.fullmatch(c), _NORWEGIAN.fullmatch(c)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if no:
            return dt.date(int(no[3]), int(no[2]), int(no[1]))
    except ValueError:
        pass
    return None


def _header_date(c: str, path: Path, where: str) -> dt.date:
    d = _date(c)
    if d is None:
        raise InputError(path, where, f"header {c!r} is not a date",
                         "the first row must be: id, then one date (YYYY-MM-DD) per column")
    return d


def _table(path: Path, raw: bytes, strict: bool = True) -> tuple[Table, Callable[[int, int], str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_table(path, raw, strict)
    return _csv_table(path, raw)


def _header_row(table: Table) -> int | None:
    """Index of the header row: the first row that is not blank."""
    return next((i for i, (_, r) in enumerate(table) if any(r)), None)


def _header(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row = row[:-1]          # trailing empty header cells (a spreadsheet's used range)
    return row


def looks_like_grid(path: str | Path) -> bool:
    """Whether a file looks like a roster grid: its first row that is not blank is an id column, then
    mostly dates (one wrong date still counts: `leon roster check` then names it). False for a file that
    cannot be read as a CSV or a workbook at all."""
    path = Path(path)
    try:
        table, _ = _table(path, read_bytes(path), strict=False)
    except InputError:
        return False
    start = _header_row(table)
    head = _header(table[start][1])[1:] if start is not None else []
    return bool(head) and 2 * sum(_date(c) is not None for c in head) >= len(head)


def _csv_table(path: Path, raw: bytes) -> tuple[Table, Callable[[int, int], str]]:
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(path, "", "is a workbook (zip), not a CSV text", "name it .xlsx, or save it as CSV")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")      # Excel's "Unicode text" (tab separated)
        except UnicodeDecodeError:         # a cut-off file, or only its first bytes look like UTF-16
            raise InputError(path, "", "starts as UTF-16 text but is not UTF-16 throughout",
                             "save the roster as CSV (UTF-8) or as .xlsx") from None
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


def _xlsx_table(path: Path, raw: bytes, strict: bool = True) -> tuple[Table, Callable[[int, int], str]]:
    """The first sheet's cells as text. `strict`: refuse the cells openpyxl would read as empty although
    they are not (merged cells, formulas never computed); without it, only the table (for looks_like_grid)."""
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)   # not read-only: merged cells are needed
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is an input error
        raise InputError(path, "", f"cannot read the workbook ({type(e).__name__})",
                         "save it as .xlsx or .csv") from None
    if not wb.worksheets:
        raise InputError(path, "", "the workbook has no sheet with cells (only charts)",
                         "put the roster grid in the first sheet")
    ws = wb.worksheets[0]

    def where(row, col):
        return f"cell {get_column_letter(col)}{row} of sheet {ws.title!r}"

    if strict:
        # a merged cell or a formula openpyxl wrote is read as None, i.e. a silent day off: refused at its cell
        from planner.staffing.workbook import unreadable_cell

        bad = unreadable_cell(raw, [ws])
        if bad is not None:
            _, row, col, problem, kind = bad
            raise InputError(path, where(row, col), problem,
                             "unmerge them and write one code per person and day (- for a day off)" if kind == "merged"
                             else "open and save the file in Excel/LibreOffice, or write the shift code itself")

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


__all__ = ["Grid", "looks_like_grid", "read_grid", "write_csv", "write_xlsx", "write_json"]
