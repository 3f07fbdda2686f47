"""`leon roster build | check | heltid` - thin CLI over planner.roster."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from planner.io.errors import InputError

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "instances" / "rules" / "aml.yaml"
SEED_MAX = 2**31 - 1    # CP-SAT's random_seed is a 32-bit integer
_RULES_HELP = "worktime_rules YAML (default: the staff file's rules:, else instances/rules/aml.yaml)"


def register(sub) -> None:
    r = sub.add_parser("roster", help="build, audit and compare rosters (turnus) under aml and the agreements")
    rs = r.add_subparsers(dest="roster_command", required=True)

    b = rs.add_parser("build", help="build a legal, fair roster that covers the requirement")
    b.add_argument("--unit", required=True, help="unit YAML (kind: unit; required)")
    b.add_argument("--staff", required=True, help="staff YAML (kind: staff; required)")
    b.add_argument("--requirement", help="JSON from `leon solve --json` (results.leon.staff) (default: the "
                   "staff file's cover:, else leon's own staffing of the unit)")
    b.add_argument("--rules", help=_RULES_HELP)
    b.add_argument("--weeks", type=int, default=6, help="horizon in weeks: rotation 6-12, årsturnus 52 (default: 6)")
    b.add_argument("--start", help="first day, a Monday, YYYY-MM-DD (default: the staff file's start:, else 2027-01-04)")
    b.add_argument("--no-cyclic", action="store_true", help="the horizon does not repeat (default: a rotation)")
    b.add_argument("--time-limit", type=_seconds, default=30.0, metavar="S",
                   help="wall-clock limit in seconds for the whole command, loading and start roster included; "
                        "the best roster found by then is returned (default: 30)")
    b.add_argument("--det-time", type=_seconds, default=None, metavar="S",
                   help="deterministic work limit in CP-SAT deterministic seconds; the stages then run one after "
                        "the other, so same input + seed + det-time = same roster, unless the wall guard stops it "
                        "first (default: none - the best roster within --time-limit, not reproducible)")
    b.add_argument("--seed", type=_seed, default=1, help=f"CP-SAT random seed, 0-{SEED_MAX} (default: 1)")
    b.add_argument("--out", required=True, help="roster CSV, rows = staff, columns = dates (required)")
    b.add_argument("--json", metavar="PATH",
                   help="roster, audit and diagnosis as JSON (default: not written)")
    b.add_argument("--xlsx", metavar="PATH",
                   help="roster grid as Excel, coloured by shift, violations marked (default: not written)")
    b.add_argument("--picture", metavar="PATH",
                   help="PNG or HTML grid coloured by shift, violations marked (default: not drawn)")
    b.add_argument("--quiet", action="store_true", help="print no progress or summary (default: print them)")
    b.add_argument("--lock", metavar="FILE",
                   help="roster grid (CSV/XLSX, as `roster check` reads) of locked cells: a shift code is worked, "
                        "- (F, fri, x) is a day off, an empty cell is free (default: nothing locked)")
    b.add_argument("--keep-from", metavar="ROSTER",
                   help="rebuild from this roster grid with the fewest changed cells (cover and the hard rules "
                        "first); prints and writes the changed cells (default: build from scratch)")
    b.add_argument("--improve", metavar="ROSTER",
                   help="search on from this roster grid (e.g. the --out of an earlier run) instead of the greedy "
                        "start: the result is never worse than it; rows that break a hard rule are re-planned "
                        "first; unlike --keep-from, a changed cell costs nothing (default: the greedy start)")
    b.set_defaults(func=_build)

    c = rs.add_parser("check", help="audit a roster grid (CSV/XLSX) against the rules and the requirement")
    c.add_argument("roster", help="CSV or XLSX: rows = staff id, columns = ISO dates, cells = shift codes")
    c.add_argument("--unit", required=True, help="unit YAML (kind: unit; required)")
    c.add_argument("--staff", required=True, help="staff YAML (kind: staff; required)")
    c.add_argument("--requirement", help="JSON from `leon solve --json` (default: the staff file's cover:, "
                   "else leon's own staffing of the unit)")
    c.add_argument("--rules", help=_RULES_HELP)
    c.add_argument("--no-cyclic", action="store_true",
                   help="do not wrap the last day onto the first (default: wrap, a rotation)")
    c.add_argument("--json", metavar="PATH", help="the full audit as JSON (default: not written)")
    c.add_argument("--picture", metavar="PATH", help="PNG or HTML grid, violations marked (default: not drawn)")
    c.add_argument("--max-lines", type=_count, default=40,
                   help="violations printed; all go to --json (default: 40)")
    c.set_defaults(func=_check)

    h = rs.add_parser("heltid", help="compare roster models: heads, årsverk, full-time share, weekend load")
    h.add_argument("--unit", required=True, help="unit YAML (kind: unit; required)")
    h.add_argument("--models", required=True, help="roster models YAML (kind: roster_models; required)")
    h.add_argument("--requirement", help="JSON from `leon solve --json` (default: the staff file's cover:, "
                   "else leon's own staffing of the unit)")
    h.add_argument("--staff", help="staff YAML whose cover:/substitutes: to use (default: none)")
    h.add_argument("--rules", help="worktime_rules YAML (default: the models file's rules:, else instances/rules/aml.yaml)")
    h.add_argument("--time-limit", type=_seconds, default=80.0, metavar="S",
                   help="wall-clock limit in seconds for the whole command (loading, every model with its "
                        "building, the table); each model gets a share of the time left by the size of its "
                        "rosters, at most the models file's time_limit:, and time a model leaves goes to those "
                        "still open (default: 80)")
    h.add_argument("--det-time", type=_seconds, default=None, metavar="S",
                   help="CP-SAT deterministic seconds per model: same input + det-time = same rosters, unless "
                        "the wall clock stops a model first (default: none, the wall clock alone decides)")
    h.add_argument("--json", metavar="PATH", help="the comparison as JSON (default: not written)")
    h.set_defaults(func=_heltid)


def _seconds(text: str) -> float:
    """A time option: a finite positive number of seconds (argparse says which option, exit 2)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds; give e.g. 30") from None
    if not 0 < x < math.inf:    # also refuses nan: every comparison with it is false
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds (got {text!r}); give e.g. 30")
    return x


