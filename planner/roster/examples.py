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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# unit -> (rules file, default (average %, full-time share), per-group overrides, citation)
PROFILES = {
    "sykehjem": ("ks.yaml", (67, 0.22), {},
                 "nursing home: 22 % full time, average position 67 % (seeds001-004.md §2.8, doc 002 L433)"),
    "skarbovik": ("ks.yaml", (67, 0.22), {},
                  "nursing home: 22 % full time, average position 67 % (seeds001-004.md §2.8, doc 002 L433)"),
    "hjemmesykepleie": ("ks.yaml", (58, 0.20), {"helsefagarbeider": (62, 0.285)},
                        "home care: average 57,1 %, median 60 % (seed000_ch7-9.md §5.2, L12697-12701); "
                        "helsefagarbeidere 28,5 % full time (L12427-12428)"),
    "medisinsk_sengepost": ("spekter.yaml", (91, 0.75),
                            {"sykepleier": (87, 0.57), "helsefagarbeider": (80, 0.42)},
                            "hospital, Spekter 2021: sykepleier average 87 %, 43 % part time; helsefagarbeider "
                            "80 % / 58 %; all staff 91 % / 25 % (seed000_ch7-9.md §5.1-5.2, Figur 9.3 and 9.6)"),
}
PREFIX = {"assistent": "ass", "helsefagarbeider": "hfa", "sykepleier": "spl", "vernepleier": "vpl",
          "servicemedarbeider": "ser", "renholder": "ren", "kjokkenpersonell": "kjo", "lege": "leg",
          "helsesekretaer": "hse", "portor": "por", "spesialsykepleier": "ssp", "farmasoyt": "far",
          "bioingenior": "bio", "merkantil": "mer", "logistikkpersonell": "log"}


def sizes_for(total: float, heads: int, avg_ft: tuple[float, float]) -> list[int]:
    """`heads` positions in steps of 5 % adding up to at least `total` percent."""
    _, ft_share = avg_ft
    f = min(heads, int(round(ft_share * heads)))
    while f > 0 and heads > f and (total - 100 * f) / (heads - f) < 20:
        f -= 1
    if heads == f:
        return [100] * heads
    mean = (total - 100 * f) / (heads - f)
    spread = max(0.0, min(mean - 20, 95 - mean, 20))
    k = heads - f
    part = [mean + spread * (1 - 2 * i / (k - 1)) if k > 1 else mean for i in range(k)]
    part = [min(95, max(20, 5 * round(x / 5))) for x in part]
    out = [100] * f + part
    i = f
    while sum(out) < total - 1e-6:            # round up, largest part-time first
        if out[i] < 95:
            out[i] += 5
        i = f + (i - f + 1) % k
        if all(x >= 95 for x in out[f:]):
            out.append(20)
            k += 1
    return sorted(out, reverse=True)


def staff_for(unit_id: str, unit, req: dict) -> tuple[list[dict], dict]:
    norm = unit.norm_hours_per_week
    by = {s.id: s for s in unit.shifts}
    rules, base, over, _ = PROFILES[unit_id]
    people, notes = [], {}
    groups = sorted({g for row in req.values() for g, v in row.items() if v > 1e-6},
                    key=lambda g: (-unit.groups[g].level, g))
    for g in groups:
        heads = {sid: math.ceil(row.get(g, 0) - 1e-6) for sid, row in req.items()}
        wk = lambda sid: heads.get(sid, 0) * by[sid].paid_hours * (5 if by[sid].day_type == "hverdag" else 2)  # noqa: E731
        night_sids = [s for s in by if by[s].time == "natt"]
        night_h = sum(wk(s) for s in night_sids)
        day_h = sum(wk(s) for s in by if by[s].time != "natt")
        pfx = PREFIX.get(g, g[:3])
        k = 0
        if night_h > 0:
            n_heads = 3 * max(heads.get(s, 0) for s in night_sids)
            per = 100 * night_h / norm / n_heads
            for _ in range(n_heads):
                k += 1
                people.append({"id": f"{pfx}n{k:02d}", "group": g, "percent": min(100, 5 * math.ceil(per / 5)),
                               "shifts": ["natt"]})
        if day_h > 0:
            we = max(sum(heads.get(s, 0) for s in by if by[s].day_type == "helg" and by[s].time != "natt"), 0)
            avg_ft = over.get(g, base)
            total = 100 * day_h / norm
            n = max(3 * we, math.ceil(total / avg_ft[0] - 1e-9), 1)
            # weekday-only cover (e.g. a doctor or secretary on weekdays): still every third weekend if any
            sz = sizes_for(total, n, avg_ft)
            shifts = ["dag", "kveld"] if night_h > 0 or any(heads.get(s, 0) for s in night_sids) else None
            for j, p in enumerate(sz):
                row = {"id": f"{pfx}{j + 1:02d}", "group": g, "percent": p}
                if night_h > 0:
                    row["shifts"] = ["dag", "kveld"]
                people.append(row)
            del shifts
        notes[g] = {"hours_per_week": round(night_h + day_h, 1), "arsverk": round((night_h + day_h) / norm, 2)}
    return people, notes


def write_staff(unit_id: str, path_unit: Path, out: Path, req: dict | None = None) -> Path:
    from cli_roster import _leon_requirement
    from planner.outputs import atomic_path  # noqa: F401 - atomic write helper
    from planner.roster.setup import load_unit_view
    unit = load_unit_view(path_unit)
    req = req or _leon_requirement(unit)
    people, notes = staff_for(unit_id, unit, req)
    rules, _, _, cite = PROFILES[unit_id]
    tot = sum(p["percent"] for p in people) / 100
    full = sum(1 for p in people if p["percent"] >= 100)
    lines = [f"# Staff of the shipped unit instances/units/{path_unit.name} - ILLUSTRATIVE, not a real ward.",
             "# Generated by `python -m planner.roster.examples` (deterministic) from leon's LEON requirement of the",
             "# unit (leon solve, results.leon.staff), group by group: night-only positions for the night hours (3 x the",
             "# night heads: every third weekend), day/evening positions for the rest, at least 3 x the persons one",
             "# weekend needs, total percent rounded up to the requirement's hours.",
             f"# Position sizes: {cite}.",
             f"# Result: {len(people)} heads, {tot:.2f} årsverk, {full} full time ({full / len(people):.0%}), "
             f"average position {100 * tot / len(people):.1f} %.",
             "# Hours per week of the requirement by group: " +
             ", ".join(f"{g} {v['hours_per_week']:g} h ({v['arsverk']:.2f} årsverk)" for g, v in notes.items()) + ".",
             "kind: staff", f"id: {unit_id}_staff", f"unit: ../units/{path_unit.name}", f"rules: ../rules/{rules}",
             "illustrative: true", "staff:"]
    for p in people:
        extra = f", shifts: [{', '.join(p['shifts'])}]" if p.get("shifts") else ""
        lines.append(f"  - {{id: {p['id']}, group: {p['group']}, percent: {p['percent']}{extra}}}")
    text = "\n".join(lines) + "\n"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance script
    for u in PROFILES:
        print(write_staff(u, ROOT / "instances" / "units" / f"{u}.yaml", ROOT / "instances" / "staff" / f"{u}.yaml"))
