"""An independent check of a staffing result against the unit's files.

Reads the YAML files itself (plain dicts, no planner code) and the JSON result document, and returns
every way the result breaks cover, competence, capacity or a forsvarlighet rule. The model must
never be the judge of its own solutions.
"""

from __future__ import annotations

from pathlib import Path

import yaml

TOL = 1e-4  # the JSON rounds hours to 6 decimals


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _sel(shifts: list[dict], sel) -> list[str]:
    items = [sel] if isinstance(sel, str) else list(sel)
    return [s["id"] for s in shifts if any(i in ("all", s["id"], s["time"], s["day_type"]) for i in items)]


def check(unit_path: str | Path, doc: dict, mode: str) -> list[str]:
    unit_path = Path(unit_path)
    unit = _load(unit_path)
    cat_path = unit_path.parent / unit["catalogue"]
    cat = _load(cat_path)
    groups = {g["id"]: g for g in _load(cat_path.parent / cat["groups"])["groups"]}
    tasks = {t["id"]: t for t in cat["tasks"]}
    rules = []
    for ref in unit.get("rules", []):
        rules += _load(unit_path.parent / ref)["rules"]
    rules += unit.get("extra_rules", [])
    for r in rules:
        r.update(unit.get("rule_overrides", {}).get(r["id"], {}))
    rules = [r for r in rules if r.get("enabled", True)]
    shifts = unit["shifts"]
    days = {s["id"]: s["days_per_week"] for s in shifts}
    paid = {s["id"]: s["paid_hours"] for s in shifts}
    day_type = {s["id"]: s["day_type"] for s in shifts}
    ug = list(unit["groups"])
    care = [g for g in ug if groups[g].get("track", "care") == "care"]
    counts = {c["id"]: c["count"] for c in unit["patient_classes"]}
    patients = sum(counts.values())
    training = set(unit.get("training", []))
    ps = unit.get("productive_share", 1.0)
    res = doc["results"][mode]
    staff = res["staff"]
    problems: list[str] = []

    # workload, recomputed from the files (the unit's task_minutes replace the catalogue's; overheads
    # add minutes to every occurrence of their tasks)
    own = unit.get("task_minutes", {})
    minutes = {t: own.get(t, spec)["minutes"] + sum(o["minutes"] for o in unit.get("overheads", [])
                                                   if _covers(o, spec))
               for t, spec in tasks.items()}
    work: dict[str, dict[str, float]] = {}
    for w in unit["workload"]:
        if "per_unit" in w:
            n = w["per_unit"]
        elif isinstance(w["per_patient"], dict):
            n = sum(counts[c] * f for c, f in w["per_patient"].items())
        else:
            n = patients * w["per_patient"]
        for s in _sel(shifts, w.get("shifts", "all")):
            work.setdefault(w["task"], {}).setdefault(s, 0.0)
            work[w["task"]][s] += n * minutes[w["task"]] / 60.0

    # cover and competence, per week (hours may move between shifts for movable tasks)
    alloc = res["allocation"]
    for t, per in work.items():
        need = sum(h * days[s] for s, h in per.items())
        got = sum(alloc.get(t, {}).values())
        if abs(need - got) > TOL * max(1.0, need):
            problems.append(f"cover: {t} needs {need:.4f} h/week, allocated {got:.4f}")
        today = unit.get("today_overrides", {}).get(t, tasks[t]["today"])
        for g, h in alloc.get(t, {}).items():
            spec = next((a for a in tasks[t]["allowed"] if a["group"] == g), None)
            if h > TOL and (spec is None or g not in ug):
                problems.append(f"competence: {g} does {t} but is not allowed")
            elif h > TOL and spec.get("training") and spec["training"] not in training and g not in today:
                problems.append(f"competence: {g} does {t} without the training {spec['training']!r}")
            if mode == "baseline" and abs(h - today.get(g, 0.0) * sum(per[s] * days[s] for s in per)) > 1e-4:
                problems.append(f"baseline: {t} by {g} is {h:.4f} h/week, today's share says otherwise")
        if mode == "baseline" and res.get("allocation_by_shift") is not None:
            # today's shares hold per shift, or per day type (all its shifts together)
            scope = unit.get("baseline_shares", "day")
            by_shift = res["allocation_by_shift"].get(t, {})
            blocks = ([[s] for s in per] if scope == "shift" else
                      [[s for s in per if day_type[s] == d] for d in ("hverdag", "helg")])
            for b in blocks:
                need = sum(per[s] * days[s] for s in b)
                for g, share in today.items():
                    got = sum(by_shift.get(s, {}).get(g, 0.0) * days[s] for s in b)
                    if abs(got - share * need) > 1e-4 * max(1.0, need):
                        problems.append(f"baseline: {t} by {g} on {b} is {got:.4f}, share {share} of {need:.4f}")
        # planning base (LEON only): a task that needs health competence goes to no group below the base
        base = unit.get("planning_base")
        if mode == "leon" and base is not None and tasks[t].get("health_competence"):
            for g, h in alloc.get(t, {}).items():
                if h > TOL and groups[g]["level"] < groups[base]["level"]:
                    problems.append(f"planning base: {g} does {t}, which needs health competence, below {base}")
        for r in rules:
            if r["type"] == "reserved_task" and _covers(r, tasks[t]):
                for g, h in alloc.get(t, {}).items():
                    if h > TOL and g not in r["groups"]:
                        problems.append(f"rule {r['id']}: {g} does reserved task {t}")

    # cover per shift: a task is done in its own shift, a movable one within its day type and window
    # (baseline: today's practice, every task in its own shift)
    by_shift = res.get("allocation_by_shift")
    if by_shift is not None:
        for t, per in work.items():
            mov = tasks[t].get("movable", False) if mode != "baseline" else False
            window = {s["id"] for s in shifts if mov is True or (mov and s["time"] in mov)}
            done = {s: sum(by_shift.get(t, {}).get(s, {}).values()) for s in paid}
            for d in ("hverdag", "helg"):
                ds = [s for s in paid if day_type[s] == d]
                blocks = [ds] if mov else [[s] for s in ds]
                for b in blocks:
                    need, got = sum(per.get(s, 0.0) for s in b), sum(done[s] for s in b)
                    if abs(need - got) > TOL * max(1.0, need):
                        problems.append(f"cover: {t} on {b} needs {need:.4f} h per shift, done {got:.4f}")
                for s in ds:
                    if done[s] > TOL and per.get(s, 0.0) <= 0 and s not in window:
                        problems.append(f"cover: {t} done on {s}, which its work may not move to")

    # capacity per shift, and supervision conditions per shift (from the per-shift allocation sheet)
    if by_shift is not None:
        for s, hours in paid.items():
            for g in ug:
                share = ps.get(g, ps.get("default", 1.0)) if isinstance(ps, dict) else ps
                load = 0.0
                for t, per in by_shift.items():
                    h = per.get(s, {}).get(g, 0.0)
                    spec = next(a for a in tasks[t]["allowed"] if a["group"] == g) if h > TOL else None
                    if spec:
                        load += h * spec.get("time_factor", 1.0)
                        sups = set(spec.get("supervisor") or [])
                        for r in rules:
                            if r["type"] == "delegation" and g in r["groups"] and _covers(r, tasks[t]):
                                sups |= set(r["supervisors"])
                        if sups and not any(staff[s].get(x, 0) >= 1 - TOL for x in sups):
                            problems.append(f"supervision: {g} does {t} on {s} with none of {sorted(sups)} present")
                if load > share * hours * staff[s][g] + 1e-5:
                    problems.append(f"capacity: {g} on {s} has {load:.3f} h of tasks for {staff[s][g]} heads")

    # head-count rules
    def heads(s, gs):
        return sum(staff[s].get(g, 0.0) for g in gs if g in ug)

    for r in rules:
        ss = _sel(shifts, r.get("shifts", "all"))
        gs = r.get("groups") or ug
        t = r["type"]
        if t in ("min_heads", "never_alone", "patients_per_staff"):
            need = {"min_heads": r.get("min"), "never_alone": 2}.get(t)
            if t == "patients_per_staff":
                need = patients / r["max_patients"]
                gs = r.get("groups") or care
            for s in ss:
                if heads(s, gs) < need - TOL:
                    problems.append(f"rule {r['id']}: {s} has {heads(s, gs)} of {gs}, needs {need}")
        elif t == "supervision_ratio":
            sup = r.get("supervised") or [g for g in care if not groups[g]["authorised"]]
            by = r.get("supervisors") or [g for g in ug if groups[g]["authorised"]]
            for s in ss:
                if heads(s, sup) > r["ratio"] * heads(s, by) + TOL:
                    problems.append(f"rule {r['id']}: {s} ratio broken")
        elif t == "share":
            blocks = ([[s] for s in ss] if r.get("per", "shift") == "shift" else
                      [[s for s in ss if next(x for x in shifts if x["id"] == s)["day_type"] == d]
                       for d in ("hverdag", "helg")])
            for b in blocks:
                if not b:
                    continue
                w = (lambda s: paid[s]) if r.get("measure", "heads") == "hours" else (lambda s: 1.0)
                part = sum(heads(s, gs) * w(s) for s in b)
                whole = sum(heads(s, care) * w(s) for s in b)
                if r.get("min") is not None and part < r["min"] * whole - TOL:
                    problems.append(f"rule {r['id']}: share below {r['min']} on {b}")
                if r.get("max") is not None and part > r["max"] * whole + TOL:
                    problems.append(f"rule {r['id']}: share above {r['max']} on {b}")

    # availability
    for g, per in unit.get("availability", {}).items():
        for sel, cap in per.items():
            for s in _sel(shifts, sel):
                if staff[s][g] > cap + TOL:
                    problems.append(f"availability: {g} on {s} is {staff[s][g]} > {cap}")

    # heads are whole persons (unless relaxed) and never negative
    relax = doc.get("options", {}).get("relax", False)
    for s, per in staff.items():
        for g, n in per.items():
            if n < -TOL or (not relax and abs(n - round(n)) > 1e-6):
                problems.append(f"heads: {g} on {s} is {n}, not a whole number of persons")

    # weekly hours, cost, objective and årsverk agree with the heads
    for g in ug:
        wh = sum(staff[s][g] * paid[s] * days[s] for s in paid)
        if abs(wh - res["weekly_hours"][g]) > 1e-4:
            problems.append(f"weekly_hours of {g} do not match the heads")
    wh = {g: sum(staff[s][g] * paid[s] * days[s] for s in paid) for g in ug}
    cost = sum(wh[g] * groups[g]["cost_per_hour"] for g in ug)
    if abs(cost - res["cost_nok_per_week"]) > max(0.01, 1e-6 * abs(cost)):  # the JSON rounds to 2 decimals
        problems.append(f"cost_nok_per_week {res['cost_nok_per_week']} != {cost:.2f} from heads and costs")
    target = sum(wh.values()) if doc["options"]["objective"] == "hours" else cost
    if abs(target - res["objective"]) > 1e-3 * max(1, target):
        problems.append(f"objective {res['objective']} != {doc['options']['objective']} {target}")
    fte = unit.get("fte", {})
    norm = fte.get("norm_hours_per_week", 35.5)
    up = 52 / (52 - fte.get("holiday_weeks", 5.0)) / (1 - fte.get("sick_leave_share", 0.0))
    for g in ug:
        if "fte" in res and abs(res["fte"][g] - wh[g] / norm * up) > 1e-3:
            problems.append(f"fte of {g} is {res['fte'][g]}, heads give {wh[g] / norm * up:.4f}")
    if "freed_fte" in doc and mode == "leon" and "baseline" in doc["results"]:
        for g in ug:
            freed = doc["results"]["baseline"]["fte"][g] - res["fte"][g]
            if abs(doc["freed_fte"][g] - freed) > 1e-3:
                problems.append(f"freed_fte of {g} is {doc['freed_fte'][g]}, baseline − LEON is {freed:.4f}")
    return problems


def _covers(r: dict, task: dict) -> bool:
    return any(x == task["id"] or x == f"family:{task['family']}" for x in r.get("tasks") or [])
