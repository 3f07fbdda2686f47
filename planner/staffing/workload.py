"""Workload: patients × frequency × minutes -> hours per task per shift."""

from __future__ import annotations

import pandas as pd

from planner.staffing.instance import Instance


def occurrences(inst: Instance) -> dict[str, dict[str, float]]:
    """Occurrences of each task per shift (one occurrence of the shift, e.g. one weekday evening)."""
    occ: dict[str, dict[str, float]] = {t: {s: 0.0 for s in inst.shift_ids} for t in inst.tasks}
    for i, w in enumerate(inst.workload):
        if w.per_unit is not None:
            n = float(w.per_unit)
        elif isinstance(w.per_patient, dict):
            n = sum(inst.patient_counts[c] * f for c, f in w.per_patient.items())
        else:
            n = sum(inst.patient_counts.values()) * float(w.per_patient)
        for s in inst.select_shifts(w.shifts, inst.path, f"workload[{i}].shifts"):
            occ[w.task][s] += n
    return occ


def hours(inst: Instance) -> dict[str, dict[str, float]]:
    """Hours of each task per shift occurrence (before any time factor of the performing group)."""
    return {t: {s: n * inst.tasks[t].minutes / 60.0 for s, n in per.items()}
            for t, per in occurrences(inst).items()}


def table(inst: Instance) -> pd.DataFrame:
    """One row per task × shift: occurrences, minutes each, hours per shift and per week."""
    occ = occurrences(inst)
    days = {s.id: s.days_per_week for s in inst.shifts}
    rows = []
    for t, per in occ.items():
        task = inst.tasks[t]
        for s, n in per.items():
            if n > 0:
                h = n * task.minutes / 60.0
                rows.append({"task": t, "name": task.name.nb, "family": task.family, "shift": s,
                             "occurrences": n, "minutes": task.minutes,
                             "of_which_overhead": inst.overhead_minutes.get(t, 0.0),
                             "hours_per_shift": h, "hours_per_week": h * days[s]})
    return pd.DataFrame(rows, columns=["task", "name", "family", "shift", "occurrences", "minutes",
                                       "of_which_overhead", "hours_per_shift", "hours_per_week"])
