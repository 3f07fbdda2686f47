"""What the national numbers rest on: checks the unit models can fail, the calibration to NOU 2023:4
Tabell 2.1 (which holds by construction), and the baseline's range over HELSEMOD's alternatives.

unit_checks   each `validation:` entry (and each archetype's `check:`) against the nominal unit
              solves: fte_per_volume and share read the unit's own baseline, before calibration;
              national_fte the calibrated national årsverk moved to the figure's year.
tabell_2_1    the 2040 baseline next to Tabell 2.1, said for what it is: a reproduction.
baseline_band the baseline gap under each HELSEMOD alternative (a range, not a probability).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from planner.io.errors import InputError
from planner.national.config import Check, NationalConfig, RunScenario
from planner.national.projection import HM_END, area_index, baseline_paths
from planner.national.scaling import national_fte

PASS, FAIL, UNCHECKED = "pass", "fail", "unchecked"


def _model_value(cfg: NationalConfig, scen: RunScenario, c: Check, rates: dict[str, dict[str, np.ndarray]],
                 groups: list[str]) -> tuple[float, str]:
    """The model's number for one check, and what it is counted in."""
    idx = {g: j for j, g in enumerate(groups)}
    sel = [idx[g] for g in c.groups] if c.groups else list(range(len(groups)))
    arch = {a.id: a for a in cfg.archetypes}
    if c.measure == "fte_per_volume":
        a = arch[c.archetypes[0]]
        unit = cfg.volume_drivers[a.volume_driver].unit or a.volume_driver
        what = f"årsverk per volume unit, {unit} (unit baseline, before calibration)"
        return float(rates[a.id]["B"][sel].sum()), what
    if c.measure == "share":
        r = rates[c.archetypes[0]]["B"]
        whole = float(sum(r[j] for j, g in enumerate(groups) if g not in c.exclude))
        return (float(r[sel].sum()) / whole if whole > 0 else 0.0), "share of the unit's baseline årsverk"
    total = 0.0
    for aid in c.archetypes:
        a = arch[aid]
        vy = cfg.volume_drivers[a.volume_driver].year
        move = 1.0 if c.year is None else \
            area_index(cfg, a.service_area, scen.helsemod, c.year) / area_index(cfg, a.service_area, scen.helsemod, vy)
        total += float(national_fte(cfg, scen, aid, rates[aid])["B"][sel].sum()) * move
    return total, f"national årsverk{'' if c.year is None else f' in {c.year}'} (after calibration)"


def unit_checks(cfg: NationalConfig, scen: RunScenario, rates: dict[str, dict[str, np.ndarray]],
                groups: list[str]) -> list[dict[str, Any]]:
    """One row per check: the model's number, the figure, the difference and pass/fail (or unchecked)."""
    rows = []
    for c in cfg.checks:
        for g in (c.groups or ()) + c.exclude:
            if g not in groups:
                raise InputError(cfg.path, c.field, f"group {g!r} is neither a national group nor one the "
                                 "archetype units staff", f"use one of {sorted(groups)}")
        model, what = _model_value(cfg, scen, c, rates, groups)
        share = c.measure == "share"
        diff = model - c.value if share else (model - c.value) / c.value
        if c.unchecked:
            status = UNCHECKED
        elif c.test == "at_most":
            status = PASS if model <= c.value else FAIL
        else:
            status = PASS if abs(diff) <= c.tolerance + 1e-12 else FAIL
        rows.append({
            "id": c.id, "measure": c.measure, "test": c.test, "archetypes": list(c.archetypes),
            "groups": None if c.groups is None else list(c.groups), "what": what, "model": model,
            "figure": c.value, "year": c.year, "difference": diff,
            "difference_unit": "points of the share" if share else "relative", "tolerance": c.tolerance,
            "status": status, "source": c.source, "derived": c.derived, "tolerance_reason": c.tolerance_reason,
            "unchecked": c.unchecked, "note": c.note,
        })
    return rows


def _overridden(cfg: NationalConfig, scen: RunScenario) -> bool:
    hm = cfg.helsemod[scen.helsemod]
    return any(x is not None and x != y for x, y in ((scen.standard_growth, hm.standard_growth),
                                                       (scen.productivity_growth, hm.productivity_growth)))


