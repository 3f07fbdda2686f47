"""Authorised health personnel and the other groups, and a supply for every group the units staff.

A national group is *authorised* (helsepersonelloven § 48) when it is a row of the groups table
(HELSEMOD's 14 groups are all authorised professions), or when the units' catalogue says so for the
unit groups that map to it (`groups.yaml`, `authorised:`), or when `other_groups.authorised` says
so; otherwise it is one of the other groups (assistants, service and support staff). Tables show
the two apart with their subtotals, so a nurse freed is never netted against an assistant needed
without both being shown.

Every group the units staff must have a supply: a row of the groups table, an entry under
`groups.non_helsemod`, or a stated assumption under `other_groups.supply`. A group that drops out
of the table is then an input error, not a group whose supply silently follows its need.
"""

from __future__ import annotations

from typing import Any

from planner.io.errors import InputError
from planner.national.config import NationalConfig
from planner.national.units import load_base

AUTHORISED, OTHER = "total_authorised", "total_other"


def unit_group_flags(inst: Any) -> dict[str, bool | None]:
    """A unit's groups with their authorised flag (None: the unit does not say, e.g. a toy unit)."""
    groups = getattr(inst, "groups", {})
    if isinstance(groups, dict):
        return {g: bool(getattr(spec, "authorised", False)) for g, spec in groups.items()}
    marked = set(getattr(inst, "authorised", ()))
    return {g: (True if g in marked else None) for g in groups}


def _units_say(cfg: NationalConfig) -> dict[str, tuple[bool, str]]:
    """National group -> (authorised, the unit group that says so), from the units' catalogue."""
    said: dict[str, tuple[bool, str]] = {}
    for a in cfg.archetypes:
        for ug, flag in unit_group_flags(load_base(a.unit_path)).items():
            ng = cfg.national_group(ug)
            if flag is None:
                continue
            if ng in said and said[ng][0] != flag:
                mapped = ug if ug in cfg.unit_group_map else said[ng][1]
                raise InputError(cfg.path, f"groups.unit_group_map.{mapped}", f"unit groups {said[ng][1]!r} and "
                                 f"{ug!r} both count as {ng!r}, but only one of them is authorised in the units' "
                                 "catalogue (the other is not authorised)", "map them to different national "
                                 "groups: skilled and unskilled would be mixed")
            said[ng] = (flag, ug)
    return said


def authorised_groups(cfg: NationalConfig) -> dict[str, bool]:
    """National group -> authorised, for every national group the file or its units know.

    Raises InputError when the units' catalogue and the national file disagree about a group."""
    out: dict[str, bool] = {}
    said = _units_say(cfg)
    for g, d in cfg.groups.items():
        if not d.helsemod:
            continue
        if g in said and not said[g][0]:
            raise InputError(cfg.path, f"groups.unit_group_map.{said[g][1]}" if said[g][1] != g else "groups.table",
                             f"unit group {said[g][1]!r} is not authorised in the units' catalogue but counts "
                             f"as {g!r}, a row of the groups table (HELSEMOD's groups are authorised professions)",
                             "map it to a group outside the table (e.g. assistent) or correct the catalogue")
        out[g] = True
    for g, flag in cfg.other_authorised.items():
        if g in said and said[g][0] != flag:
            raise InputError(cfg.path, f"other_groups.authorised.{g}", f"says {str(flag).lower()}, the units' "
                             f"catalogue says {str(said[g][0]).lower()} (unit group {said[g][1]!r})",
                             "make the two agree (helsepersonelloven § 48)")
    for g in list(cfg.groups) + list(cfg.other_supply) + list(said):
        if g not in out:
            out[g] = cfg.other_authorised.get(g, said[g][0] if g in said else False)
    return out


def check_supply(cfg: NationalConfig) -> list[str]:
    """Every national group the units staff has a supply; returns warnings for unused assumptions."""
    staffed: dict[str, tuple[str, str]] = {}     # national group -> (archetype, unit group)
    for a in cfg.archetypes:
        for ug in unit_group_flags(load_base(a.unit_path)):
            staffed.setdefault(cfg.national_group(ug), (a.id, ug))
    table = cfg.raw.get("groups", {}).get("table", "the groups table")
    for g, (arch, ug) in sorted(staffed.items()):
        if g in cfg.groups or g in cfg.other_supply:
            continue
        via = f" (unit group {ug!r})" if ug != g else ""
        raise InputError(cfg.path, "other_groups.supply", f"group {g!r}, staffed by archetype {arch!r}{via}, has "
                         f"no row in {table}, no entry under groups.non_helsemod and no supply assumption",
                         f"add its row to {table}, map it under groups.unit_group_map, or add `other_groups.supply."
                         f"{g}: {{basis: working_age | flat | follows_baseline_need, reason: ...}}`")
    return [f"other_groups.supply.{g}: no archetype unit staffs this group and it is not under "
            "groups.non_helsemod; the assumption is not used"
            for g in sorted(cfg.other_supply) if g not in staffed and g not in cfg.groups]


def ordered(groups: list[str], authorised: dict[str, bool]) -> list[str]:
    """Authorised groups first, then the others, each in their given order."""
    return [g for g in groups if authorised.get(g)] + [g for g in groups if not authorised.get(g)]