def _whole(lo: int, hi: int | None, eg: int):
    """An argparse type: a whole number from ``lo`` (to ``hi``), the refusal with an example."""
    def parse(text: str) -> int:
        try:
            x = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give e.g. {eg}") from None
        if x < lo or (hi is not None and x > hi):
            within = f"from {lo} to {hi}" if hi is not None else f"{lo} or more"
            raise argparse.ArgumentTypeError(f"must be {within} (got {x}); give e.g. {eg}")
        return x
    return parse


_seed = _whole(0, SEED_MAX, 1)      # CP-SAT takes a 32-bit seed
_count = _whole(0, None, 40)


def _inputs(args, need_staff=True):
    from planner.roster.rules import load_rules
    from planner.roster.setup import leon_requirement, load_requirement, load_staff, load_unit_view
    unit = load_unit_view(args.unit)
    staff = load_staff(args.staff, unit) if (need_staff or getattr(args, "staff", None)) and args.staff else None
    rules_path = args.rules or (staff.rules if staff and staff.rules else None) or DEFAULT_RULES
    rules = load_rules(rules_path)
    req = load_requirement(args.requirement, unit) if args.requirement else None
    if req is None and not (staff and staff.cover):
        req = leon_requirement(unit)
    return unit, staff, rules, req


# endings of formats --out is not written in (it is CSV text)
OTHER_FORMATS = (".xlsx", ".xlsm", ".xls", ".ods", ".json", ".png", ".html", ".htm", ".pdf", ".yaml", ".yml")


