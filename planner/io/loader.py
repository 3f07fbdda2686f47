"""Read a YAML file into its pydantic model, turning every failure into one clear InputError."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planner.io.errors import InputError
from planner.io.registry import KIND_NAMES, note_read

M = TypeVar("M", bound=BaseModel)

_FIX = {
    "missing": "add the field",
    "extra_forbidden": "remove the field or correct its spelling (see docs/instance-format.md)",
    "float_parsing": "give a number, e.g. 7.5",
    "float_type": "give a number, e.g. 7.5",
    "finite_number": "give a finite number (not .inf or .nan)",
    "int_parsing": "give a whole number",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "string_type": "give a text value",
    "string_pattern_mismatch": "use lower-case letters, digits and _ (ids) or HH:MM (times)",
    "greater_than": "give a positive number",
    "greater_than_equal": "give a number that is not negative",
    "less_than_equal": "give a smaller number",
    "less_than": "give a smaller number",
    "literal_error": "use one of the values listed",
    "list_type": "give a list, e.g. [a, b]",
    "dict_type": "give a mapping of key: value",
    "too_short": "give at least one entry",
    "value_error": "see docs/instance-format.md",
}


def field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_check(), TaskSpec]",) or str(part).startswith(("function-", "union[", "float", "dict[", "str", "list[", "constrained-")):
            continue  # pydantic's internal union/validator labels say nothing to a user
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Line (1-based) of the node that a pydantic location points at, for the message."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            continue
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def fail_at(path, node: yaml.Node | None, loc: tuple, problem: str, fix: str):
    """Raise an InputError for the field at `loc` of a composed YAML file, with its line."""
    line = _line_of(node, loc) if node is not None else None
    raise InputError(path, field_path(loc) + (f" (line {line})" if line else ""), problem, fix)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    if not path.exists():
        raise InputError(path, "", "file not found", "check the path (paths inside a file are relative to that file)")
    if path.is_dir():
        raise InputError(path, "", "is a folder, not a YAML file", "give the path of a .yaml file")
    note_read(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "", "is not UTF-8 text", "save the file as UTF-8") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(path, where, f"YAML syntax error: {problem}",
                         "check indentation, colons and quotes around that line") from None
    if data is None:
        raise InputError(path, "", "the file is empty", "start the file with e.g. `kind: unit` and its fields")
    return data, node


def load_file(path: str | Path, expect: str, model: type[M]) -> M:
    """Parse one file of kind `expect` and validate it with its pydantic `model`."""
    path = Path(path)
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(path, "(top level)", "the file must be a mapping with `kind:` and its fields",
                         f"start the file with `kind: {expect}`")
    kind = data.get("kind")
    if kind != expect:
        got = f"is a `{kind}` file" if kind in KIND_NAMES else (
            "has no `kind:`" if kind is None else f"has an unknown kind {str(kind)[:40]!r}")
        raise InputError(path, "kind", f"{got}, but a `{expect}` file is needed here",
                         f"point to a file with `kind: {expect}` (kinds: {', '.join(KIND_NAMES)})")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        line = _line_of(node, loc)
        where = field_path(loc) + (f" (line {line})" if line else "")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "is required but missing"
        got = err.get("input")
        if err["type"] not in ("missing",) and not isinstance(got, (dict, list)) and got is not None:
            msg += f" (got {got!r})"
        # a union reports one failure per alternative: count other fields only
        more = len({field_path(tuple(x["loc"])) for x in e.errors()} - {field_path(loc)})
        fix = getattr(err.get("ctx", {}).get("error"), "fix", None) or _FIX.get(err["type"], "see docs/instance-format.md")
        if more:
            fix += f"; {more} more problem{'s' if more > 1 else ''} after this one"
        raise InputError(path, where, msg, fix) from None
