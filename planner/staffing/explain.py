"""Why the staffing is what it is: the rules that force heads above what the workload needs."""

from __future__ import annotations

from planner.staffing.instance import Instance
from planner.staffing.solve import ModeResult

_TIME = {"dag": "dag", "kveld": "kveld", "natt": "natt", "lang": "langvakt"}


def describe_rule(inst: Instance, rule_id: str) -> str:
    """What a rule demands, in its type's words (planner.staffing.rule_types)."""
    return next(x for x in inst.rules if x.id == rule_id).text()


def objective_text(value: float, objective: str = "hours") -> str:
    """A stage-1 objective value (or a change of it) in its unit: paid hours or NOK per week."""
    if objective == "cost":
        return f"{value:,.0f} NOK/week".replace(",", " ")
    return f"{value:g} paid h/week"


def binding_rules(inst: Instance, res: ModeResult, objective: str = "hours") -> list[dict]:
    """One entry per rule and shift (or day) where the rule shapes the optimum (its cost in the
    unit of `objective`)."""
    out = []
    for b in res.binding:
        r = next(x for x in inst.rules if x.id == b["rule"])
        shifts = _rule_shifts(inst, r, b["shift"])
        more, fewer = _difference(res, b["heads_without"], shifts)
        # other shifts of the same day that the rule changes too (movable work, per-day rules)
        elsewhere = {}
        for s in (x for x in b["heads_without"] if x not in shifts):
            m, f = _difference(res, b["heads_without"], [s])
            if m or f:
                elsewhere[s] = {"extra_heads": m, "instead_of": f}
        out.append({
            "rule": b["rule"], "shift": b["shift"], "source": r.source or "illustrative",
            "mode": res.mode, "what": describe_rule(inst, b["rule"]), "binds_on": b["binds_on"],
            "hours_per_week_if_dropped": -round(b["saving_if_dropped"], 6),
            "extra_heads": more, "instead_of": fewer,
            "elsewhere": elsewhere,
            # the plan without the rule nearest this one, on the shifts the rule's day couples
            "heads_without_rule": b["heads_without"],
            "text": _text(b, r, describe_rule(inst, r.id), more, fewer, elsewhere, objective),
        })
    return out


def _rule_shifts(inst: Instance, r, label: str) -> list[str]:
    """The shifts behind a binding record's label: one shift, or the rule's shifts of one day type."""
    if any(s.id == label for s in inst.shifts):
        return [label]
    mine = set(inst.select_shifts(r.shifts, inst.rule_files[r.id], f"rules.{r.id}.shifts"))
    return [s.id for s in inst.shifts if s.day_type == label and s.id in mine]


def _difference(res: ModeResult, without: dict, shifts: list[str]) -> tuple[dict, dict]:
    """Heads with the rule minus heads without it on these shifts: (more of, fewer of)."""
    more: dict[str, float] = {}
    fewer: dict[str, float] = {}
    for s in shifts:
        for g, n in res.staff[s].items():
            d = n - without.get(s, {}).get(g, 0.0)
            if d > 1e-6:
                more[g] = more.get(g, 0.0) + d
            elif d < -1e-6:
                fewer[g] = fewer.get(g, 0.0) - d
    return more, fewer


def heads_text(d: dict[str, float]) -> str:
    """{group: heads} as '1 sykepleier, 2 assistent'."""
    return ", ".join(f"{round(n, 2):g} {g}" for g, n in d.items())


def elsewhere_text(elsewhere: dict[str, dict]) -> str:
    """What the plan without the rule changes on other shifts, read from that plan's side."""
    parts = []
    for s, d in elsewhere.items():
        more, fewer = d["extra_heads"], d["instead_of"]
        if more and fewer:
            parts.append(f"{s} would have {heads_text(fewer)} in place of {heads_text(more)}")
        elif fewer:
            parts.append(f"{s} would have {heads_text(fewer)} more")
        else:
            parts.append(f"{s} would have {heads_text(more)} fewer")
    return " and ".join(parts)