def _outs(args, names, loaded: bool = False) -> None:
    """Check the output options before any work (again after loading, ``loaded``, when the files read through
    the inputs are known; the writer checks once more at write time). The picture's format is checked then, so
    that an output that would replace an input is named as that first."""
    from planner.io.writer import guard_all
    ins = [getattr(args, a, None) for a in ("unit", "staff", "requirement", "rules", "roster", "models")]
    guard_all({f"--{n}": getattr(args, n, None) for n in names}, ins)
    if not loaded:
        return
    pic = getattr(args, "picture", None)
    if pic and Path(pic).suffix.lower() not in (".png", ".html", ".htm"):
        raise InputError("--picture", str(pic), "the picture is drawn as PNG or HTML, chosen by the file's ending",
                         "end the path in .png or .html")
    xlsx = getattr(args, "xlsx", None) if "xlsx" in names else None
    if xlsx and Path(xlsx).suffix.lower() != ".xlsx":
        raise InputError("--xlsx", str(xlsx), "an Excel workbook is written here, and a name that does not end in "
                         ".xlsx would not open as one", "end the path in .xlsx")
    out = getattr(args, "out", None) if "out" in names else None
    if out and Path(out).suffix.lower() in OTHER_FORMATS:
        raise InputError("--out", str(out), f"the roster is written here as CSV text, which a "
                         f"{Path(out).suffix.lower()} name would misname (the file would not open as one)",
                         "end the path in .csv; for Excel give --xlsx PATH.xlsx (both may be given)")


def _con():
    from planner.io.terminal import console

    return console()


