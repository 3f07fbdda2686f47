"""The console that prints leon's tables: the terminal's width, or wide enough when piped to a file."""

from __future__ import annotations

import sys

from rich.console import Console

PIPED_WIDTH = 160  # tables in a file or a pipe are read in an editor, not squeezed to 80 columns


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, soft_wrap=False,
                   width=None if stream.isatty() else PIPED_WIDTH)
