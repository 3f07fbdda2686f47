"""Staffing runs: an Instance -> the model's problem (per mode) -> heads, allocation, årsverk.

`baseline` fixes each task to today's performers and shares; `leon` lets each task go to any group
the catalogue allows (with its conditions and, where the unit sets one, no lower than the planning
base for tasks that need health competence). Both face the same forsvarlighet rules. Tasks with the
same allowed groups and conditions are added up into task classes before the model is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from models.lp import Deadline
from models.staffing import mip as model
from planner.staffing import workload
from planner.io.errors import InputError
from planner.staffing.fte import FteResult, fte_from_hours
from planner.staffing.instance import Instance, allowed_groups
from planner.staffing.rule_types import ModelUnit

# a time limit is a number (seconds for each model solve: national runs) or a Deadline (one budget for
# every model solve of a run: `leon solve --time-limit`), which each solve draws the time left from
TimeLimit = float | Deadline | None

MODES = ("baseline", "leon")
# `pooled`: today's performers only, but in any shares; splits freed årsverk into what pooling
# today's groups gives and what moving tasks to other groups gives
ALL_MODES = (*MODES, "pooled")


@dataclass
class ModeResult:
    mode: str
    status: str
    objective: float
    bound: float
    staff: dict[str, dict[str, float]]          # shift -> group -> heads
    weekly_hours: dict[str, float]              # group -> paid hours per week
    fte: FteResult
    cost_nok_per_week: float
    allocation: dict[str, dict[str, float]]     # task -> group -> hours per week
    allocation_by_shift: dict[str, dict[str, dict[str, float]]]  # task -> shift -> group -> hours
    binding: list[dict] = field(default_factory=list)
    workload_only_staff: dict[str, dict[str, float]] | None = None
    bends: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def fte_gross(self) -> dict[str, float]:
        return self.fte.gross

    @property
    def fte_net(self) -> dict[str, float]:
        return self.fte.net


def _rule_to_model(inst: Instance, r, unit: ModelUnit, sidx: dict[str, int]) -> list[model.Rule]:
    """One rule of the file format as the model's linear rows (its type says how) on its shifts."""
    shifts = tuple(sidx[s] for s in inst.select_shifts(r.shifts, inst.rule_files[r.id], f"rules.{r.id}.shifts"))
    return r.rows(unit, shifts)


def _window(inst: Instance, task) -> tuple[str, ...]:
    """Shifts a movable task may move to (within the day type of its work); () if not movable."""
    if task.movable is False:
        return ()
    return tuple(s.id for s in inst.shifts if task.movable is True or s.time in task.movable)


def _profile(inst: Instance, per_shift: dict[str, float]) -> tuple[float, ...]:
    """Each shift's share of its day type's hours of a task (rounded, so equal profiles compare equal)."""
    day_total: dict[str, float] = {}
    for s in inst.shifts:
        day_total[s.day_type] = day_total.get(s.day_type, 0.0) + per_shift[s.id]
    return tuple(round(per_shift[s.id] / day_total[s.day_type], 9) if day_total[s.day_type] > 0 else 0.0
                 for s in inst.shifts)


