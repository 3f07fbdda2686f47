"""`leon solve` and `leon check`: arguments -> planner -> print / write."""

from __future__ import annotations

import argparse
import sys

from planner.io.errors import InfeasibleError, InputError
from planner.io.terminal import console


def solve(args: argparse.Namespace) -> int:
    from planner.staffing.instance import load_unit
    from planner.io.writer import guard_all, write_json
    from planner.staffing.report import print_report, result_dict, write_xlsx
    from planner.staffing.solve import Deadline, build_problem, freed_breakdown, solve_instance

    if args.time_limit is not None and not 0 < args.time_limit < float("inf"):
        raise InputError("--time-limit", "", f"must be a positive number of seconds (got {args.time_limit})",
                         "give seconds, e.g. 30")
    # one budget for the whole run: baseline, LEON (both stages), explanations and the pooled comparison
    limit = Deadline(args.time_limit) if args.time_limit is not None else None
    inst = load_unit(args.unit)
    outs = guard_all({"--json": args.json, "--xlsx": args.xlsx, "--export-mps": args.export_mps,
                      "--png": args.png}, inst.input_files)
    modes = ("baseline", "leon") if args.mode == "both" else (args.mode,)
    results = solve_instance(inst, modes, args.objective, args.solver, limit, args.relax,
                             explain=not args.no_explain)
    options = {"mode": args.mode, "objective": args.objective, "solver": args.solver,
               "relax": args.relax, "time_limit": args.time_limit}
    breakdown = None
    if len(modes) == 2 and all(r.status in ("optimal", "time_limit") for r in results.values()):
        breakdown = freed_breakdown(inst, results, args.solver, args.objective, limit, args.relax)
    doc = result_dict(inst, results, options, breakdown)
    cut = _time_limit_note(limit, results, args, breakdown is not None)
    if cut:
        doc["time_limit_reached"] = cut
    if "--export-mps" in outs:
        from models.staffing.mip import export_model
        from planner.io.writer import atomic_path

        problem, _, _ = build_problem(inst, "leon")
        # HiGHS picks the format from the file name: the temporary file always ends in .mps
        with atomic_path(outs["--export-mps"], suffix=".mps") as tmp:
            export_model(problem, args.objective, args.relax).write_mps(str(tmp), relax=args.relax)
    if "--json" in outs:
        write_json(outs["--json"], doc)
    con = console()
    infeasible = [m for m, r in results.items() if r.status == "infeasible"]
    if infeasible:
        from planner.staffing.explain import describe_bend

        lines = [f"  {m}: {describe_bend(inst, b)}" for m in infeasible for b in results[m].bends]
        if cut:
            lines.append(f"  (the time limit of {limit.seconds:g} s ran out: this diagnosis may be incomplete)")
        raise InfeasibleError(
            f"infeasible: {inst.path.name}: no staffing satisfies every rule ({', '.join(infeasible)}). "
            "These had to bend in the smallest relaxation:\n" + "\n".join(lines),
            [b for m in infeasible for b in results[m].bends])
    failed = [m for m, r in results.items() if r.status not in ("optimal", "time_limit")]
    if failed:
        why = (f"the time limit of {limit.seconds:g} s for the whole run ran out first; give a longer --time-limit"
               if cut else "try a longer --time-limit or --solver highs")
        raise InfeasibleError(f"no solution: {inst.path.name}: the solver found no solution for {', '.join(failed)} "
                              f"(status: {', '.join(results[m].status for m in failed)}); {why}")
    if "--xlsx" in outs:
        write_xlsx(outs["--xlsx"], inst, results, doc)
    if "--png" in outs:
        from planner.staffing.chart import write_png

        write_png(outs["--png"], inst, results)
    if not args.quiet:
        print_report(inst, results, doc, con)
    if cut:
        console(stderr=True).print(f"note: {cut}")
    for opt, p in outs.items():
        con.print(f"wrote {p} ({opt[2:]})")
    return 0


def _time_limit_note(limit, results, args, split: bool) -> str | None:
    """What the run left unfinished when its time limit ran out (None if it did not run out)."""
    if limit is None or not limit.reached:
        return None
    parts = [f"the time limit of {limit.seconds:g} s for the whole run ran out ("
             + ", ".join(f"{m}: {r.status}" for m, r in results.items()) + ")"]
    if any(r.status == "time_limit" for r in results.values()):
        parts.append("time_limit is the best plan found in the time, not proven optimal")
    if not args.no_explain:
        parts.append("the binding-rule explanations may be incomplete")
    if len(results) == 2 and not split:
        parts.append("the split of the freed årsverk into pooling and task sharing is missing")
    return "; ".join(parts)


def check(args: argparse.Namespace) -> int:
    from planner.kinds import check_file

    con = console()
    bad = 0
    for f in args.files:    # every file is checked and reported, not only up to the first bad one
        try:
            con.print(f"ok  {f}: {check_file(f)}")
        except InputError as e:
            print(str(e), file=sys.stderr)
            bad += 1
    return 2 if bad else 0


def register(sub) -> None:
    s = sub.add_parser("solve", help="minimum staffing per shift and group, today vs LEON, freed årsverk")
    s.add_argument("unit", help="unit YAML file (kind: unit), or a unit workbook (.xlsx, see `leon template`)")
    s.add_argument("--mode", choices=["baseline", "leon", "both"], default="both",
                   help="baseline = today's task split, leon = task sharing, both = compare (default: both)")
    s.add_argument("--objective", choices=["hours", "cost"], default="hours",
                   help="stage 1 minimises paid hours per week or NOK per week; the report and the rule "
                        "costs use the same unit (default: hours)")
    s.add_argument("--solver", choices=["highs", "cbc"], default="highs", help="MIP solver (default: highs)")
    s.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="seconds for the whole run, model building included (default: no limit)")
    s.add_argument("--relax", action="store_true",
                   help="continuous heads (LP) instead of whole persons (default: whole persons)")
    s.add_argument("--json", metavar="PATH", help="write the results as JSON (default: not written)")
    s.add_argument("--xlsx", metavar="PATH", help="write an Excel workbook (default: not written)")
    s.add_argument("--export-mps", metavar="PATH",
                   help="write the whole LEON stage-1 model as MPS (default: not written)")
    s.add_argument("--png", metavar="PATH",
                   help="draw heads per shift and årsverk per group as a PNG (default: not drawn)")
    s.add_argument("--no-explain", action="store_true",
                   help="skip the binding-rule analysis, faster (default: explain)")
    s.add_argument("--quiet", action="store_true", help="print no tables (default: print them)")
    s.set_defaults(func=solve)

    c = sub.add_parser("check", help="validate instance, catalogue, groups or rule files")
    c.add_argument("files", nargs="+", help="files to validate, of any kind leon reads (with the files they refer to)")
    c.set_defaults(func=check)