def _text(b: dict, r, what: str, more: dict, fewer: dict, elsewhere: dict | None = None,
          objective: str = "hours") -> str:
    head = f"{b['shift']}: rule '{r.id}' ({what}; source: {r.source or 'illustrative'})"
    on = "on shift" if r.per == "shift" else f"on the {b['shift']} shifts"
    keeps = f"keeps {heads_text(more)} {on}" if more else ""
    if more and fewer:
        keeps += f" where {heads_text(fewer)} would do the work"
    rest = f"; without it {elsewhere_text(elsewhere)}" if elsewhere else ""
    if b["binds_on"] == "hours":
        cost = objective_text(b["saving_if_dropped"], objective)
        return head + f" costs {cost}" + (f": it {keeps}" if keeps else "") + rest
    same = "same cost" if objective == "cost" else "same paid hours"
    return head + " " + (keeps or "changes who does the work") + rest + f" ({same})"


def describe_bend(inst: Instance, b: dict) -> str:
    """One line of an infeasibility diagnosis: what had to bend, and what it cannot hold together with."""
    rules = {r.id: r for r in inst.rules}

    def name(rid: str) -> str:
        return f"rule '{rid}'" if rid in rules else rid

    text = f"{name(b['rule'])} on {b['shift']}: {b['what']}"
    rule = rules.get(b["rule"])
    asks = rule.asks_for() if rule is not None else []
    if asks and not any(g in inst.groups for g in asks):
        return text + f" (the unit has none of {', '.join(asks)}: add one to `groups` or disable the rule)"
    if b.get("conflicts_with"):
        text += "; cannot hold together with " + ", ".join(f"{name(c['rule'])} on {c['shift']}"
                                                         for c in b["conflicts_with"])
    return text


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


def family_hours(inst: Instance, res: ModeResult) -> dict[str, dict[str, float]]:
    """Task hours per week by task family and group."""
    out: dict[str, dict[str, float]] = {}
    for t, per in res.allocation.items():
        fam = out.setdefault(inst.tasks[t].family, {})
        for g, h in per.items():
            fam[g] = fam.get(g, 0.0) + h
    return out


def base_shortfall(inst: Instance, results: dict[str, ModeResult]) -> dict | None:
    """Where LEON needs fewer årsverk of the planning base group than today: the task families that
    move away from the base group (and where to) and the rules binding in LEON. None otherwise."""
    base = inst.planning_base
    if base is None or not {"baseline", "leon"} <= set(results):
        return None
    before, after = results["baseline"], results["leon"]
    if before.fte.gross[base] <= after.fte.gross[base] + 1e-6:
        return None
    fb, fa = family_hours(inst, before), family_hours(inst, after)
    moved = []
    for fam in sorted(fb, key=lambda f: -(fb[f].get(base, 0.0) - fa.get(f, {}).get(base, 0.0))):
        was, now = fb[fam].get(base, 0.0), fa.get(fam, {}).get(base, 0.0)
        if was - now > 0.05:
            to = {g: round(fa.get(fam, {}).get(g, 0.0) - fb[fam].get(g, 0.0), 4) for g in inst.groups
                  if g != base and fa.get(fam, {}).get(g, 0.0) - fb[fam].get(g, 0.0) > 0.05}
            moved.append({"family": fam, "baseline_hours_per_week": round(was, 4),
                          "leon_hours_per_week": round(now, 4), "to": to})
    rules = list(dict.fromkeys(b["rule"] for b in after.binding))
    return {"group": base, "baseline_fte": round(before.fte.gross[base], 4),
            "leon_fte": round(after.fte.gross[base], 4), "families": moved, "binding_rules": rules}


def shortfall_text(s: dict) -> str:
    """One line: LEON needs fewer of the base group than today, which families move and which rules bind."""
    fams = "; ".join(f"{m['family']} {m['baseline_hours_per_week']:.0f} → {m['leon_hours_per_week']:.0f} h/week"
                     + (f" (to {', '.join(m['to'])})" if m["to"] else "") for m in s["families"])
    fams = fams or "no task family (the rules, not the work, set the heads)"
    text = (f"LEON needs {s['baseline_fte'] - s['leon_fte']:.2f} fewer {s['group']} årsverk (the planning base) "
            f"than today ({s['baseline_fte']:.2f} → {s['leon_fte']:.2f}). Moved away from {s['group']}: {fams}.")
    if s["binding_rules"]:
        text += f" Rules binding in LEON: {', '.join(s['binding_rules'])}."
    return text
