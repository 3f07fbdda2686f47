"""Benchmark the roster engine on the Curtois & Qu nurse-rostering instances, beside a reference.

    python benchmarks/nrp.py [DIR] [--instances 1-24] [--reference 1-16] [--time-limit 60] [--workers 2]
                             [--engine dedicated|product] [--json PATH] [--busy]

DIR is the instance folder (default ../shared/benchmarks/nrp); the files are read where they are.
The engine is `models.nrp.colgen.solve`: best responses and CP-SAT LNS in one process, column
generation with dives in the other (where its pricing rounds are cheap enough). Its objective and
time depend on the machine: a run stopped by the time limit gets further on a faster machine. So
each instance is also solved, in the same run and with the same time limit, workers and seed, by
the reference: the compact CP-SAT model (`models.nrp.compact.CompactModel`) handed to CP-SAT as it
stands. Per instance: the engine's objective ("none" if it found no legal roster), proven lower
bound, gap to the best-known value and seconds; the reference's objective and seconds; and the two
ratios (engine / reference), objective first. Every objective printed is the independent
evaluator's value of the returned roster, after checking it against all hard constraints.

`--engine product` runs the product's roster engine (`planner.roster.build.solve_problem`) instead,
on the instance as `planner.nrp.adapter` converts it: the same rows, its roster converted back and
judged by the same evaluator (its objective must equal the product engine's own).

The reference is not run where its model would not fit the time limit (a year of a hundred staff
is millions of constraints: minutes to build, gigabytes to solve); the row says so, with the
model's size. `--reference` limits it to some instances (it doubles the run's length).
`--busy` runs a spinning Python process beside the benchmark (started and stopped here).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.sat.python import cp_model

from busy import busy_neighbour, describe
from models.nrp.colgen import solve
from models.nrp.compact import CompactModel, compact_fits, compact_size
from models.nrp.problem import NrpProblem, Roster
from models.roster.score import score
from planner.nrp import adapter
from planner.nrp.reader import evaluate, read_instance
from planner.roster.build import solve_problem

# From the instance folder's README (benchmark/nrp.yml of wssuite/NurseScheduler).
BEST_KNOWN = {
    1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300, 9: 439, 10: 4631,
    11: 3443, 12: 4040, 13: 1348, 14: 1278, 15: 3829, 16: 3225, 17: 5746, 18: 4459, 19: 3149,
    20: 4769, 21: 21133, 22: 30241, 23: 17428, 24: 42463,
}


REFERENCE_MAX_SIZE = 600_000  # rows and columns of the compact model: beyond, CP-SAT needs gigabytes


def parse_range(text: str) -> list[int]:
    """'1-4,7,9-10' -> [1, 2, 3, 4, 7, 9, 10]."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


def checked_objective(problem: NrpProblem, roster: Roster | None, claimed: int | None, who: str) -> int | None:
    """The evaluator's objective of `roster`, after it has passed every hard constraint."""
    if roster is None:
        return None
    evaluation = evaluate(problem, roster)
    if not evaluation.feasible:
        raise RuntimeError(f"{who}: roster breaks {evaluation.violations[:3]}")
    if claimed is not None and evaluation.objective != claimed:
        raise RuntimeError(f"{who}: evaluator {evaluation.objective} != solver {claimed}")
    return evaluation.objective


def reference(problem: NrpProblem, time_limit: float, workers: int, seed: int) -> tuple[int | None, float]:
    """The compact model through plain CP-SAT: its checked objective and seconds (model build included)."""
    t0 = time.perf_counter()
    compact = CompactModel(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - t0))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(compact.model)
    seconds = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, seconds
    values = list(solver.response_proto.solution)
    objective = checked_objective(problem, compact.roster(values), round(solver.objective_value), "reference")
    return objective, seconds


@dataclass(frozen=True)
class ProductSolution:
    roster: Roster | None       # None: every roster it held breaks a hard constraint
    objective: int | None       # the product engine's own objective of it
    bound: float | None


def product_solve(problem: NrpProblem, time_limit: float, workers: int, seed: int) -> ProductSolution:
    """The product's roster engine on the instance as the adapter converts it."""
    P = adapter.to_product(problem)
    r = solve_problem(P, time_limit, weights=adapter.WEIGHTS, workers=workers, seed=seed)
    if r.status not in ("OPTIMAL", "FEASIBLE") or score(P, r.assignment, adapter.WEIGHTS).hard:
        return ProductSolution(None, None, r.bound)
    return ProductSolution(adapter.to_roster(problem, r.assignment), round(r.objective or 0), r.bound)


