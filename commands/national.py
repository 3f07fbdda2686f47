"""`leon national run|report`: national scenarios (thin; the work is in planner.national)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("national", help="national scenarios: scale units to Norway, project to 2040")
    sub = p.add_subparsers(dest="national_command", metavar="{run,report}")
    sub.required = True
    r = sub.add_parser("run", help="solve the archetype units, scale, project and write the outputs")
    r.add_argument("file", help="national scenario file (kind: national), e.g. instances/national/norge.yaml")
    r.add_argument("--scenario", help="run only this scenario (default: all in the file)")
    r.add_argument("--kommune", metavar="KOMMUNE.yaml",
                   help="a kommune's (or region's) places, users and beds in place of the national volumes "
                        "(kind: kommune): the kommune's tables (default: Norway)")
    r.add_argument("--draws", type=int, help="Monte Carlo draws (default: monte_carlo.draws in the file)")
    r.add_argument("--units", type=int, help="unit variants per archetype and draw (default: from the file)")
    r.add_argument("--out", default="out/national",
                   help="output folder, created if missing; its summary.json, results.parquet, report.xlsx, "
                        "run.json and charts are replaced (default: out/national)")
    r.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://HOST:8786 (default: local processes)")
    r.add_argument("--workers", type=int,
                   help="local worker processes, 0 to 1024 (default: all cores; 0 = in this process)")
    r.add_argument("--cache", default=".leon-cache", help="cache directory for unit solves (default: .leon-cache)")
    r.add_argument("--no-cache", action="store_true", help="do not read or write the cache (default: use it)")
    r.add_argument("--no-progress", action="store_true",
                   help="no progress bar (default: a bar when stderr is a terminal)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--relax", dest="relax", action="store_true", default=None,
                   help="continuous heads per shift (fast; default from `solve.relax` in the file)")
    g.add_argument("--integer", dest="relax", action="store_false",
                   help="integer heads per shift (slow, exact; default from `solve.relax` in the file)")
    r.add_argument("--planning-base", metavar="GROUP",
                   help="every unit's planning base: a group id (e.g. helsefagarbeider) or `none` for assistants as "
                        "base (default: `planning_base` in the file, else each unit's own)")
    r.set_defaults(func=_run)
    rep = sub.add_parser("report", help="print the tables of a finished run again")
    rep.add_argument("dir", help="the --out folder of `leon national run`")
    rep.set_defaults(func=_report)
    return p


def _run(args) -> int:
    from planner.national.run import run_and_write

    run_and_write(args.file, args.out, scenario=args.scenario, draws=args.draws, dask=args.dask,
                  workers=args.workers, cache_dir=None if args.no_cache else args.cache,
                  progress=not args.no_progress and sys.stderr.isatty(), units=args.units, relax=args.relax,
                  kommune=args.kommune, planning_base=args.planning_base)
    what = "report.xlsx and run.json" if args.kommune else "results.parquet, report.xlsx and charts"
    print(f"wrote {args.out}/summary.json, {what}")
    return 0


def _report(args) -> int:
    from planner.national.outputs import load_summary
    from planner.national.outputs import print_report

    print_report(load_summary(args.dir))
    return 0


def main(argv=None) -> int:
    """Stand-alone entry (cli.py calls register())."""
    from planner.io.errors import InputError
    from planner.io.registry import recording_reads

    ap = argparse.ArgumentParser(prog="leon")
    register(ap.add_subparsers(dest="command", required=True))
    args = ap.parse_args(argv)
    try:
        with recording_reads():  # the output guard refuses every file this run reads
            return args.func(args)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