def _build(args) -> int:
    import datetime as dt
    import time
    # --time-limit bounds the whole command: loading, start roster, search and writing
    started = time.perf_counter()
    from planner.roster import build as B
    from planner.roster.audit import audit
    from planner.roster.grids import write_csv, write_json, write_xlsx
    from planner.roster.picture import colours, write_picture
    from planner.roster.setup import make_problem
    _outs(args, ["out", "json", "xlsx", "picture"])
    unit, staff, rules, req = _inputs(args)
    from planner.roster import locks as LK
    lock_grid = LK.read_locks(args.lock) if args.lock else None   # read now: the guard below refuses them
    keep_grid = LK.read_previous(args.keep_from) if args.keep_from else None
    if args.improve and args.keep_from:
        raise InputError("--improve", str(args.improve), "cannot be given with --keep-from",
                         "use --keep-from for the fewest changes to a roster, --improve to improve one freely")
    improve_grid = LK.read_previous(args.improve) if args.improve else None
    _outs(args, ["out", "json", "xlsx", "picture"], loaded=True)
    start = None
    if args.start:
        try:
            start = dt.date.fromisoformat(args.start)
        except ValueError:
            raise InputError("--start", "", f"{args.start!r} is not a date", "write YYYY-MM-DD (a Monday)") from None
    P = make_problem(unit, staff, rules, args.weeks, start, req, not args.no_cyclic)
    lock = LK.lock_rule(lock_grid, P) if lock_grid else None
    keep = LK.keep_rule(keep_grid, P) if keep_grid else None
    P.rules = [*P.rules, *(x for x in (keep, lock) if x is not None)]   # the start: the kept roster, then locks
    given, given_people = LK.start_from(improve_grid, P) if improve_grid else (None, None)
    con = _con()
    if not args.quiet:
        con.print(f"roster {unit.id}: {len(P.persons)} people, {P.weeks} weeks from {P.label(0)}, "
                  f"{len(P.shifts)} shift types, rules {rules.id}; time limit {args.time_limit:g} s")

    def progress(obj, bound, t):
        if not args.quiet:
            print(f"  {t:6.1f} s  objective {obj:,.0f}  bound {bound:,.0f}", file=sys.stderr, flush=True)

    det = args.det_time
    # keep a little for the audit and the files after the search
    deadline = started + args.time_limit - min(1.0, 0.05 * args.time_limit)
    given_score = None
    if given is not None:
        from models.roster.score import score
        given_score = score(P, given)
        if not args.quiet:
            con.print(f"start: {args.improve}, objective {given_score.total:,.0f} "
                      f"({given_score.hard} hard violations)"
                      + ("; the rows breaking them are re-planned first, which may open shifts"
                         if given_score.hard else "; the result is never worse"), markup=False)
    r = B.solve_problem(P, max(0.1, deadline - time.perf_counter()), progress, seed=args.seed, det_time=det,
                        deadline=deadline, start=given, start_people=given_people)
    legal = r.outcome in ("optimal", "feasible")
    rep = audit(P, r.assignment, conds=r.conds) if r.assignment else None
    gaps = [(next(i for i, x in enumerate(P.day_labels) if x == g["date"]), g["shift"], g["group"], g["missing"])
            for g in rep["coverage_gaps"]] if rep else []
    diag = B.diagnose(P, r, gaps)
    rows = B.grid_rows(P, r.assignment)
    js = B.result_json(P, r, {"unit": unit.id, "rules": rules.id, "diagnosis": diag,
                              "audit": {k: rep[k] for k in ("summary", "violations", "coverage_gaps", "hours",
                                                             "heltid_share", "average_position")} if rep else None})
    changed = LK.changes(P, keep, r.assignment) if keep and r.assignment else None
    if lock:
        js["locked_cells"] = len(lock.cells)
    if given_score is not None:
        js.update({"improve": str(args.improve), "improve_objective": given_score.total,
                   "improve_hard_violations": given_score.hard})
    if keep:
        js.update({"keep_from": str(args.keep_from), "compared_cells": len(keep.cells),
                   "changed_cells": None if changed is None else len(changed), "changed": changed})
    written = []   # only what was really written: no roster, no grid files
    if legal:   # a roster file is only ever a roster without hard violations
        write_csv(args.out, P.day_labels, rows)
        written.append(args.out)
    if args.json:
        # the command's wall time (loading included, as --time-limit counts it) up to this file; the engine's apart
        js["engine_time_s"], js["wall_time_s"] = js["wall_time_s"], round(time.perf_counter() - started, 2)
        write_json(args.json, js)
        written.append(args.json)
    cols = colours(js["shifts"])
    if args.xlsx and rep and legal:
        from planner.roster.picture import marks_from
        write_xlsx(args.xlsx, P.day_labels, rows, cols, marks_from(rep["violations"]))
        written.append(args.xlsx)
    if args.picture and rep:
        write_picture(args.picture, P.day_labels, rows, js["shifts"], rep["violations"], rep["coverage_gaps"],
                      f"{unit.id}: {P.weeks} weeks from {P.label(0)} ({rules.id})")
        written.append(args.picture)
    if not args.quiet:
        con.print(f"status {B.verdict(r, args.time_limit, det)}", markup=False)
        con.print(f"  {time.perf_counter() - started:.1f} s wall of {args.time_limit:g}, {r.det_time:.1f} "
                  "deterministic s" + (f" of {det:g}" if det else "")
                  # the solver's own word only beside a roster: beside "none found" its FEASIBLE read as a contradiction
                  + (f"; solver status {r.status}" if legal else ""))
        if r.by_rule:
            con.print("  objective by rule: " + ", ".join(f"{k} {n} ({c:,.0f})" for k, (n, c) in
                                                         sorted(r.by_rule.items(), key=lambda kv: -kv[1][1])))
        for line in B.unavoidable_text(r):
            con.print(f"  {line}", markup=False)
        if rep:
            s = rep["summary"]
            con.print(f"audit: {s['hard_violations']} hard and {s['soft_violations']} soft violations, "
                      f"{s['missing_shifts']} missing shift-heads; heltid share {rep['heltid_share']:.0%}, "
                      f"average position {rep['average_position']:.1f} %")
        if lock:
            con.print(f"locked: {len(lock.cells)} cells from {args.lock}", markup=False)
        if changed is not None:
            con.print(f"changed {len(changed)} of {len(keep.cells)} cells against {args.keep_from}"
                      + "".join(f"\n  {c['person']} {c['date']}: {c['before']} -> {c['after']}" for c in changed[:20])
                      + (f"\n  ... {len(changed) - 20} more (see --json)" if len(changed) > 20 else ""), markup=False)
        con.print(f"wrote {', '.join(map(str, written))}" if written else "no roster written")
    if not legal or (rep and rep["summary"]["missing_shifts"]):
        head = ("infeasible: no roster keeps every hard rule:" if r.outcome == "infeasible" else
                "none_found_in_time: no roster without hard violations within the limits:" if not legal else
                f"open cover: the roster leaves {rep['summary']['missing_shifts']} shift-heads open:")
        print(head, file=sys.stderr)
        for d in diag:
            print(f"  - {d}", file=sys.stderr)
        return 1
    return 0


