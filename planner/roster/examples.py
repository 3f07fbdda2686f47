"""Deterministic generator of the shipped example staff files (instances/staff/*.yaml).

    python -m planner.roster.examples            # rewrites instances/staff/<unit>.yaml for the four units

ILLUSTRATIVE. Each staff file is sized to leon's LEON requirement of its unit (`leon solve`,
results.leon.staff), group by group:

* night pool (group has night cover): 3 x the most night heads on one night (every third weekend),
  night-only positions that together carry the night hours;
* day/evening pool: at least 3 x the persons one weekend needs (dag + kveld heads of the busiest
  weekend day), and enough heads for the remaining hours at the sector's average position size;
* position sizes: a share of full-time positions, the rest spread evenly around the mean
  (20 % .. 100 %, steps of 5), the total rounded *up* to the hours of the requirement.

Position-size figures (research digests; the numbers are put into each file's header):
  nursing home: 22 % full time, average 67 % (seeds001-004.md §2.8, doc 002 L433);
  home care: average 57,1 %, median 60 % of user-facing posts (seed000_ch7-9.md §5.2, L12697-12701),
    full-time share of municipal helsefagarbeidere 28,5 % (L12427-12428);
  hospital (Spekter 2021): sykepleier average 87 %, part-time share 43 %; helsefagarbeider 80 % / 58 %;
    all staff 91 % / 25 % (seed000_ch7-9.md §5.1-5.2, Figur 9.3 and 9.6, L12450-12535, L12750-13100).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEP = 5            # position sizes in steps of 5 %
MIN_DAY = 20        # smallest day/evening position (illustrative, as min_position in roster_models/fafo.yaml)
TOL_H = 4.0         # contract tolerance of the rule files (hours over the rotation)
WEEKS = 6


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


SYKEHJEM_CITE = ("nursing home sample: «kun 22 prosent av de ansatte har 100 prosent stilling, mens den "
                 "gjennomsnittlige stillingsprosenten er på 67 prosent» (seeds001-004.md L159, doc 002 L433); "
                 "helsefagarbeidere 28,5 % full time in 2021 (seed000_ch7-9.md L368, NOU L12427-12428)")
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
        "home care user-facing posts: «57,1 prosent i gjennomsnitt og 60,0 prosent i median» (seed000_ch7-9.md "
        "L389, NOU L12697-12701); helsefagarbeidere 28,5 % full time (seed000_ch7-9.md L368, NOU L12427-12428)",
        groups={"helsefagarbeider": (62, 0.285)}, substitutes=dict(CARE_SUBS)),
    "medisinsk_sengepost": Profile(
        "spekter.yaml", (91, 0.75),
        "hospital, Spekter 2021: average position sykepleier 87 %, helsefagarbeider/hjelpepleier 80 %, leger 96 %, "
        "helsesekretær 92 %, drifts-/teknisk 90 %, all 91 % (seed000_ch7-9.md L391-393, Figur 9.6, NOU "
        "L12750-13100); part-time share sykepleier 43 %, helsefagarbeider 58 %, all 25 % (seed000_ch7-9.md "
        "L373-374, Figur 9.3)",
        groups={"sykepleier": (87, 0.57), "helsefagarbeider": (80, 0.42), "lege": (96, 0.92),
                "helsesekretaer": (92, 0.75), "portor": (90, 0.75), "servicemedarbeider": (90, 0.75)},
        cycles=(3, 2),
        substitutes={"helsefagarbeider": ["sykepleier"], "renholder": ["servicemedarbeider"],
                     "servicemedarbeider": ["renholder"]},
        pooled={"renholder": "servicemedarbeider"},
        note="hospital positions are sized at the Spekter averages, not at 3 x the weekend persons: the LEON "
             "requirement of this ward is almost as high on weekends as on weekdays, so positions of 80-96 % "
             "need some staff on every second weekend (weekend_every: 2; spekter's Sunday averaging allows 3 of 6 "
             "Sundays) - an illustrative local agreement, the trade-off of FAFO model 5 (NOU 2023:4 Tabell 9.2); "
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
              ok=lambda p: True) -> list[int]:
    """`heads` positions in steps of 5 % adding up to at least `total` percent (and less than one step
    more), a share `avg_ft[1]` of them full time, the rest spread around their mean (largest first)."""
    ft_share = avg_ft[1]
    f = min(heads, int(round(ft_share * heads)))
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
            total = 100 * hours / norm
            n, n2 = heads_and_cycles(total, W, avg_ft[0], prof.cycles)
            sz = sizes_for(total, n, avg_ft, lo, ok=lambda p: contract_ok(p, lens, norm))
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
    from cli_roster import _leon_requirement
    from planner.roster.setup import load_unit_view
    unit = load_unit_view(path_unit)
    req = req or _leon_requirement(unit)
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
             "# rounded up to the requirement's hours (contract hours cover the requirement).",
             *wrap(f"Sizing: {method}."),
             *wrap(f"Position sizes: {prof.cite}."),
             *wrap("Every third weekend makes weekend-driven part time: the average falls below the cited figure "
                   "where the weekend cover is large relative to the week (seed000_ch7-9.md L403, NOU L14809-14811; "
                   "L320, NOU L14821-14825) - the gap `leon roster heltid` measures."),
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
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance script
    for u in PROFILES:
        print(write_staff(u, ROOT / "instances" / "units" / f"{u}.yaml", ROOT / "instances" / "staff" / f"{u}.yaml"))
