"""The `leon` command. Parses arguments, calls the planner, prints and writes. Exit codes:
0 solved / valid, 1 infeasible (with a diagnosis), 2 invalid input, 130 interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands import app, national, roster, staffing, template
from planner.io.errors import InfeasibleError, InputError
from planner.io.registry import recording_reads

EXIT_CODES = """exit codes:
  0    done: solved, files valid, roster without hard violations or open cover
  1    no plan: infeasible (the message says what cannot hold together), no solution within
       the time limit, or a roster with hard violations or open cover
  2    invalid input, or an output path leon refuses (the message names the file, the field and the fix)
  130  interrupted (Ctrl-C)"""


def version() -> str:
    """The installed package's version; from pyproject.toml when run from a checkout that is not installed."""
    from importlib import metadata

    try:
        return metadata.version("leon")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def _subparsers(p: argparse.ArgumentParser):
    """Every parser below `p`, depth first."""
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for sp in dict.fromkeys(a.choices.values()):  # aliases map to the same parser
                yield sp
                yield from _subparsers(sp)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="leon", description=(
        "Staffing planner for health and care: minimum forsvarlig staffing with task sharing\n"
        "(LEON), rosters under arbeidsmiljøloven, national scenarios."), epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"leon {version()}",
                    help="print leon's version and exit")
    sub = ap.add_subparsers(dest="command", required=True)

    for family in (staffing, roster, national, template, app):
        family.register(sub)
    for sp in _subparsers(ap):  # every --help keeps its line breaks and names the exit codes
        sp.formatter_class = argparse.RawDescriptionHelpFormatter
        sp.epilog = sp.epilog or EXIT_CODES
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