def _check(args) -> int:
    from planner.roster.audit import audit, problem_for_grid
    from planner.roster.grids import read_grid, write_json
    from planner.roster.picture import write_picture
    _outs(args, ["json", "picture"])
    unit, staff, rules, req = _inputs(args)
    _outs(args, ["json", "picture"], loaded=True)
    grid = read_grid(args.roster)
    P, asg = problem_for_grid(grid, unit, staff, rules, req, not args.no_cyclic)
    rep = audit(P, asg)
    rep.update({"roster": str(args.roster), "unit": unit.id, "rules_set": rules.id})
    if args.json:
        write_json(args.json, rep)
    if args.picture:
        from planner.roster.build import grid_rows
        hm = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
        shifts = {s.code: {"start": hm(s.start), "end": hm(s.end), "time": s.time} for s in P.shifts}
        write_picture(args.picture, P.day_labels, grid_rows(P, asg), shifts, rep["violations"],
                      rep["coverage_gaps"], f"{args.roster} ({rules.id})")
    con = _con()
    s = rep["summary"]
    con.print(f"{args.roster}: {len(P.persons)} people, {P.weeks} weeks from {P.label(0)}, rules {rules.id}")
    con.print(f"  violations: {s['hard_violations']} hard, {s['soft_violations']} soft  "
              + ", ".join(f"{k} {v}" for k, v in s["by_rule"].items()))
    for v in rep["violations"][:args.max_lines]:
        con.print(f"  {'HARD' if v['hard'] else 'soft'}  {v['rule']:<22} {v['person']:<8} {v['date']}  {v['detail']}",
                  markup=False)
    if len(rep["violations"]) > args.max_lines:
        con.print(f"  ... {len(rep['violations']) - args.max_lines} more (see --json)")
    gaps = rep["coverage_gaps"]
    con.print(f"  coverage gaps: {len(gaps)} (day x shift x group), {s['missing_shifts']} missing shift-heads")
    for g in gaps[:10]:
        con.print(f"    {g['date']} {g['shift']:<3} {g['group']:<18} missing {g['missing']}", markup=False)
    # planned hours are whole shifts, so "exact" is rare: count against the rule's tolerance instead
    from models.roster.cpsat import ContractHours
    ch = next((r for r in P.rules if isinstance(r, ContractHours)), None)
    tol = ch.tolerance_hours if ch else 0.0
    off = [(p, h) for p, h in rep["hours"].items() if abs(h["planned"] - h["contract"]) > tol + 1e-6]
    con.print(f"  hours vs contract: {len(rep['hours']) - len(off)} within ± {tol:g} h, {len(off)} outside")
    for p, h in off[:10]:
        con.print(f"    {p:<8} planned {h['planned']:7.2f} h, contract {h['contract']:7.2f} h", markup=False)
    ld = rep["load"].values()
    n = max(1, len(ld))
    con.print(f"  load per person: weekends {sum(x['weekends'] for x in ld) / n:.2f}, nights "
              f"{sum(x['nights'] for x in ld) / n:.2f}, evenings {sum(x['evenings'] for x in ld) / n:.2f} "
              f"(max weekends {max((x['weekends'] for x in ld), default=0)})")
    con.print(f"  heltid share {rep['heltid_share']:.0%}, average position {rep['average_position']:.1f} %, "
              f"{rep['arsverk']:.2f} årsverk")
    return 1 if s["hard_violations"] or s["missing_shifts"] else 0


_VERDICT = {"proven": "proven", "feasible": "feasible", "infeasible": "proven infeasible",
         "none_found_in_time": "none found in time"}


