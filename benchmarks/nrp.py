"""Benchmark the roster engine on the Curtois & Qu nurse-rostering instances.

    python benchmarks/nrp.py --dir ../shared/benchmarks/nrp --instances 1-10 --time-limit 60 [--json PATH]

The engine is `models.nrp.colgen.solve`: column generation with dives in one process, CP-SAT LNS in
the other. Prints one row per instance (objective, proven lower bound, gap to the best-known value,
seconds) and the medians. Every objective printed is the independent evaluator's value of the returned
roster, after checking it against all hard constraints.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.nrp.colgen import solve  # noqa: E402
from planner.nrp.reader import evaluate, read_instance  # noqa: E402

# From the instance folder's README (benchmark/nrp.yml of wssuite/NurseScheduler).
BEST_KNOWN = {
    1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300, 9: 439, 10: 4631,
    11: 3443, 12: 4040, 13: 1348, 14: 1278, 15: 3829, 16: 3225, 17: 5746, 18: 4459, 19: 3149,
    20: 4769, 21: 21133, 22: 30241, 23: 17428, 24: 42463,
}


def parse_range(text: str) -> list[int]:
    """'1-4,7,9-10' -> [1, 2, 3, 4, 7, 9, 10]."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


def run_instance(directory: Path, number: int, time_limit: float, workers: int, seed: int) -> dict:
    problem = read_instance(directory / f"Instance{number}.txt")
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed)
    objective = None
    if solution.roster is not None:
        evaluation = evaluate(problem, solution.roster)
        if not evaluation.feasible:
            raise RuntimeError(f"instance {number}: roster breaks {evaluation.violations[:3]}")
        if evaluation.objective != solution.objective:
            raise RuntimeError(f"instance {number}: evaluator {evaluation.objective} != solver {solution.objective}")
        objective = evaluation.objective
    best = BEST_KNOWN.get(number)
    gap = (objective - best) / best if objective is not None and best else None
    return {
        "instance": number,
        "objective": objective,
        "bound": solution.bound,
        "best_known": best,
        "gap": None if gap is None else round(gap, 4),
        "seconds": round(solution.seconds, 1),
    }


def _cell(value, fmt: str = "{}") -> str:
    return "-" if value is None else fmt.format(value)


def print_table(rows: list[dict]) -> None:
    print(f"{'inst':>4} {'objective':>9} {'bound':>7} {'best':>6} {'gap':>7} {'seconds':>7}")
    for r in rows:
        print(f"{r['instance']:>4} {_cell(r['objective']):>9} {r['bound']:>7} {_cell(r['best_known']):>6} "
              f"{_cell(r['gap'], '{:.2%}'):>7} {r['seconds']:>7.1f}")
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    median_gap = f"{statistics.median(gaps):.2%}" if gaps else "-"
    print(f"{'median':>4} {'':>9} {'':>7} {'':>6} {median_gap:>7} "
          f"{statistics.median(r['seconds'] for r in rows):>7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("../shared/benchmarks/nrp"), help="instance folder")
    parser.add_argument("--instances", default="1-10", help="numbers and ranges, e.g. 1-4,7")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2, help="cores to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the rows as a JSON list here")
    args = parser.parse_args(argv)
    rows = []
    for number in parse_range(args.instances):
        rows.append(run_instance(args.dir, number, args.time_limit, args.workers, args.seed))
        print(f"instance {number}: {rows[-1]}", file=sys.stderr, flush=True)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
