"""The `leon` command. Parses arguments, calls the planner, prints and writes. Exit codes:
0 solved / valid, 1 infeasible (with a diagnosis), 2 invalid input."""

from __future__ import annotations

import argparse
import sys

from commands import national, roster, staffing
from planner.io.errors import InfeasibleError, InputError
from planner.io.registry import recording_reads


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="leon", description=(
        "Staffing planner for health and care: minimum forsvarlig staffing with task sharing (LEON), "
        "rosters under arbeidsmiljøloven, national scenarios."))
    sub = ap.add_subparsers(dest="command", required=True)

    for family in (staffing, roster, national):
        family.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        with recording_reads():  # the output guard refuses every file this run reads
            return int(args.func(args) or 0)
    except InputError as e:
        print(str(e), file=sys.stderr)  # plain print: a message must not be re-wrapped
        return 2
    except InfeasibleError as e:
        print(str(e), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
