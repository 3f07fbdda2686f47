"""`leon roster build --lock FILE` and `--keep-from ROSTER`: a roster grid read into a rule
(models/roster/locks.py), checked against the staff, the horizon and the shift codes first."""
from __future__ import annotations

from pathlib import Path

from models.roster import cpsat as M
from models.roster.locks import KeepPrevious, Locked
from planner.io.errors import InputError
from planner.roster.grids import Grid, cell_of, read_grid

# One changed cell costs KEEP_WEIGHT x Weights.soft_rule (100) = 10 000 in the objective: a tenth of an
# open minimum-cover head (Weights.shortfall, 100 000), so a rebuild gives up to 9 changed cells to close a
# head, and as much as the heaviest soft rule a rule file may state (weight at most 100): a roster is not
# reshuffled for a soft nicety. The hard rules and the locks are constraints and never traded.
KEEP_WEIGHT = 100


def read_locks(path: str | Path) -> Grid:
    """A lock grid: a code locks that shift, an off mark (-, F, fri, x) locks a day off, an empty cell is free."""
    return read_grid(path, blank_apart=True)


def read_previous(path: str | Path) -> Grid:
    """The roster to keep: every cell counts, an empty cell is a day off (as `roster check` reads it)."""
    return read_grid(path)


def grid_cells(grid: Grid, P: M.Problem, free_blank: bool) -> dict[tuple[str, int], str | None]:
    """{(person id, day): shift code, or None for off} of every cell the grid sets. `free_blank`: an empty
    cell sets nothing. Unknown people, dates outside the horizon and unknown codes are input errors."""
    ids = [p.id for p in P.persons]
    for pid in grid.rows:
        if pid not in ids:
            raise InputError(grid.path, cell_of(grid, pid, 1), f"person {pid!r} is not in the staff file",
                             f"use the staff file's ids ({', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}) "
                             "or remove the row")
    day = {label: d for d, label in enumerate(P.day_labels)}
    codes = ", ".join(sorted(P.shift_index))
    out: dict[tuple[str, int], str | None] = {}
    for pid, row in grid.rows.items():
        for j, (date, c) in enumerate(zip(grid.dates, row, strict=True)):
            if free_blank and not c:
                continue
            at = f"{cell_of(grid, pid, j + 2)} ({pid}, {date})"
            d = day.get(date.isoformat())
            if d is None:
                raise InputError(grid.path, at, f"{date} is outside the roster horizon {P.label(0)} .. "
                                 f"{P.label(P.days - 1)}",
                                 "give --start and --weeks so that the horizon holds this date, or remove the column")
            code = None if c in ("", "-") else c
            if code is not None and code not in P.shift_index:
                raise InputError(grid.path, at, f"unknown shift code {c!r}",
                                 f"use one of {codes}, or - (F, fri, x) for a day off"
                                 + ("; leave the cell empty to leave it free" if free_blank else ""))
            out[pid, d] = code
    return out


def lock_rule(grid: Grid, P: M.Problem) -> Locked:
    """The locked cells as a hard rule; a lock on a shift the person may not work (unavailable, shift not
    allowed, night exemption, long shift, shift not used on that day) is an input error naming the cell."""
    cells = grid_cells(grid, P, free_blank=True)
    blocked: dict[tuple[int, tuple[int, int]], str] = {}
    for r in P.rules:
        if isinstance(r, M.Availability) and r.hard:
            for c in r.conditions(P):
                for sl, _ in c.terms:
                    blocked.setdefault((c.person, sl), c.detail)
    index = {p.id: i for i, p in enumerate(P.persons)}
    col = {label: j for j, label in enumerate(x.isoformat() for x in grid.dates)}
    for (pid, d), code in cells.items():
        why = None if code is None else blocked.get((index[pid], (d, P.shift_index[code])))
        if why:
            raise InputError(grid.path, f"{cell_of(grid, pid, col[P.label(d)] + 2)} ({pid}, {P.label(d)})",
                             f"the lock breaks {pid}'s availability: {why}",
                             "lock another shift or a day off, leave the cell empty, or change the person in the "
                             "staff file (unavailable, shifts, night_exempt, long_shifts)")
    return Locked(id="locked", hard=True, cells=cells, source=f"locked cells: {grid.path}")


def keep_rule(grid: Grid, P: M.Problem) -> KeepPrevious:
    """Every cell of the previous roster as a soft wish to keep it (KEEP_WEIGHT each)."""
    return KeepPrevious(id="keep_previous", weight=KEEP_WEIGHT, cells=grid_cells(grid, P, free_blank=False),
                        source=f"rebuild with the fewest changes from {grid.path}")


def start_from(grid: Grid, P: M.Problem) -> tuple[dict[tuple[int, int], int], set[int]]:
    """`--improve ROSTER`: the roster grid as the engine's start {(person, day): shift}, and the people it has a
    row for; every row is that person's whole horizon (an empty cell is a day off, as `roster check` reads it)."""
    index = {p.id: i for i, p in enumerate(P.persons)}
    cells = grid_cells(grid, P, free_blank=False)    # refuses a row for someone not in the staff file
    if not grid.rows:
        raise InputError(grid.path, "", "the roster has no row for anyone in the staff file",
                         "give a roster of these people (the --out of an earlier `leon roster build`)")
    return ({(index[pid], d): P.shift_index[code] for (pid, d), code in cells.items() if code is not None},
            {index[pid] for pid in grid.rows})


def changes(P: M.Problem, keep: KeepPrevious, assignment: dict) -> list[dict]:
    """The cells the roster changes against the previous one: the violations of `keep` (one per cell)."""
    viol = M.check(P, assignment, list(keep.conditions(P)))
    index = {p.id: i for i, p in enumerate(P.persons)}
    out = []
    for v in viol:
        now = assignment.get((index[v.person], v.day))
        out.append({"person": v.person, "date": P.label(v.day), "before": keep.cells[v.person, v.day] or "-",
                    "after": "-" if now is None else P.shifts[now].code})
    return sorted(out, key=lambda x: (index[x["person"]], x["date"]))
