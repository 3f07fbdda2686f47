"""Unit solves for the national layer: load, perturb, solve. Runs inside worker processes.

A `Job` is plain picklable data: the unit path plus perturbation parameters plus its own seed, so a
job gives the same result in any process, on any worker, in any order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml


@dataclass(frozen=True)
class Job:
    unit_path: str
    archetype: str
    unit_index: int               # which unit variant of the archetype (0..K-1)
    draw: int                     # -1 = nominal (no noise); >= 0 Monte Carlo draw; tornado uses -1 too
    seed: tuple[int, ...]         # entropy for this unit's idiosyncratic noise
    mix_z: float = 0.0            # common patient-mix shift (sd units already applied)
    mix_sd_unit: float = 0.0
    minutes_log: float = 0.0      # common log multiplier on task minutes
    minutes_sd_task: float = 0.0
    tech: tuple[tuple[str, float], ...] = ()   # (task family, share of minutes saved)
    tag: str = ""                 # free label (e.g. tornado case); part of the cache key
    relax: bool = False           # continuous heads (LP relaxation) instead of integer heads
    time_limit: float | None = None
    planning_base: str | None = None   # a group, "none" (assistants as base), None = the unit's own

    @property
    def relaxed_too(self) -> bool:
        """Also solve the relaxation: an integer job without technology gives the continuous figures
        reported beside the integer ones (with technology only the integer states enter the mix)."""
        return not self.relax and not self.tech

    def key_payload(self) -> list:
        return [Path(self.unit_path).name, self.archetype, self.unit_index, self.draw, list(self.seed),
                round(self.mix_z, 12), self.mix_sd_unit, round(self.minutes_log, 12), self.minutes_sd_task,
                [list(t) for t in self.tech], self.tag, self.relax, self.time_limit,
                {"modes": list(MODES), "relaxed_too": self.relaxed_too, "planning_base": self.planning_base}]


# the modes each job solves: today's practice, today's performers pooled (free shares), LEON;
# baseline - pooled is pooling (rounding a ward does not pay), pooled - leon is task sharing
MODES = ("baseline", "pooled", "leon")


# ----------------------------------------------------------------------------------------------
# Loading (toy or real unit model)
# ----------------------------------------------------------------------------------------------
def unit_kind(path: str | Path) -> str:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            s = line.strip()
            if s.startswith("kind:"):
                return s.split(":", 1)[1].strip().strip("'\"")
    return "unit"


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> Any:
    if unit_kind(path) == "toy_unit":
        from planner.national.toy import load_toy
        return load_toy(path)
    from planner.staffing.instance import load_unit  # the staffing unit model
    return load_unit(path)


def load_base(path: str | Path) -> Any:
    p = str(Path(path).resolve())
    return _load(p, Path(p).stat().st_mtime)


def solve(inst: Any, modes=MODES, relax: bool = False, time_limit: float | None = None) -> dict[str, Any]:
    if type(inst).__name__ == "ToyInstance":
        from planner.national.toy import solve_toy
        return solve_toy(inst, modes)
    from planner.staffing.solve import solve_instance
    return solve_instance(inst, modes=modes, relax=relax, time_limit=time_limit)


# ----------------------------------------------------------------------------------------------
# Perturbation
# ----------------------------------------------------------------------------------------------
def shift_patient_mix(counts: dict[str, float], z: float) -> dict[str, float]:
    """Move patients toward heavier classes (z > 0) or lighter ones (z < 0), keeping the total.

    Classes are taken lightest first, in the unit file's order. Weight of class i is exp(z * r_i)
    with r_i running from -1 (lightest) to +1 (heaviest).
    """
    ids = list(counts)
    n = len(ids)
    total = sum(counts.values())
    if n < 2 or z == 0.0 or total <= 0:
        return dict(counts)
    w = {c: counts[c] * math.exp(z * (2 * i / (n - 1) - 1)) for i, c in enumerate(ids)}
    s = sum(w.values())
    return {c: w[c] * total / s for c in ids}


def _with_minutes(task: Any, minutes: float) -> Any:
    if hasattr(task, "model_copy"):          # pydantic model (the catalogue's TaskSpec)
        return task.model_copy(update={"minutes": minutes})
    return dataclasses.replace(task, minutes=minutes)


def perturb(inst: Any, job: Job) -> Any:
    rng = np.random.default_rng(np.random.SeedSequence(list(job.seed)))
    z = job.mix_z + (rng.normal(0.0, job.mix_sd_unit) if job.mix_sd_unit > 0 else 0.0)
    counts = shift_patient_mix(dict(inst.patient_counts), z)
    tech = dict(job.tech)
    tasks = {}
    task_ids = sorted(inst.tasks)
    eps = rng.normal(0.0, job.minutes_sd_task, size=len(task_ids)) if job.minutes_sd_task > 0 else np.zeros(len(task_ids))
    for tid, e in zip(task_ids, eps):
        t = inst.tasks[tid]
        factor = math.exp(job.minutes_log + float(e))
        share = tech.get(getattr(t, "family", None) or "", 0.0)
        factor *= (1.0 - share)
        tasks[tid] = t if factor == 1.0 else _with_minutes(t, t.minutes * factor)
    tasks = {tid: tasks[tid] for tid in inst.tasks}  # keep the unit's order
    return dataclasses.replace(inst, patient_counts=counts, tasks=tasks)


# ----------------------------------------------------------------------------------------------
# Worker entry points (top level, picklable)
# ----------------------------------------------------------------------------------------------
def solve_job(job: Job) -> dict[str, Any]:
    """Gross årsverk per mode and group (`fte`), and with `relaxed_too` the same from the LP
    relaxation (`fte_relaxed`); a relaxed job's `fte` is already relaxed."""
    base = load_base(job.unit_path)
    if job.planning_base is not None and type(base).__name__ != "ToyInstance":
        from planner.staffing.instance import with_planning_base

        base = with_planning_base(base, None if job.planning_base == "none" else job.planning_base,
                                  where="planning_base (national file or --planning-base)")
    inst = perturb(base, job)
    out: dict[str, Any] = {"volume": float(getattr(inst, "beds")), "status": {}, "fte": {}}
    runs = [("fte", job.relax)] + ([("fte_relaxed", True)] if job.relaxed_too else [])
    for key, relax in runs:
        out.setdefault(key, {})
        for mode, r in solve(inst, modes=MODES, relax=relax, time_limit=job.time_limit).items():
            out["status"][mode if key == "fte" else f"{mode}_relaxed"] = str(getattr(r, "status", "optimal"))
            out[key][mode] = {str(g): float(x) for g, x in sorted(r.fte_gross.items())}
    return out


