"""A CSV table of the national file (the HELSEMOD groups table), read strictly.

Numbers are plain decimals: an empty cell, NaN, inf, a quoted number, a decimal comma or a thousands
space is refused with the file, line and column, so a table a spreadsheet mangled never turns into
`nan` totals. The separator is `,`, or `;` when the header uses it (a Norwegian spreadsheet's CSV);
a UTF-8 byte-order mark is skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from planner.io.errors import InputError
from planner.io.loader import read_text

_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Cell:
    text: str
    quoted: bool


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table:
    path: Path
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    sep: str

    def where(self, row: Row | None, column: str) -> str:
        line = f"line {row.line}" if row else "line 1 (header)"
        return f"{line}, column {self.header.index(column) + 1} ({column})" if column in self.header else line

    def fail(self, row: Row | None, column: str, problem: str, fix: str):
        raise InputError(self.path, self.where(row, column), problem, fix)

    def number(self, row: Row, column: str, lo: float, hi: float, what: str, blank: bool = False) -> float | None:
        """The cell as a finite number in [lo, hi]; None for an empty cell when `blank` allows it."""
        cell = row.cells[column]
        s = cell.text.strip()
        if cell.quoted and s:
            self.fail(row, column, f"the number {s!r} is quoted, so it is text",
                      "remove the quotes (a spreadsheet writes them for cells formatted as text)")
        if not s:
            if blank:
                return None
            self.fail(row, column, "empty cell", f"fill in {what} for this group")
        if not _PLAIN.match(s):
            if self.sep == ";" and re.fullmatch(r"[+-]?\d+,\d+", s):
                problem, fix = f"{s!r} has a decimal comma", f"write {s.replace(',', '.')} (a decimal point)"
            elif re.fullmatch(r"[+-]?(nan|inf|infinity)", s, re.IGNORECASE):
                problem, fix = f"{s!r} is not a number of årsverk", f"fill in {what} as a finite number"
            elif (other := ";" if self.sep == "," else ",") in s:
                problem = f"not a number: {s!r} has `{other}` in it, but the header separates columns with `{self.sep}`"
                fix = "use one separator throughout the file"
            else:
                problem, fix = (f"not a number: {s!r}",
                                "write a plain number: digits, a decimal point, no spaces or thousands separators")
            self.fail(row, column, problem, fix)
        x = float(s)
        if not math.isfinite(x):
            self.fail(row, column, f"{s!r} is too large", f"fill in {what} as a finite number")
        if not lo <= x <= hi:
            side = "negative" if x < 0 <= lo else f"outside {_n(lo)}..{_n(hi)}"
            self.fail(row, column, f"{s} is {side}", f"give {what} between {_n(lo)} and {_n(hi)}")
        return x


def _n(x: float) -> str:
    return f"{int(x):,}".replace(",", " ") if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _header(path: Path, lines: list[str]) -> tuple[int, tuple[str, ...], str]:
    """The header line's index, its column names and the separator it uses."""
    first = next((i for i, s in enumerate(lines) if s.strip()), None)
    if first is None:
        raise InputError(path, "", "the table is empty", "write a header line and one row per group")
    head = lines[first]
    sep = max((",", ";"), key=head.count) if ("," in head or ";" in head) else None
    if sep is None:
        cause = "tabs" if "\t" in head else "nothing"
        raise InputError(path, f"line {first + 1} (header)", f"the header's columns are separated by {cause}",
                         "save the table as CSV with `,` (or `;`) between the columns")
    header = tuple(c.text.strip() for c in _split(head, sep, path, first + 1))
    for i, name in enumerate(header):
        if not name:
            raise InputError(path, f"line {first + 1} (header)", f"column {i + 1} has no name",
                             "give every column a name (or remove a trailing separator)")
        if header.index(name) != i:
            raise InputError(path, f"line {first + 1} (header)", f"column {name!r} appears twice",
                             "keep one column of each name")
    return first, header, sep


def read_table(path: Path) -> Table:
    """The table's header and rows, or an InputError naming the line (and column) that is wrong."""
    lines = read_text(path).splitlines()  # a regular UTF-8 file of sensible size, recorded as read
    first, header, sep = _header(path, lines)
    rows = []
    for n, s in enumerate(lines[first + 1:], start=first + 2):
        if not s.strip():
            continue
        cells = _split(s, sep, path, n)
        if len(cells) != len(header):
            other = ";" if sep == "," else ","
            hint = (f"; the line has `{other}` in it: the header uses `{sep}`, use one separator throughout"
                    if other in s else "; a decimal comma, or a separator inside a label that is not quoted?")
            raise InputError(path, f"line {n}", f"{len(cells)} columns, the header has {len(header)}{hint}",
                             f"give every row the header's {len(header)} columns")
        rows.append(Row(n, dict(zip(header, cells, strict=True))))
    return Table(path, header, tuple(rows), sep)


def _split(line: str, sep: str, path: Path, n: int) -> list[Cell]:
    """One CSV line into cells, remembering which were quoted ("" inside quotes is one quote)."""
    cells, i, L = [], 0, len(line)
    while True:
        j = i
        while j < L and line[j] == " ":
            j += 1
        if j < L and line[j] == '"':
            buf, k = [], j + 1
            while True:
                q = line.find('"', k)
                if q < 0:
                    raise InputError(path, f"line {n}, character {j + 1}", "a quote is opened and not closed",
                                     'close the quote (a quote inside a quoted cell is written "")')
                buf.append(line[k:q])
                if q + 1 < L and line[q + 1] == '"':
                    buf.append('"')
                    k = q + 2
                    continue
                break
            end = q + 1
            while end < L and line[end] == " ":
                end += 1
            if end < L and line[end] != sep:
                raise InputError(path, f"line {n}, character {end + 1}", "text after a closing quote",
                                 f"put the whole cell inside the quotes, then `{sep}`")
            cells.append(Cell("".join(buf), True))
        else:
            end = line.find(sep, i)
            end = L if end < 0 else end
            cells.append(Cell(line[i:end], False))
        if end >= L:
            return cells
        i = end + 1
