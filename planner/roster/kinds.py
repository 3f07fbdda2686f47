"""The roster file kinds and their checks (registered in planner/kinds.py)."""

from __future__ import annotations

from pathlib import Path

from planner.io.registry import Kind


def _worktime_rules(path: Path) -> str:
    from planner.roster.rules import load_rules

    rs = load_rules(path)
    return f"worktime rules {rs.id}: {len(rs.entries)} rules"


def _staff(path: Path) -> str:
    """What `leon roster build/check/heltid --staff` accept, checked against the unit the file names."""
    from planner.roster.rules import load_rules
    from planner.roster.setup import (
        check_pattern_codes,
        load_staff,
        load_unit_view,
        shift_types,
    )

    sf = load_staff(path)
    head = f"staff: {len(sf.staff)} people, {sum(p.percent for p in sf.staff) / 100:.2f} årsverk"
    if sf.unit is None:
        return head + " (no `unit:`, so groups, shifts and cover were not checked)"
    unit = load_unit_view(sf.unit)
    sf = load_staff(path, unit)
    if sf.rules is not None:
        # the commands use these rules unless --rules is given: their patterns must name the unit's codes
        check_pattern_codes(load_rules(sf.rules), {s.code for s in shift_types(unit, sf)[0]})
    return head + f" (checked against unit {unit.id})"


def _roster_models(path: Path) -> str:
    from planner.roster.heltid import load_models
    from planner.roster.rules import load_rules

    mf = load_models(path)
    if mf.rules is not None:
        load_rules(mf.rules)    # `leon roster heltid` uses them unless --rules is given
    return f"roster models: {len(mf.models)} models ({len(mf.skipped)} skipped)"


KINDS = {k.name: k for k in (
    Kind("staff", "a staff list (people, positions, wishes)", _staff),
    Kind("worktime_rules", "working-time rules (arbeidsmiljøloven, agreements)", _worktime_rules),
    Kind("roster_models", "roster models to compare (heltid)", _roster_models),
)}
