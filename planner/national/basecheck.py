"""Does LEON, nationally, need at least as many of the planning base group as today's mix?

NOU 2023:4 (kap. 8.4.2) expects demand for helsefagarbeidere to rise when task sharing starts from
fagarbeider competence. For each scenario this compares the base group's need with the scenario's
task sharing against its need without, in the horizon year (P50 over the draws). Where LEON needs
fewer, the archetype units are solved once more (nominal, no noise) to name the task families that
move away from the base group and the rules that bind in LEON.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.national.units import load_base


def _n(x: float, sign: str = "") -> str:
    return f"{x:{sign},.0f}".replace(",", " ")


def _bases(cfg) -> dict[str, list[str]]:
    """Planning base group -> the archetypes whose unit sets it (toy units set none)."""
    out: dict[str, list[str]] = {}
    for a in cfg.archetypes:
        own = getattr(load_base(a.unit_path), "planning_base", None)
        base = own if getattr(cfg, "planning_base", None) is None else cfg.planning_base
        if base == "none":
            continue
        if base is not None:
            out.setdefault(cfg.national_group(base), []).append(a.id)
    return out


def _shortfalls(cfg, archetypes: list[str]) -> list[dict[str, Any]]:
    """Each archetype unit's own account of where the base group's work goes (nominal unit)."""
    from planner.staffing.explain import base_shortfall
    from planner.staffing.solve import solve_instance

    out = []
    for a in cfg.archetypes:
        if a.id in archetypes:
            inst = load_base(a.unit_path)
            if getattr(cfg, "planning_base", None) not in (None, "none"):
                from planner.staffing.instance import with_planning_base

                inst = with_planning_base(inst, cfg.planning_base)
            s = base_shortfall(inst, solve_instance(inst, ("baseline", "leon"), explain=True))
            if s is not None:
                out.append({"archetype": a.id, **s})
    return out


def planning_base_check(res, sid: str) -> list[dict[str, Any]]:
    """One row per planning base group: need without and with task sharing, and whether it holds."""
    cfg, p = res.cfg, res.projections[sid]
    year = p.years[-1]
    i = p.years.index(year)
    rows = []
    for group, archetypes in sorted(_bases(cfg).items()):
        if group not in p.groups:
            continue
        j = p.groups.index(group)
        before = float(np.median(p.need_base[:, i, j]))
        after = float(np.median(p.need_ts[:, i, j]))
        holds = after >= before - 0.5
        row: dict[str, Any] = {"group": group, "year": year, "archetypes": archetypes,
                               "need_without_task_sharing": before, "need_with_task_sharing": after,
                               "at_least_baseline": holds, "source": "NOU2023:4, kap. 8.4.2"}
        said = (f"{group} (the units' planning base) {year}: LEON's task sharing needs {_n(after - before, '+')} "
                f"årsverk against today's mix ({_n(before)} → {_n(after)}): ")
        if holds:
            row["text"] = said + "at least the baseline, as NOU2023:4, kap. 8.4.2 expects"
        else:
            row["shortfalls"] = _shortfalls(cfg, archetypes)
            row["text"] = said + "fewer, unlike what NOU2023:4, kap. 8.4.2 expects; what drives it in each unit follows"
        rows.append(row)
    return rows
