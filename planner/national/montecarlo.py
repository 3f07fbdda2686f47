"""Monte Carlo draws and the unit-solve jobs they need (plus the tornado's one-at-a-time cases).

Draw-level scalars (common to all units of a draw) come from SeedSequence([seed, 0, draw]);
each unit's own noise comes from SeedSequence([seed, 1 + archetype, unit, draw]). Nothing depends on
the executor or the order of completion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.national.config import NationalConfig
from planner.national.units import Job

Z90 = 1.2815515655446004    # standard-normal 90 % quantile (P10/P90 = ∓ this many sd)

NOMINAL = -1


@dataclass(frozen=True)
class DrawParams:
    draw: int
    mix_z: float
    minutes_log: float
    adoption_mult: float
    noise: bool = True        # per-unit idiosyncratic noise on/off


def _tri_ppf(q: float, lo: float, mode: float, hi: float) -> float:
    if hi <= lo:
        return lo
    f = (mode - lo) / (hi - lo)
    if q < f:
        return lo + np.sqrt(q * (hi - lo) * (mode - lo))
    return hi - np.sqrt((1 - q) * (hi - lo) * (hi - mode))


def adoption_mode(cfg: NationalConfig) -> float:
    u = cfg.uncertainty
    return min(max(1.0, u.adoption_low), u.adoption_high)


def draw_params(cfg: NationalConfig, draws: int) -> list[DrawParams]:
    u = cfg.uncertainty
    out = []
    for d in range(draws):
        rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, 0, d]))
        z, m, q = rng.standard_normal(), rng.standard_normal(), rng.random()
        out.append(DrawParams(d, float(z * u.mix_sd_common), float(m * u.minutes_sd_common),
                              float(_tri_ppf(q, u.adoption_low, adoption_mode(cfg), u.adoption_high))))
    return out


def nominal(cfg: NationalConfig) -> DrawParams:
    return DrawParams(NOMINAL, 0.0, 0.0, adoption_mode(cfg), noise=False)


def tornado_cases(cfg: NationalConfig) -> dict[str, tuple[DrawParams, DrawParams]]:
    """P10 and P90 of each uncertain input, the others at their nominal values, no unit noise."""
    u, nom = cfg.uncertainty, nominal(cfg)
    mode = adoption_mode(cfg)
    rep = lambda **kw: DrawParams(**{**nom.__dict__, **kw})  # noqa: E731
    return {
        "patient_mix": (rep(mix_z=-Z90 * u.mix_sd_common), rep(mix_z=Z90 * u.mix_sd_common)),
        "task_minutes": (rep(minutes_log=-Z90 * u.minutes_sd_common), rep(minutes_log=Z90 * u.minutes_sd_common)),
        "adoption_pace": (rep(adoption_mult=float(_tri_ppf(0.1, u.adoption_low, mode, u.adoption_high))),
                          rep(adoption_mult=float(_tri_ppf(0.9, u.adoption_low, mode, u.adoption_high)))),
    }


def jobs_for(cfg: NationalConfig, p: DrawParams, tech_sets: list[tuple], units: int, tag: str = "") -> list[Job]:
    """Jobs of one draw: archetype × unit variant × technology state (index 0 = no technology)."""
    u = cfg.uncertainty
    jobs = []
    for ai, a in enumerate(cfg.archetypes):
        for k in range(units):
            for tech in tech_sets:
                jobs.append(Job(
                    unit_path=str(a.unit_path), archetype=a.id, unit_index=k, draw=p.draw,
                    seed=(cfg.seed, 1 + ai, k, p.draw + 1),
                    mix_z=p.mix_z, mix_sd_unit=u.mix_sd_unit if p.noise else 0.0,
                    minutes_log=p.minutes_log, minutes_sd_task=u.minutes_sd_task if p.noise else 0.0,
                    tech=tech, tag=tag, relax=cfg.relax, time_limit=cfg.time_limit))
    return jobs