def build_problem(inst: Instance, mode: str) -> tuple[model.StaffingProblem, list[tuple[str, list[str]]],
                                                      dict[str, dict[str, float]]]:
    """The model's problem for one mode, the tasks behind each task class, and task hours."""
    if mode not in ALL_MODES:
        raise ValueError(mode)
    gids = list(inst.groups)
    gidx = {g: i for i, g in enumerate(gids)}
    sids = inst.shift_ids
    sidx = {s: i for i, s in enumerate(sids)}
    hours = workload.hours(inst)

    classes: dict[tuple, dict] = {}
    for t, per_shift in hours.items():
        if sum(per_shift.values()) <= 0:
            continue
        task = inst.tasks[t]
        # baseline and pooled are today's practice: today's performers, whatever the planning base
        options = allowed_groups(inst, task, today_practice=mode != "leon")
        if mode == "pooled":
            opts = tuple(o for o in sorted(options) if o[0] in inst.today[t])
            key = (opts, (), None)
        elif mode == "baseline":
            # today's practice: today's performers in today's shares, in today's shift
            today = inst.today[t]
            opts = tuple(o for o in sorted(options) if o[0] in today)
            shares = tuple(today[g] for g, _, _ in opts)
            # with shares per day type, tasks add up exactly only if their hours are spread over the
            # day's shifts in the same proportions: the profile joins the key
            key = (opts, (), shares) if inst.baseline_shares == "shift" else (opts, (), shares, _profile(inst, per_shift))
        else:
            opts = tuple(sorted(options))
            key = (opts, _window(inst, task), None)
        c = classes.setdefault(key, {"tasks": [], "work": np.zeros(len(sids))})
        c["tasks"].append(t)
        c["work"] += np.array([per_shift[s] for s in sids])

    task_classes, members = [], []
    for (opts, window, shares, *_), c in sorted(classes.items(), key=lambda kv: kv[1]["tasks"][0]):
        name = c["tasks"][0] if len(c["tasks"]) == 1 else f"{c['tasks'][0]}+{len(c['tasks']) - 1}"
        task_classes.append(model.TaskClass(
            name=name, allowed=tuple(gidx[g] for g, _, _ in opts), work=tuple(c["work"]),
            factor=tuple(f for _, f, _ in opts),
            supervisors=tuple(tuple(gidx[x] for x in sup) for _, _, sup in opts),
            window=tuple(sidx[x] for x in window), fixed_shares=shares))
        members.append((name, c["tasks"]))

    rules = []
    unit = ModelUnit(groups=inst.groups, patients=sum(inst.patient_counts.values()))
    for r in inst.rules:
        rules += _rule_to_model(inst, r, unit, sidx)
    p = model.StaffingProblem(
        groups=tuple(gids), level=tuple(inst.groups[g].level for g in gids),
        cost_per_hour=tuple(inst.groups[g].cost_per_hour for g in gids),
        shifts=tuple(sids), paid_hours=tuple(s.paid_hours for s in inst.shifts),
        days_per_week=tuple(s.days_per_week for s in inst.shifts),
        day_type=tuple(s.day_type for s in inst.shifts),
        productive=tuple(tuple(inst.productive[g] for _ in sids) for g in gids),
        availability=tuple(tuple(inst.availability[g].get(s, math.inf) for s in sids) for g in gids),
        tasks=tuple(task_classes), rules=tuple(rules),
        preference=tuple(0.0 if any(g in shares for shares in inst.today.values()) else 0.01 for g in gids),
        share_scope=inst.baseline_shares)
    return p, members, hours


def solve_instance(inst: Instance, modes=MODES, objective: str = "hours", solver: str = "highs",
                   time_limit: TimeLimit = None, relax: bool = False,
                   explain: bool = False) -> dict[str, ModeResult]:
    if objective not in ("hours", "cost"):
        raise InputError("--objective", "", f"unknown objective {objective!r}", "use hours or cost")
    return {m: solve_mode(inst, m, objective, solver, time_limit, relax, explain) for m in modes}


def solve_mode(inst: Instance, mode: str, objective: str = "hours", solver: str = "highs",
               time_limit: TimeLimit = None, relax: bool = False, explain: bool = False) -> ModeResult:
    p, members, hours = build_problem(inst, mode)
    sol = model.solve(p, objective, solver, time_limit, relax, explain)
    return _result(inst, mode, p, members, hours, sol)


