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
