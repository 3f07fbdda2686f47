"""Writing output files atomically, and never over a file the user gave as input."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

from planner.io.errors import InputError


def guard(out: str | Path, inputs: list[str | Path], option: str) -> Path:
    """Refuse an output path that is one of the inputs (so nothing the user wrote is lost)."""
    out = Path(out)
    for p in inputs:
        if out.exists() and Path(p).exists() and os.path.samefile(out, p):  # also through links
            raise InputError(option, str(out), "is one of the input files and would be overwritten",
                             "choose another output path")
    if out.exists() and out.is_dir():
        raise InputError(option, str(out), "is a folder", "give a file path")
    if not out.parent.exists():
        raise InputError(option, str(out), f"folder {out.parent} does not exist", "create it or choose another path")
    return out


def guard_all(outputs: dict[str, str | Path | None], inputs: list[str | Path]) -> dict[str, Path]:
    """`guard` for each given output option, and no two options writing the same file."""
    outs = {opt: guard(p, inputs, opt) for opt, p in outputs.items() if p}
    seen: dict[Path, str] = {}
    for opt, p in outs.items():
        key = p.resolve()
        if key in seen:
            raise InputError(opt, str(p), f"is also the path of {seen[key]}", "give each output its own path")
        seen[key] = opt
    return outs


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the writer succeeds."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give the result the usual mode of a new file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")