def _result(inst: Instance, mode: str, p: model.StaffingProblem, members, hours,
            sol: model.StaffingSolution) -> ModeResult:
    gids, sids = list(p.groups), list(p.shifts)
    days = dict(zip(sids, p.days_per_week))
    paid = dict(zip(sids, p.paid_hours))
    staff = {s: {g: float(sol.heads[k, j]) for k, g in enumerate(gids)} for j, s in enumerate(sids)}
    weekly = {g: sum(staff[s][g] * paid[s] * days[s] for s in sids) for g in gids}
    cost = sum(weekly[g] * inst.groups[g].cost_per_hour for g in gids)

    # task classes back to tasks: each task takes its share of its class's hours (per day type for
    # movable classes, whose hours may sit in another shift of the same day)
    alloc_shift: dict[str, dict[str, dict[str, float]]] = {}
    day_of = dict(zip(sids, p.day_type))
    for ci, (_, tasks) in enumerate(members):
        tc = p.tasks[ci]
        movable = bool(tc.window) and tc.fixed_shares is None
        for t in tasks:
            per = alloc_shift.setdefault(t, {})
            for j, s in enumerate(sids):
                if movable:
                    day_total = sum(tc.work[q] for q, d in enumerate(p.day_type) if d == day_of[s])
                    share = (sum(hours[t][q] for q in sids if day_of[q] == day_of[s]) / day_total
                             if day_total > 0 else 0.0)
                else:
                    share = hours[t][s] / tc.work[j] if tc.work[j] > 0 else 0.0
                for k, g in enumerate(gids):
                    v = float(sol.allocation[ci, k, j] * share)
                    if v > 1e-9:
                        per.setdefault(s, {})[g] = v
    alloc_week = {t: {} for t in alloc_shift}
    for t, per in alloc_shift.items():
        for s, gv in per.items():
            for g, v in gv.items():
                alloc_week[t][g] = alloc_week[t].get(g, 0.0) + v * days[s]

    wl = None
    if sol.workload_only_heads is not None:
        wl = {s: {g: float(sol.workload_only_heads[k, j]) for k, g in enumerate(gids)}
              for j, s in enumerate(sids)}
    ok = sol.status in ("optimal", "time_limit")
    return ModeResult(
        mode=mode, status=sol.status, objective=sol.objective, bound=sol.bound, staff=staff,
        weekly_hours=weekly, fte=fte_from_hours(weekly if ok else {g: 0.0 for g in gids}, inst.fte),
        cost_nok_per_week=cost, allocation=alloc_week, allocation_by_shift=alloc_shift,
        binding=[_named_binding(b, gids, sids) for b in sol.binding], workload_only_staff=wl,
        bends=sol.bends, stats=sol.stats)


def _named_binding(b: dict, gids: list[str], sids: list[str]) -> dict:
    """The model's binding-rule record with group and shift names instead of indices."""
    out = {k: v for k, v in b.items() if k != "heads_without"}
    without: dict[str, dict[str, float]] = {}
    for (k, s), n in b.get("heads_without", {}).items():
        without.setdefault(sids[s], {})[gids[k]] = n
    out["heads_without"] = without
    return out


def freed_breakdown(inst: Instance, results: dict[str, ModeResult], solver: str = "highs",
                    objective: str = "hours", time_limit: TimeLimit = None,
                    relax: bool = False) -> dict[str, dict[str, float]] | None:
    """Freed gross årsverk split in two: pooling today's performers (baseline − pooled), and moving
    tasks to other allowed groups (pooled − LEON). The parts add up to baseline − LEON."""
    pooled = solve_mode(inst, "pooled", objective, solver, time_limit, relax)
    if pooled.status not in ("optimal", "time_limit"):
        return None
    b, lo = results["baseline"].fte.gross, results["leon"].fte.gross
    return {"pooling": {g: b[g] - pooled.fte.gross[g] for g in b},
            "task_sharing": {g: pooled.fte.gross[g] - lo[g] for g in b}}


def freed_fte(results: dict[str, ModeResult], kind: str = "gross") -> dict[str, float]:
    """Baseline − LEON per group (negative: LEON needs more of that group)."""
    b, lo = results["baseline"].fte, results["leon"].fte
    src_b, src_l = (b.gross, lo.gross) if kind == "gross" else (b.net, lo.net)
    return {g: src_b[g] - src_l[g] for g in src_b}
