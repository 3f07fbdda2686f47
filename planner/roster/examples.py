"""Deterministic generator of the shipped example data: staff files and rosters (docs/rosters.md,
"Shipped example data").

    python -m planner.roster.examples [staff] [UNIT...]   # rewrites instances/staff/<unit>.yaml
    python -m planner.roster.examples rosters [UNIT...]   # rewrites instances/rosters/<unit>_6uker.csv

ILLUSTRATIVE. Each staff file is sized to leon's LEON requirement of its unit (`leon solve --json`,
results.leon.staff), pool by pool (a group, plus slot groups it fills for in PROFILES.pooled):

* night-only positions for the night hours, day/evening positions for the rest (only where the group has
  night cover; otherwise no shift restriction);
* persons one weekend needs: night heads (Friday night is inside the weekend window), or the dag + kveld
  heads of a weekend day; municipal units (KS): heads >= 3 x that (every third weekend), then enough heads at
  the cited average position; hospital: heads at the cited average, the fewest on every second weekend that
  the weekend cover needs (``heads_and_cycles``);
* sizes in steps of 5 % (day >= 20 %, nights >= 50 % and only sizes whose contract a whole number of shifts
  can meet, ``contract_ok``), a full-time share (municipal) or a part-time mean (hospital) from the cited reports,
  the rest spread around their mean; the total is the requirement's hours + 2 % (SLACK).

Figures (put into each file's header; keys of docs/sources.md):
  nursing home: 22 % full time, average 67 % (Hdir-Kompetanseløft2025, kap. 3.4.1);
  home care: average 57,1 %, median 60 % of user-facing posts (NOU2023:4, kap. 9.2.2),
    full-time share of municipal helsefagarbeidere 28,5 % (NOU2023:4, kap. 9.2.1);
  hospital (Spekter 2021): average position sykepleier 87 %, helsefagarbeider 80 %, leger 96 %, all 91 %
    (NOU2023:4, Figur 9.6); part-time share sykepleier 43 %, helsefagarbeider 58 %, all 25 %
    (NOU2023:4, Figur 9.3).

The shipped rosters are the builder's short deterministic draft plus three planted problems
(``traditional_roster``, ``_plant``).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from planner.io.writer import write_text

ROOT = Path(__file__).resolve().parents[2]
STEP = 5            # position sizes in steps of 5 %
MIN_DAY = 20        # smallest day/evening position (illustrative, as min_position in roster_models/fafo.yaml)
TOL_H = 4.0         # contract tolerance of the rule files (hours over the rotation)
WEEKS = 6
SLACK = 0.02        # contracts 2 % above the requirement: whole shifts must fit every contract's tolerance, and
#                     with no slack every person must work exactly their maximum (illustrative)


@dataclass
class Profile:
    rules: str
    avg_ft: tuple[float, float]                 # (average position %, full-time share) for the unit
    cite: str
    groups: dict = field(default_factory=dict)  # group -> (average %, full-time share)
    cycles: tuple[int, ...] = (3,)              # weekend cycles a position may have (3 = every third)
    substitutes: dict | None = None             # written into the staff file
    pooled: dict = field(default_factory=dict)  # slot group without own staff -> group whose staff covers it
    note: str = ""
    ft_from_mean: bool = False                  # full-time count from the average (hospital) or from the share


SYKEHJEM_CITE = ("nursing home sample: «kun 22 prosent av de ansatte har 100 prosent stilling, mens den "
                 "gjennomsnittlige stillingsprosenten er på 67 prosent» (Hdir-Kompetanseløft2025, kap. 3.4.1); "
                 "helsefagarbeidere 28,5 % full time in 2021 (NOU2023:4, kap. 9.2.1)")
CARE_SUBS = {"assistent": ["helsefagarbeider", "vernepleier", "sykepleier"],
             "helsefagarbeider": ["vernepleier", "sykepleier"], "vernepleier": ["sykepleier"],
             "sykepleier": ["vernepleier"]}

PROFILES = {
    "sykehjem": Profile(
        "ks.yaml", (67, 0.22), SYKEHJEM_CITE,
        substitutes={**CARE_SUBS, "renholder": ["servicemedarbeider"]},
        pooled={"renholder": "servicemedarbeider"},
        note="the requirement has one renholder on weekend days only (15 h a week, 0,42 årsverk): three "
             "weekend-only cleaners of 14 % would be needed for every third weekend, so the servicemedarbeidere "
             "(weekday dag/kveld) also fill the weekend renholder slot (sideways substitution at level 1, "
             "listed under substitutes) - an illustrative local arrangement"),
    "skarbovik": Profile(
        "ks.yaml", (67, 0.22), SYKEHJEM_CITE, substitutes=dict(CARE_SUBS)),
    "hjemmesykepleie": Profile(
        "ks.yaml", (57, 0.20),
        "home care user-facing posts: «57,1 prosent i gjennomsnitt og 60,0 prosent i median» (NOU2023:4, "
        "kap. 9.2.2); helsefagarbeidere 28,5 % full time (NOU2023:4, kap. 9.2.1)",
        groups={"helsefagarbeider": (62, 0.285)}, substitutes=dict(CARE_SUBS)),
    "medisinsk_sengepost": Profile(
        "spekter.yaml", (91, 0.75),
        "hospital, Spekter 2021: average position sykepleier 87 %, helsefagarbeider/hjelpepleier 80 %, leger 96 %, "
        "helsesekretær 92 %, drifts-/teknisk 90 %, all 91 % (NOU2023:4, Figur 9.6); part-time share sykepleier "
        "43 %, helsefagarbeider 58 %, all 25 % (NOU2023:4, Figur 9.3)",
        groups={"sykepleier": (87, 0.57), "helsefagarbeider": (80, 0.42), "lege": (96, 0.92),
                "helsesekretaer": (92, 0.75), "portor": (90, 0.75), "servicemedarbeider": (90, 0.75)},
        cycles=(3, 2), ft_from_mean=True,
        substitutes={"helsefagarbeider": ["sykepleier"], "renholder": ["servicemedarbeider"],
                     "servicemedarbeider": ["renholder"]},
        pooled={"renholder": "servicemedarbeider"},
        note="hospital positions are sized at the Spekter averages, not at 3 x the weekend persons: the LEON "
             "requirement of this ward is almost as high on weekends as on weekdays, so positions of 80-96 % "
             "need some staff on every second weekend (weekend_every: 2; spekter's Sunday averaging allows 3 of 6 "
             "Sundays) - an illustrative local agreement, the trade-off of FAFO model 5 (NOU2023:4, Tabell 9.2); "
             "the renholder (weekday evening) and servicemedarbeider (weekend) slots are one pool of "
             "servicemedarbeidere (sideways substitution at level 1)"),
}
PREFIX = {"assistent": "ass", "helsefagarbeider": "hfa", "sykepleier": "spl", "vernepleier": "vpl",
          "servicemedarbeider": "ser", "renholder": "ren", "kjokkenpersonell": "kjo", "lege": "leg",
          "helsesekretaer": "hse", "portor": "por", "spesialsykepleier": "ssp", "farmasoyt": "far",
          "bioingenior": "bio", "merkantil": "mer", "logistikkpersonell": "log"}


def contract_ok(percent: float, shift_hours: list[float], norm: float, weeks: int = WEEKS) -> bool:
    """Some number of shifts of these lengths lands within the contract tolerance (e.g. a 45 % night-only
    position cannot: 95,85 h vs 90 or 100 h of 10-hour nights)."""
    t = percent / 100 * norm * weeks
    sums = {0.0}
    for _ in range(int(t // min(shift_hours)) + 2):
        sums = {round(s + h, 2) for s in sums for h in shift_hours if s + h <= t + TOL_H} | sums
    return any(abs(s - t) <= TOL_H + 1e-9 for s in sums)


def sizes_for(total: float, heads: int, avg_ft: tuple[float, float], lo: float = MIN_DAY,
              ok=lambda p: True, ft_from_mean: bool = False) -> list[int]:
    """`heads` positions in steps of 5 % adding up to at least `total` percent (and less than one step
    more), a share `avg_ft[1]` of them full time, the rest spread around their mean (largest first).
    ``ft_from_mean``: as many full-time positions as keep the part-time mean at the cited one,
    (average - 100 x share) / (1 - share), e.g. hospital sykepleier (87 - 57) / 0,43 = 70 %."""
    avg, ft_share = avg_ft
    f = min(heads, int(round(ft_share * heads)))
    if ft_from_mean and ft_share < 1:
        pt = (avg - 100 * ft_share) / (1 - ft_share)
        f = max(0, min(f, math.floor((total - pt * heads) / (100 - pt) + 0.5)))
    while f > 0 and 100 * f + (lo + STEP) * (heads - f) > total:   # the others keep at least lo + 5 %
        f -= 1
    while f < heads and (total - 100 * f) / (heads - f) > 95:
        f += 1
    k = heads - f
    if k == 0:
        return [100] * heads
    mean = (total - 100 * f) / k
    spread = max(0.0, min(mean - lo, 95 - mean, 20))
    part = [mean + spread * (1 - 2 * i / (k - 1)) if k > 1 else mean for i in range(k)]
    part = [min(95, max(lo, STEP * math.floor(x / STEP))) for x in part]
    part = [p if ok(p) else next(q for q in range(int(p), 101, STEP) if ok(q)) for p in part]
    i = 0
    while 100 * f + sum(part) < total - 1e-6:           # round up, largest part-time first
        j = i % k
        nxt = next((q for q in range(part[j] + STEP, 96, STEP) if ok(q)), None)
        if nxt is not None:
            part[j] = nxt
        elif all(next((q for q in range(x + STEP, 96, STEP) if ok(q)), None) is None for x in part):
            raise ValueError(f"cannot place {total:.0f} % on {heads} heads")
        i += 1
    return sorted([100] * f + part, reverse=True)


def heads_and_cycles(total: float, persons_per_weekend: int, avg: float, cycles: tuple[int, ...]) -> tuple[int, int]:
    """(heads, how many of them on every second weekend). KS style (cycles (3,)): at least 3 x the persons one
    weekend needs, then enough heads at the average position. Hospital style (cycles (3, 2)): heads at the
    average position; if they are fewer than 3 x the weekend persons, the fewest on every second weekend
    so that k2 + k3 >= persons per weekend, with k2 = every-second heads / 2 and k3 = the others / 3."""
    n0 = max(1, math.ceil(total / avg - 1e-9))
    W = persons_per_weekend
    if W == 0:
        return n0, 0
    if 2 not in cycles:
        return max(n0, 3 * W), 0
    n = max(n0, 2 * W)
    if n >= 3 * W:
        return n, 0
    k3 = n - 2 * W                 # max every-third teams with 2 (W - k3) + 3 k3 <= n
    return n, 2 * (W - k3)


def staff_for(unit_id: str, unit, req: dict) -> tuple[list[dict], dict]:
    norm = unit.norm_hours_per_week
    by = {s.id: s for s in unit.shifts}
    prof = PROFILES[unit_id]
    people, notes = [], {}
    heads = {sid: {g: math.ceil(v - 1e-6) for g, v in row.items() if v > 1e-6} for sid, row in req.items()}
    pool_of = lambda g: prof.pooled.get(g, g)  # noqa: E731
    groups = sorted({pool_of(g) for row in heads.values() for g in row}, key=lambda g: (-unit.groups[g].level, g))
    for g in groups:
        slot_groups = [x for x in {gg for row in heads.values() for gg in row} if pool_of(x) == g]
        h = {sid: sum(row.get(x, 0) for x in slot_groups) for sid, row in heads.items()}
        days = lambda sid: 5 if by[sid].day_type == "hverdag" else 2  # noqa: E731
        night = [s for s in by if by[s].time == "natt"]
        day = [s for s in by if by[s].time != "natt"]
        night_h = sum(h.get(s, 0) * by[s].paid_hours * days(s) for s in night)
        day_h = sum(h.get(s, 0) * by[s].paid_hours * days(s) for s in day)
        avg_ft = prof.groups.get(g, prof.avg_ft)
        pfx = PREFIX.get(g, g[:3])
        for part, hours, sids, lo in (("n", night_h, night, 50), ("", day_h, day, MIN_DAY)):
            if hours <= 0:
                continue
            # persons one weekend needs: nights Fri/Sat/Sun (Fri night is a hverdag shift inside the window);
            # dag + kveld heads of a weekend day (one shift a day per person)
            if part == "n":
                W = max(h.get(s, 0) for s in sids)
            else:
                W = sum(h.get(s, 0) for s in sids if by[s].day_type == "helg")
            lens = sorted({by[s].paid_hours for s in sids if h.get(s, 0)})
            total = 100 * hours / norm * (1 + SLACK)
            n, n2 = heads_and_cycles(total, W, avg_ft[0], prof.cycles)
            sz = sizes_for(total, n, avg_ft, lo, ok=lambda p: contract_ok(p, lens, norm),
                           ft_from_mean=prof.ft_from_mean)
            for j, p in enumerate(sz):
                row = {"id": f"{pfx}{part}{j + 1:02d}", "group": g, "percent": p}
                if night_h > 0:
                    row["shifts"] = ["natt"] if part == "n" else ["dag", "kveld"]
                if 2 in prof.cycles and W:
                    row["weekend_every"] = 2 if j < n2 else 3
                people.append(row)
        notes[g] = {"hours_per_week": round(night_h + day_h, 1), "arsverk": round((night_h + day_h) / norm, 2),
                    "slots": sorted(slot_groups)}
    return people, notes


def staff_text(unit_id: str, path_unit: Path, req: dict | None = None) -> str:
    from planner.roster.setup import leon_requirement, load_unit_view
    unit = load_unit_view(path_unit)
    req = req or leon_requirement(unit)
    people, notes = staff_for(unit_id, unit, req)
    prof = PROFILES[unit_id]
    tot = sum(p["percent"] for p in people) / 100
    full = sum(1 for p in people if p["percent"] >= 100)
    need = sum(v["arsverk"] for v in notes.values())
    e2 = sum(1 for p in people if p.get("weekend_every") == 2)
    wrap = lambda s: ["# " + x for x in textwrap.wrap(s, 110)]  # noqa: E731
    method = ("KS style: every third weekend for everyone, so each group has at least 3 x the persons one weekend "
              "needs (night-only positions: 3 x the night heads), then enough heads at the average position"
              if 2 not in prof.cycles else
              "hospital style: heads at the group's average position; where they are fewer than 3 x the persons one "
              "weekend needs, the largest positions work every second weekend (weekend_every: 2), as few as the "
              "weekend cover allows")
    lines = [f"# Staff of the shipped unit instances/units/{path_unit.name} - ILLUSTRATIVE, not a real ward.",
             "# Generated by `python -m planner.roster.examples` (deterministic) from leon's LEON requirement of the",
             "# unit (`leon solve --json`, results.leon.staff), group by group: night-only positions for the night",
             "# hours, day/evening positions for the rest; position sizes in steps of 5 % (day >= 20 %, night-only",
             "# >= 50 % so that whole 10-hour nights land within the 4-hour contract tolerance), total percent",
             "# rounded up to the requirement's hours + 2 % (contract hours cover the requirement with a little slack).",
             *wrap(f"Sizing: {method}."),
             *wrap(f"Position sizes: {prof.cite}."),
             *wrap("Every third weekend makes weekend-driven part time: the average falls below the cited figure "
                   "where the weekend cover is large relative to the week (NOU2023:4, kap. 9.5.3) - the gap "
                   "`leon roster heltid` measures."),
             *(wrap("Note: " + prof.note + ".") if prof.note else []),
             *wrap(f"Result: {len(people)} heads, {tot:.2f} årsverk for {need:.2f} årsverk of requirement, {full} full "
                   f"time ({full / len(people):.0%}), average position {100 * tot / len(people):.1f} %"
                   + (f", {e2} on every second weekend." if e2 else ".")),
             *wrap("Requirement per week by staff group: " +
                   ", ".join(f"{g} {v['hours_per_week']:g} h ({v['arsverk']:.2f} årsverk"
                             + (f"; slots {'+'.join(v['slots'])}" if v['slots'] != [g] else "") + ")"
                             for g, v in notes.items()) + "."),
             "kind: staff", f"id: {unit_id}_staff", f"unit: ../units/{path_unit.name}", f"rules: ../rules/{prof.rules}",
             "illustrative: true"]
    if prof.substitutes:
        lines.append("substitutes:   # slot group -> groups that may fill it (upward on the care track; sideways listed)")
        lines += [f"  {g}: [{', '.join(v)}]" for g, v in prof.substitutes.items()]
    lines.append("staff:")
    for p in people:
        extra = f", shifts: [{', '.join(p['shifts'])}]" if p.get("shifts") else ""
        extra += f", weekend_every: {p['weekend_every']}" if p.get("weekend_every") else ""
        lines.append(f"  - {{id: {p['id']}, group: {p['group']}, percent: {p['percent']}{extra}}}")
    return "\n".join(lines) + "\n"


def write_staff(unit_id: str, path_unit: Path, out: Path, req: dict | None = None) -> Path:
    text = staff_text(unit_id, path_unit, req)
    write_text(out, text)
    return out


# ---------------------------------------------------------------------------------------------
# Shipped rosters "of the traditional kind" (instances/rosters/<unit>_6uker.csv)
# ---------------------------------------------------------------------------------------------
ROSTER_DET_TIME = 6.0     # deterministic CP-SAT seconds for the builder (short: a first draft, not the optimum)
ROSTER_WALL = 300.0       # wall-clock guard only; the deterministic budget binds first on any normal machine
PLANTS = ("quick_return", "two_weekends", "seventh_day")


def _plant(P, asg: dict, kind: str, used: set, conds_of: dict) -> tuple[dict, dict] | None:
    """One planted problem by an exchange between two people of the same group and allowed shifts:
    A takes shift s on day x from B, and B takes A's shift t (same hours) on day y, so cover and
    contract hours stay as they were. The first exchange (fixed order) whose only new violations are
    the intended rule for A is kept. kind: quick_return (kveld then dag next morning), two_weekends
    (a Saturday dag shift on the weekend after one A works) or seventh_day (a 7th working day in a row)."""
    from models.roster import cpsat as M
    days, code = P.days, {i: st.code for i, st in enumerate(P.shifts)}
    # a kveld -> dag return is a soft quick return where it leaves >= the daily rest (KS units: 9,5 h), a hard
    # daily-rest breach where it does not (hospital: K 14:30-22:30, D 07:00 = 8,5 h < 9 h)
    rules = {"quick_return": {"quick_return", "daily_rest"}, "two_weekends": {"weekend_frequency"},
             "seventh_day": {"max_consecutive_days"}}[kind]
    work = {}
    for (pi, d), sh in asg.items():
        work.setdefault(pi, {})[d] = sh

    def viol(pi, w):
        ws = {(d, sh) for d, sh in w.items()}
        return {(c.rule, c.day) for c in conds_of.get(pi, ()) if M.evaluate(c, ws, P.persons[pi])[0]}

    def wants(pi, x, sh):
        w = work.get(pi, {})
        if x in w:
            return False
        if kind == "quick_return":
            return code[sh] == "D" and code.get(w.get((x - 1) % days)) == "K"
        if kind == "two_weekends":
            prev = {(x - 7 + k) % days for k in (0, 1)}
            return x % 7 == 5 and code[sh] == "D" and any(d in w for d in prev) and (x + 1) % days not in w
        if kind == "seventh_day":
            run_b = next(k for k in range(days) if (x - 1 - k) % days not in w)
            run_a = next(k for k in range(days) if (x + 1 + k) % days not in w)
            return run_b + run_a == 6 and not P.helg[x]
        return False

    klass = lambda pi: (P.persons[pi].group, P.persons[pi].allowed)  # noqa: E731
    persons = sorted(range(len(P.persons)), key=lambda i: (-P.persons[i].percent, P.persons[i].id))
    for a in persons:
        if a in used:
            continue
        wa = work.get(a, {})
        for x in range(days):
            for b in persons:
                if b == a or b in used or klass(b) != klass(a) or x not in work.get(b, {}):
                    continue
                sh = work[b][x]
                if not wants(a, x, sh):
                    continue
                for y in sorted(wa):
                    t = wa[y]
                    if y == x or y in work.get(b, {}) or P.shifts[t].work_minutes != P.shifts[sh].work_minutes:
                        continue
                    if abs(y - x) <= 7 or P.helg[y]:
                        continue            # give away a weekday shift away from the planted one
                    na = {**wa, x: sh}
                    del na[y]
                    nb = {**work[b], y: t}
                    del nb[x]
                    va0, vb0, va1, vb1 = viol(a, wa), viol(b, work[b]), viol(a, na), viol(b, nb)
                    new_a = va1 - va0
                    if vb1 - vb0 or va0 - va1 or vb0 - vb1 or not new_a or any(r not in rules for r, _ in new_a):
                        continue
                    out = {k: v for k, v in asg.items() if k[0] not in (a, b)}
                    out.update({(a, d): v for d, v in na.items()})
                    out.update({(b, d): v for d, v in nb.items()})
                    used.update((a, b))
                    return out, {"kind": kind, "person": P.persons[a].id, "date": P.label(x),
                                 "shift": code[sh], "from": P.persons[b].id, "gives": P.label(y),
                                 "violations": sorted((r, P.label(d)) for r, d in new_a)}
    return None


def traditional_roster(unit_id: str, det_time: float = ROSTER_DET_TIME, req: dict | None = None):
    """The shipped roster of a unit: `leon roster build`'s builder on the unit's own traditional shifts
    (D/K/N, every third weekend as the staff file says, rules of the staff file) with a short deterministic
    budget and the LEON requirement, then the problems of PLANTS, each by a cover- and hours-neutral
    exchange (``_plant``). Returns (Problem, assignment, build Result, planted list)."""
    from planner.roster.setup import leon_requirement
    from models.roster import cpsat as M
    from planner.roster import build as B
    from planner.roster.rules import load_rules
    from planner.roster.setup import load_staff, load_unit_view, make_problem
    unit = load_unit_view(ROOT / "instances" / "units" / f"{unit_id}.yaml")
    staff = load_staff(ROOT / "instances" / "staff" / f"{unit_id}.yaml", unit)
    rules = load_rules(staff.rules)
    req = req or leon_requirement(unit)
    P = make_problem(unit, staff, rules, WEEKS, None, req, True)
    r = B.solve_problem(P, ROSTER_WALL, det_time=det_time, seed=1)
    asg = dict(r.assignment)
    conds_of: dict[int, list] = {}
    for c in M.all_conditions(P):
        conds_of.setdefault(c.person, []).append(c)
    planted, used = [], set()
    for kind in PLANTS:
        got = _plant(P, asg, kind, used, conds_of)
        if got:
            asg, info = got
            planted.append(info)
    return P, asg, r, planted


def write_roster(unit_id: str, out: Path | None = None) -> tuple[Path, list[dict]]:
    from planner.roster import build as B
    from planner.roster.grids import write_csv
    P, asg, _, planted = traditional_roster(unit_id)
    out = out or ROOT / "instances" / "rosters" / f"{unit_id}_6uker.csv"
    write_csv(out, P.day_labels, B.grid_rows(P, asg))
    return out, planted


if __name__ == "__main__":  # pragma: no cover - maintenance script
    import sys
    what = sys.argv[1] if len(sys.argv) > 1 else "staff"
    for u in (sys.argv[2:] or PROFILES):
        if what == "staff":
            print(write_staff(u, ROOT / "instances" / "units" / f"{u}.yaml",
                              ROOT / "instances" / "staff" / f"{u}.yaml"))
        else:
            path, planted = write_roster(u)
            print(path)
            for x in planted:
                print("  planted", x)