def run_instance(directory: Path, number: int, time_limit: float, workers: int, seed: int,
                 with_reference: bool, engine: str = "dedicated") -> dict:
    problem = read_instance(directory / f"Instance{number}.txt")
    t0 = time.perf_counter()
    solve_with = product_solve if engine == "product" else solve
    solution = solve_with(problem, time_limit=time_limit, workers=workers, seed=seed)
    seconds = time.perf_counter() - t0
    objective = checked_objective(problem, solution.roster, solution.objective, f"instance {number}")
    ref_objective, ref_seconds, note = None, None, ""
    if not with_reference:
        note = "reference not asked for"
    elif not compact_fits(problem, time_limit, max_size=REFERENCE_MAX_SIZE):
        note = f"reference not run: compact model of ~{compact_size(problem) / 1e6:.1f}M rows and columns"
    else:
        ref_objective, ref_seconds = reference(problem, time_limit, workers, seed)
        note = "reference found none" if ref_objective is None else ""
    if seconds > 1.1 * time_limit + 2:
        note = "; ".join(filter(None, [note, "engine over time"]))
    best = BEST_KNOWN.get(number)
    gap = (objective - best) / best if objective is not None and best else None
    return {
        "instance": number,
        "objective": objective,
        "engine": engine,
        "bound": None if solution.bound is None else round(solution.bound),
        "best_known": best,
        "gap": None if gap is None else round(gap, 4),
        "seconds": round(seconds, 1),
        "reference_objective": ref_objective,
        "reference_seconds": None if ref_seconds is None else round(ref_seconds, 1),
        "objective_ratio": None if objective is None or not ref_objective else round(objective / ref_objective, 3),
        "time_ratio": None if not ref_seconds else round(seconds / ref_seconds, 3),
        "note": note,
    }


def _cell(value, fmt: str = "{}", missing: str = "-") -> str:
    return missing if value is None else fmt.format(value)


def _median(rows: list[dict], key: str, fmt: str) -> str:
    values = [r[key] for r in rows if r[key] is not None]
    return fmt.format(statistics.median(values)) if values else "-"


def print_table(rows: list[dict]) -> None:
    print(f"{'inst':>4} {'objective':>9} {'bound':>7} {'best':>6} {'gap':>8} {'seconds':>7} {'ref obj':>8} "
          f"{'ref s':>6} {'obj/ref':>7} {'time/ref':>8}  note")
    for r in rows:
        ref_missing = "none" if r["reference_seconds"] is not None else "-"
        print(f"{r['instance']:>4} {_cell(r['objective'], missing='none'):>9} {_cell(r['bound']):>7} "
              f"{_cell(r['best_known']):>6} {_cell(r['gap'], '{:.2%}'):>8} {r['seconds']:>7.1f} "
              f"{_cell(r['reference_objective'], missing=ref_missing):>8} {_cell(r['reference_seconds'], '{:.1f}'):>6} "
              f"{_cell(r['objective_ratio'], '{:.3f}'):>7} {_cell(r['time_ratio'], '{:.3f}'):>8}  {r['note']}")
    print(f"{'median':>6} {'':>7} {'':>7} {'':>6} {_median(rows, 'gap', '{:.2%}'):>8} "
          f"{_median(rows, 'seconds', '{:.1f}'):>7} {'':>8} {_median(rows, 'reference_seconds', '{:.1f}'):>6} "
          f"{_median(rows, 'objective_ratio', '{:.3f}'):>7} {_median(rows, 'time_ratio', '{:.3f}'):>8}")
    found = sum(r["objective"] is not None for r in rows)
    print(f"legal rosters: {found} of {len(rows)}; peak memory: this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB, largest child "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=Path("../shared/benchmarks/nrp"),
                        help="instance folder (InstanceN.txt files)")
    parser.add_argument("--instances", default="1-10", help="numbers and ranges, e.g. 1-4,7")
    parser.add_argument("--reference", default="1-24",
                        help="instances to run the reference on too (numbers and ranges; 'none' for none)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (each solver)")
    parser.add_argument("--workers", type=int, default=2, help="cores to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=("dedicated", "product"), default="dedicated",
                        help="the benchmark's own engine, or the product's roster engine through the adapter")
    parser.add_argument("--json", type=Path, help="also write the rows as a JSON list here")
    parser.add_argument("--busy", action="store_true", help="run a spinning process beside the benchmark")
    args = parser.parse_args(argv)
    directory = args.dir
    if not directory.is_dir():
        parser.error(f"no instance folder at {directory}: pass the folder holding InstanceN.txt")
    print(f"engine {args.engine}; time limit {args.time_limit:g} s per instance and solver, {args.workers} workers, "
          f"seed {args.seed}; "
          f"{describe(args.busy)}")
    with_reference = set() if args.reference == "none" else set(parse_range(args.reference))
    rows = []
    with busy_neighbour(args.busy):
        for number in parse_range(args.instances):
            rows.append(run_instance(directory, number, args.time_limit, args.workers, args.seed,
                                     number in with_reference, args.engine))
            print(f"instance {number}: {rows[-1]}", file=sys.stderr, flush=True)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
