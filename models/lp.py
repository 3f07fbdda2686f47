"""A small linear / mixed-integer model container with two back ends.

The staffing model is built once as plain arrays (columns, rows in sparse form) and handed to HiGHS
through its own API (fast: no per-variable Python objects) or to CBC through pulp (fallback). The
same container writes MPS, so an exported model is exactly the model that was solved.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

INF = math.inf


# Unit models close at the root node. These root heuristics have a fixed work budget that, on
# models this small, costs more than they find: off, the unit benchmark runs about 1.6 x faster.
MIP_OPTIONS = {
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}


@contextlib.contextmanager
def _silenced_stdout():
    """HiGHS 1.12 prints a debug line from its MIP code with printf even when output is off."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        yield  # no real file descriptor (e.g. captured): nothing to silence
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


class Deadline:
    """One time budget for a run of several solves: each solve gets the time that is left.

    Pass it where a solve takes `time_limit`. Once it has run out, a solve returns `time_limit`
    without a plan at once; `reached` records that some solve was cut short or skipped.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.reached = False

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())


@dataclass
class Solution:
    status: str  # optimal | time_limit | infeasible | unbounded | error
    objective: float = math.nan
    bound: float = math.nan
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "time_limit") and self.values.size > 0


@dataclass
class LinearModel:
    """Minimise cost · v subject to lo <= A v <= hi and bounds; some columns integer."""

    name: str = "model"
    col_names: list[str] = field(default_factory=list)
    col_lb: list[float] = field(default_factory=list)
    col_ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    _ri: list[int] = field(default_factory=list)
    _ci: list[int] = field(default_factory=list)
    _v: list[float] = field(default_factory=list)
    _row_name_set: set[str] = field(default_factory=set)

    # -- building ---------------------------------------------------------------------------
    def add_var(self, name: str, lb: float = 0.0, ub: float = INF, cost: float = 0.0,
                integer: bool = False) -> int:
        self.col_names.append(name)
        self.col_lb.append(lb)
        self.col_ub.append(ub)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.col_names) - 1

    def add_row(self, terms: dict[int, float], lo: float = -INF, hi: float = INF,
                name: str = "") -> int:
        r = len(self.row_names)
        name = name or f"r{r}"
        if name in self._row_name_set:  # MPS needs unique names
            name = f"{name}#{r}"
        self._row_name_set.add(name)
        self.row_names.append(name)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        for c, v in terms.items():
            if v != 0.0:
                self._ri.append(r)
                self._ci.append(c)
                self._v.append(float(v))
        return r

    @property
    def num_cols(self) -> int:
        return len(self.col_names)

    @property
    def num_rows(self) -> int:
        return len(self.row_names)

    @property
    def num_nonzeros(self) -> int:
        return len(self._v)

    def row_activity(self, values: np.ndarray) -> np.ndarray:
        act = np.zeros(self.num_rows)
        np.add.at(act, np.asarray(self._ri, dtype=int),
                  np.asarray(self._v) * values[np.asarray(self._ci, dtype=int)])
        return act

    def without_rows(self, drop: set[int]) -> LinearModel:
        """A copy with some rows removed (none: a plain copy; used to measure what a rule costs)."""
        keep = [r for r in range(self.num_rows) if r not in drop]
        new_index = {r: i for i, r in enumerate(keep)}
        m = LinearModel(self.name, list(self.col_names), list(self.col_lb), list(self.col_ub),
                        list(self.cost), list(self.integer),
                        [self.row_names[r] for r in keep], [self.row_lo[r] for r in keep],
                        [self.row_hi[r] for r in keep])
        m._row_name_set = set(m.row_names)
        for r, c, v in zip(self._ri, self._ci, self._v, strict=True):
            if r in new_index:
                m._ri.append(new_index[r])
                m._ci.append(c)
                m._v.append(v)
        return m

    # -- solving ----------------------------------------------------------------------------
    def solve(self, solver: str = "highs", time_limit: float | Deadline | None = None,
              relax: bool = False) -> Solution:
        if solver not in ("highs", "cbc"):
            raise ValueError(f"unknown solver {solver!r}")
        deadline = time_limit if isinstance(time_limit, Deadline) else None
        if deadline is not None:
            time_limit = deadline.left()
            if time_limit <= 0:
                deadline.reached = True
                return Solution("time_limit")
        sol = self._solve_highs(time_limit, relax) if solver == "highs" else self._solve_pulp(time_limit, relax)
        if deadline is not None and sol.status == "time_limit":
            deadline.reached = True
        return sol

    def _csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cols = np.asarray(self._ci, dtype=np.int32)
        order = np.argsort(cols, kind="stable")
        index = np.asarray(self._ri, dtype=np.int32)[order]
        value = np.asarray(self._v, dtype=np.float64)[order]
        start = np.zeros(self.num_cols + 1, dtype=np.int32)
        np.cumsum(np.bincount(cols, minlength=self.num_cols), out=start[1:])
        return start, index, value

    def to_highs(self, relax: bool = False):
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        lp = highspy.HighsLp()
        lp.model_name_ = self.name
        lp.num_col_ = self.num_cols
        lp.num_row_ = self.num_rows
        lp.col_cost_ = np.asarray(self.cost, dtype=np.float64)
        lp.col_lower_ = np.asarray(self.col_lb, dtype=np.float64)
        lp.col_upper_ = np.asarray(self.col_ub, dtype=np.float64)
        lp.row_lower_ = np.asarray(self.row_lo, dtype=np.float64)
        lp.row_upper_ = np.asarray(self.row_hi, dtype=np.float64)
        start, index, value = self._csc()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.a_matrix_.num_col_ = self.num_cols
        lp.a_matrix_.num_row_ = self.num_rows
        if not relax and any(self.integer):
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                               for i in self.integer]
        lp.col_names_ = list(self.col_names)
        lp.row_names_ = list(self.row_names)
        h.passModel(lp)
        return h

    def write_mps(self, path: str, relax: bool = False) -> None:
        """Write free MPS; HiGHS takes the format from the name, so `path` must end in .mps."""
        import highspy

        if not str(path).lower().endswith(".mps"):
            raise ValueError(f"an MPS file name must end in .mps: {path}")
        if self.to_highs(relax).writeModel(str(path)) != highspy.HighsStatus.kOk:
            raise OSError(f"HiGHS could not write {path}")

    def _solve_highs(self, time_limit: float | None, relax: bool) -> Solution:
        import highspy

        h = self.to_highs(relax)
        h.setOptionValue("mip_rel_gap", 1e-9)
        for option, value in MIP_OPTIONS.items():
            h.setOptionValue(option, value)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        with _silenced_stdout():
            h.run()
        st = h.getModelStatus()
        MS = highspy.HighsModelStatus
        info = h.getInfo()
        has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if st == MS.kOptimal:
            status = "optimal"
        elif st in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
            status = "infeasible"
        elif st == MS.kUnbounded:
            status = "unbounded"
        elif st == MS.kTimeLimit and has_sol:
            status = "time_limit"
        elif st == MS.kTimeLimit:
            return Solution("time_limit")
        else:
            status = "error"
        if not has_sol:
            return Solution(status if status != "optimal" else "error")
        values = np.asarray(h.getSolution().col_value, dtype=float)
        obj = float(info.objective_function_value)
        bound = obj if status == "optimal" else float(getattr(info, "mip_dual_bound", math.nan))
        return Solution(status, obj, bound, values)

    def _solve_pulp(self, time_limit: float | None, relax: bool) -> Solution:
        import pulp

        prob = pulp.LpProblem(self.name, pulp.LpMinimize)
        cat = [pulp.LpInteger if (i and not relax) else pulp.LpContinuous for i in self.integer]
        xs = [prob.add_variable(f"c{j}", None if self.col_lb[j] == -INF else self.col_lb[j],
                                None if self.col_ub[j] == INF else self.col_ub[j], cat=cat[j])
              for j in range(self.num_cols)]
        prob += pulp.lpSum(c * x for c, x in zip(self.cost, xs, strict=True) if c)
        rows: list[list[tuple[int, float]]] = [[] for _ in range(self.num_rows)]
        for r, c, v in zip(self._ri, self._ci, self._v, strict=True):
            rows[r].append((c, v))
        for r, terms in enumerate(rows):
            expr = pulp.lpSum(v * xs[c] for c, v in terms)
            lo, hi = self.row_lo[r], self.row_hi[r]
            if lo == hi:
                prob += expr == lo, f"r{r}"
            else:
                if lo > -INF:
                    prob += expr >= lo, f"r{r}lo"
                if hi < INF:
                    prob += expr <= hi, f"r{r}hi"
        with warnings.catch_warnings():
            # the CBC binary that ships inside pulp is the fallback solver; its class is marked
            # for removal in pulp 4, which the pin in pyproject.toml keeps out
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=1e-9)
            prob.solve(cmd)
        st = pulp.LpStatus[prob.status]
        if st == "Infeasible":
            return Solution("infeasible")
        if st == "Unbounded":
            return Solution("unbounded")
        if st not in ("Optimal",) or any(x.varValue is None for x in xs):
            return Solution("error")
        values = np.array([x.varValue for x in xs], dtype=float)
        obj = float(np.dot(self.cost, values))
        status = "optimal" if prob.sol_status == pulp.LpSolutionOptimal else "time_limit"
        return Solution(status, obj, obj if status == "optimal" else math.nan, values)
