"""From unit solves to national årsverk: rates per volume unit, scaling, calibration, residuals.

rate_S,g  = Σ_k FTE_k,S,g / Σ_k volume_k        (årsverk per place / user / bed, unit state S)
national  = c_a × V_a × rate                     (V_a = the volume driver in its year)
c_a       = target / (V_a × rate_B,total × I(target year) / I(volume year))   (1 if no target)
A draw may scale V_a and the target by its sampled multipliers; for a calibrated archetype V_a cancels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.national.config import NationalConfig, RunScenario
from planner.national.projection import STATES, area_index


def unit_groups(results: list[dict]) -> set[str]:
    gs: set[str] = set()
    for r in results:
        for m in r["fte"].values():
            gs |= set(m)
    return gs


def national_groups(cfg: NationalConfig, results: list[dict]) -> list[str]:
    """HELSEMOD groups in table order, then the other groups (non-HELSEMOD, then unit-only), sorted."""
    hm = [g for g, d in cfg.groups.items() if d.helsemod]
    other = sorted({g for g, d in cfg.groups.items() if not d.helsemod} |
                   {cfg.national_group(g) for g in unit_groups(results)} - set(hm))
    return hm + other


def rate_vector(results: list[dict], mode: str, cfg: NationalConfig, groups: list[str]) -> np.ndarray:
    """Σ FTE / Σ volume over the unit variants, mapped to national groups."""
    idx = {g: i for i, g in enumerate(groups)}
    fte = np.zeros(len(groups))
    vol = 0.0
    for r in results:
        vol += r["volume"]
        for g, x in r["fte"][mode].items():
            fte[idx[cfg.national_group(g)]] += x
    if vol <= 0:
        raise ValueError("unit volume (beds) must be > 0")
    return fte / vol


def state_rates(cfg: NationalConfig, per_state_results: dict[str, list[dict]], groups: list[str]) -> dict[str, np.ndarray]:
    """per_state_results: 'off'/'on' (technology) -> unit results. Returns rates for B, P, L, BT, PT, LT
    (P = pooled; results without a pooled solve count it as the baseline: no pooling)."""
    off = per_state_results["off"]
    on = per_state_results.get("on", off)

    def rate(rs: list[dict], mode: str) -> np.ndarray:
        has = all(mode in r["fte"] for r in rs)
        return rate_vector(rs, mode if has else "baseline", cfg, groups)
    return {"B": rate(off, "baseline"), "P": rate(off, "pooled"), "L": rate(off, "leon"),
            "BT": rate(on, "baseline"), "PT": rate(on, "pooled"), "LT": rate(on, "leon")}


def calibration_factor(cfg: NationalConfig, scen: RunScenario, arch_id: str, rate_b_total: float,
                       volume_mult: float = 1.0, target_mult: float = 1.0) -> float:
    a = next(x for x in cfg.archetypes if x.id == arch_id)
    if a.calibration_target is None:
        return 1.0
    drv = cfg.volume_drivers[a.volume_driver]
    model = drv.value * volume_mult * rate_b_total * \
        area_index(cfg, a.service_area, scen.helsemod, a.calibration_year) / \
        area_index(cfg, a.service_area, scen.helsemod, drv.year)
    if model <= 0:
        return 1.0
    return a.calibration_target * target_mult / model


def national_fte(cfg: NationalConfig, scen: RunScenario, arch_id: str, rates: dict[str, np.ndarray],
                 calibrate: bool = True, volume_mult: float = 1.0, target_mult: float = 1.0) -> dict[str, np.ndarray]:
    """National årsverk in the volume year for each unit state (same calibration factor for all);
    `volume_mult` and `target_mult` are a draw's multipliers of the volume and the target."""
    a = next(x for x in cfg.archetypes if x.id == arch_id)
    vol = cfg.volume_drivers[a.volume_driver].value * volume_mult
    c = calibration_factor(cfg, scen, arch_id, float(rates["B"].sum()), volume_mult, target_mult) if calibrate else 1.0
    return {s: c * vol * rates[s] for s in STATES}


def residuals(cfg: NationalConfig, scen: RunScenario, rates_by_arch: dict[str, dict[str, np.ndarray]],
              groups: list[str]) -> list[dict[str, Any]]:
    """How far the uncalibrated unit model is from the national tables it covers (nominal draw)."""
    rows = []
    for a in cfg.archetypes:
        r = rates_by_arch[a.id]
        drv = cfg.volume_drivers[a.volume_driver]
        per_unit = float(r["B"].sum())
        c = calibration_factor(cfg, scen, a.id, per_unit)
        row: dict[str, Any] = {
            "archetype": a.id, "volume_driver": a.volume_driver, "volume": drv.value, "volume_year": drv.year,
            "fte_per_volume_baseline": per_unit, "fte_per_volume_leon": float(r["L"].sum()),
            "target_fte": a.calibration_target, "target_year": a.calibration_year,
            "service_area": a.service_area, "unit": drv.unit, "target_source": a.calibration_source,
        }
        if a.calibration_target is not None:
            model = a.calibration_target / c
            row.update(model_fte=model, residual_fte=model - a.calibration_target,
                       residual_pct=100.0 * (model - a.calibration_target) / a.calibration_target,
                       factor=c, residual_after_calibration=0.0)
        else:
            row.update(model_fte=drv.value * per_unit, residual_fte=None, residual_pct=None, factor=1.0,
                       residual_after_calibration=None, note="no national table covers this segment: uncalibrated")
        if a.check:
            g = a.check.get("group")
            ub = a.check.get("upper_bound_fte")
            if g in groups and ub:
                implied = c * drv.value * float(r["B"][groups.index(g)])
                row.update(check_group=g, check_implied_fte=implied, check_upper_bound=ub,
                           check_ok=bool(implied <= ub))
        rows.append(row)
    return rows
