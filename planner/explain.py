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
    """One entry per rule and shift (or day) where dropping the rule would lower the optimum."""
    out = []
    for b in res.binding:
        r = next(x for x in inst.rules if x.id == b["rule"])
        extra = _extra_heads(inst, res, b["shift"])
        out.append({
            "rule": b["rule"], "shift": b["shift"], "source": r.source or "illustrative",
            "mode": res.mode, "what": describe_rule(inst, b["rule"]),
            "hours_per_week_if_dropped": -round(b["saving_if_dropped"], 6),
            "extra_heads": extra,
            "text": _text(inst, b, r, extra),
        })
    return out


def _extra_heads(inst: Instance, res: ModeResult, label: str) -> dict[str, float]:
    """Heads above the workload-only staffing, on the shift (or all shifts of a day type)."""
    if res.workload_only_staff is None:
        return {}
    shifts = [s.id for s in inst.shifts if label in (s.id, s.day_type)]
    out: dict[str, float] = {}
    for s in shifts:
        for g, n in res.staff[s].items():
            d = n - res.workload_only_staff[s].get(g, 0.0)
            if d > 1e-9:
                out[g] = out.get(g, 0.0) + d
    return out


def _text(inst: Instance, b: dict, r, extra: dict[str, float]) -> str:
    heads = ", ".join(f"{n:g} {g}" for g, n in extra.items())
    head = f"{b['shift']}: " + (f"{heads} above workload — " if heads else "")
    return (f"{head}rule '{r.id}' ({describe_rule(inst, r.id)}; source: {r.source or 'illustrative'}) "
            f"costs {b['saving_if_dropped']:g} paid h/week")


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
