"""The one writer of output files: atomic, and never over anything the run read or anything not a file.

Every output of every command goes through `atomic_path` (write_text, write_json and the Excel, PNG,
CSV and HTML writers use it). It checks the target each time it writes; commands also call
`guard_all` at their start, so a bad path fails before a long solve rather than after it.
A refusal is an InputError (exit 2) that names the option and says how to fix it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from planner.io.errors import InputError
from planner.io.registry import files_read, note_read

# output path -> its option (e.g. "--json"), so a refusal at write time can name the option too
_OPTIONS: contextvars.ContextVar[dict[Path, str] | None] = contextvars.ContextVar("leon_outputs", default=None)


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _option(path: str | Path, option: str | None) -> str:
    """The option that asked for `path`, for messages ("output" if none is known)."""
    if option:
        return option
    return (_OPTIONS.get() or {}).get(Path(path).absolute(), "output") if str(path) else "output"


def _is_input(out: Path, inputs: Iterable[str | Path]) -> bool:
    """True if `out` is one of the inputs: the same file through links, or the same resolved path."""
    target = out.resolve()
    for p in inputs:
        p = Path(p)
        try:
            if os.path.samefile(out, p):
                return True
        except OSError:  # one of the two does not exist (yet)
            if target == p.resolve():
                return True
    return False


def _check_folder(out: Path, opt: str, probe: bool) -> None:
    """The folder of an output exists, is a folder and (with `probe`: a file made and removed) is writable."""
    folder = out.parent
    if not folder.exists():
        raise InputError(opt, str(out), f"folder {folder} does not exist",
                         f"create it first (mkdir -p {folder}) or choose another path")
    if not folder.is_dir():
        raise InputError(opt, str(out), f"{folder} is not a folder", "choose a path inside a folder")
    if probe:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".probe", dir=folder)
            os.close(fd)
            os.unlink(tmp)
        except OSError as e:
            raise InputError(opt, str(out), f"cannot write in folder {folder}: {e.strerror or e}",
                             "choose a folder you can write to") from None


def check_output(path: str | Path, option: str | None = None, inputs: Iterable[str | Path] = (),
                 probe: bool = True) -> Path:
    """Refuse a path that must not be written: an input of this run (read directly or through
    another file), an existing non-regular file (folder, device, FIFO), an empty path, a missing
    folder or a folder that cannot be written. `probe` creates and removes a file to be sure of the last."""
    opt = _option(path, option)
    if not str(path):
        raise InputError(opt, "", "the path is empty", f"give a file path, e.g. {opt} result.json, or leave {opt} out")
    if str(path).endswith(("/", os.sep)):
        raise InputError(opt, str(path), "names a folder (ends in /)", "give a file path inside the folder")
    out = Path(path)
    if _is_input(out, [*inputs, *files_read()]):
        raise InputError(opt, str(out), "is an input file of this run and would be overwritten",
                         "choose another output path")
    try:
        mode = os.stat(out).st_mode  # follows links: a link to /dev/null is a device
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise InputError(opt, str(out), f"cannot be examined: {e.strerror or e}",
                         "choose another output path") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(opt, str(out), f"exists and is {_what(mode)}, so leon will not replace it",
                         "give the path of a new or regular file")
    _check_folder(out, opt, probe)
    return out


def guard_all(outputs: dict[str, str | Path | None], inputs: Iterable[str | Path]) -> dict[str, Path]:
    """Check every given output option (None = not asked for; "" is refused) against the inputs and
    each other. The inputs are recorded as read, so the check at write time sees them too."""
    paths = [Path(p) for p in inputs if p]
    for p in paths:
        if p.exists():
            note_read(p)
    outs = {opt: check_output(p, opt, paths) for opt, p in outputs.items() if p is not None}
    seen: dict[Path, str] = {}
    for opt, p in outs.items():
        key = p.resolve()
        if key in seen:
            raise InputError(opt, str(p), f"is also the path of {seen[key]}", "give each output its own path")
        seen[key] = opt
    names = dict(_OPTIONS.get() or {})
    names.update({p.absolute(): opt for opt, p in outs.items()})
    _OPTIONS.set(names)
    return outs


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str = "", option: str | None = None) -> Iterator[Path]:
    """Check `path` (see check_output), then yield a temporary path beside it; move it into place
    only if the writer succeeds. An OS error while writing becomes an InputError naming the path."""
    path = check_output(path, option, probe=False)
    opt = _option(path, option)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    except OSError as e:
        raise InputError(opt, str(path), f"cannot write in folder {path.parent}: {e.strerror or e}",
                         "choose a folder you can write to") from None
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give the result the usual mode of a new file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        check_output(path, option, probe=False)  # the writer may have read more, or the path changed
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(opt, str(path), f"could not be written: {e.strerror or e}",
                         "check the free space and permissions of the folder, or choose another path") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | Path, text: str, option: str | None = None) -> None:
    with atomic_path(path, option=option) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data, option: str | None = None) -> None:
    with atomic_path(path, option=option) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=float) + "\n", encoding="utf-8")
