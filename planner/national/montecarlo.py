"""Monte Carlo draws and the unit-solve jobs they need (plus the tornado's one-at-a-time cases).

Draw-level values (common to all units of a draw) come from SeedSequence([seed, 0, draw]): the
patient-mix shift, the minutes multiplier, the adoption pace, then one quantile per technology
saving's family, the part-time and sick-leave effect multipliers, one multiplier per volume driver
and one per archetype's calibration target. Each unit's own noise comes from
SeedSequence([seed, 1 + archetype, unit, draw]). Nothing depends on the executor or the order of
completion. Every sampled input's source or width reason is in `basis()`; the tornado prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.national.config import NationalConfig, TechSaving, Triangle
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
    tech_q: tuple[tuple[str, float], ...] = ()        # task family -> quantile of its saving (absent: mode)
    part_time_mult: float = 1.0                       # × the Tabell 9.1 effect
    sick_leave_mult: float = 1.0                      # × the sick-leave effect
    volume_mult: tuple[tuple[str, float], ...] = ()   # volume driver -> × its value (absent: 1)
    target_mult: tuple[tuple[str, float], ...] = ()   # archetype -> × its calibration target (absent: 1)

    def volume(self, driver: str) -> float:
        return dict(self.volume_mult).get(driver, 1.0)

    def target(self, archetype: str) -> float:
        return dict(self.target_mult).get(archetype, 1.0)


def _tri_ppf(q: float, lo: float, mode: float, hi: float) -> float:
    if hi <= lo:
        return lo
    f = (mode - lo) / (hi - lo)
    if q < f:
        return lo + np.sqrt(q * (hi - lo) * (mode - lo))
    return hi - np.sqrt((1 - q) * (hi - lo) * (hi - mode))


def tri(q: float, t: Triangle | None, default: float = 1.0) -> float:
    """The q-quantile of a sampled input (its nominal `default` when it is not sampled)."""
    return default if t is None else float(min(t.high, max(t.low, _tri_ppf(q, t.low, t.mode, t.high))))


def adoption_mode(cfg: NationalConfig) -> float:
    u = cfg.uncertainty
    return min(max(1.0, u.adoption_low), u.adoption_high)


# ----------------------------------------------------------------------------- sampled inputs
def sampled_savings(cfg: NationalConfig) -> dict[str, list[TechSaving]]:
    """Task family -> the technology savings with a spread (the default lever and every scenario's)."""
    out: dict[str, list[TechSaving]] = {}
    for scen in cfg.scenarios.values():
        for s in scen.levers.tech_savings:
            if s.spread is not None and s not in out.setdefault(s.family, []):
                out[s.family].append(s)
    return {f: v for f, v in sorted(out.items()) if v}


def _drivers(cfg: NationalConfig) -> list[str]:
    return sorted(cfg.volume_drivers)


def realize(tech: tuple[TechSaving, ...], p: DrawParams) -> tuple[tuple[str, float], ...]:
    """A technology set's savings in draw p: each sampled share at the draw's quantile of its family."""
    q = dict(p.tech_q)
    return tuple((s.family, tri(q[s.family], s.spread, s.share) if s.family in q else s.share) for s in tech)


def draw_params(cfg: NationalConfig, draws: int) -> list[DrawParams]:
    u = cfg.uncertainty
    fams, drivers = list(sampled_savings(cfg)), _drivers(cfg)
    out = []
    for d in range(draws):
        rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, 0, d]))
        z, m, q = rng.standard_normal(), rng.standard_normal(), rng.random()
        qf, qpt, qsl = rng.random(len(fams)), rng.random(), rng.random()
        qv, qa = rng.random(len(drivers)), rng.random(len(cfg.archetypes))
        out.append(DrawParams(
            d, float(z * u.mix_sd_common), float(m * u.minutes_sd_common),
            float(_tri_ppf(q, u.adoption_low, adoption_mode(cfg), u.adoption_high)),
            tech_q=tuple((f, float(x)) for f, x in zip(fams, qf, strict=True)),
            part_time_mult=tri(qpt, u.part_time), sick_leave_mult=tri(qsl, u.sick_leave),
            volume_mult=tuple((v, tri(x, cfg.volume_drivers[v].spread)) for v, x in zip(drivers, qv, strict=True)),
            target_mult=tuple((a.id, tri(x, a.target_spread)) for a, x in zip(cfg.archetypes, qa, strict=True))))
    return out


