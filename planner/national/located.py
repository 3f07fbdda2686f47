"""Errors located in one national YAML file: the field path as the file spells it, and its line.

A national file has year keys (`adoption: {2030: 0.25}`), so a location part can be a mapping key
that is a number; the path walks the file's own data to render `adoption.2030`, not a list index,
and walks the YAML nodes to find the line. Pydantic's validation errors and the cross-reference
checks of planner.national.config both end here, so every message looks the same.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from planner.io.errors import InputError
from planner.io.loader import read_yaml
from planner.io.registry import KIND_NAMES

_NOT_THERE = object()
# parts pydantic adds to a location (union members, validators, dict keys) that are not fields of the file
_LABEL = re.compile(r"^(\[key\]|function-\w+\[.*|union\[.*|constrained-\w+|literal\[.*|dict\[.*|list\[.*|"
                    r"tuple\[.*|nullable\[.*|lax-.*|json-.*|chain\[.*|tagged-union\[.*|bool|int|float|str|none|"
                    r"any|[A-Z]\w*)$")

_PROBLEM = {  # pydantic error type -> what to tell the user
    "model_type": "expected a mapping", "dict_type": "expected a mapping",
    "model_attributes_type": "expected a mapping", "list_type": "expected a list",
    "float_type": "expected a number", "float_parsing": "expected a number",
    "int_type": "expected a whole number", "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number", "bool_type": "expected true or false",
    "bool_parsing": "expected true or false", "string_type": "expected text",
    "finite_number": "is not a finite number", "too_short": "is empty",
    "string_pattern_mismatch": "is not an id", "missing": "is required but missing",
    "extra_forbidden": "is not a field here",
}
_FIX = {
    "model_type": "write it as `key: value` pairs", "dict_type": "write it as `key: value` pairs",
    "model_attributes_type": "write it as `key: value` pairs", "list_type": "write it as a list, e.g. [a, b]",
    "float_type": "write a plain number, e.g. 0.25", "float_parsing": "write a plain number, e.g. 0.25",
    "int_type": "write a whole number, e.g. 2030", "int_parsing": "write a whole number, e.g. 2030",
    "int_from_float": "write a whole number, e.g. 2030", "bool_type": "write true or false",
    "bool_parsing": "write true or false", "string_type": "write text (quote it if YAML reads it as a number)",
    "finite_number": "write a finite number (not .inf or .nan)", "too_short": "give at least one entry",
    "string_pattern_mismatch": "use lower-case letters, digits, _ . and - (e.g. helsemod_middels)",
    "literal_error": "use one of the values listed",
}


class Located:
    """One YAML file's data and node tree; turns a location (keys and indexes) into `field (line N)`."""

    def __init__(self, path: Path, data: Any, node: yaml.Node | None) -> None:
        self.path, self.data, self.node = path, data, node

    def where(self, loc: tuple) -> str:
        text, line = self._walk(loc)
        return (text or "(top level)") + (f" (line {line})" if line else "")

    def fail(self, loc: tuple, problem: str, fix: str) -> NoReturn:
        raise InputError(self.path, self.where(loc), problem, fix)

    def validate(self, model: type[BaseModel], value: Any, loc: tuple = ()) -> Any:
        """`model` validated from `value`, the data found at `loc` in this file."""
        try:
            return model.model_validate(value)
        except ValidationError as e:
            self.fail_validation(e, loc, model)

    def fail_validation(self, e: ValidationError, loc: tuple, model: type[BaseModel],
                        rebase: typing.Callable[[tuple], tuple] | None = None) -> NoReturn:
        """One InputError for the first problem (a union's alternatives count as one); `rebase` maps a
        location inside the validated value to where it is in the file, when the value was put together."""
        errs = e.errors()
        first = errs[0]
        shown = self._walk(_in_file(first, loc, rebase))[0]
        for err in errs[1:]:   # a union reports each alternative: take the one that went deepest
            p = self._walk(_in_file(err, loc, rebase))[0]
            if p.startswith((shown + ".", shown + "[")):
                first, shown = err, p
        at = _in_file(first, loc, rebase)
        problem, fix = self._words(first, model)
        more = len({self._walk(_in_file(x, loc, rebase))[0] for x in errs} - {shown})
        if more:
            fix += f"; {more} more problem{'s' if more > 1 else ''} after this one"
        raise InputError(self.path, self.where(at), problem, fix) from None

    # ------------------------------------------------------------------------------------ details
    def _words(self, err: dict, model: type[BaseModel]) -> tuple[str, str]:
        kind = err["type"]
        exc = (err.get("ctx") or {}).get("error")
        if exc is not None and hasattr(exc, "fix"):
            return str(exc), exc.fix
        problem = _PROBLEM.get(kind, err["msg"].removeprefix("Value error, "))
        if kind == "literal_error":
            problem = f"expected one of {err['ctx']['expected']}"
        fix = _FIX.get(kind, "see docs/national.md for this field")
        if kind == "missing":
            fix = f"add `{_last(err['loc'])}:` (see docs/national.md)"
        if kind == "extra_forbidden":
            name = _last(err["loc"])
            retired = getattr(model, "NOT_READ", {}).get(name) if len(_fields(err["loc"])) == 1 else None
            if retired:
                return f"the `{name}` block is not read by leon national", retired
            known = _fields_of(model, err["loc"])
            fix = "remove it or correct its spelling" + (f"; fields here: {', '.join(known)}" if known else "")
        got = err.get("input")
        if kind not in ("missing", "extra_forbidden") and got is not None and not isinstance(got, (dict, list)):
            problem += f" (got {got!r})"
        return problem, fix

    def _walk(self, loc: tuple) -> tuple[str, int | None]:
        text, data, node = "", self.data, self.node
        line = node.start_mark.line + 1 if node is not None else None
        loc = tuple(loc)
        for i, part in enumerate(loc):
            key = _key(data, part)
            if key is not _NOT_THERE:
                text += f"[{part}]" if isinstance(data, list) else (f".{key}" if text else str(key))
                data = data[key]
                node, at = _child(node, key)
                line = at or line
                continue
            if isinstance(part, str) and (_LABEL.match(part) or _key(data, _next(loc, i)) is not _NOT_THERE):
                continue   # pydantic's own label, or a field the model builds from the file's keys
            text += f"[{part}]" if isinstance(part, int) and not isinstance(data, dict) else (
                f".{part}" if text else str(part))
            data, node = None, None
        return text, line


