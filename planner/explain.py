"""Why the staffing is what it is: the rules that force heads above what the workload needs."""

from __future__ import annotations

from planner.instance import Instance
from planner.staffing import ModeResult

_TIME = {"dag": "dag", "kveld": "kveld", "natt": "natt", "lang": "langvakt"}


def describe_rule(inst: Instance, rule_id: str) -> str:
    r = next(x for x in inst.rules if x.id == rule_id)
    gs = ", ".join(r.groups or []) or "staff"
    if r.type == "min_heads":
        return f"at least {r.min:g} of {gs} on shift"
    if r.type == "never_alone":
        return "never alone: at least 2 on shift"
    if r.type == "patients_per_staff":
        return f"at most {r.max_patients:g} patients per {gs}"
    if r.type == "supervision_ratio":
        return (f"{', '.join(r.supervised or ['non-authorised'])} at most {r.ratio:g} × "
                f"{', '.join(r.supervisors or ['authorised'])}")
    if r.type == "share":
        bounds = " and ".join(x for x in (f">= {r.min:.0%}" if r.min is not None else "",
                                          f"<= {r.max:.0%}" if r.max is not None else "") if x)
        return f"{gs} {bounds} of care {r.measure} per {'24 h' if r.per == 'day' else 'shift'}"
    return r.type


def binding_rules(inst: Instance, res: ModeResult) -> list[dict]:
    """One entry per rule and shift (or day) where the rule shapes the optimum."""
    out = []
    for b in res.binding:
        r = next(x for x in inst.rules if x.id == b["rule"])
        shifts = [s.id for s in inst.shifts if b["shift"] in (s.id, s.day_type)]
        more, fewer = _difference(res, b["heads_without"], shifts)
        out.append({
            "rule": b["rule"], "shift": b["shift"], "source": r.source or "illustrative",
            "mode": res.mode, "what": describe_rule(inst, b["rule"]), "binds_on": b["binds_on"],
            "hours_per_week_if_dropped": -round(b["saving_if_dropped"], 6),
            "extra_heads": more, "instead_of": fewer,
            "text": _text(b, r, describe_rule(inst, r.id), more, fewer),
        })
    return out


def _difference(res: ModeResult, without: dict, shifts: list[str]) -> tuple[dict, dict]:
    """Heads with the rule minus heads without it on these shifts: (more of, fewer of)."""
    more: dict[str, float] = {}
    fewer: dict[str, float] = {}
    for s in shifts:
        for g, n in res.staff[s].items():
            d = n - without.get(s, {}).get(g, 0.0)
            if d > 1e-9:
                more[g] = more.get(g, 0.0) + d
            elif d < -1e-9:
                fewer[g] = fewer.get(g, 0.0) - d
    return more, fewer


def _heads(d: dict[str, float]) -> str:
    return ", ".join(f"{n:g} {g}" for g, n in d.items())


def _text(b: dict, r, what: str, more: dict, fewer: dict) -> str:
    head = f"{b['shift']}: rule '{r.id}' ({what}; source: {r.source or 'illustrative'})"
    on = "on shift" if r.per == "shift" else f"on the {b['shift']} shifts"
    if b["binds_on"] == "hours":
        tail = f" costs {b['saving_if_dropped']:g} paid h/week"
        if more:
            tail += f": it keeps {_heads(more)} {on}" + (f" where {_heads(fewer)} would do" if fewer else "")
        return head + tail
    return head + (f" keeps {_heads(more)} {on} where {_heads(fewer)} would do the work"
                   if more else " changes who does the work") + " (same paid hours)"


def explain_shifts(res: ModeResult) -> list[dict]:
    """Per shift and group: heads, heads the workload alone needs, and the difference."""
    rows = []
    if res.workload_only_staff is None:
        return rows
    for s, per in res.staff.items():
        for g, n in per.items():
            w = res.workload_only_staff[s].get(g, 0.0)
            if n or w:
                rows.append({"shift": s, "group": g, "heads": n, "workload_only": w, "forced_by_rules": n - w})
    return rows