def nominal(cfg: NationalConfig) -> DrawParams:
    """Every input at its likeliest value: savings at their `share`, effects at their mode."""
    u = cfg.uncertainty
    return DrawParams(NOMINAL, 0.0, 0.0, adoption_mode(cfg), noise=False,
                      part_time_mult=u.part_time.mode if u.part_time else 1.0,
                      sick_leave_mult=u.sick_leave.mode if u.sick_leave else 1.0)


def tornado_cases(cfg: NationalConfig) -> dict[str, tuple[DrawParams, DrawParams]]:
    """P10 and P90 of each uncertain input, the others at their nominal values, no unit noise.
    The unit inputs and the adoption pace always appear; the others when they are sampled."""
    u, nom = cfg.uncertainty, nominal(cfg)
    mode = adoption_mode(cfg)
    rep = lambda **kw: DrawParams(**{**nom.__dict__, **kw})  # noqa: E731
    out = {
        "patient_mix": (rep(mix_z=-Z90 * u.mix_sd_common), rep(mix_z=Z90 * u.mix_sd_common)),
        "task_minutes": (rep(minutes_log=-Z90 * u.minutes_sd_common), rep(minutes_log=Z90 * u.minutes_sd_common)),
        "adoption_pace": (rep(adoption_mult=float(_tri_ppf(0.1, u.adoption_low, mode, u.adoption_high))),
                          rep(adoption_mult=float(_tri_ppf(0.9, u.adoption_low, mode, u.adoption_high)))),
    }
    fams = list(sampled_savings(cfg))
    if fams:
        out["technology_savings"] = tuple(rep(tech_q=tuple((f, q) for f in fams)) for q in (0.1, 0.9))
    for name, t, field in (("part_time_effect", u.part_time, "part_time_mult"),
                           ("sick_leave_effect", u.sick_leave, "sick_leave_mult")):
        if t is not None and t.high > t.low:
            out[name] = tuple(rep(**{field: tri(q, t)}) for q in (0.1, 0.9))
    vols = [v for v in _drivers(cfg) if cfg.volume_drivers[v].spread]
    if vols:
        out["volumes"] = tuple(rep(volume_mult=tuple((v, tri(q, cfg.volume_drivers[v].spread)) for v in vols))
                               for q in (0.1, 0.9))
    targets = [a for a in cfg.archetypes if a.target_spread and a.calibration_target is not None]
    if targets:
        out["calibration_targets"] = tuple(rep(target_mult=tuple((a.id, tri(q, a.target_spread)) for a in targets))
                                           for q in (0.1, 0.9))
    return out


def basis(cfg: NationalConfig) -> dict[str, str]:
    """Each tornado input -> the source or width reason of its distribution (as written in the file)."""
    u = cfg.uncertainty
    out = {k: u.basis.get(k, "") or "not sampled (no `uncertainty:` entry)"
           for k in ("patient_mix", "task_minutes", "adoption_pace")}
    out.update({k: u.basis[k] for k in ("part_time_effect", "sick_leave_effect") if k in u.basis})
    saves = sampled_savings(cfg)
    if saves:
        out["technology_savings"] = " | ".join(f"{f}: {s.spread.basis}" for f, v in saves.items() for s in v[:1])
    vols = {v: d.spread for v, d in sorted(cfg.volume_drivers.items()) if d.spread}
    if vols:
        out["volumes"] = " | ".join(f"{v}: {t.basis}" for v, t in vols.items())
    tg = {a.id: a.target_spread for a in cfg.archetypes if a.target_spread and a.calibration_target is not None}
    if tg:
        out["calibration_targets"] = " | ".join(f"{a}: {t.basis}" for a, t in tg.items())
    return out