def tabell_2_1(cfg: NationalConfig, sid: str, nominal) -> dict[str, Any] | None:
    """The 2040 baseline gap and need of the NOU's groups beside Tabell 2.1/2.5's sums, with what the
    agreement means: the need is built from these tables, so it holds by construction."""
    if HM_END not in nominal.years:
        return None
    scen = cfg.scenarios[sid]
    hm = cfg.helsemod[scen.helsemod]
    j = nominal.years.index(HM_END)
    helsemod = [k for k, g in enumerate(nominal.groups) if g in cfg.groups and cfg.groups[g].helsemod]
    gap = float(nominal.gap_base[0, j, helsemod].sum())  # the table's groups: not the assistants' own gap
    need = float(nominal.need_base[0, j, helsemod].sum())
    basis = (cfg.raw.get("groups") or {}).get("need_2040_basis", "gap_table")
    fmt = lambda x: f"{x:,.0f}".replace(",", " ")  # noqa: E731
    if _overridden(cfg, scen):
        text = (f"not comparable with Tabell 2.1: the scenario sets its own growth (standard "
                f"{scen.standard_growth if scen.standard_growth is not None else hm.standard_growth:g}, productivity "
                f"{scen.productivity_growth if scen.productivity_growth is not None else hm.productivity_growth:g}; "
                f"HELSEMOD {hm.standard_growth:g} / {hm.productivity_growth:g}), so its baseline gap {fmt(gap)} "
                f"differs from the table's {fmt(hm.totals_2040['gap'])} by design")
    elif basis == "gap_table":
        text = (f"reproduces Tabell 2.1 by construction: each group's 2040 need is its Tabell 2.2 supply minus "
                f"its Tabell 2.1 gap, so the baseline gap {fmt(gap)} is the table's rows added up (printed sum "
                f"{fmt(hm.totals_2040['gap'])}; the rows are rounded to the nearest 100). Not a test of the model")
    else:
        text = (f"reproduces Tabell 2.1's sum by construction: need (Tabell 2.5) and supply (Tabell 2.2) are "
                f"HELSEMOD's own, whose difference is Tabell 2.1; baseline gap {fmt(gap)}, printed sum "
                f"{fmt(hm.totals_2040['gap'])}. Per group Tabell 2.5 and 2.1 differ. Not a test of the model")
    return {
        "year": HM_END, "reproduces": "NOU2023:4, Tabell 2.1", "by_construction": not _overridden(cfg, scen),
        "need_2040_basis": basis, "growth_overridden": _overridden(cfg, scen),
        "nou_gap": hm.totals_2040["gap"], "model_baseline_gap": gap, "difference": gap - hm.totals_2040["gap"],
        "nou_need": hm.totals_2040["need"], "model_need_helsemod_groups": need, "text": text,
        "source": "NOU2023:4, Tabell 2.1 (gap), Tabell 2.2 (supply) and Tabell 2.5 (need), row Sum",
    }


def baseline_band(cfg: NationalConfig, sid: str, groups: list[str], year: int) -> dict[str, Any]:
    """The baseline gap in `year` under every HELSEMOD alternative, the scenario's own growth choices
    kept: the NOU's own spread of the baseline (it gives no probabilities)."""
    scen = cfg.scenarios[sid]
    by: dict[str, Any] = {}
    for alt, hm in cfg.helsemod.items():
        need, supply = baseline_paths(cfg, dataclasses.replace(scen, helsemod=alt), groups, [year])
        gap = (supply - need)[0]
        by_group = {g: float(x) for g, x in zip(groups, gap, strict=True)}
        by[alt] = {"name": hm.name, "total": float(gap.sum()), "by_group": by_group}
    totals = [v["total"] for v in by.values()]
    return {"year": year, "this_scenario": scen.helsemod, "low": min(totals), "high": max(totals),
            "by_alternative": by, "what": "baseline gap (no levers) under each HELSEMOD alternative: a range of "
            "the NOU's scenarios, not a probability band",
            "source": "NOU2023:4, Tabell 2.1 (gap by alternative) from Tabell 2.2 and 2.5; alternatives: Tabell 2.3"}