def solve_batch(jobs: list[Job]) -> list[dict[str, Any]]:
    """Solve jobs; an exception becomes an error record (exceptions with custom __init__, like
    InputError, do not survive pickling back from a worker process)."""
    out = []
    for j in jobs:
        try:
            out.append(solve_job(j))
        except Exception as e:  # noqa: BLE001 - reported by the parent with the job's unit
            rec: dict[str, Any] = {"error": f"{type(e).__name__}: {e}"}
            for k in ("file", "field", "problem", "fix"):
                if hasattr(e, k):
                    rec[k] = str(getattr(e, k))
            out.append(rec)
    return out


# ----------------------------------------------------------------------------------------------
# Fingerprints for the cache
# ----------------------------------------------------------------------------------------------
def input_files(unit_path: str | Path, limit: int = 50) -> list[Path]:
    """The unit file and every file it references by a relative path (recursively)."""
    seen: list[Path] = []
    todo = [Path(unit_path).resolve()]
    while todo and len(seen) < limit:
        p = todo.pop(0)
        if p in seen or not p.is_file():
            continue
        seen.append(p)
        if p.suffix not in (".yaml", ".yml"):
            continue
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a broken file is the loader's business
            continue
        for s in _strings(data):
            if len(s) < 200 and (s.endswith((".yaml", ".yml", ".csv"))):
                q = (p.parent / s).resolve()
                if q.is_file():
                    todo.append(q)
    return seen


def _strings(x: Any):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def unit_fingerprint(unit_path: str | Path) -> str:
    h = hashlib.sha256()
    for p in input_files(unit_path):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def solver_files(kind: str) -> list[Path]:
    """The code that turns a unit into FTE (the cache key hashes it)."""
    import planner
    root = Path(planner.__file__).resolve().parent.parent
    files: list[Path] = [Path(__file__).resolve()]
    if kind == "toy_unit":
        files.append(root / "planner" / "national" / "toy.py")
    else:
        # the unit model and what feeds it (whole folders, so a new module is never missed); not the
        # roster or NRP engines that share models/
        for folder in ("planner/io", "planner/staffing", "models/staffing"):
            files += sorted(p for p in (root / folder).glob("*.py") if p.name != "__init__.py")
        files += [root / "models" / "lp.py", root / "models" / "linked.py"]   # the LP layer, the union-find
    return files


def solver_fingerprint(kind: str) -> str:
    """Hash of the code that turns a unit into FTE, so a changed model invalidates the cache."""
    import planner
    root = Path(planner.__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in solver_files(kind):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()
