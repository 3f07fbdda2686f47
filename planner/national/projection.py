"""Projection to the file's horizon: need and supply per group, with and without each lever.

Arrays are (draws, years, groups). Nothing here solves a unit: the archetypes arrive as national
årsverk in their volume year for six unit states — B (baseline), P (pooled: today's performers in
free shares), L (LEON), and BT, PT, LT with technology.

need0_g(t)    HELSEMOD demand path (NOU Tabell 2.5 anchors, geometric in between), or for a group
              outside HELSEMOD its base need moved with its service area's demand index;
supply0_g(t)  HELSEMOD supply path (Tabell 2.2 anchors); for a group outside HELSEMOD its stated
              basis (other_groups.supply): the base-year årsverk moved with the working-age
              population, held flat, or equal to the baseline need; a group only the units know
              (kitchen, cleaning, ...) starts from the archetypes' scaled baseline årsverk;
archetype X_a(t) = X_a(volume year) × I_area(t) / I_area(volume year)   (I = Tabell 2.4 index)
task sharing  p(t) = min(1, k × adoption(t)), technology q(t) likewise. B − L splits into pooling
              B − P (rounding a ward that pools its staff does not pay: not task sharing) and task
              sharing P − L. Only task sharing is a lever: a unit on LEON needs B − (P − L), so the
              national need is  (1-p)(1-q)B + p(1-q)(B-P+L) + (1-p)q BT + pq (BT-PT+LT)  in place of B;
part-time     + m_pt × ramp(t) × Tabell 9.1 effect_g × supply0_g(t) / supply0_g(2040);
sick leave    + m_sl × ramp(t) × supply × (s0 - s1) / (1 - s0) for groups with s0 > s1
              (m_pt, m_sl: the draw's sampled share of each effect; 1 when not given).
An analyst's own standard/productivity growth multiplies all demand by
((1+std')/(1+std))^(t-base) × ((1+prod)/(1+prod'))^(t-base).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.national.config import HM_END, NationalConfig, RunScenario

STATES = ("B", "P", "L", "BT", "PT", "LT")


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
    pooling: np.ndarray          # p × (B − P): what the same adoption would show from pooling alone
    units_baseline: np.ndarray   # the archetypes' own baseline årsverk (all groups), moved with volume

    @property
    def freed_total(self) -> np.ndarray:
        """baseline − LEON at the scenario's adoption: pooling + task sharing."""
        return self.pooling + self.freed_by_leon

    @property
    def gap_base(self) -> np.ndarray:
        return self.supply_base - self.need_base

    @property
    def gap(self) -> np.ndarray:
        return self.supply_all - self.need_all

    @property
    def freed_by_leon(self) -> np.ndarray:
        """Freed by task sharing (pooled − LEON at the scenario's adoption); pooling is apart."""
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
                supply[i, j] = other_supply(cfg, scen, g, gd.need_base, gd.base_year, t, need[i, j])
    return need, supply


def working_age_index(cfg: NationalConfig, year: float, base: float) -> float:
    wa = cfg.working_age or {}
    return geo_path(wa, year) / geo_path(wa, base)


def other_supply(cfg: NationalConfig, scen: RunScenario, g: str, level: float | np.ndarray, base: float,
                 t: float, need: float | np.ndarray) -> float | np.ndarray:
    """Supply of a group outside HELSEMOD in year t: `level` årsverk in year `base`, moved by its basis."""
    basis = cfg.supply_basis(scen, g)
    if basis == "working_age":
        return level * working_age_index(cfg, t, base)
    if basis == "flat":
        return level
    return need      # follows_baseline_need (or no basis: a group the units do not staff)


def volume_year(cfg: NationalConfig, driver: str) -> int:
    k = cfg.kommune
    return k.volumes[driver].year if k is not None and driver in k.volumes else cfg.volume_drivers[driver].year


def volume_index(cfg: NationalConfig, scen: RunScenario, a, years: list[int]) -> np.ndarray:
    """An archetype's volume in each year relative to its volume year: the service area's HELSEMOD
    demand index, or a kommune's own growth path (`growth:`) when it gives one."""
    k = cfg.kommune
    vol = k.volumes.get(a.volume_driver) if k is not None else None
    if vol is not None and vol.growth is not None:
        return np.array([geo_path(vol.growth, t) / geo_path(vol.growth, vol.year) for t in years])
    vy = volume_year(cfg, a.volume_driver)
    return np.array([area_index(cfg, a.service_area, scen.helsemod, t) /
                     area_index(cfg, a.service_area, scen.helsemod, vy) * demand_factor(cfg, scen, t)
                     for t in years])


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
    d_pool = np.zeros((D, Y, G))
    d_tech = np.zeros((D, Y, G))
    d_all = np.zeros((D, Y, G))
    sum_b = np.zeros((D, Y, G))
    own = np.zeros((D, Y, G))      # supply of the groups only the units know, by their basis
    for a in cfg.archetypes:
        x = dict(archetype_fte[a.id])
        x.setdefault("P", x["B"])      # no pooled state given: no pooling
        x.setdefault("PT", x["BT"])
        reached = scen.archetypes is None or a.id in scen.archetypes
        idx = volume_index(cfg, scen, a, years)[None, :, None]         # (1, Y, 1)
        B, P, L, BT, PT, LT = (x[s][:, None, :] * idx for s in STATES)  # (D, Y, G)
        sum_b += B
        vy = volume_year(cfg, a.volume_driver)
        for j, g in enumerate(groups):
            if g not in cfg.groups:
                own[:, :, j] += np.stack([other_supply(cfg, scen, g, x["B"][:, j], vy, t, B[:, i, j])
                                          for i, t in enumerate(years)], axis=1)
        if not reached:
            continue
        d_ts += p * (L - P)
        d_pool += p * (P - B)
        d_tech += q * (BT - B)
        d_all += p * (1 - q) * (L - P) + q * (BT - B) + p * q * (LT - PT)

    # groups only the units know (kitchen, cleaning, porters ...): today's need is the archetypes'
    # own baseline årsverk, their supply its stated basis; LEON's change comes on top
    for j, g in enumerate(groups):
        if g not in cfg.groups:
            need0[:, :, j] = sum_b[:, :, j]
            supply0[:, :, j] = own[:, :, j]

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
        supply_all=supply_pt * (1 + slf), pooling=-d_pool, units_baseline=sum_b,
    )
