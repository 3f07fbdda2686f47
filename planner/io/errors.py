"""Errors the user can act on. The CLI prints them without a traceback."""

from __future__ import annotations

import re

SHOWN = 60  # characters of a value a message repeats: enough to recognise it, never a whole file


def shown(value: object, limit: int = SHOWN) -> str:
    """repr() of a value for a message, cut to `limit` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _clip(text: str, limit: int) -> str:
    """Cut overlong words (a value pasted into a message) and an overlong message as a whole."""
    text = re.sub(r"\S{200,}", lambda m: m.group()[:SHOWN] + "…", text)
    return text if len(text) <= limit else text[:limit] + "…"


class InputError(Exception):
    """Invalid input: names the file, the field path, what is wrong and how to fix it (exit 2)."""

    exit_code = 2

    def __init__(self, file: object, field: str, problem: str, fix: str = "") -> None:
        self.file = str(file) if file is not None else "<input>"
        # a last guard: whatever a message quotes from the input, it never repeats a whole huge value
        self.field = _clip(field, 300)
        self.problem = _clip(problem, 1000)
        self.fix = _clip(fix, 1000)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        text = f"error: {where}: {self.problem}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class InfeasibleError(Exception):
    """No plan satisfies every rule; carries a diagnosis (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, diagnosis: list[dict] | None = None) -> None:
        self.diagnosis = diagnosis or []
        super().__init__(message)