def _key(data: Any, part: Any) -> Any:
    if isinstance(data, list) and isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(data):
        return part
    if isinstance(data, dict) and part is not _NOT_THERE:
        if part in data:
            return part
        for k in data:
            if str(k) == str(part):
                return k
    return _NOT_THERE


def _in_file(err: dict, loc: tuple, rebase) -> tuple:
    """Where an error is in the file: the value's place, the error's place in it, and the field a
    whole-model check names (`Problem.at`, e.g. the `source` a sourced entry lacks)."""
    rel = tuple(err["loc"]) + tuple(getattr((err.get("ctx") or {}).get("error"), "at", ()))
    return tuple(rebase(rel)) if rebase else tuple(loc) + rel


def _next(loc: tuple, i: int) -> Any:
    return loc[i + 1] if i + 1 < len(loc) else _NOT_THERE


def _child(node: yaml.Node | None, key: Any) -> tuple[yaml.Node | None, int | None]:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == str(key):
                return v, k.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        v = node.value[key]
        return v, v.start_mark.line + 1
    return None, None


def _fields(loc: tuple) -> list:
    return [p for p in loc if not (isinstance(p, str) and _LABEL.match(p))]


def _last(loc: tuple) -> Any:
    parts = _fields(loc)
    return parts[-1] if parts else ""


def _unwrap(t: Any) -> Any:
    while True:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            t = typing.get_args(t)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(t) if a is not type(None)]
            t = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0])
        else:
            return t


def _fields_of(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model a location's last part sits in (for `unknown field` fixes)."""
    t: Any = model
    for part in _fields(loc)[:-1]:
        t = _unwrap(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            if part in t.model_fields:
                t = t.model_fields[part].annotation
        elif typing.get_origin(t) in (list, tuple):
            t = typing.get_args(t)[0]
        elif typing.get_origin(t) is dict:
            t = typing.get_args(t)[1]
    t = _unwrap(t)
    return list(t.model_fields) if isinstance(t, type) and issubclass(t, BaseModel) else []


def read_kind(path: Path, kind: str) -> Located:
    """Read a YAML file that must be of `kind` (the same messages as planner.io.loader.load_file)."""
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(path, "(top level)", "the file must be a mapping with `kind:` and its fields",
                         f"start the file with `kind: {kind}`")
    got = data.get("kind")
    if got != kind:
        what = f"is a `{got}` file" if got in KIND_NAMES else (
            "has no `kind:`" if got is None else f"has an unknown kind {str(got)[:40]!r}")
        raise InputError(path, "kind", f"{what}, but a `{kind}` file is needed here",
                         f"point to a file with `kind: {kind}` (kinds: {', '.join(KIND_NAMES)})")
    return Located(path, data, node)
