"""The roster file kinds and their checks (registered in planner/kinds.py)."""

from __future__ import annotations

from pathlib import Path

from planner.io.registry import Kind


def _worktime_rules(path: Path) -> str:
    from planner.roster.rules import load_rules

    rs = load_rules(path)
    return f"worktime rules {rs.id}: {len(rs.entries)} rules"


def _staff(path: Path) -> str:
    from planner.roster.setup import check_cover, load_staff, load_unit_view

    sf = load_staff(path)
    against = ""
    if sf.unit is not None and sf.unit.exists():
        # groups, substitutes and cover can only be checked against the unit the file names
        unit = load_unit_view(sf.unit)
        sf = load_staff(path, unit)
        if sf.cover is not None:
            check_cover(sf.cover, unit, path, "cover")
        against = f" (checked against unit {unit.id})"
    return f"staff: {len(sf.staff)} people, {sum(p.percent for p in sf.staff) / 100:.2f} årsverk{against}"


def _roster_models(path: Path) -> str:
    from planner.roster.heltid import load_models

    mf = load_models(path)
    return f"roster models: {len(mf.models)} models ({len(mf.skipped)} skipped)"


KINDS = {k.name: k for k in (
    Kind("staff", "a staff list (people, positions, wishes)", _staff),
    Kind("worktime_rules", "working-time rules (arbeidsmiljøloven, agreements)", _worktime_rules),
    Kind("roster_models", "roster models to compare (heltid)", _roster_models),
)}
