"""Benchmark of the national layer: unit solves per second with 1 and 2 workers, and a 200-draw run.

    python benchmarks/national.py [--national instances/national/norge.yaml] [--jobs 240] [--draws 200]
                                  [--integer-jobs 240]

A "unit solve" is one call of the staffing model on one perturbed unit, giving both modes
(baseline and leon). Timings include the process pool's start-up; nothing is cached.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.national.config import load_national  # noqa: E402
from planner.national.executors import run_jobs  # noqa: E402
from planner.national.montecarlo import draw_params, jobs_for  # noqa: E402
from planner.national.run import run_national  # noqa: E402


def _jobs(cfg, n: int, relax: bool):
    import dataclasses
    cfg = dataclasses.replace(cfg, relax=relax)
    jobs = []
    for p in draw_params(cfg, 10_000):
        jobs += jobs_for(cfg, p, [()], 1)
        if len(jobs) >= n:
            return jobs[:n]
    return jobs


def rate(jobs, workers: int) -> float:
    t = time.perf_counter()
    run_jobs(jobs, workers=workers, progress=False)
    return len(jobs) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--national", default=str(ROOT / "instances" / "national" / "norge.yaml"))
    ap.add_argument("--jobs", type=int, default=240)
    ap.add_argument("--integer-jobs", type=int, default=240)
    ap.add_argument("--draws", type=int, default=200)
    a = ap.parse_args()
    cfg = load_national(a.national)
    print(f"cores: {os.cpu_count()}; archetypes: {', '.join(x.id for x in cfg.archetypes)}")
    print(f"{'mode':<22}{'workers':>8}{'solves':>8}{'solves/s':>10}{'solves/min':>12}")
    rows = {}
    for relax, n in ((True, a.jobs), (False, a.integer_jobs)):
        jobs = _jobs(cfg, n, relax)
        run_jobs(jobs[:2], workers=0, progress=False)      # warm the imports in this process
        for w in (1, 2):
            r = rate(jobs, w)
            rows[(relax, w)] = r
            name = "relaxed (solve.relax)" if relax else "integer heads"
            print(f"{name:<22}{w:>8}{len(jobs):>8}{r:>10.1f}{60 * r:>12.0f}")
        print(f"{'':<22}{'speed-up 2 vs 1 workers:':>28} {rows[(relax, 2)] / rows[(relax, 1)]:.2f}×")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = run_national(cfg, draws=a.draws, workers=2, cache_dir=tmp, progress=False)
        wall = time.perf_counter() - t
        print(f"{a.draws}-draw run, all {len(res.scenarios)} scenarios, 2 workers, relax={cfg.relax}: "
              f"{wall:.1f} s wall, {res.stats['unit_solves']} unit solves "
              f"({res.stats['unit_solves'] / res.stats['solve_seconds']:.0f}/s while solving)")
        t = time.perf_counter()
        res2 = run_national(cfg, draws=a.draws, workers=2, cache_dir=tmp, progress=False)
        print(f"rerun with the cache: {time.perf_counter() - t:.1f} s wall, {res2.stats['unit_solves']} unit solves")


if __name__ == "__main__":
    main()