def _row(name: str, dist: str, p10: float, p90: float, why: str, bound: float | None = None) -> dict[str, Any]:
    return {"input": name, "distribution": dist, "p10": round(p10, 4), "p90": round(p90, 4),
            "upper_bound": bound, "basis": why}


def _unit_inputs(cfg: NationalConfig) -> list[dict[str, Any]]:
    """The sampled inputs of the unit solves: patient mix, task minutes, adoption pace."""
    u, rows = cfg.uncertainty, []
    if u.mix_sd_common or u.mix_sd_unit:
        rows.append(_row("patient_mix", f"normal(0, {u.mix_sd_common:g}) per draw + normal(0, {u.mix_sd_unit:g}) "
                         "per unit", -Z90 * u.mix_sd_common, Z90 * u.mix_sd_common, u.basis.get("patient_mix", "")))
    if u.minutes_sd_common or u.minutes_sd_task:
        rows.append(_row("task_minutes", f"× exp(normal(0, {u.minutes_sd_common:g})) per draw, × exp(normal(0, "
                         f"{u.minutes_sd_task:g})) per task and unit", float(np.exp(-Z90 * u.minutes_sd_common)),
                         float(np.exp(Z90 * u.minutes_sd_common)), u.basis.get("task_minutes", "")))
    if u.adoption_high > u.adoption_low:
        m = adoption_mode(cfg)
        rows.append(_row("adoption_pace", f"triangular({u.adoption_low:g}, {m:g}, {u.adoption_high:g})",
                         _tri_ppf(0.1, u.adoption_low, m, u.adoption_high),
                         _tri_ppf(0.9, u.adoption_low, m, u.adoption_high), u.basis.get("adoption_pace", "")))
    return rows


def sampled_inputs(cfg: NationalConfig) -> list[dict[str, Any]]:
    """Every sampled distribution with its P10/P90 and basis, for summary.json and the workbook."""
    u = cfg.uncertainty
    rows = _unit_inputs(cfg)
    for fam, saves in sampled_savings(cfg).items():
        for s in saves:
            t = s.spread
            rows.append(_row(f"technology_savings.{fam}", f"triangular({t.low:g}, {t.mode:g}, {t.high:g})",
                             tri(0.1, t), tri(0.9, t), t.basis, t.upper_bound))
    for name, t in (("part_time_effect", u.part_time), ("sick_leave_effect", u.sick_leave)):
        if t is not None and t.high > t.low:
            rows.append(_row(name, f"× triangular({t.low:g}, {t.mode:g}, {t.high:g})", tri(0.1, t), tri(0.9, t),
                             t.basis, t.upper_bound))
    for v, d in sorted(cfg.volume_drivers.items()):
        if d.spread:
            rows.append(_row(f"volumes.{v}", f"× triangular({d.spread.low:g}, 1, {d.spread.high:g})",
                             tri(0.1, d.spread), tri(0.9, d.spread), d.spread.basis))
    for a in cfg.archetypes:
        if a.target_spread and a.calibration_target is not None:
            t = a.target_spread
            rows.append(_row(f"calibration_targets.{a.id}", f"× triangular({t.low:g}, 1, {t.high:g})",
                             tri(0.1, t), tri(0.9, t), t.basis))
    return rows


def jobs_for(cfg: NationalConfig, p: DrawParams, tech_sets: list[tuple], units: int, tag: str = "") -> list[Job]:
    """Jobs of one draw: archetype × unit variant × technology state (index 0 = no technology); each
    technology set (a tuple of TechSaving) is solved with the draw's savings."""
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
                    tech=realize(tech, p), tag=tag, relax=cfg.relax, time_limit=cfg.time_limit,
                    planning_base=cfg.planning_base))
    return jobs
