"""One kommune (or region) in place of Norway: its places, users and beds replace the national
volumes (`leon national run FILE --kommune KOMMUNE.yaml`).

Each archetype's årsverk are scaled to the kommune's volume of its driver with the national
calibration factor (a per-place correction the national tables fix, so it holds for a kommune too),
and moved over the years with the kommune's own growth path where it gives one, else with the
national service area's demand index. A driver the kommune leaves out has no units there. The
kommune tables are the archetype part of the national tables: today's årsverk of its units and what
task sharing and pooling free, per group, authorised and other apart. HELSEMOD's need and supply
are national and are not split by kommune.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from planner.national import schema
from planner.national.config import NationalConfig
from planner.national.located import read_kind


@dataclass(frozen=True)
class Volume:
    value: float
    year: int
    growth: dict[int, float] | None     # own index by year, or None: the national path


@dataclass(frozen=True)
class Kommune:
    path: Path
    id: str
    name: str
    volumes: dict[str, Volume]


def load_kommune(path: str | Path, cfg: NationalConfig | None = None) -> Kommune:
    """The kommune file; with `cfg`, its volume drivers must be the national file's."""
    path = Path(path)
    at = read_kind(path, "kommune")
    f: schema.KommuneFile = at.validate(schema.KommuneFile, at.data)
    vols = {}
    for did, v in f.volumes.items():
        g = v.growth or f.growth
        vols[did] = Volume(v.value, v.year, dict(g.years) if g else None)
    if cfg is not None:
        for did in f.volumes:
            if did not in cfg.volume_drivers:
                at.fail(("volumes", did), f"unknown volume driver {did!r}",
                        f"use the national file's drivers: {sorted(cfg.volume_drivers)}")
        used = {a.volume_driver for a in cfg.archetypes}
        if not used & set(f.volumes):
            at.fail(("volumes",), "no archetype of the national file uses these volumes",
                    f"give the volume of at least one of {sorted(used)}")
    return Kommune(path.resolve(), f.id, f.name, vols)


def apply(cfg: NationalConfig, kommune: Kommune) -> NationalConfig:
    return dataclasses.replace(cfg, kommune=kommune)


def volume_ratio(cfg: NationalConfig, driver: str) -> float:
    """The kommune's volume of a driver over the national one (0: the kommune has none); 1 nationally."""
    if cfg.kommune is None:
        return 1.0
    v = cfg.kommune.volumes.get(driver)
    return 0.0 if v is None else v.value / cfg.volume_drivers[driver].value
