"""`leon template`: arguments -> planner -> write a unit workbook to fill in Excel."""

from __future__ import annotations

import argparse

from planner.io.errors import InputError
from planner.io.terminal import console


def template(args: argparse.Namespace) -> int:
    from planner.io.writer import guard_all
    from planner.staffing.template import write_template

    # before reading anything: OUT must not be the unit (or a file it names; checked again at write time)
    outs = guard_all({"OUT": args.out}, [args.from_] if args.from_ else [])
    if outs["OUT"].suffix.lower() != ".xlsx":
        raise InputError("OUT", str(args.out), "is not an .xlsx path", "give a file name ending in .xlsx")
    summary = write_template(outs["OUT"], args.from_)
    console().print(f"wrote {outs['OUT']} ({summary})")
    return 0


def register(sub) -> None:
    t = sub.add_parser("template", help="write a unit workbook (.xlsx) to fill in Excel; check and solve read it")
    t.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    t.add_argument("--from", dest="from_", metavar="UNIT",
                   help="fill the workbook with this unit's values (YAML or .xlsx); default: an empty unit "
                        "with the shipped catalogue's groups, tasks and rules in the lists")
    t.set_defaults(func=template)
