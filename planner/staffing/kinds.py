"""The staffing file kinds and their checks (registered in planner/kinds.py)."""

from __future__ import annotations

from pathlib import Path

from planner.io.registry import Kind


def _unit(path: Path) -> str:
    from planner.staffing.instance import load_unit

    inst = load_unit(path)  # also reads and checks the groups, catalogue and rule files it names
    return (f"unit {inst.id}: {len(inst.groups)} groups, {len(inst.shifts)} shifts, "
            f"{len(inst.tasks)} tasks in the workload, {len(inst.rules)} rules, "
            f"planning base {inst.planning_base or 'none (assistants as base)'}")


def _catalogue(path: Path) -> str:
    from planner.staffing.instance import load_catalogue

    groups, tasks, _ = load_catalogue(path)
    return f"catalogue: {len(tasks)} tasks, {len(groups)} groups"


def _groups(path: Path) -> str:
    from planner.staffing.instance import load_groups

    return f"groups: {len(load_groups(path))} groups"


def _rules(path: Path) -> str:
    from planner.staffing.instance import load_rules

    rf = load_rules(path)
    return f"rule set {rf.id}: {len(rf.rules)} rules"


KINDS = {k.name: k for k in (
    Kind("unit", "a unit (patients, shifts, workload, rules)", _unit),
    Kind("groups", "personnel groups (levels, costs)", _groups),
    Kind("catalogue", "a task catalogue (minutes, allowed groups, today's shares)", _catalogue),
    Kind("rules", "a set of forsvarlighet rules", _rules),
)}
