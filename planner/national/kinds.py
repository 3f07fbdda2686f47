"""The national file kinds and their checks (registered in planner/kinds.py)."""

from __future__ import annotations

from pathlib import Path

from planner.io.registry import Kind


def _national(path: Path) -> str:
    from planner.national.config import load_national
    from planner.national.run import check_units

    cfg = load_national(path)
    check_units(cfg)  # the archetype units it names, without solving them
    return (f"national scenario file, {len(cfg.scenarios)} scenarios, {len(cfg.archetypes)} archetypes, "
            f"years {cfg.start}-{cfg.end}")


def _toy_unit(path: Path) -> str:
    from planner.national.toy import load_toy

    toy = load_toy(path)
    return f"toy unit {path.stem}: {len(toy.tasks)} tasks (a stand-in for tests of the national layer)"


def _kommune(path: Path) -> str:
    from planner.national.kommune import load_kommune

    k = load_kommune(path)   # its drivers are checked against a national file when run with it
    return (f"kommune {k.name or k.id}: volumes of {', '.join(sorted(k.volumes))} "
            "(for `leon national run FILE --kommune`)")


KINDS = {k.name: k for k in (
    Kind("national", "a national scenario file", _national),
    Kind("toy_unit", "a linear stand-in unit for tests of the national layer", _toy_unit),
    Kind("kommune", "one kommune's volumes for a national run", _kommune),
)}
