"""Every file kind leon reads, gathered from the capabilities: `leon check` validates through here."""

from __future__ import annotations

from pathlib import Path

from planner.io.errors import InputError, shown
from planner.io.loader import read_yaml
from planner.io.registry import KIND_NAMES, Kind
from planner.national.kinds import KINDS as NATIONAL
from planner.roster.kinds import KINDS as ROSTER
from planner.staffing.kinds import KINDS as STAFFING

KINDS: dict[str, Kind] = {**STAFFING, **ROSTER, **NATIONAL}


def check_file(path: str | Path) -> str:
    """Validate one file of any kind, with every file it refers to; a one-line summary, or InputError."""
    path = Path(path)
    try:
        return _check(path)
    except InputError:
        from planner.roster.grids import looks_like_grid

        # a roster grid is no file kind `leon check` knows (README: `leon roster check` checks it), so its
        # error would be about YAML or a unit workbook's sheets: point to the command that checks it instead.
        # Only after a failure, so a unit file or workbook is read once, as before
        if path.suffix.lower() not in (".yaml", ".yml") and looks_like_grid(path):
            raise InputError(path, "", "this looks like a roster grid (an id column, then a header row of "
                             "dates), which `leon check` does not check",
                             f"check it with `leon roster check {path} --unit UNIT --staff STAFF`") from None
        raise


def _check(path: Path) -> str:
    if path.suffix.lower() == ".xlsx":  # a unit workbook (`leon template`): always a unit
        return KINDS["unit"].check(path)
    data, _ = read_yaml(path)
    kinds = ", ".join(KIND_NAMES)
    if not isinstance(data, dict):
        raise InputError(path, "(top level)", "the file must be a mapping with `kind:` and its fields",
                         f"start the file with `kind:` and one of: {kinds}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        got = "`kind:` is missing" if kind is None else f"unknown kind {shown(kind)}"
        raise InputError(path, "kind", got, f"set `kind:` to one of: {kinds} (see docs/instance-format.md)")
    return KINDS[kind].check(path)
