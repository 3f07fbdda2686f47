"""The arithmetic of a roster model: persons per weekend and the fewest heads (the FAFO ideal-type
reasoning), and position sizes whose hours can be planned as whole shifts."""
from __future__ import annotations

import functools
import math

from models.roster import cpsat as M
from planner.roster.heltid.models_file import RosterModel
from planner.roster.setup import UnitView


def weekend_arithmetic(unit: UnitView, req: dict, model: RosterModel, norm: float, long_dk: bool) -> dict:
    """Persons per weekend and årsverk per group, and the fewest heads for the weekend cycle."""
    by = {s.id: s for s in unit.shifts}
    out = {}
    for g in unit.groups:
        helg = {t: 0.0 for t in ("dag", "kveld", "natt", "lang")}
        weekly = 0.0
        for sid, row in req.items():
            v = row.get(g, 0)
            v = v.get("min", 0) if isinstance(v, dict) else v
            s = by[sid]
            days = 5 if s.day_type == "hverdag" else 2
            weekly += math.ceil(v - 1e-6) * s.paid_hours * days
            if s.day_type == "helg":
                helg[s.time] += math.ceil(v - 1e-6)
        if long_dk:
            per_day = max(helg["dag"], helg["kveld"]) + helg["natt"] + helg["lang"]
        else:
            per_day = sum(helg.values())
        if weekly == 0:
            continue
        persons = per_day  # one person works both Saturday and Sunday of their weekend
        out[g] = {"persons_per_weekend": persons, "heads_min": int(model.weekend_every * persons),
                  "arsverk": weekly / norm}
    return out


def _weekend_persons(P: M.Problem, cycle: int) -> tuple[list[int], list[list]]:
    """Per weekend: the fewest persons that can cover it = the most heads on one calendar day among
    the slots inside the weekend window (one person works at most one shift a day)."""
    wsets = M.WeekendFrequency(id="_", cycle=cycle).weekend_sets(P)
    need = {(c.day, c.code): need_ for c, need_ in ((c, c.min) for c in P.cover)}
    out = []
    for st in wsets:
        per_day: dict[int, int] = {}
        seen = set()
        for d, s in st:
            for per in P.shifts[s].periods:
                k = (d, per)
                if k in need and k not in seen and P.shifts[s].code == per:
                    seen.add(k)
                    per_day[d] = per_day.get(d, 0) + need[k]
        out.append(max(per_day.values(), default=0))
    return out, wsets


def _sums(lengths: list[int], hi: int) -> list[bool]:
    """sums[v]: v minutes can be planned as whole shifts of these lengths (v <= hi)."""
    return list(_sums_cached(tuple(lengths), hi))


@functools.lru_cache(maxsize=64)
def _sums_cached(lengths: tuple[int, ...], hi: int) -> tuple[bool, ...]:
    # bit v of `reach` = v is a sum of these lengths; adding any number of one length doubles the shift
    mask = (1 << (hi + 1)) - 1
    reach = 1
    for L in lengths:
        step = L
        while step <= hi:
            reach |= (reach << step) & mask
            step *= 2
    bits = bin(reach)[2:].zfill(hi + 1)[::-1]
    return tuple(c == "1" for c in bits)


def _plan_hours(n: int, f: int, hours: int, full: int, tol: int, sums_of) -> tuple[list[float], list[int]] | None:
    """Position sizes for n heads, f of them full time, whose contracts add up to the cover hours and
    whose hours can be planned as whole shifts: planned minutes p_i (a sum of the person's shift
    lengths, ``sums_of(i)``) adding up exactly to the cover, full-time p_i within the tolerance of
    full time, part-time p_i as equal as whole shifts allow; each part-time contract is its p_i plus
    one common correction (so the contracts add up to the cover hours). None when no such plan exists.
    Equal sizes ignore that 7,5-hour shifts cannot make every contract: with one shift length a
    position has usually exactly one legal number of shifts, and the whole cover must still add up."""
    margin = 6  # minutes kept inside the tolerance for the rounding of sizes to 0,1 %
    pt = list(range(f, n))
    base = (hours - f * full) / max(1, n - f)
    if n - f and not 0 < base < full:
        return None

    def lo_hi(i):
        if i < f:
            return full - tol + margin, full + tol - margin
        return max(1, math.floor(base - 3 * tol)), min(full - 1, math.ceil(base + 3 * tol))

    dom = {}
    for i in range(n):
        lo, hi = lo_hi(i)
        ok = sums_of(i)
        dom[i] = [v for v in range(lo, min(hi, len(ok) - 1) + 1) if ok[v]]
        if not dom[i]:
            return None
    target = {i: (full if i < f else base) for i in range(n)}
    pos = {i: min(range(len(dom[i])), key=lambda k: (abs(dom[i][k] - target[i]), dom[i][k])) for i in range(n)}
    for _ in range(20 * n + 100):
        R = hours - sum(dom[i][pos[i]] for i in range(n))
        if R == 0:
            break
        step = 1 if R > 0 else -1
        best = None
        for i in range(n):
            k = pos[i] + step
            if not 0 <= k < len(dom[i]):
                continue
            v = dom[i][k]
            # smallest move first, keeping everyone near their target; never overshoot far
            key = (abs(R - (v - dom[i][pos[i]])) > abs(R), abs(v - target[i]) - abs(dom[i][pos[i]] - target[i]),
                   abs(v - dom[i][pos[i]]), i)
            if best is None or key < best[0]:
                best = (key, i, k)
        if best is None:
            return None
        pos[best[1]] = best[2]
    planned = [dom[i][pos[i]] for i in range(n)]
    if sum(planned) != hours:
        return None
    delta = ((hours - f * full) - sum(planned[i] for i in pt)) / max(1, len(pt))
    sizes = [100.0] * f + [round(100 * (planned[i] + delta) / full, 1) for i in pt]
    for i in range(n):
        if abs(sizes[i] * full / 100 - planned[i]) > tol - 1 or sizes[i] <= 0:
            return None
    return sizes, planned


def _sizes(P, n, f, split, cycle, nights, hours_m, full_m, tol_m, sums_all, sums_day, cover_pct):
    """Position sizes for one attempt and who may work nights, or (None, _) when whole shifts rule the
    attempt out."""
    night_ok = set(range(n))
    if split:
        # one night person per weekend team, more when their hours cannot hold the nights
        night_h = sum(c.min * P.shifts[P.shift_index[c.code]].work_minutes for c in P.cover
                      if P.shift_index.get(c.code) in nights)
        for m_ in range(cycle, n + 1, cycle):
            night_ok = set(range(min(m_, n)))
            plan = _plan_hours(n, f, hours_m, full_m, tol_m, lambda i, ok=night_ok: sums_all if i in ok else sums_day)
            if plan and sum(plan[1][i] for i in night_ok) >= night_h:
                return plan[0], night_ok
        return None, night_ok
    plan = _plan_hours(n, f, hours_m, full_m, tol_m, lambda i: sums_all)
    if plan is not None:
        return plan[0], night_ok
    # no whole-shift plan: equal part-time sizes (the solver may still find one within tolerance)
    rest = cover_pct - 100 * f
    if n == f or rest / (n - f) > 100 + 1e-9:
        return ([100.0] * n if n == f else None), night_ok
    return [100.0] * f + [round(rest / (n - f), 1)] * (n - f), night_ok
