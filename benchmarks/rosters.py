"""Roster builder performance on the shipped units: time to the first legal roster, objective, bound, gap,
soft violations, heltid share and wall time, on a quiet machine and beside a busy process.

    python benchmarks/rosters.py [--units NAME|UNIT.yaml=STAFF.yaml ...] [--time-limit 60] [--weeks 6]
                                 [--seeds 1 2 3] [--json PATH] [--busy]

Each unit (default: every shipped one, instances/units/NAME.yaml with instances/staff/NAME.yaml) is built
as `leon roster build` builds it: the same loading (`commands.roster._inputs`: the staff file's rules and
cover, else aml.yaml and leon's own staffing), the same problem (`make_problem`, 6 weeks, a rotation), the
same budget (the time limit bounds loading, start roster and search; no deterministic limit, as the
command's default; seed 1 unless ``--seeds`` names others) and the same entry point,
`planner.roster.build.solve_problem`. The returned roster is then
audited (`planner.roster.audit.audit`): "legal" (no hard violation and no open minimum-cover shift-head),
the hard, open and soft counts and the heltid share (share of persons at 100 %) come from that audit, not
from the engine's claims. Soft violations are listed per rule with their count and cost: the weight of each
violated condition x `Weights.soft_rule`, which is what the objective charges for one unit of it. Objective,
bound and gap are the engine's (the audit cannot prove a bound).

"first legal" is `Result.first_legal_s`: the wall seconds from the start of `solve_problem` (loading and
problem building excluded; they are "load_s") until the builder first held a roster without hard
violations and without open minimum cover; "-" if it never did. The builder looks after its start roster,
after its neighbourhood search as a whole (a roster made legal inside that search counts at its end) and
at each CP-SAT solution.

Absolute times depend on the machine and on what else runs on it, so each is set beside a reference from
the same run:
  * wall / limit: the command's wall time (loading, building and audit) over the time limit it was given;
    at most about 1 when the builder keeps its budget, on any machine.
  * first / ref: time to the first legal roster over the wall time of a fixed reference computation, timed
    just before and just after the unit under the same load (the mean of both). The reference does not
    use the product's code, so a faster builder shows as a lower ratio: a toy roster model (30 people x 28
    days x 3 shifts, at most one shift a day, no day or evening shift after a night, at most 5 shifts a
    week, at least 20 shifts each, a fixed cover and fixed pseudo-random shift costs) is built in Python
    and solved to its proven optimum by CP-SAT in its deterministic interleaved mode with the builder's
    2 workers: the same work on every machine and load, and like the builder part Python model building,
    part CP-SAT search on two threads.
`--busy` runs only beside a spinning Python process (benchmarks/busy.py, started and stopped here); by
default each unit is run on the quiet machine and then beside it. Nothing is written but `--json`.

A run stopped by the time limit is one draw: two searches on two threads and CP-SAT's own threads do not
repeat, and the same unit and seed differ by up to 3x between runs. `--seeds 1 2 3` builds each unit once
per seed and adds a summary per unit and load: the median objective and gap with their least and most,
and how many runs were legal. Compare versions by those medians, not by one run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import types
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from busy import busy_neighbour, describe  # noqa: E402  (benchmarks/busy.py, beside this file)
from commands.roster import _inputs  # noqa: E402
from models.roster import cpsat as M  # noqa: E402
from planner.io.errors import InputError  # noqa: E402
from planner.roster import build as B  # noqa: E402
from planner.roster.audit import audit  # noqa: E402
from planner.roster.setup import make_problem  # noqa: E402

WORKERS = 2   # the builder's default (solve_problem), also used by the reference
COLUMNS = ("machine", "unit", "seed", "people", "legal", "first/ref", "first_s", "ref_s", "wall/limit", "wall_s",
           "load_s", "objective", "bound", "gap", "hard", "open", "soft", "soft_cost", "heltid", "status")


def reference(seed: int = 1) -> float:
    """Wall seconds of the fixed reference computation (module docstring): a toy roster model built in
    Python and solved to optimality by CP-SAT, deterministic interleaved search on WORKERS threads."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    people, days, shifts, need = 30, 28, 3, (5, 4, 2)   # shift 2 is the night
    rng = random.Random(seed)
    m = cp_model.CpModel()
    x = {(p, d, s): m.new_bool_var("") for p in range(people) for d in range(days) for s in range(shifts)}
    for p in range(people):
        for d in range(days):
            m.add_at_most_one(x[p, d, s] for s in range(shifts))
            if d + 1 < days:
                for s in (0, 1):
                    m.add_implication(x[p, d, 2], x[p, d + 1, s].Not())
        for w in range(days // 7):
            m.add(sum(x[p, d, s] for d in range(7 * w, 7 * w + 7) for s in range(shifts)) <= 5)
        m.add(sum(x[p, d, s] for d in range(days) for s in range(shifts)) >= 20)
    for d in range(days):
        for s in range(shifts):
            m.add(sum(x[p, d, s] for p in range(people)) >= need[s] - (d % 7 >= 5))
    m.minimize(sum(rng.randint(0, 9) * v for v in x.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = 10.0   # a cap only: the optimum is proven well before
    if solver.solve(m) != cp_model.OPTIMAL:   # then the work would not be the same fixed amount
        raise RuntimeError(f"the reference model was not solved to optimality: {solver.status_name()}")
    return time.perf_counter() - t0


def unit_files(spec: str) -> tuple[Path, Path]:
    """NAME (a shipped unit) or UNIT.yaml=STAFF.yaml -> (unit file, staff file)."""
    if "=" in spec:
        unit, staff = spec.split("=", 1)
        return Path(unit), Path(staff)
    return ROOT / "instances" / "units" / f"{spec}.yaml", ROOT / "instances" / "staff" / f"{spec}.yaml"


def soft_by_rule(P: M.Problem, asg: dict, rep: dict) -> dict[str, dict]:
    """{rule: {count, cost}} of the soft violations; the counts are the audit's, the cost weighs each
    violated condition (a wish carries its own weight) as the objective does for one unit of it."""
    per: dict[str, dict] = {}
    for v in M.check(P, asg):
        if not v.hard:
            e = per.setdefault(v.rule, {"count": 0, "cost": 0})
            e["count"] += 1
            e["cost"] += v.weight * M.Weights().soft_rule
    soft = Counter(v["rule"] for v in rep["violations"] if not v["hard"])
    if soft != Counter({k: e["count"] for k, e in per.items()}):
        raise RuntimeError(f"soft violations differ from the audit: {dict(soft)} vs {per}")
    return dict(sorted(per.items()))


def run_unit(unit_path: Path, staff_path: Path, time_limit: float, weeks: int, seed: int = 1) -> dict:
    """Build one roster as `leon roster build` does and audit it."""
    started = time.perf_counter()
    unit, staff, rules, req = _inputs(types.SimpleNamespace(unit=unit_path, staff=staff_path, rules=None,
                                                            requirement=None))
    P = make_problem(unit, staff, rules, weeks, None, req, True)
    loaded = time.perf_counter() - started
    deadline = started + time_limit - min(1.0, 0.05 * time_limit)   # as the command: room for the audit
    r = B.solve_problem(P, max(0.1, deadline - time.perf_counter()), None, seed=seed, det_time=None, deadline=deadline)
    rep = audit(P, r.assignment)
    wall = time.perf_counter() - started
    s = rep["summary"]
    soft = soft_by_rule(P, r.assignment, rep)
    return {
        "unit": unit.id, "seed": seed, "people": len(P.persons), "rules": rules.id,
        "legal": bool(r.assignment) and s["hard_violations"] == 0 and s["missing_shifts"] == 0,
        "first_legal_s": r.first_legal_s, "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "hard": s["hard_violations"], "open": s["missing_shifts"], "soft": s["soft_violations"],
        "soft_cost": sum(e["cost"] for e in soft.values()), "soft_by_rule": soft,
        "heltid_share": rep["heltid_share"], "status": r.outcome, "stopped_by": r.stopped_by,
        "wall_s": wall, "load_s": loaded, "time_limit_s": time_limit, "det_time_s": r.det_time,
    }


def measure(specs: list[str], time_limit: float, weeks: int, busy: bool, seeds: tuple[int, ...] = (1,)) -> list[dict]:
    rows = []
    with busy_neighbour(busy):
        for spec, seed in ((sp, sd) for sp in specs for sd in seeds):
            before = reference()
            row = run_unit(*unit_files(spec), time_limit, weeks, seed)
            ref = (before + reference()) / 2
            f = row["first_legal_s"]
            row.update({"machine": "busy" if busy else "quiet", "reference_s": ref,
                        "first_ratio": None if f is None else f / ref,
                        "wall_ratio": row["wall_s"] / time_limit})
            print(f"{row['machine']} {row['unit']} seed {seed}: legal {'yes' if row['legal'] else 'no'}, "
                  f"{row['wall_s']:.1f} s", file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def _cell(value, fmt: str = "{}") -> str:
    return "-" if value is None else fmt.format(value)


def table(rows: list[dict]) -> list[str]:
    """The table as lines: the header (COLUMNS), one row per unit and load, then the soft violations by rule."""
    widths = (7, 22, 4, 6, 5, 9, 7, 5, 10, 6, 6, 10, 10, 6, 4, 4, 5, 9, 6, 18)
    out = [" ".join(f"{c:>{w}}" for c, w in zip(COLUMNS, widths, strict=True))]
    for r in rows:
        cells = (r["machine"], r["unit"], r["seed"], r["people"], "yes" if r["legal"] else "no",
                 _cell(r["first_ratio"], "{:.3f}"), _cell(r["first_legal_s"], "{:.2f}"), f"{r['reference_s']:.2f}",
                 f"{r['wall_ratio']:.3f}", f"{r['wall_s']:.1f}", f"{r['load_s']:.1f}",
                 _cell(r["objective"], "{:,.0f}"), _cell(r["bound"], "{:,.0f}"), _cell(r["gap"], "{:.1%}"),
                 r["hard"], r["open"], r["soft"], f"{r['soft_cost']:,}", f"{r['heltid_share']:.0%}",
                 r["status"] or "-")
        out.append(" ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)))
    out.append("soft violations by rule (count / cost):")
    for r in rows:
        by = ", ".join(f"{k} {e['count']} / {e['cost']:,}" for k, e in r["soft_by_rule"].items()) or "none"
        out.append(f"  {r['machine']:<5} {r['unit']} seed {r['seed']}: {by}")
    return out


def summary(rows: list[dict]) -> list[str]:
    """Per unit and load, over its seeds: the median objective and gap with their least and most, and the
    legal runs out of all (a run without a roster counts as no objective)."""
    import statistics
    out = ["median over seeds (least - most):",
           f"{'machine':>7} {'unit':>22} {'runs':>4} {'legal':>5} {'objective':>24} {'gap':>22}"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["machine"], r["unit"]), []).append(r)
    for (machine, unit), rs in groups.items():
        objs = [r["objective"] for r in rs if r["objective"] is not None]
        gaps = [r["gap"] for r in rs if r["gap"] is not None]
        obj = "-" if not objs else \
            f"{statistics.median(objs):,.0f} ({min(objs):,.0f} - {max(objs):,.0f})"
        gap = "-" if not gaps else \
            f"{statistics.median(gaps):.1%} ({min(gaps):.1%} - {max(gaps):.1%})"
        out.append(f"{machine:>7} {unit:>22} {len(rs):>4} {sum(r['legal'] for r in rs):>5} {obj:>24} {gap:>22}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", nargs="+", metavar="UNIT",
                    help="shipped unit names, or UNIT.yaml=STAFF.yaml pairs (default: every shipped unit)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per roster, as `leon roster build`")
    ap.add_argument("--weeks", type=int, default=6, help="horizon in weeks (default: 6)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1], metavar="SEED",
                    help="build each unit once per seed and print the medians (default: 1)")
    ap.add_argument("--json", type=Path, help="also write the rows as a JSON list here")
    ap.add_argument("--busy", action="store_true", help="only beside a spinning process (default: quiet, then busy)")
    args = ap.parse_args(argv)
    if args.time_limit <= 0:
        ap.error(f"--time-limit must be positive (got {args.time_limit:g})")
    specs = args.units or sorted(p.stem for p in (ROOT / "instances" / "units").glob("*.yaml"))
    for spec in specs:
        for f in unit_files(spec):
            if not f.is_file():
                ap.error(f"{spec}: no file {f} (give a shipped unit name or UNIT.yaml=STAFF.yaml)")
    loads = [True] if args.busy else [False, True]
    seeds = tuple(dict.fromkeys(args.seeds))
    print(f"time limit {args.time_limit:g} s per roster (wall time; no deterministic limit), "
          f"{args.weeks} weeks, {WORKERS} workers, seed{'s' * (len(seeds) > 1)} {' '.join(map(str, seeds))}; "
          f"loads: {'; '.join(describe(b) for b in loads)}")
    try:
        rows = [row for busy in loads for row in measure(specs, args.time_limit, args.weeks, busy, seeds)]
    except InputError as e:
        print(e, file=sys.stderr)
        return 2
    print("\n".join(table(rows)))
    if len(seeds) > 1:
        print("\n".join(summary(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
