"""Staffing model performance: model size, build and solve time per archetype, throughput, and the
same figures as ratios to a reference solved in the same run.

    python benchmarks/staffing.py [UNITS] [--repeat 7] [--ref-repeat 3] [--cbc-limit 20] [--perturbed 1000]
                                  [--seed 1] [--busy]

UNITS is the folder of unit files (default: the shipped archetypes, instances/units); they are read
where they are. Per archetype unit: rows, columns, non-zeros and components of the LEON model; the
median of `--repeat` runs of problem build, solve (baseline + LEON, both stages) and total. Then the
throughput over `--perturbed` randomly perturbed archetype units (patient counts and task minutes
drawn around the shipped values), on one core in this process.

Absolute times depend on the machine and on what else runs on it, so each is set beside a reference
timed in the same run: each archetype unit as one monolithic model (all its shifts together: no
decomposition, no dominance fixing), baseline and LEON, both stages, handed to pulp and solved with
CBC and with HiGHS (pulp's HiGHS interface, default settings), each to a proven optimum. The ratio
leon / reference is the figure to compare between machines. CBC does not prove every monolithic
model optimal in reasonable time: a unit where one of its solves passes `--cbc-limit` seconds shows
the limit (">") and stays out of the CBC total. The HiGHS reference is timed again after the
throughput run, and the throughput ratio uses the mean of both. `--busy` runs a spinning Python
process beside the benchmark (started and stopped here), to show how the figures move when the
machine is not quiet.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pulp  # noqa: E402

from busy import busy_neighbour, describe  # noqa: E402  (benchmarks/busy.py, beside this file)
from models.lp import LinearModel  # noqa: E402
from models.staffing import mip as model  # noqa: E402
from planner.staffing.instance import load_unit  # noqa: E402
from planner.staffing.solve import MODES, build_problem, solve_instance  # noqa: E402


def perturb(inst, rng: np.random.Generator):
    """A unit like `inst`: patient counts ±30 % (whole patients), task minutes ±20 %."""
    counts = {c: float(max(0, round(n * rng.uniform(0.7, 1.3)))) for c, n in inst.patient_counts.items()}
    tasks = {t: spec.model_copy(update={"minutes": spec.minutes * rng.uniform(0.8, 1.2)})
             for t, spec in inst.tasks.items()}
    return dataclasses.replace(inst, patient_counts=counts, tasks=tasks)


def time_unit(inst, repeat: int) -> dict:
    builds, solves, totals = [], [], []
    stats: dict = {}
    objectives: dict[str, float] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        problems = {m: build_problem(inst, m)[0] for m in MODES}
        t1 = time.perf_counter()
        sols = {m: model.solve(p) for m, p in problems.items()}
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        solves.append(t2 - t1)
        totals.append(t2 - t0)
        stats = sols["leon"].stats
        assert all(s.status == "optimal" for s in sols.values()), {m: s.status for m, s in sols.items()}
        objectives = {m: s.objective for m, s in sols.items()}
    return {"stats": stats, "build": statistics.median(builds), "solve": statistics.median(solves),
            "total": statistics.median(totals), "objectives": objectives}


# ------------------------------------------------------------------------------------------------
# the reference: one monolithic model per unit and mode, through pulp


class OutOfTime(Exception):
    """The reference solver did not prove the optimum within its time limit."""


def _pulp_solver(name: str, limit: float | None):
    if name == "highs":
        return pulp.HiGHS(msg=False, gapRel=1e-9, threads=1, timeLimit=limit)
    with warnings.catch_warnings():  # pulp marks its bundled CBC for removal in pulp 4
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, gapRel=1e-9, timeLimit=limit)


def solve_with_pulp(m: LinearModel, solver: str, limit: float | None = None) -> float:
    """Hand `m` to pulp as it stands and solve it to a proven optimum; the objective value."""
    prob = pulp.LpProblem(m.name, pulp.LpMinimize)
    xs = [pulp.LpVariable(f"c{j}", None if m.col_lb[j] == -math.inf else m.col_lb[j],
                          None if m.col_ub[j] == math.inf else m.col_ub[j],
                          pulp.LpInteger if m.integer[j] else pulp.LpContinuous)
          for j in range(m.num_cols)]
    prob += pulp.lpSum(c * x for c, x in zip(m.cost, xs, strict=True) if c)
    rows: list[list[tuple[int, float]]] = [[] for _ in range(m.num_rows)]
    for r, c, v in zip(m._ri, m._ci, m._v, strict=True):
        rows[r].append((c, v))
    for r, terms in enumerate(rows):
        expr = pulp.lpSum(v * xs[c] for c, v in terms)
        lo, hi = m.row_lo[r], m.row_hi[r]
        if lo == hi:
            prob += expr == lo, f"r{r}"
            continue
        if lo > -math.inf:
            prob += expr >= lo, f"r{r}lo"
        if hi < math.inf:
            prob += expr <= hi, f"r{r}hi"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(_pulp_solver(solver, limit))
    if pulp.LpStatus[prob.status] != "Optimal":
        raise RuntimeError(f"reference {solver}: {pulp.LpStatus[prob.status]}")
    if prob.sol_status != pulp.LpSolutionOptimal:  # a plan, but the limit came before the proof
        raise OutOfTime(solver)
    return float(sum(c * (x.varValue or 0.0) for c, x in zip(m.cost, xs, strict=True)))


def reference_models(inst) -> list[tuple[str, model._Built, bool]]:
    """Per mode: the whole unit as one model (every shift), dominance fixing off, and whether the
    mode has a stage 2 (with every share fixed, the baseline has none, as in the LEON model)."""
    out = []
    for mode in MODES:
        p = build_problem(inst, mode)[0]
        b = dataclasses.replace(model._build(p, tuple(range(len(p.shifts))), "hours"), off1=(), off2=())
        out.append((mode, b, not all(t.fixed_shares is not None for t in p.tasks)))
    return out


def time_reference(inst, solver: str, repeat: int, limit: float | None) -> tuple[float, dict[str, float]]:
    """Median seconds to solve the unit's monolithic models (both modes, both stages) through pulp,
    and the stage-1 optimum per mode (must equal the LEON model's); OutOfTime past `limit` per solve."""
    built = reference_models(inst)
    times, objectives = [], {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        for mode, b, stage2 in built:
            z1 = solve_with_pulp(b.model, solver, limit)
            objectives[mode] = z1
            if stage2:
                m2 = model._at_stage1_optimum(b, z1, ())
                for c, v in b.stage2.items():
                    m2.cost[c] = v
                solve_with_pulp(m2, solver, limit)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), objectives


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(abs(a[m] - b[m]) <= 1e-6 * max(1.0, abs(a[m])) for m in a)


# ------------------------------------------------------------------------------------------------


def archetypes(units, repeat: int, ref_repeat: int, cbc_limit: float) -> dict[str, float]:
    """The per-unit table; returns each reference's summed time over the archetypes it solved."""
    # ratios first: they are the figures to compare between machines
    print(f"{'unit':24} {'/highs':>6} {'/cbc':>6} {'total ms':>8} {'highs ms':>8} {'cbc ms':>8} "
          f"{'build ms':>8} {'solve ms':>8} {'rows':>5} {'cols':>5} {'nnz':>5} {'comp':>4}")
    totals = {"leon": 0.0, "highs": 0.0, "leon_cbc": 0.0, "cbc": 0.0}
    medians, cbc_left_out = [], []
    for inst in units:
        r = time_unit(inst, repeat)
        highs, objectives = time_reference(inst, "highs", ref_repeat, None)
        if not same(r["objectives"], objectives):
            raise RuntimeError(f"{inst.id}: HiGHS reference optimum {objectives} != {r['objectives']}")
        cbc: float | None = None
        if cbc_limit > 0:
            try:
                cbc, objectives = time_reference(inst, "cbc", ref_repeat, cbc_limit)
            except OutOfTime:
                cbc_left_out.append(inst.id)
            else:
                if not same(r["objectives"], objectives):
                    raise RuntimeError(f"{inst.id}: CBC reference optimum {objectives} != {r['objectives']}")
                totals["cbc"] += cbc
                totals["leon_cbc"] += r["total"]
        s = r["stats"]
        medians.append(r["total"])
        totals["leon"] += r["total"]
        totals["highs"] += highs
        cbc_ms = "-" if cbc_limit <= 0 else f">{1e3 * cbc_limit:.0f}" if cbc is None else f"{1e3 * cbc:.1f}"
        cbc_ratio = "-" if cbc_limit <= 0 else f"<{r['total'] / cbc_limit:.3f}" if cbc is None \
            else f"{r['total'] / cbc:.3f}"
        print(f"{inst.id:24} {r['total'] / highs:>6.3f} {cbc_ratio:>6} {1e3 * r['total']:>8.1f} "
              f"{1e3 * highs:>8.1f} {cbc_ms:>8} {1e3 * r['build']:>8.1f} {1e3 * r['solve']:>8.1f} "
              f"{s['rows']:>5} {s['cols']:>5} {s['nonzeros']:>5} {s['components']:>4}")
    cbc_all = f"{totals['leon_cbc'] / totals['cbc']:>6.3f}" if totals["cbc"] else f"{'-':>6}"
    print(f"{'all archetypes':24} {totals['leon'] / totals['highs']:>6.3f} {cbc_all} {1e3 * totals['leon']:>8.1f} "
          f"{1e3 * totals['highs']:>8.1f} {1e3 * totals['cbc']:>8.1f}")
    if cbc_left_out:
        print(f"CBC total and ratio leave out {', '.join(cbc_left_out)}: CBC proved no optimum there "
              f"within {cbc_limit:g} s per solve")
    print(f"median over archetypes (baseline + LEON, both stages): {1e3 * statistics.median(medians):.1f} ms "
          f"(target <= 100 ms); every reference that finished reached the same optima")
    return {"highs": totals["highs"]}


def throughput(units, n: int, seed: int, highs_before: float, ref_repeat: int) -> None:
    rng = np.random.default_rng(seed)
    cases = [perturb(units[i % len(units)], rng) for i in range(n)]
    per_case, failed = [], 0
    t0, c0 = time.perf_counter(), time.process_time()
    for inst in cases:
        t = time.perf_counter()
        res = solve_instance(inst)
        per_case.append(time.perf_counter() - t)
        failed += any(r.status != "optimal" for r in res.values())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    q = np.percentile(per_case, [50, 90, 99]) * 1e3
    # the machine's load may have changed over the run: the reference again, and the mean of both
    highs_after = sum(time_reference(inst, "highs", ref_repeat, None)[0] for inst in units)
    ref_mean = (highs_before + highs_after) / 2 / len(units)  # the perturbed units cycle the archetypes
    print(f"{n} perturbed units: mean time per unit / mean HiGHS reference time per archetype "
          f"{wall / n / ref_mean:.3f} (reference over all archetypes {1e3 * highs_before:.0f} ms before, "
          f"{1e3 * highs_after:.0f} ms after)")
    print(f"  baseline + LEON each, on one core: {wall:.1f} s, {n / wall:.1f} unit solves/s (target >= 20); "
          f"per unit p50 {q[0]:.1f} ms, p90 {q[1]:.1f} ms, p99 {q[2]:.1f} ms; not optimal: {failed}")
    # CPU seconds of this process: what one core delivers when other jobs share the machine
    print(f"  CPU time of this process: {cpu:.1f} s, {n / cpu:.1f} unit solves per CPU-second "
          f"(wall/CPU {wall / cpu:.2f}: above 1 means other jobs took the core part of the time)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("units", nargs="?", type=Path, default=ROOT / "instances" / "units",
                    help="folder of unit files (default: the shipped archetypes)")
    ap.add_argument("--repeat", type=int, default=7, help="runs per archetype (median)")
    ap.add_argument("--ref-repeat", type=int, default=3, help="reference runs per archetype and solver (median)")
    ap.add_argument("--cbc-limit", type=float, default=20.0,
                    help="seconds per CBC reference solve before the unit is left out (0: no CBC reference)")
    ap.add_argument("--perturbed", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--busy", action="store_true", help="run a spinning process beside the benchmark")
    args = ap.parse_args(argv)

    units = [load_unit(p) for p in sorted(args.units.glob("*.yaml"))]
    if not units:
        ap.error(f"no unit files (*.yaml) in {args.units}")
    print(f"pulp {pulp.__version__}; references: HiGHS (pulp's highspy interface), CBC (pulp's bundled binary); "
          f"{describe(args.busy)}")
    with busy_neighbour(args.busy):
        ref = archetypes(units, args.repeat, args.ref_repeat, args.cbc_limit)
        if args.perturbed:
            throughput(units, args.perturbed, args.seed, ref["highs"], args.ref_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
