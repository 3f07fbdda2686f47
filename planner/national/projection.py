"""Projection 2025-2040: need and supply per group, with and without each lever.

Arrays are (draws, years, groups). Nothing here solves a unit: the archetypes arrive as national
årsverk in their volume year for four unit states — B (baseline), L (LEON), BT, LT (with technology).

need0_g(t)    HELSEMOD demand path (NOU Tabell 2.5 anchors, geometric in between), or for a group
              outside HELSEMOD its base need moved with its service area's demand index;
supply0_g(t)  HELSEMOD supply path (Tabell 2.2 anchors), or = need0 for groups outside HELSEMOD;
              a group only the units know (kitchen, cleaning, ...) has need0 = supply0 = the
              archetypes' scaled baseline årsverk;
archetype X_a(t) = X_a(volume year) × I_area(t) / I_area(volume year)   (I = Tabell 2.4 index)
task sharing  p(t) = min(1, k × adoption(t)), technology q(t) likewise; the national need is the
              mix  (1-p)(1-q)B + p(1-q)L + (1-p)q BT + pq LT  in place of B;
part-time     + m_pt × ramp(t) × Tabell 9.1 effect_g × supply0_g(t) / supply0_g(2040);
sick leave    + m_sl × ramp(t) × supply × (s0 - s1) / (1 - s0) for groups with s0 > s1
              (m_pt, m_sl: the draw's sampled share of each effect; 1 when not given).
An analyst's own standard/productivity growth multiplies all demand by
((1+std')/(1+std))^(t-base) × ((1+prod)/(1+prod'))^(t-base).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.national.config import NationalConfig, RunScenario

HM_END = 2040
STATES = ("B", "L", "BT", "LT")


def geo_path(anchors: dict[int, float], year: float) -> float:
    ys = sorted(anchors)
    if year <= ys[0]:
        return anchors[ys[0]]
    if year >= ys[-1]:
        return anchors[ys[-1]]
    for y0, y1 in zip(ys, ys[1:]):
        if y0 <= year <= y1:
            v0, v1 = anchors[y0], anchors[y1]
            w = (year - y0) / (y1 - y0)
            if v0 > 0 and v1 > 0:
                return v0 * (v1 / v0) ** w
            return v0 + (v1 - v0) * w
    raise AssertionError("unreachable")


def area_index(cfg: NationalConfig, area: str, hm: str, year: float) -> float:
    a = cfg.service_areas[area]
    return geo_path({cfg.base_year: 1.0, HM_END: a.fte_2040[hm] / a.fte_2019}, year)


def demand_factor(cfg: NationalConfig, scen: RunScenario, year: float) -> float:
    hm = cfg.helsemod[scen.helsemod]
    std = hm.standard_growth if scen.standard_growth is None else scen.standard_growth
    prod = hm.productivity_growth if scen.productivity_growth is None else scen.productivity_growth
    n = year - cfg.base_year
    return ((1 + std) / (1 + hm.standard_growth)) ** n * ((1 + hm.productivity_growth) / (1 + prod)) ** n


@dataclass
class Projection:
    scenario: str
    years: list[int]
    groups: list[str]
    need_base: np.ndarray
    supply_base: np.ndarray
    need_ts: np.ndarray
    need_tech: np.ndarray
    need_all: np.ndarray
    supply_pt: np.ndarray
    supply_sl: np.ndarray
    supply_all: np.ndarray

    @property
    def gap_base(self) -> np.ndarray:
        return self.supply_base - self.need_base

    @property
    def gap(self) -> np.ndarray:
        return self.supply_all - self.need_all

    @property
    def freed_by_leon(self) -> np.ndarray:
        return self.need_base - self.need_ts

    def waterfall(self, year: int) -> dict[str, np.ndarray]:
        """Sequential contributions to the gap in `year`, per draw and group (they add up exactly)."""
        i = self.years.index(year)
        return {
            "baseline_gap": self.gap_base[:, i],
            "task_sharing": (self.need_base - self.need_ts)[:, i],
            "technology": (self.need_ts - self.need_all)[:, i],
            "part_time": (self.supply_pt - self.supply_base)[:, i],
            "sick_leave": (self.supply_all - self.supply_pt)[:, i],
            "gap": self.gap[:, i],
        }


def baseline_paths(cfg: NationalConfig, scen: RunScenario, groups: list[str], years: list[int]):
    """need0 and supply0 as (years, groups)."""
    hm = scen.helsemod
    need = np.zeros((len(years), len(groups)))
    supply = np.zeros_like(need)
    for j, g in enumerate(groups):
        gd = cfg.groups.get(g)
        for i, t in enumerate(years):
            f = demand_factor(cfg, scen, t)
            if gd is None:                      # a unit group unknown nationally: only LEON's change
                continue
            if gd.helsemod:
                need[i, j] = geo_path(gd.need_anchors[hm], t) * f
                supply[i, j] = geo_path(gd.supply_anchors, t)
            else:
                need[i, j] = gd.need_base * area_index(cfg, gd.service_area, hm, t) / \
                    area_index(cfg, gd.service_area, hm, gd.base_year) * f
                supply[i, j] = need[i, j]
    return need, supply


def project(cfg: NationalConfig, scen: RunScenario, groups: list[str],
            archetype_fte: dict[str, dict[str, np.ndarray]], adoption_mult: np.ndarray,
            years: list[int] | None = None, part_time_mult: np.ndarray | None = None,
            sick_leave_mult: np.ndarray | None = None) -> Projection:
    """archetype_fte[a][state] is (draws, groups): national årsverk in the archetype's volume year;
    the multipliers are per draw (default 1)."""
    years = years or cfg.years
    D, Y, G = len(adoption_mult), len(years), len(groups)
    need0, supply0 = baseline_paths(cfg, scen, groups, years)
    need0 = np.broadcast_to(need0, (D, Y, G)).copy()
    supply0 = np.broadcast_to(supply0, (D, Y, G)).copy()
    lv = scen.levers
    k = np.asarray(adoption_mult, dtype=float)[:, None]                 # (D, 1)
    p = np.minimum(1.0, k * np.array([[lv.task_sharing.at(t) if lv.task_sharing else 0.0 for t in years]]))
    q = np.minimum(1.0, k * np.array([[lv.technology.at(t) if lv.technology else 0.0 for t in years]]))
    p, q = p[:, :, None], q[:, :, None]                                # (D, Y, 1)

    d_ts = np.zeros((D, Y, G))
    d_tech = np.zeros((D, Y, G))
    d_all = np.zeros((D, Y, G))
    sum_b = np.zeros((D, Y, G))
    for a in cfg.archetypes:
        x = archetype_fte[a.id]
        reached = scen.archetypes is None or a.id in scen.archetypes
        vy = cfg.volume_drivers[a.volume_driver].year
        idx = np.array([area_index(cfg, a.service_area, scen.helsemod, t) /
                        area_index(cfg, a.service_area, scen.helsemod, vy) * demand_factor(cfg, scen, t)
                        for t in years])[None, :, None]                # (1, Y, 1)
        B, L, BT, LT = (x[s][:, None, :] * idx for s in STATES)         # (D, Y, G)
        sum_b += B
        if not reached:
            continue
        d_ts += p * (L - B)
        d_tech += q * (BT - B)
        d_all += p * (1 - q) * (L - B) + (1 - p) * q * (BT - B) + p * q * (LT - B)

    # groups only the units know (kitchen, cleaning, porters ...): today's need and supply are the
    # archetypes' own baseline årsverk; LEON's change comes on top
    for j, g in enumerate(groups):
        if g not in cfg.groups:
            need0[:, :, j] = sum_b[:, :, j]
            supply0[:, :, j] = sum_b[:, :, j]

    pt = np.zeros((Y, G))
    if lv.part_time_variant:
        for j, g in enumerate(groups):
            gd = cfg.groups.get(g)
            if gd is not None and gd.helsemod:
                s40 = geo_path(gd.supply_anchors, HM_END)
                for i, t in enumerate(years):
                    pt[i, j] = lv.part_time_ramp.at(t) * gd.parttime_2040[lv.part_time_variant] * \
                        geo_path(gd.supply_anchors, t) / s40
    slf = np.zeros((Y, G))
    if lv.sick_leave_target is not None:
        for j, g in enumerate(groups):
            s0 = lv.sick_leave_current.get(g)
            gd = cfg.groups.get(g)
            if s0 is None or s0 <= lv.sick_leave_target or gd is None or not gd.helsemod:
                continue
            for i, t in enumerate(years):
                slf[i, j] = lv.sick_leave_ramp.at(t) * (s0 - lv.sick_leave_target) / (1 - s0)
    m_pt = np.ones(D) if part_time_mult is None else np.asarray(part_time_mult, dtype=float)
    m_sl = np.ones(D) if sick_leave_mult is None else np.asarray(sick_leave_mult, dtype=float)
    pt = pt[None] * m_pt[:, None, None]                                 # (D, Y, G)
    slf = slf[None] * m_sl[:, None, None]
    supply_pt = supply0 + pt
    return Projection(
        scenario=scen.id, years=list(years), groups=list(groups),
        need_base=need0, supply_base=supply0,
        need_ts=need0 + d_ts, need_tech=need0 + d_tech, need_all=need0 + d_all,
        supply_pt=supply_pt, supply_sl=supply0 * (1 + slf),
        supply_all=supply_pt * (1 + slf),
    )
