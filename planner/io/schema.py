"""The building blocks every file schema uses: strict numbers, ids, sourced entries, located problems.

Each capability defines its own file models from these (planner/staffing/schema.py, planner/roster/schema.py,
planner/national/schema.py); planner/kinds.py registers them by `kind:`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1)]
# strict: `true` is not the number 1 and "30" is not 30 (YAML already gives numbers as numbers)
Num = Annotated[float, Field(strict=True)]
Share = Annotated[float, Field(strict=True, ge=0, le=1)]
NonNeg = Annotated[float, Field(strict=True, ge=0)]
Pos = Annotated[float, Field(strict=True, gt=0)]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Problem(ValueError):
    """A validation failure that knows its fix (the loader shows both)."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.fix = fix


class Strict(BaseModel):
    # no .inf / .nan: a number the solver cannot use must fail here, not hang or crash the solve
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Sourced(Strict):
    source: str | None = None
    illustrative: bool = False
    note: str | None = None