def _heltid(args) -> int:
    import time
    # --time-limit bounds the whole command: loading, every model (building included), the table and files
    started = time.perf_counter()
    from planner.roster import heltid as H
    from planner.roster.grids import write_json
    from planner.roster.rules import load_rules
    from planner.roster.setup import check_cover, leon_requirement, load_requirement, load_staff, load_unit_view
    _outs(args, ["json"])
    unit = load_unit_view(args.unit)
    mf = H.load_models(args.models)
    staff = load_staff(args.staff, unit) if args.staff else None
    rules = load_rules(args.rules) if args.rules else (load_rules(mf.rules) if mf.rules else load_rules(DEFAULT_RULES))
    if args.requirement:
        req = load_requirement(args.requirement, unit)
    elif staff and staff.cover:
        req = check_cover(staff.cover, unit, staff.path, "cover")
    else:
        req = leon_requirement(unit)
    _outs(args, ["json"])
    con = _con()
    con.print(f"heltid {unit.id}: {len(mf.models)} models, {mf.weeks or 'auto'} weeks, rules {rules.id}, "
              f"norm {rules.norm_hours_per_week:g} h/week; {args.time_limit:g} s in all, at most "
              f"{mf.time_limit:g} s per model")
    last = {}

    def progress(mid, obj, bound, t):
        if mid not in last or t - last[mid] > 5:
            last[mid] = t
            print(f"  {mid}: {t:6.1f} s objective {obj:,.0f} bound {bound:,.0f}", file=sys.stderr, flush=True)

    def done(r):
        print(f"  {r['model']}: {_VERDICT[r['outcome']]} after {r['time_s']:g} s (its shares so far: "
              f"{r['budget_s']:g} s)", file=sys.stderr, flush=True)

    # a little is kept for the table and the JSON after the models
    deadline = started + args.time_limit - min(1.0, 0.02 * args.time_limit)
    res = H.run(unit, req, mf, rules, progress=progress, det_time=args.det_time, deadline=deadline, done=done)
    if args.json:
        write_json(args.json, res)
    from rich.table import Table
    t = Table(title=f"Roster models for {unit.id} (rules {rules.id}; in brackets: the arithmetic bounds)")
    for c in ("model", "weeks", "weekend", "shifts wd/we", "heads (min)", "årsverk", "full-time (max)", "share",
              "avg position", "weekend shifts/person", "hard viol.", "missing", "status", "s"):
        t.add_column(c)
    for r in res["models"]:
        f = lambda v, fmt="{}": "-" if v is None else fmt.format(v)  # noqa: E731
        t.add_row(r["name"], str(r.get("weeks")), f"1 in {r['weekend_every']}", f"{r['weekday']}/{r['weekend']}",
                  f"{f(r['heads'])} ({r['heads_bound']})", f(r['arsverk'], '{:.2f}'),
                  f"{f(r.get('full_time'))} ({r['full_time_bound']})", f(r.get("full_time_share"), "{:.0%}"),
                  f(r.get("average_position"), "{:.1f} %"),
                  f(r.get("weekend_shifts_per_person"), "{:.2f}"),
                  # "figures only for legal rosters": a model without one has no violations to count, not 0
                  *((f(r.get("violations")), f(r.get("missing_shifts"))) if r["outcome"] in ("proven", "feasible")
                    else ("-", "-")),
                  _VERDICT[r["outcome"]], f(r.get("time_s")))
    con.print(t)
    con.print("heads (min): fewest heads for the weekend cover and the hours; full-time (max): most full-time "
              "positions with every other position >= min_position and contracts adding up to the cover hours "
              "(arithmetic bounds, docs/rosters.md). proven = a legal roster at both bounds; feasible = legal, "
              "with its gap to them; proven infeasible = the model cannot work (a finding); none found in time = "
              "not a finding. Figures are shown only for legal rosters.")
    for r in res["models"]:
        if r["outcome"] != "proven":
            con.print(f"{r['model']}: {_VERDICT[r['outcome']]} - {r['outcome_reason']}")
    for s in res["skipped"]:
        con.print(f"skipped {s['id']} ({s['name']}): {s['reason']}")
    con.print(f"{time.perf_counter() - started:.1f} s of the {args.time_limit:g} s limit")
    late = [r["model"] for r in res["models"] if r["outcome"] == "none_found_in_time"]
    if late:
        print(f"none found in time: {', '.join(late)} - give a longer --time-limit", file=sys.stderr)
        return 1
    return 0
