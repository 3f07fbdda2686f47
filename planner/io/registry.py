"""The file kinds leon reads, by their `kind:` line, and the record of what one run has read.

A kind is registered by its capability (planner/staffing/kinds.py, planner/roster/kinds.py,
planner/national/kinds.py; planner/kinds.py gathers them): its pydantic model and a check that
validates a file of that kind with every file it refers to. `leon check` and the commands use the
same check, so what `check` passes is what the commands accept.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

# every kind leon knows (planner/kinds.py registers each; a test keeps the two lists equal), so that a
# message about a missing or wrong `kind:` can list them all even when only one capability is loaded
KIND_NAMES = ("unit", "groups", "catalogue", "rules", "staff", "worktime_rules", "roster_models",
              "national", "toy_unit", "kommune")


@dataclass(frozen=True)
class Kind:
    name: str
    what: str  # a few words for messages: "a unit (patients, shifts, workload, rules)"
    check: Callable[[Path], str]  # full validation with referenced files; returns a one-line summary


# ---------------------------------------------------------------------------------------- reads
_READS: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar("leon_reads", default=None)


@contextlib.contextmanager
def recording_reads() -> Iterator[set[Path]]:
    """Record every input file read inside the block (the output guard refuses to write over them)."""
    reads: set[Path] = set()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def note_read(path: str | Path) -> None:
    """Every reader of an input file calls this, so files read through other files are known too."""
    reads = _READS.get()
    if reads is not None:
        reads.add(Path(path).resolve())


def files_read() -> frozenset[Path]:
    return frozenset(_READS.get() or ())
