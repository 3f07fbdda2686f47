"""Errors the user can act on. The CLI prints them without a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Invalid input: names the file, the field path, what is wrong and how to fix it (exit 2)."""

    exit_code = 2

    def __init__(self, file: object, field: str, problem: str, fix: str = "") -> None:
        self.file = str(file) if file is not None else "<input>"
        self.field = field
        self.problem = problem
        self.fix = fix
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
